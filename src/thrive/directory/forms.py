"""Directory forms. The public search is a GET form with nothing personal in it."""

from django import forms

from thrive.core.fields import NhsDateField

from . import search, taxonomy
from .models import Signpost

WHEN_CHOICES = [("", "Any time"), ("now", "Open now")] + [
    (code, f"Open on {label}") for code, label in search.DAY_LABELS.items()]


class SearchForm(forms.Form):
    q = forms.CharField(label="What are you looking for?", required=False, max_length=200,
                        help_text="For example, counselling, anxiety or young carers")
    postcode = forms.CharField(label="Postcode", required=False, max_length=10,
                               help_text="To find services near you, for example NV1 2AB",
                               widget=forms.TextInput(attrs={"autocomplete": "postal-code"}))
    distance = forms.TypedChoiceField(
        label="Distance", required=False, coerce=int, empty_value=None,
        choices=[("", "Any distance")] + [(str(m), f"Within {m} miles")
                                          for m in search.DISTANCE_CHOICES])
    age = forms.IntegerField(label="Age of the child or young person", required=False,
                             min_value=0, max_value=120,
                             error_messages={"invalid": "Age must be a number, like 14",
                                             "min_value": "Age must be 0 or more",
                                             "max_value": "Age must be 120 or less"})
    need = forms.ChoiceField(label="What kind of help is needed", required=False,
                             choices=[("", "Any")] + taxonomy.NEED_CHOICES)
    kind = forms.ChoiceField(label="Kind of support", required=False,
                             choices=[("", "Any")] + taxonomy.KIND_CHOICES)
    when = forms.ChoiceField(label="When", required=False, choices=WHEN_CHOICES)

    FILTERS = ("postcode", "distance", "age", "need", "kind", "when")

    def __init__(self, *args, public: bool = True, **kwargs):
        super().__init__(*args, **kwargs)
        if public:
            # Everyday words for families; THRIVE's groupings stay for practitioners.
            self.fields["need"].label = "Kind of help"
            self.fields["need"].choices = [("", "Any")] + taxonomy.PUBLIC_NEED_CHOICES
            self.fields["kind"].label = "How it is offered"
            self.fields["kind"].choices = [("", "Any")] + taxonomy.PUBLIC_KIND_CHOICES

    @property
    def filters_used(self) -> bool:
        return any(self.data.get(name) for name in self.FILTERS)

    def criteria(self) -> search.Criteria:
        data = self.cleaned_data
        when = data.get("when") or ""
        return search.Criteria(
            text=data.get("q") or "", age=data.get("age"), need=data.get("need") or "",
            kind=data.get("kind") or "", open_now=when == "now",
            day=when if when != "now" else "", postcode=data.get("postcode") or "",
            within_miles=data.get("distance") if data.get("postcode") else None,
        )


class SignpostForm(forms.Form):
    signposted_on = NhsDateField(
        label="Date signposted", required=False,
        help_text="Today, unless you are recording signposting done earlier. For example, 15 3 2026")
    reason = forms.CharField(
        label="Why this service", widget=forms.Textarea,
        help_text="In plain words, what you and the young person hope it will help with",
        error_messages={"required": "Enter why you signposted them to this service"})
    follow_up_on = NhsDateField(label="Follow-up date", allow_future=True,
                                help_text="When you agreed to check how it went",
                                error_messages={"required": "Enter the date you agreed to "
                                                            "follow up"})


class OutcomeForm(forms.Form):
    outcome = forms.ChoiceField(label="What happened", choices=Signpost.Outcome.choices,
                                widget=forms.RadioSelect,
                                error_messages={"required": "Select what happened"})
    recorded_on = NhsDateField(label="Date you followed up",
                               error_messages={"required": "Enter the date you followed up"})
    next_follow_up_on = NhsDateField(label="Next follow-up date (if still waiting)",
                                     allow_future=True, required=False)
    note = forms.CharField(label="Notes (optional)", widget=forms.Textarea, required=False)
    version = forms.IntegerField(widget=forms.HiddenInput)
