"""Forms for managing staff, agencies and teams, and for changing your own password."""

from django import forms
from django.contrib.auth.forms import PasswordChangeForm
from django.contrib.auth.password_validation import password_validators_help_texts
from django.contrib.auth.validators import UnicodeUsernameValidator
from django.core.validators import RegexValidator

from thrive.core.fields import SpecificMessagesMixin, YesNoField

from .models import Agency

ROLE_HINTS = {
    "practitioner": "Works with young people's records in their team",
    "team_manager": "Works with records and sees the team's caseload",
    "agency_admin": "Manages this agency's staff; sees no records",
    "analyst": "Sees only anonymised figures",
    "privacy_officer": "Reviews access alerts and the audit log; sees no records",
    "system_admin": "Manages every agency, team and member of staff; sees no records",
}


_VERSION_MISSING = {"required": "This page was not opened properly. Open it again from the "
                                "member of staff's page."}


class _StaffFields(SpecificMessagesMixin, forms.Form):
    """Role, team, job title and safeguarding lead: shared by adding and changing."""

    role = forms.ChoiceField(widget=forms.RadioSelect, label="Role")
    team = forms.ModelChoiceField(
        queryset=None, required=False, label="Team",
        help_text="Practitioners and team managers must be in a team", empty_label="No team",
    )
    job_title = forms.CharField(required=False, max_length=120, label="Job title (optional)",
                                help_text="For example, Mental health practitioner")
    is_safeguarding_lead = YesNoField(
        label="Are they a named safeguarding lead?",
        help_text="Safeguarding leads may share information without consent, giving a reason, "
                  "and read safeguarding notes",
    )

    def __init__(self, *args, roles, teams, agency, **kwargs):
        super().__init__(*args, **kwargs)
        role = self.fields["role"]
        role.choices = [(r.value, r.label) for r in roles]
        role.choice_hints = {r.value: ROLE_HINTS.get(r.value, "") for r in roles}
        role.error_messages["invalid_choice"] = "Select a role you are allowed to give"
        team = self.fields["team"]
        team.queryset = teams
        team.label_from_instance = lambda t: t.name
        team.error_messages["invalid_choice"] = f"Select a team from {agency.name}"


class AddStaffForm(_StaffFields):
    username = forms.CharField(
        max_length=150, label="Username", validators=[UnicodeUsernameValidator()],
        help_text="What they sign in with. Letters, numbers and . @ + - _ only. For example, "
                  "sam.jones",
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )
    first_name = forms.CharField(max_length=150, label="First name")
    last_name = forms.CharField(max_length=150, label="Last name")
    email = forms.EmailField(required=False, label="Email address (optional)",
                             error_messages={"invalid": "Enter an email address in the correct "
                                                        "format, like name@example.com"})

    field_order = ["username", "first_name", "last_name", "email", "role", "team", "job_title",
                   "is_safeguarding_lead"]


class ChangeStaffForm(_StaffFields):
    version = forms.CharField(widget=forms.HiddenInput, error_messages=_VERSION_MISSING)


class ConfirmForm(forms.Form):
    """Deactivate, reactivate or reset a password: nothing to fill in but the version seen."""

    version = forms.CharField(widget=forms.HiddenInput, error_messages=_VERSION_MISSING)


class HandoverForm(SpecificMessagesMixin, forms.Form):
    """Move a leaver's caseload to one colleague (lead episodes optionally to the waiting list)."""

    leads_to_waiting_list = forms.TypedChoiceField(
        label="Where do the open episodes they lead go?", widget=forms.RadioSelect,
        coerce=lambda value: value == "yes",
        choices=[("no", "To the practitioner chosen below"),
                 ("yes", "To their team's waiting list, for the team manager to allocate")])
    to_user = forms.ChoiceField(
        label="Who takes over?", help_text="They take over the care-team and keyworker roles, and "
        "the episodes unless those go to the waiting list",
        error_messages={"invalid_choice": "Choose someone from the list"})
    reason = forms.CharField(widget=forms.Textarea, label="Why is the caseload moving?",
                             max_length=1000, help_text="For example: leaving the service",
                             error_messages={"required": "Enter why the caseload is moving"})
    version = forms.CharField(widget=forms.HiddenInput, error_messages=_VERSION_MISSING)
    token = forms.CharField(widget=forms.HiddenInput, error_messages=_VERSION_MISSING)

    def __init__(self, *args, staff, has_lead_episodes: bool, **kwargs):
        super().__init__(*args, **kwargs)
        self._staff = list(staff)
        self.fields["to_user"].choices = [("", "Choose a practitioner")] + [
            (str(u.pk), f"{u.display_name} – {u.team.name if u.team else 'no team'}")
            for u in self._staff]
        self.fields["to_user"].required = False  # the service says when a person is needed
        if not has_lead_episodes:
            del self.fields["leads_to_waiting_list"]

    def clean_to_user(self):
        value = self.cleaned_data["to_user"]
        return next((u for u in self._staff if str(u.pk) == value), None)

    def clean(self):
        data = super().clean()
        data.setdefault("leads_to_waiting_list", False)  # no lead episodes: nothing to decide
        return data
def _age_field(label):
    return forms.IntegerField(
        required=False, min_value=0, max_value=120, label=label,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "class": "nhsuk-input--width-3"}),
        error_messages={"invalid": f"{label.split(' (')[0]} must be a whole number of years",
                        "min_value": "Ages start at 0", "max_value": "Enter an age up to 120"})


class AgencyAgeRangeForm(SpecificMessagesMixin, forms.Form):
    min_age = _age_field("Youngest age seen (optional)")
    max_age = _age_field("Oldest age seen (optional)")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["max_age"].help_text = (
            "For example, 18 for a CAMHS team or 25 for a 0 to 25 service. Leave both blank if "
            "the agency sees any age. A referral outside the range needs a reason.")


class AgencyForm(SpecificMessagesMixin, forms.Form):
    name = forms.CharField(max_length=200, label="Name of the agency")
    kind = forms.ChoiceField(choices=Agency.Kind.choices, widget=forms.RadioSelect,
                             label="Kind of agency")
    ods_code = forms.CharField(
        required=False, max_length=10, label="ODS code (optional)",
        help_text="The Organisation Data Service code, if the agency has one. For example, RX4",
        validators=[RegexValidator(r"^[A-Za-z0-9]{3,10}$",
                                   "ODS code must be 3 to 10 letters and numbers")],
    )
    min_age = _age_field("Youngest age seen (optional)")
    max_age = _age_field("Oldest age seen (optional)")


class TeamForm(SpecificMessagesMixin, forms.Form):
    name = forms.CharField(max_length=200, label="Name of the team")


class ChangeOwnPasswordForm(SpecificMessagesMixin, PasswordChangeForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Django's help text is an HTML list; the NHS hint shows text.
        self.fields["new_password1"].help_text = " ".join(password_validators_help_texts())
        self.fields["old_password"].label = "Your current password"
        self.fields["new_password1"].label = "New password"
        self.fields["new_password2"].label = "Type the new password again"
        self.error_messages = {
            **self.error_messages,
            "password_incorrect": "Your current password is not correct. Enter it again.",
            "password_mismatch": "The two new passwords do not match. Type them again.",
        }


class PasswordsAllowedForm(SpecificMessagesMixin, forms.Form):
    """Whether an agency's staff may sign in with a password, or only with single sign-on."""

    allowed = YesNoField(
        label="Can this agency's staff sign in with a password?",
        help_text="Choose no when everyone at the agency signs in with single sign-on. The "
                  "password form then refuses them, even with the right password.")
