from django import forms

from thrive.core.fields import NhsDateField, SpecificMessagesMixin, YesNoField


class Example(SpecificMessagesMixin, forms.Form):
    name = forms.CharField(label="Full name")
    seen = YesNoField(label="Was the young person seen?")
    mode = forms.ChoiceField(choices=[("a", "A")], label="How")
    why = forms.CharField(label="Why are you declining?")
    on = NhsDateField(label="Date agreed")
    own = forms.CharField(label="Own", error_messages={"required": "Tell us your own thing"})


def test_empty_required_fields_say_what_to_do():
    errors = Example(data={}).errors
    assert errors == {
        "name": ["Enter full name"],
        "seen": ["Select yes or no: Was the young person seen?"],
        "mode": ["Select how"],
        "why": ["Answer the question: Why are you declining?"],
        "on": ["Enter date agreed"],
        "own": ["Tell us your own thing"],
    }


def test_a_password_typed_in_a_failed_sign_in_is_not_sent_back(client, practitioner):
    page = client.post("/account/sign-in/", {"username": "pat.practitioner",
                                              "password": "wrong-password-123"}).content.decode()
    assert "Enter a correct username and password" in page
    assert "wrong-password-123" not in page
