from django import forms

from thrive.accounts.models import Agency, Team, User
from thrive.core.fields import NhsDateField, SpecificMessagesMixin, YesNoField

from .models import Consent, Sensitivity


class CareTeamMemberForm(SpecificMessagesMixin, forms.Form):
    member = forms.ModelChoiceField(queryset=User.objects.none(), label="Practitioner",
                                    empty_label="Choose a practitioner",
                                    error_messages={
                                        "required": "Choose a practitioner",
                                        "invalid_choice": "Choose someone from the list. Someone "
                                        "from an agency not working with this young person needs "
                                        "consent to share with their agency for working together "
                                        "on care, or a safeguarding override by a team manager or "
                                        "safeguarding lead"},
                                    help_text="Only people your consents (or a safeguarding "
                                    "override) cover are listed; your own agency always is")
    role = forms.CharField(max_length=120, label="Their role in the care team",
                           help_text="For example, CAMHS clinician, school mental health "
                           "practitioner, social worker")
    is_keyworker = YesNoField(label="Are they the keyworker?")
    override_reason = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}), required=False, max_length=2000,
        label="Safeguarding reason to add them without consent",
        help_text="Only for someone from an agency no consent covers. Team managers and "
        "safeguarding leads only; the privacy officer is alerted")
    keyworker_change_confirmed = forms.BooleanField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, candidates, covered_agencies, may_override, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["member"].queryset = candidates
        self.fields["member"].label_from_instance = (
            lambda u: f"{u.display_name}, {u.job_title or u.get_role_display()} ({u.agency.name})"
                      + ("" if u.agency_id in covered_agencies
                         else " – needs a safeguarding override"))
        if not may_override:
            del self.fields["override_reason"]


class ConsentForm(SpecificMessagesMixin, forms.Form):
    given_by = forms.ChoiceField(choices=Consent.GivenBy.choices, widget=forms.RadioSelect,
                                 label="Who gave consent?")
    given_by_name = forms.CharField(max_length=200, label="Their name")
    with_agency = forms.ModelChoiceField(queryset=Agency.objects.all(), label="Share with",
                                         empty_label="Choose an agency")
    purpose = forms.ChoiceField(choices=Consent.Purpose.choices, widget=forms.RadioSelect,
                                label="For what purpose?")
    given_on = NhsDateField(label="Date consent was given")
    expires_on = NhsDateField(label="Valid until", allow_future=True)

    def __init__(self, *args, own_agency_id=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["with_agency"].queryset = Agency.objects.exclude(pk=own_agency_id)


class WithdrawConsentForm(SpecificMessagesMixin, forms.Form):
    withdrawn_on = NhsDateField(label="Date consent was withdrawn",
                                help_text="For example, 15 3 2026")


class ReferralForm(SpecificMessagesMixin, forms.Form):
    to_agency = forms.ModelChoiceField(queryset=Agency.objects.all(), label="Refer to",
                                       empty_label="Choose an agency")
    reason = forms.CharField(widget=forms.Textarea, label="Why you are referring",
                             help_text="What the young person and family want help with")
    is_transfer = YesNoField(label="Is this a transfer (your agency's help is ending)?")
    override_reason = forms.CharField(
        widget=forms.Textarea, required=False, label="Safeguarding reason to share without consent",
        help_text="Only if there is no current consent. Team managers and safeguarding leads only.")

    def __init__(self, *args, own_agency_id=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["to_agency"].queryset = Agency.objects.exclude(pk=own_agency_id)


class AcceptReferralForm(SpecificMessagesMixin, forms.Form):
    team = forms.ModelChoiceField(queryset=Team.objects.none(), label="Which team will help?",
                                  empty_label="Choose a team")
    leave_on_waiting_list = forms.TypedChoiceField(
        label="Who will lead?", widget=forms.RadioSelect, coerce=lambda value: value == "yes",
        choices=[("no", "I will be the lead practitioner"),
                 ("yes", "Leave it on the team's waiting list for the team manager to allocate")])
    age_reason = forms.CharField(
        widget=forms.Textarea, required=False, max_length=1000,
        label="Why they are being seen here (only if their age is outside your service's range)")
    version = forms.IntegerField(widget=forms.HiddenInput)

    def __init__(self, *args, agency_id, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["team"].queryset = Team.objects.filter(agency_id=agency_id)
        self.fields["team"].label_from_instance = lambda team: team.name


class DeclineReferralForm(SpecificMessagesMixin, forms.Form):
    reason = forms.CharField(widget=forms.Textarea, label="Why are you declining?",
                             error_messages={"required": "Enter why you are declining the referral"},
                             help_text="The referring agency and the family will see this")
    version = forms.IntegerField(widget=forms.HiddenInput)


class BreakGlassForm(SpecificMessagesMixin, forms.Form):
    nhs_number = forms.CharField(label="NHS number", max_length=13,
                                 widget=forms.TextInput(attrs={"class": "nhsuk-input--width-10",
                                                               "inputmode": "numeric"}))
    date_of_birth = NhsDateField(label="Date of birth")
    reason = forms.CharField(widget=forms.Textarea, label="Why you need to see this record now",
                             help_text="The privacy officer will review this")


class CloseAlertForm(SpecificMessagesMixin, forms.Form):
    note = forms.CharField(widget=forms.Textarea, label="What you found and did")


class NoteForm(SpecificMessagesMixin, forms.Form):
    text = forms.CharField(widget=forms.Textarea, label="Note", max_length=4000)
    sensitivity = forms.ChoiceField(
        choices=[("none", "Not sensitive")] + [c for c in Sensitivity.choices if c[0]],
        widget=forms.RadioSelect, label="Is this note sensitive?",
        help_text="Sensitive notes are shown only to the roles allowed to see them; others see "
                  "that something is withheld")

    def clean_sensitivity(self):
        value = self.cleaned_data["sensitivity"]
        return "" if value == "none" else value


class AccessHistoryFilterForm(SpecificMessagesMixin, forms.Form):
    """Filters for the access history (a GET form: opaque ids and dates only, never a name)."""

    ACTIONS = [("", "Any action"), ("viewed", "Viewed"), ("changed", "Added or changed"),
               ("exported", "Exported"), ("refused", "Refused"),
               ("break_glass", "Break-glass"), ("sign_in", "Signed in or out")]

    user = forms.ModelChoiceField(queryset=User.objects.none(), required=False, label="Who",
                                  empty_label="Anyone",
                                  error_messages={"invalid_choice": "Choose someone from the list"})
    action = forms.ChoiceField(choices=ACTIONS, required=False, label="What",
                               error_messages={"invalid_choice": "Choose an action from the list"})
    since = NhsDateField(label="From", required=False, help_text="For example, 1 4 2026")
    until = NhsDateField(label="To", required=False, allow_future=True,
                         help_text="Leave the dates empty for all of the history")

    def __init__(self, *args, users, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["user"].queryset = users
        self.fields["user"].label_from_instance = lambda u: (
            f"{u.display_name} ({u.agency.name})" if u.agency else u.display_name)

    def clean(self):
        data = super().clean()
        since, until = data.get("since"), data.get("until")
        if since and until and since > until:
            self.add_error("until", "The 'To' date must be the same as or after the 'From' date")
        return data


class FindYoungPersonForm(SpecificMessagesMixin, forms.Form):
    """The privacy officer finds whose access history to read by name (a POST: no name in a URL)."""

    name = forms.CharField(max_length=100, label="Young person's name or NHS number",
                           error_messages={"required": "Enter a name or an NHS number"})
