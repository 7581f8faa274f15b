"""Directory forms. The public search is a GET form with nothing personal in it."""

import re

from django import forms

from thrive.core.fields import NhsDateField

from . import editing, links, search, taxonomy
from .models import ProblemReport, Service, Signpost

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


# -- The directory team's editor ----------------------------------------------------------------


class ServiceEditForm(forms.Form):
    name = forms.CharField(label="Name", max_length=300,
                           error_messages={"required": "Enter the service's name"})
    description = forms.CharField(label="Description", widget=forms.Textarea,
                                  error_messages={"required": "Enter a description"})
    status = forms.ChoiceField(label="Status", choices=Service.Status.choices,
                               widget=forms.RadioSelect)
    minimum_age = forms.IntegerField(label="Youngest age (optional)", required=False,
                                     min_value=0, max_value=120,
                                     error_messages={"invalid": "Youngest age must be a number"})
    maximum_age = forms.IntegerField(label="Oldest age (optional)", required=False,
                                     min_value=0, max_value=120,
                                     error_messages={"invalid": "Oldest age must be a number"})
    email = forms.CharField(label="Email (optional)", required=False, max_length=254)
    url = forms.CharField(label="Website (optional)", required=False, max_length=500,
                          help_text="Starting https://")
    days = forms.MultipleChoiceField(label="Days it is open", required=False,
                                     choices=editing.DAYS, widget=forms.CheckboxSelectMultiple)
    opens_at = forms.TimeField(label="Opens at (optional)", required=False,
                               help_text="24-hour clock, for example 16:30",
                               error_messages={"invalid": "Enter the opening time like 16:30"})
    closes_at = forms.TimeField(label="Closes at (optional)", required=False,
                                help_text="24-hour clock, for example 18:00",
                                error_messages={"invalid": "Enter the closing time like 18:00"})


EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


def _clean_email(self):
    value = self.cleaned_data["email"].strip()
    if value and not EMAIL.match(value):
        raise forms.ValidationError("Enter an email address in the correct format, like "
                                    "name@example.com")
    return value


def _clean_url(self):
    value = self.cleaned_data["url"].strip()
    if value and not links.safe_url(value):
        raise forms.ValidationError("Enter a website address starting https:// or http://, "
                                    "like https://www.example.org")
    return value


ServiceEditForm.clean_email = _clean_email
ServiceEditForm.clean_url = _clean_url


class ProblemReportForm(forms.Form):
    what = forms.ChoiceField(label="What is wrong with this listing?", widget=forms.RadioSelect,
                             choices=ProblemReport.What.choices,
                             error_messages={"required": "Select what is wrong"})
    detail = forms.CharField(label="Tell us more (optional)", required=False, max_length=1000,
                             widget=forms.Textarea,
                             help_text="Do not include personal details such as names",
                             error_messages={"max_length": "Keep it to 1000 characters or fewer"})


class PlaceForm(forms.Form):
    """A place where the service is offered, with the NHS address pattern, and its opening times."""

    name = forms.CharField(label="Name of the place", max_length=300,
                           help_text="For example, Northvale Hub",
                           error_messages={"required": "Enter the name of the place"})
    address_1 = forms.CharField(label="Address line 1", max_length=200,
                                widget=forms.TextInput(attrs={"autocomplete": "address-line1"}),
                                error_messages={"required": "Enter address line 1, typically "
                                                            "the building and street"})
    address_2 = forms.CharField(label="Address line 2 (optional)", required=False, max_length=200,
                                widget=forms.TextInput(attrs={"autocomplete": "address-line2"}))
    city = forms.CharField(label="Town or city", max_length=100,
                           widget=forms.TextInput(attrs={"autocomplete": "address-level2"}),
                           error_messages={"required": "Enter town or city"})
    county = forms.CharField(label="County", max_length=100,
                             help_text="Open Referral UK asks for it, for example North Yorkshire",
                             widget=forms.TextInput(attrs={"autocomplete": "address-level1"}),
                             error_messages={"required": "Enter county"})
    postcode = forms.CharField(label="Postcode", max_length=10,
                               widget=forms.TextInput(attrs={"autocomplete": "postal-code"}),
                               error_messages={"required": "Enter postcode"})
    days = forms.MultipleChoiceField(label="Days it is open here", required=False,
                                     choices=editing.DAYS, widget=forms.CheckboxSelectMultiple)
    opens_at = forms.TimeField(label="Opens at (optional)", required=False,
                               help_text="24-hour clock, for example 16:30",
                               error_messages={"invalid": "Enter the opening time like 16:30"})
    closes_at = forms.TimeField(label="Closes at (optional)", required=False,
                                help_text="24-hour clock, for example 18:00",
                                error_messages={"invalid": "Enter the closing time like 18:00"})


class InviteForm(forms.Form):
    contact = forms.CharField(label="Who are you sending the link to?", max_length=200,
                              help_text="For your own list, for example Jo Smith, service manager",
                              error_messages={"required": "Enter who you are sending the link to"})


class RejectForm(forms.Form):
    reason = forms.CharField(label="Why are you rejecting these changes?", widget=forms.Textarea,
                             max_length=2000,
                             help_text="Say what the provider could do instead",
                             error_messages={"required": "Enter why you are rejecting these "
                                                         "changes"})
