from django import forms

from thrive.core.fields import NhsDateField, SpecificMessagesMixin, YesNoField, review_confirmation

from .groupings import DESCRIPTIONS, OPTION_LABELS, Grouping, SupportOption
from .models import (
    GROUPING_CHOICES,
    Contact,
    Ending,
    GoalRating,
    ReferralReason,
    ReferralSource,
    Urgency,
)
from .services import allocatable_staff

WAITING = "waiting"  # the choice that leaves an episode on the team's waiting list
OPTION_CHOICES = [(o.value, OPTION_LABELS[o]) for o in SupportOption]


class GroupingDecisionForm(SpecificMessagesMixin, forms.Form):
    decided_on = NhsDateField(label="Date agreed", help_text="For example, 15 3 2026")
    young_person_took_part = YesNoField(label="Did the young person take part in the decision?")
    parent_carer_took_part = YesNoField(label="Did a parent or carer take part?")
    without_family_reason = forms.CharField(
        required=False, max_length=500, widget=forms.Textarea,
        label="Why neither took part (only if neither the young person nor a parent or carer did)",
        help_text="For example, agreed in a professionals' meeting before the family could attend",
    )
    practitioners = forms.ModelMultipleChoiceField(
        queryset=None, required=False, widget=forms.CheckboxSelectMultiple,
        label="Practitioners who took part",
    )
    other_participants = forms.CharField(
        required=False, max_length=300, label="Anyone else who took part",
        help_text="For example, a social worker or a school's mental health lead",
    )
    options_discussed = forms.MultipleChoiceField(
        choices=OPTION_CHOICES, widget=forms.CheckboxSelectMultiple,
        label="Options discussed", help_text="Include self-help and community options discussed",
    )
    options_preferred = forms.MultipleChoiceField(
        # Required when the young person or family took part: a rule of the service.
        choices=OPTION_CHOICES, widget=forms.CheckboxSelectMultiple, required=False,
        label="What the young person and family preferred",
    )
    decision_aid = forms.CharField(required=False, max_length=200, label="Decision aid used, if any")
    grouping = forms.ChoiceField(
        choices=GROUPING_CHOICES, widget=forms.RadioSelect, label="Agreed needs-based grouping"
    )
    rationale = forms.CharField(
        widget=forms.Textarea, label="Why this grouping, in plain words",
        help_text="Write it as you would explain it to the young person and family",
    )
    made_explicit = YesNoField(label="Was the grouping made explicit to the young person and family?")
    review_on = NhsDateField(label="Review date", allow_future=True)
    confirm_distant_review = review_confirmation()
    replaces = forms.IntegerField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, practitioners, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["practitioners"].queryset = practitioners
        self.fields["practitioners"].label_from_instance = lambda u: u.display_name
        self.fields["grouping"].choice_hints = {g.value: DESCRIPTIONS[g] for g in Grouping}

    def clean(self):
        data = super().clean()
        discussed, preferred = data.get("options_discussed"), data.get("options_preferred")
        if discussed and preferred and not set(preferred) <= set(discussed):
            self.add_error(
                "options_preferred", "Preferred options must be among the options discussed"
            )
        return data


class GoalForm(SpecificMessagesMixin, forms.Form):
    description = forms.CharField(
        widget=forms.Textarea, label="The goal, in the young person's words", max_length=1000
    )
    agreed_on = NhsDateField(label="Date agreed")
    expected_by = NhsDateField(label="Likely to be reached by", allow_future=True)
    plan_if_not_met = forms.CharField(
        widget=forms.Textarea, label="What happens if the goal is not reached"
    )


class GoalRatingForm(SpecificMessagesMixin, forms.Form):
    rated_on = NhsDateField(label="Date rated")
    rating = forms.IntegerField(
        label="Rating", help_text="0 means no progress at all, 10 means the goal has been reached",
        error_messages={
            "required": "Enter a rating from 0 to 10",
            "invalid": "Rating must be a whole number from 0 to 10",
        },
        widget=forms.TextInput(attrs={"inputmode": "numeric"}),
    )
    rated_by = forms.ChoiceField(
        choices=GoalRating.Rater.choices, widget=forms.RadioSelect, label="Who gave the rating?"
    )

    def clean_rating(self):
        rating = self.cleaned_data["rating"]
        if not 0 <= rating <= 10:
            raise forms.ValidationError("Rating must be a whole number from 0 to 10")
        return rating


class ContactForm(SpecificMessagesMixin, forms.Form):
    date = NhsDateField(label="Date of contact")
    time = forms.TimeField(
        label="Time", help_text="Use the 24-hour clock, for example 14:30",
        input_formats=["%H:%M", "%H.%M"],
        error_messages={"required": "Enter the time of the contact",
                        "invalid": "Enter the time as hours and minutes, for example 14:30"},
        widget=forms.TextInput(attrs={"class": "nhsuk-input--width-5"}),
    )
    mode = forms.ChoiceField(choices=Contact.Mode.choices, widget=forms.RadioSelect, label="How")
    attendance = forms.ChoiceField(
        choices=Contact.Attendance.choices, widget=forms.RadioSelect, label="Attendance"
    )
    summary = forms.CharField(
        required=False, max_length=300, label="Short summary (optional)",
        help_text="No more than a line; detailed notes belong in the clinical system",
    )


