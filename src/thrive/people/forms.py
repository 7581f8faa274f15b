from django import forms

from thrive.core.fields import NhsDateField, SpecificMessagesMixin, YesNoField

from . import nhs_number
from .models import ParentCarer
from .reference import EthnicCategory, GenderIdentity, Sex


def _with_blank(choices, text):
    return [("", text)] + list(choices)


class DemographicsForm(SpecificMessagesMixin, forms.Form):
    given_name = forms.CharField(label="First name", max_length=100)
    family_name = forms.CharField(label="Last name", max_length=100)
    preferred_name = forms.CharField(label="Preferred name (optional)", max_length=100,
                                     required=False)
    nhs_number = forms.CharField(
        label="NHS number", required=False, max_length=13,
        help_text="10 digits, for example 485 777 3456. Leave blank if not known.",
        widget=forms.TextInput(attrs={"class": "nhsuk-input--width-10", "inputmode": "numeric"}),
    )
    date_of_birth = NhsDateField(label="Date of birth", help_text="For example, 27 3 2012")
    sex = forms.ChoiceField(choices=Sex.choices, widget=forms.RadioSelect, label="Sex")
    gender_identity = forms.ChoiceField(
        choices=_with_blank(GenderIdentity.choices, "Not recorded"), required=False,
        label="Gender identity",
    )
    ethnic_category = forms.ChoiceField(
        choices=_with_blank(EthnicCategory.choices, "Not recorded"), required=False,
        label="Ethnic category",
    )
    school = forms.CharField(label="School or college", max_length=200, required=False)
    local_authority = forms.CharField(label="Local authority", max_length=100, required=False)

    def clean_nhs_number(self):
        value = self.cleaned_data["nhs_number"].strip()
        if not value:
            return ""
        why = nhs_number.problem(value)
        if why:
            raise forms.ValidationError(why)
        return nhs_number.normalise(value)


class EditDemographicsForm(DemographicsForm):
    version = forms.IntegerField(widget=forms.HiddenInput)


class ParentCarerForm(SpecificMessagesMixin, forms.Form):
    name = forms.CharField(max_length=200, label="Full name")
    relationship = forms.ChoiceField(
        choices=ParentCarer.Relationship.choices, widget=forms.RadioSelect,
        label="Relationship to the young person",
    )
    parental_responsibility = YesNoField(label="Do they have parental responsibility?")
    lives_with_young_person = YesNoField(label="Does the young person live with them?")
    phone = forms.CharField(max_length=30, required=False, label="Phone number (optional)")
    email = forms.EmailField(required=False, label="Email address (optional)")


class PossibleMatchForm(SpecificMessagesMixin, forms.Form):
    """Link the referral to one of the possible matches, or add a new record with a reason."""

    NEW = "new"
    choice = forms.ChoiceField(widget=forms.RadioSelect, label="Is this one of these young people?",
                               error_messages={"required": "Choose a record to add the referral "
                                               "to, or add a new record"})
    reason = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), required=False,
                             label="If you add a new record: why is this a different young person?",
                             help_text="For example, a different school and parents")

    def __init__(self, *args, matches=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["choice"].choices = [
            (str(m.person.public_id), f"Yes: {m.person.full_name}") for m in matches
        ] + [(self.NEW, "No, add a new record")]


class MergePairForm(SpecificMessagesMixin, forms.Form):
    keep = forms.CharField(label="Record to keep", max_length=40,
                           help_text="NHS number or record reference")
    away = forms.CharField(label="Record to merge into it", max_length=40,
                           help_text="NHS number or record reference")


class MergeConfirmForm(SpecificMessagesMixin, forms.Form):
    reason = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), max_length=1000,
                             label="Why are these the same young person?",
                             error_messages={"required": "Enter why these records are the same "
                                             "young person"})
    keep_version = forms.IntegerField(widget=forms.HiddenInput)
    away_version = forms.IntegerField(widget=forms.HiddenInput)
