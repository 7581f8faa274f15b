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
