"""Form fields in the NHS.UK design system's shape: dates as day, month and year boxes,
yes/no as radios, with error messages that say exactly what to fix."""

from datetime import date

from django import forms

from .dates import today


class NhsDateWidget(forms.Widget):
    """Three boxes (day, month, year), as the NHS.UK date input component."""

    parts = ("day", "month", "year")

    def value_from_datadict(self, data, files, name):
        return {part: (data.get(f"{name}-{part}") or "").strip() for part in self.parts}

    def value_omitted_from_data(self, data, files, name):
        return not any(f"{name}-{part}" in data for part in self.parts)

    def parts_for(self, value) -> dict:
        if isinstance(value, dict):
            return value
        if isinstance(value, date):
            return {"day": str(value.day), "month": str(value.month), "year": str(value.year)}
        return {"day": "", "month": "", "year": ""}


class NhsDateField(forms.Field):
    widget = NhsDateWidget

    def __init__(self, *, allow_future: bool = False, **kwargs):
        self.allow_future = allow_future
        super().__init__(**kwargs)

    def to_python(self, value):
        if not isinstance(value, dict) or not any(value.values()):
            return None
        missing = [p for p in ("day", "month", "year") if not value.get(p)]
        if missing:
            raise forms.ValidationError(
                f"{self.label or 'Date'} must include a {' and '.join(missing)}", code="incomplete"
            )
        try:
            day, month, year = (int(value[p]) for p in ("day", "month", "year"))
            if year < 1900 or len(value["year"]) != 4:
                raise ValueError
            result = date(year, month, day)
        except ValueError:
            raise forms.ValidationError(
                f"{self.label or 'Date'} must be a real date", code="invalid"
            ) from None
        if not self.allow_future and result > today():
            raise forms.ValidationError(
                f"{self.label or 'Date'} must be today or in the past", code="future"
            )
        return result

    def prepare_value(self, value):
        return self.widget.parts_for(value)


YES_NO = [("yes", "Yes"), ("no", "No")]


class YesNoField(forms.TypedChoiceField):
    """A required yes/no question as radios; no silent default."""

    def __init__(self, **kwargs):
        kwargs.setdefault("widget", forms.RadioSelect)
        super().__init__(choices=YES_NO, coerce=lambda v: v == "yes", **kwargs)

    def prepare_value(self, value):
        if value is True:
            return "yes"
        if value is False:
            return "no"
        return value


def _lower_first(text: str) -> str:
    return text[:1].lower() + text[1:] if text else text


class SpecificMessagesMixin:
    """NHS style: a required field left empty says what to do, not "This field is required".

    Text and dates: "Enter <label>"; yes/no questions: "Select yes or no: <question>"; other
    choices: "Select <label>"; other questions: "Answer the question: <question>". A field's
    own `required` message, if set, wins.
    """

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            if field.error_messages.get("required") != forms.Field.default_error_messages[
                    "required"]:
                continue
            label = (field.label or "").rstrip()
            choice = isinstance(field, (forms.ChoiceField, forms.ModelChoiceField))
            if isinstance(field, YesNoField):
                message = f"Select yes or no: {label}"
            elif choice:
                message = (f"Select an answer: {label}" if label.endswith("?")
                           else f"Select {_lower_first(label)}")
            else:
                message = (f"Answer the question: {label}" if label.endswith("?")
                           else f"Enter {_lower_first(label)}")
            field.error_messages["required"] = message


class ConfirmationField(forms.MultipleChoiceField):
    """One optional checkbox ("Yes, I mean it"), drawn with the NHS checkboxes component;
    cleans to True or False."""

    widget = forms.CheckboxSelectMultiple

    def __init__(self, *, text: str, **kwargs):
        kwargs.setdefault("required", False)
        super().__init__(choices=[("yes", text)], **kwargs)

    def clean(self, value):
        return "yes" in (super().clean(value) or [])

    def prepare_value(self, value):
        if value is True:
            return ["yes"]
        return [] if value is False else value


def review_confirmation(what: str = "review") -> ConfirmationField:
    return ConfirmationField(
        label=f"Only if the {what} is more than a year away",
        text=f"Yes, the {what} really is more than a year away",
    )
