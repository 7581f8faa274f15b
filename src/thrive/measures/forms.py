"""Forms for recording a questionnaire: choose it, then enter answers (by item number) or totals.

Fields are built from the catalogue, so every measure works the same way. Items are shown by
number; a service's own licensed wording is used where it has loaded one.
"""

import re
from decimal import Decimal, InvalidOperation

from django import forms

from thrive.core.fields import NhsDateField

from . import services
from .engine.catalogue_model import Measure
from .models import Rater

METHOD_CHOICES = [
    ("items", "Enter the answer to each question"),
    ("totals", "Copy the scores from a paper form"),
    ("tablet", "Hand the tablet to the young person or parent to complete"),
]


def _fmt(value: Decimal) -> str:
    return format(value.normalize(), "f") if value == value.to_integral_value() else str(value)


class ChooseMeasureForm(forms.Form):
    measure = forms.ChoiceField(label="Questionnaire", error_messages={
        "required": "Select a questionnaire",
        "invalid_choice": "Select a questionnaire from the list",
    })
    rater = forms.ChoiceField(
        choices=Rater.choices, widget=forms.RadioSelect, label="Whose version was completed?",
        error_messages={"required": "Select whose version was completed",
                        "invalid_choice": "Select whose version was completed"},
    )
    method = forms.ChoiceField(
        choices=METHOD_CHOICES, widget=forms.RadioSelect, label="How will you record it?",
        error_messages={"required": "Select how you will record it",
                        "invalid_choice": "Select how you will record it"},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["measure"].choices = [("", "Choose a questionnaire")] + [
            (m.id, m.name) for m in services.recordable_measures()
        ]
        self.fields["measure"].choice_hints = {}

    def clean(self):
        data = super().clean()
        measure = services.measure_or_none(data.get("measure"))
        rater = data.get("rater")
        if measure and rater and rater not in measure.raters:
            versions = " or ".join(Rater(r).label.lower() for r in measure.raters)
            self.add_error("rater", f"{measure.name} has no {Rater(rater).label.lower()} version. "
                                    f"Choose {versions}")
        if measure and data.get("method") in ("items", "tablet") and not measure.items:
            self.add_error("method", f"{measure.name} is recorded as a score: choose "
                                     "'Copy the scores from a paper form'")
        if measure and services.describes_needs(measure) and data.get("method") in ("totals", "tablet"):
            self.add_error("method", f"{measure.name} is rated item by item by the clinician: "
                                     "choose 'Enter the answer to each question'")
        data["measure_obj"] = measure
        return data


class CompletionForm(forms.Form):
    """Answers by item number, or totals from paper, for one measure and rater."""

    def __init__(self, *args, measure: Measure, method: str, tablet: bool = False, agency_id=None,
                 items: tuple[int, ...] | None = None, **kwargs):
        """``items``: only these questions (one step of the tablet), each may be left out."""
        super().__init__(*args, **kwargs)
        self.measure, self.method, self.tablet = measure, method, tablet
        self.partial = items is not None
        if not tablet:
            self.fields["completed_on"] = NhsDateField(
                label="Date completed", help_text="For example, 15 3 2026",
                error_messages={"required": "Enter the date the questionnaire was completed"})
        if method in ("items", "tablet"):
            self.wording = services.wording(measure.id, agency_id)
            for number in (items if items is not None else sorted(measure.items)):
                self.fields[f"item_{number}"] = self._item_field(
                    number, services.item_label(measure, number, self.wording.items))
        else:
            for scale in measure.scales:
                self.fields[f"total_{scale.id}"] = forms.CharField(
                    required=False, label=scale.name,
                    help_text=f"{_fmt(scale.range_min)} to {_fmt(scale.range_max)}. Leave blank "
                              "if the paper form does not give it.",
                    widget=forms.TextInput(attrs={"inputmode": "decimal",
                                                  "class": "nhsuk-input--width-4"}),
                )

    def _noun(self) -> str:
        return "Item" if services.describes_needs(self.measure) else "Question"

    def _item_field(self, number: int, label: str):
        item = self.measure.items[number]
        allowed = list(range(item.min, item.max + 1)) + sorted(item.unscored_responses)
        if self.tablet:
            def shown(v):
                label = self.wording.answer_label(number, v)
                if label:
                    return label
                return f"{v} – {item.options[v]}" if item.options.get(v) else str(v)
            choices = [(str(v), shown(v)) for v in allowed]
            return forms.ChoiceField(
                required=False, label=label, choices=choices, widget=forms.RadioSelect,
                error_messages={"invalid_choice": f"Question {number}: choose one of the answers"})
        hint = f"{item.min} to {item.max}" + (f", to {item.decimals} decimal place" if item.decimals else "")
        labels = {v: self.wording.answer_label(number, v) for v in range(item.min, item.max + 1)}
        if all(labels.values()):
            hint += " (" + ", ".join(f"{v} {t.lower()}" for v, t in labels.items()) + ")"
        elif item.options:
            hint += " (" + ", ".join(f"{v} {t}" for v, t in sorted(item.options.items())) + ")"
        if not item.scored:
            hint += ". Recorded, not scored"
        return forms.CharField(
            required=False, label=label, help_text=hint,
            widget=forms.TextInput(attrs={"inputmode": "decimal" if item.decimals else "numeric",
                                          "class": "nhsuk-input--width-3" if item.decimals
                                          else "nhsuk-input--width-2"}),
        )

    def clean(self):
        data = super().clean()
        responses, totals = {}, {}
        for name in list(self.fields):
            raw = (data.get(name) or "").strip() if isinstance(data.get(name), str) else data.get(name)
            if name.startswith("item_"):
                number = int(name[5:])
                responses[number] = self._clean_response(name, number, raw)
            elif name.startswith("total_"):
                totals[name[6:]] = self._clean_total(name, name[6:], raw)
        if not self.errors and not self.partial:
            if not any(v is not None for v in [*responses.values(), *totals.values()]):
                raise forms.ValidationError(
                    "Enter at least one answer" if self.method != "totals"
                    else "Enter at least one score from the paper form")
        data["responses"], data["entered_totals"] = responses, totals
        return data

    def _clean_response(self, name, number, raw):
        if raw in (None, ""):
            return None
        item = self.measure.items[number]
        allowed = f"{item.min} to {item.max}"
        if item.unscored_responses:
            allowed += " or " + " or ".join(str(v) for v in sorted(item.unscored_responses))
        problem = f"{self._noun()} {number} must be a whole number from {allowed}"
        if item.decimals:
            problem = (f"{self._noun()} {number} must be a number from {allowed}, with at most "
                       f"{item.decimals} decimal place, like 7.3")
            if not re.fullmatch(rf"\d+(\.\d{{1,{item.decimals}}})?", str(raw)):
                self.add_error(name, problem)
                return None
            value = Decimal(str(raw))
            if value == value.to_integral_value():
                value = int(value)
            if not item.is_allowed(value):
                self.add_error(name, problem)
                return None
            return value
        if not re.fullmatch(r"-?\d+", str(raw)):
            self.add_error(name, problem)
            return None
        value = int(raw)
        if not item.is_allowed(value):
            self.add_error(name, problem)
            return None
        return value

    def _clean_total(self, name, scale_id, raw):
        if raw in (None, ""):
            return None
        scale = self.measure.scale(scale_id)
        span = f"{_fmt(scale.range_min)} to {_fmt(scale.range_max)}"
        try:
            value = Decimal(str(raw))
            if not value.is_finite():
                raise InvalidOperation
        except InvalidOperation:
            self.add_error(name, f"{scale.name} must be a number from {span}")
            return None
        if not scale.range_min <= value <= scale.range_max:
            self.add_error(name, f"{scale.name} must be from {span}")
            return None
        if scale.integer_valued and value != value.to_integral_value():
            self.add_error(name, f"{scale.name} must be a whole number from {span}")
            return None
        if not scale.integer_valued and value.as_tuple().exponent < -2:
            self.add_error(name, f"{scale.name} must have at most 2 decimal places")
            return None
        return value


class StartHandOverForm(forms.Form):
    pin = forms.CharField(
        label="Choose a 4-digit PIN", max_length=4,
        help_text="You will enter it when the tablet is handed back. Do not tell the young person "
                  "or parent.",
        widget=forms.PasswordInput(attrs={"inputmode": "numeric", "autocomplete": "off",
                                          "class": "nhsuk-input--width-4"}),
        error_messages={"required": "Enter a 4-digit PIN"},
    )

    def clean_pin(self):
        pin = self.cleaned_data["pin"]
        if not re.fullmatch(r"\d{4}", pin):
            raise forms.ValidationError("PIN must be 4 digits, for example 5831")
        return pin


class HandBackForm(forms.Form):
    secret = forms.CharField(
        label="Practitioner: enter your PIN or your password", max_length=200,
        widget=forms.PasswordInput(attrs={"autocomplete": "off"}),
        error_messages={"required": "Enter your PIN or your password"},
    )


class AcknowledgeRiskForm(forms.Form):
    action_taken = forms.CharField(
        label="What was done about it?", max_length=2000,
        help_text="For example: spoke with the young person today, safety plan reviewed, GP told.",
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={"required": "Enter what was done about the risk item"},
    )


class ScheduleRuleForm(forms.Form):
    measure_id = forms.ChoiceField(label="Questionnaire", error_messages={
        "required": "Select a questionnaire", "invalid_choice": "Select a questionnaire from the list"})
    rater = forms.ChoiceField(choices=Rater.choices, widget=forms.RadioSelect, label="Whose version",
                              error_messages={"required": "Select whose version",
                                              "invalid_choice": "Select whose version"})
    at_assessment = forms.BooleanField(required=False, label="Due at assessment")
    every_contacts = forms.IntegerField(
        required=False, min_value=1, max_value=50, label="Due every this many attended contacts",
        help_text="For example, 6. Leave blank if not.",
        widget=forms.TextInput(attrs={"inputmode": "numeric", "class": "nhsuk-input--width-2"}),
        error_messages={"invalid": "Enter a whole number of contacts from 1 to 50",
                        "min_value": "Enter a whole number of contacts from 1 to 50",
                        "max_value": "Enter a whole number of contacts from 1 to 50"})
    at_ending = forms.BooleanField(required=False, label="Due at ending")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["measure_id"].choices = [("", "Choose a questionnaire")] + [
            (m.id, m.name) for m in services.recordable_measures()]


class WordingFileForm(forms.Form):
    """An agency's licensed wording, as a JSON file: checked in full before anything is kept."""

    wording_file = forms.FileField(
        label="Wording file (JSON)", allow_empty_file=True,
        help_text="The items, instructions and answer labels of the questionnaires your agency is "
                  "licensed to use, in the shape shown below. Up to 2 MB.",
        error_messages={"required": "Choose a wording file to load",
                        "invalid": "Choose a wording file to load"})
    note = forms.CharField(
        required=False, max_length=500, label="Note (optional)",
        help_text="For example: RCADS wording under our 2026 licence.",
        error_messages={"max_length": "Note must be 500 characters or fewer"})

    def clean_wording_file(self):
        upload = self.cleaned_data["wording_file"]
        from .engine.wording_file import MAX_BYTES

        if upload.size > MAX_BYTES:
            raise forms.ValidationError(f"The file is larger than {MAX_BYTES // 1_000_000} MB")
        return upload
