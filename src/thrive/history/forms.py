from django import forms

from thrive.core.fields import SpecificMessagesMixin


class EnteredInErrorForm(SpecificMessagesMixin, forms.Form):
    reason = forms.CharField(
        label="Why was this entered in error?", max_length=1000, widget=forms.Textarea,
        help_text="For example, recorded in the wrong young person's record, or the wrong date",
        error_messages={"required": "Enter why this was entered in error"},
    )
