from django import forms

from thrive.accounts.models import Agency, User
from thrive.core.fields import NhsDateField

from . import scoring
from .models import Action, PdsaEntry, PrincipleSet, Round, StaffSeniority


class RoundForm(forms.Form):
    title = forms.CharField(
        label="Name of the round",
        max_length=200,
        help_text="For example, Northvale baseline 2025",
        error_messages={"required": "Enter a name for the round"},
    )
    scope = forms.ChoiceField(
        label="What is being assessed",
        choices=Round.Scope.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose a locality or a service"},
    )
    locality = forms.CharField(label="Locality (if assessing a locality)", max_length=120, required=False)
    agency = forms.ModelChoiceField(
        label="Service or agency (if assessing a service)",
        queryset=Agency.objects.order_by("name"),
        required=False,
        empty_label="Choose a service",
    )
    principle_set = forms.ModelChoiceField(
        label="Principles and descriptors",
        queryset=PrincipleSet.objects.order_by("id"),
        required=False,
        empty_label="The platform's default descriptors",
        help_text="A version of your own can be made on the principles page",
    )
    held_on = NhsDateField(
        label="Date of the assessment meeting",
        allow_future=True,
        error_messages={"required": "Enter the date of the assessment meeting"},
    )
    period_start = NhsDateField(
        label="Evidence period from",
        help_text="The live evidence is computed for this period",
        error_messages={"required": "Enter the start of the evidence period"},
    )
    period_end = NhsDateField(
        label="Evidence period to", error_messages={"required": "Enter the end of the evidence period"}
    )


class CopyForm(forms.Form):
    title = RoundForm.base_fields["title"]
    held_on = RoundForm.base_fields["held_on"]
    period_start = RoundForm.base_fields["period_start"]
    period_end = RoundForm.base_fields["period_end"]


class MemberForm(forms.Form):
    user = forms.ModelChoiceField(
        label="A person who uses the platform",
        required=False,
        empty_label="Choose a person",
        queryset=User.objects.filter(is_active=True)
        .select_related("agency")
        .order_by("first_name", "last_name"),
    )
    name = forms.CharField(
        label="Or an outside member's name",
        max_length=120,
        required=False,
        help_text="Their scores are keyed in by the round's lead",
    )
    organisation = forms.CharField(label="Outside member's organisation", max_length=200, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["user"].label_from_instance = lambda u: (
            f"{u.display_name} ({u.agency.name if u.agency else u.get_role_display()})"
        )

    def clean(self):
        data = super().clean()
        if data.get("user") and data.get("name", "").strip():
            raise forms.ValidationError("Choose a platform user or enter an outside member, not both")
        return data


SCORE_CHOICES = [(str(n), str(n)) for n in scoring.LEVELS] + [(scoring.NOT_ABLE, scoring.NOT_ABLE_LABEL)]


def _score_field(principle: dict, label: str, required=False, hints=True) -> forms.ChoiceField:
    field = forms.ChoiceField(
        label=label,
        choices=SCORE_CHOICES,
        widget=forms.RadioSelect,
        required=required,
        error_messages={"required": f"Choose a score for {principle['id']}"},
    )
    if hints:
        field.choice_hints = dict(principle["descriptors"])
    return field


class ScoresForm(forms.Form):
    """A member's score and evidence notes for every principle."""

    def __init__(self, *args, principle_set, **kwargs):
        super().__init__(*args, **kwargs)
        for p in principle_set.principles:
            self.fields[p["id"]] = _score_field(p, f"{p['id']} {p['statement']}")
            self.fields[f"notes_{p['id']}"] = forms.CharField(
                label=f"Evidence notes for {p['id']} (optional)", required=False, widget=forms.Textarea
            )
        self.principle_set = principle_set

    def answers(self) -> dict:
        return {
            pid: (self.cleaned_data.get(pid) or None, self.cleaned_data.get(f"notes_{pid}", ""))
            for pid in self.principle_set.ids
        }


class AgreeForm(forms.Form):
    """The agreed score and its rationale, per principle (moderation)."""

    def __init__(self, *args, principle_set, **kwargs):
        super().__init__(*args, **kwargs)
        for p in principle_set.principles:
            self.fields[f"score_{p['id']}"] = _score_field(p, f"Agreed score for {p['id']}", hints=False)
            self.fields[f"rationale_{p['id']}"] = forms.CharField(
                label=f"Rationale for {p['id']}", required=False, widget=forms.Textarea
            )
        self.principle_set = principle_set

    def agreed(self) -> dict:
        return {
            pid: (
                self.cleaned_data.get(f"score_{pid}") or None,
                self.cleaned_data.get(f"rationale_{pid}", ""),
            )
            for pid in self.principle_set.ids
        }


class ActionForm(forms.Form):
    principle = forms.ChoiceField(label="Principle", error_messages={"required": "Choose a principle"})
    description = forms.CharField(
        label="What will be done", widget=forms.Textarea, error_messages={"required": "Say what will be done"}
    )
    owner = forms.CharField(
        label="Who owns it", max_length=120, error_messages={"required": "Enter who owns the action"}
    )
    due_on = NhsDateField(
        label="Due by", allow_future=True, error_messages={"required": "Enter the due date"}
    )

    def __init__(self, *args, principles_below_three, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["principle"].choices = [("", "Choose a principle")] + principles_below_three


class PdsaForm(forms.Form):
    stage = forms.ChoiceField(
        label="Step of the cycle",
        choices=PdsaEntry.Stage.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose plan, do, study or act"},
    )
    note = forms.CharField(
        label="What was planned, done, learned or changed",
        widget=forms.Textarea,
        error_messages={"required": "Say what was planned, done, learned or changed"},
    )
    status = forms.ChoiceField(label="Status of the action now", choices=Action.Status.choices)


class NewVersionForm(forms.Form):
    title = forms.CharField(
        label="Title of the new version",
        max_length=200,
        error_messages={"required": "Give the new version a title"},
    )


class DescriptorsForm(forms.Form):
    def __init__(self, *args, principle, **kwargs):
        super().__init__(*args, **kwargs)
        for level in ("1", "2", "3", "4"):
            self.fields[level] = forms.CharField(
                label=f"Score {level}",
                widget=forms.Textarea,
                initial=principle["descriptors"].get(level, ""),
                error_messages={"required": f"Describe what a score of {level} looks like"},
            )


class SeniorityForm(forms.Form):
    level = forms.ChoiceField(
        label="Seniority",
        choices=StaffSeniority.Level.choices,
        widget=forms.RadioSelect,
        help_text="Senior practitioners and consultants count as the most experienced (THRIVE principle I7)",
        error_messages={"required": "Choose their seniority"},
    )