class EndingForm(SpecificMessagesMixin, forms.Form):
    ended_on = NhsDateField(label="Date ended")
    reason = forms.ChoiceField(choices=Ending.Reason.choices, widget=forms.RadioSelect,
                               label="Why is help ending?")
    goals_met = forms.ChoiceField(choices=Ending.GoalsMet.choices, widget=forms.RadioSelect,
                                  label="Were the goals met?")
    agreed_with_family = YesNoField(label="Was the ending agreed with the young person and family?")
    next_step = forms.ChoiceField(choices=Ending.NextStep.choices, widget=forms.RadioSelect,
                                  label="What happens next?")
    next_step_detail = forms.CharField(widget=forms.Textarea, required=False,
                                       label="More about what happens next (optional)")
    version = forms.IntegerField(widget=forms.HiddenInput)


class KeyDatesForm(SpecificMessagesMixin, forms.Form):
    triaged_on = NhsDateField(label="Triage date", required=False)
    accepted_on = NhsDateField(label="Date accepted", required=False)
    declined_on = NhsDateField(label="Date declined", required=False)
    declined_reason = forms.CharField(widget=forms.Textarea, required=False,
                                      label="Why it was declined (if declined)")
    assessed_on = NhsDateField(label="Assessment date", required=False)
    first_help_on = NhsDateField(label="First help date", required=False)
    version = forms.IntegerField(widget=forms.HiddenInput)


class ReferralForm(SpecificMessagesMixin, forms.Form):
    referral_received_on = NhsDateField(label="Date referral received")
    referral_source = forms.ChoiceField(
        choices=[("", "Choose a source")] + ReferralSource.choices, label="Referred by"
    )
    referral_reason = forms.ChoiceField(
        choices=[("", "Choose a reason")] + ReferralReason.choices, label="Main reason for referral"
    )
    referral_detail = forms.CharField(widget=forms.Textarea, required=False,
                                      label="What the referral says (optional)")
    urgency = forms.ChoiceField(
        choices=Urgency.choices, widget=forms.RadioSelect, label="How urgent is it?",
        error_messages={"required": "Select how urgent the referral is"},
    )
    lead_practitioner = forms.ChoiceField(
        label="Lead practitioner",
        help_text="Leave it on your team's waiting list for your team manager to allocate",
        error_messages={"required": "Choose a lead practitioner or the team's waiting list",
                        "invalid_choice": "Choose a lead practitioner or the team's waiting list"},
    )

    age_reason = forms.CharField(
        widget=forms.Textarea, required=False, max_length=1000,
        label="Why they are being seen here (only if their age is outside your service's range)",
        help_text="For example, staying with the service until a planned transfer to adult care",
    )

    def __init__(self, *args, user, agency=None, **kwargs):
        super().__init__(*args, **kwargs)
        agency = agency if agency is not None else user.agency
        if agency is not None and (agency.min_age, agency.max_age) != (None, None):
            self.fields["age_reason"].help_text = (
                f"{agency.name} sees young people aged {agency.age_range_text}. "
                + self.fields["age_reason"].help_text)
        self._team = [u for u in allocatable_staff(user.agency_id)
                      if u.team_id == user.team_id and u.pk != user.pk]
        self.fields["lead_practitioner"].choices = [
            (str(user.pk), f"{user.display_name} (you)"), (WAITING, "Leave on the team's waiting list"),
        ] + [(str(u.pk), u.display_name) for u in self._team]
        self.fields["lead_practitioner"].initial = str(user.pk)
        self._user = user

    def clean_lead_practitioner(self):
        value = self.cleaned_data["lead_practitioner"]
        if value == WAITING:
            return None
        return next(u for u in [self._user, *self._team] if str(u.pk) == value)


class AllocateForm(SpecificMessagesMixin, forms.Form):
    to_user = forms.ChoiceField(
        label="New lead practitioner",
        error_messages={"required": "Choose who will lead, or the team's waiting list",
                        "invalid_choice": "Choose who will lead, or the team's waiting list"})
    reason = forms.CharField(widget=forms.Textarea, label="Why?", max_length=1000,
                             help_text="For example: capacity, skills, continuity with the family",
                             error_messages={"required": "Enter why you are allocating this episode"})
    version = forms.IntegerField(widget=forms.HiddenInput)

    def __init__(self, *args, staff, waiting_list_option: bool, **kwargs):
        super().__init__(*args, **kwargs)
        self._staff = list(staff)
        choices = [("", "Choose a practitioner")]
        if waiting_list_option:
            choices.append((WAITING, "Put back on the team's waiting list"))
        choices += [(str(u.pk), f"{u.display_name} – {u.team.name if u.team else 'no team'}")
                    for u in self._staff]
        self.fields["to_user"].choices = choices

    def clean_to_user(self):
        value = self.cleaned_data["to_user"]
        if value == WAITING:
            return None
        return next(u for u in self._staff if str(u.pk) == value)


class ClosingLetterForm(SpecificMessagesMixin, forms.Form):
    written_on = NhsDateField(label="Date of the letter")
    addressed_to = forms.CharField(label="Who the letter is to", max_length=200,
                                   help_text="For example, Dr Patel, Northvale Surgery (GP)")
    text = forms.CharField(widget=forms.Textarea, label="Letter", max_length=20000)
