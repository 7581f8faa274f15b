from django import forms

from thrive.care.groupings import LABELS as GROUPING_LABELS
from thrive.care.groupings import Grouping
from thrive.core.fields import NhsDateField

from . import acer, conf
from .models import AcerObservation, Action, Assessment, Community, Factor, FactorSet, Participant, Priority
from .services import Answer

CONDITION_CHOICES = [
    ("1", "1 – serious concern"), ("2", "2 – concern"), ("3", "3 – mixed"), ("4", "4 – asset"),
    ("5", "5 – strong asset"), ("dk", "Don't know"),
]
CONDITION_CHOICES_YOUTH = [
    ("1", "1 – really bad"), ("2", "2 – not good"), ("3", "3 – OK, mixed"), ("4", "4 – good"),
    ("5", "5 – really good"), ("dk", "Not sure"),
]
IMPORTANCE_CHOICES = [
    ("1", "1 – not important"), ("2", "2"), ("3", "3"), ("4", "4"), ("5", "5 – most important"),
]
AGREE = [("yes", "I agree")]


def _agree_field(label, required_message, help_text=""):
    return forms.MultipleChoiceField(
        choices=AGREE, widget=forms.CheckboxSelectMultiple, label=label, help_text=help_text,
        error_messages={"required": required_message})


class CommunityForm(forms.Form):
    name = forms.CharField(label="Community name", max_length=200,
                           error_messages={"required": "Enter the community's name"})
    scheme = forms.ChoiceField(label="Geography", choices=Community.Scheme.choices,
                               widget=forms.RadioSelect,
                               error_messages={"required": "Choose the kind of geography"})
    code = forms.CharField(label="Geography code", max_length=40,
                           help_text="For example, E05000001 for a ward",
                           error_messages={"required": "Enter the geography code"})


class AssessmentForm(forms.Form):
    purpose = forms.CharField(widget=forms.Textarea, max_length=2000, label="Purpose",
                              help_text="Why the community is doing this assessment now",
                              error_messages={"required": "Enter the purpose"})
    period_start = NhsDateField(label="Period starts", allow_future=True,
                                error_messages={"required": "Enter the date the period starts"})
    period_end = NhsDateField(label="Period ends", allow_future=True,
                              error_messages={"required": "Enter the date the period ends"})
    factor_set = forms.ModelChoiceField(
        queryset=FactorSet.objects.all(), label="Factor set", empty_label=None,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose the factor set"})
    factors = forms.ModelMultipleChoiceField(
        queryset=Factor.objects.select_related("factor_set").order_by("factor_set", "order"),
        widget=forms.CheckboxSelectMultiple, label="Factors in scope",
        help_text="Choose fewer factors for a short form",
        error_messages={"required": "Choose at least one factor to assess"})

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["factors"].label_from_instance = lambda f: f.name


class EvidenceForm(forms.Form):
    factor = forms.ModelChoiceField(queryset=Factor.objects.none(), label="Factor",
                                    empty_label="Choose a factor",
                                    error_messages={"required": "Choose the factor"})
    indicator = forms.CharField(max_length=200, label="Indicator",
                                error_messages={"required": "Enter the indicator"})
    value = forms.DecimalField(max_digits=14, decimal_places=3, label="Value",
                               error_messages={"required": "Enter the value",
                                               "invalid": "Value must be a number"})
    unit = forms.CharField(max_length=40, required=False, label="Unit (optional)")
    source = forms.CharField(max_length=300, label="Source",
                             error_messages={"required": "Enter the source"})
    as_of = NhsDateField(label="As of", error_messages={"required": "Enter the date it is as of"})
    peer_value = forms.DecimalField(max_digits=14, decimal_places=3, required=False,
                                    label="Peer value (optional)",
                                    help_text="A comparable area's value, shown as context only",
                                    error_messages={"invalid": "Peer value must be a number"})

    def __init__(self, *args, assessment: Assessment, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["factor"].queryset = assessment.scope()


class JoinForm(forms.Form):
    wording = forms.ChoiceField(
        label="How would you like the questions worded?", widget=forms.RadioSelect,
        choices=[("plain", "Plain wording"), ("youth", "Wording for young people")],
        error_messages={"required": "Choose how you would like the questions worded"})
    age_band = forms.ChoiceField(label="How old are you?", widget=forms.RadioSelect,
                                 choices=Participant.AgeBand.choices,
                                 error_messages={"required": "Choose your age group"})
    role = forms.ChoiceField(label="Which describes you best?", widget=forms.RadioSelect,
                             choices=Participant.Role.choices,
                             error_messages={"required": "Choose which describes you best"})
    carer_consent = forms.MultipleChoiceField(
        choices=[("yes", "My parent or carer knows and agrees")], required=False,
        widget=forms.CheckboxSelectMultiple, label="If you are under 16",
        help_text="Only if you are under 16")
    consent = _agree_field("Your agreement",
                           "Tick to agree to take part, or close this page if you do not")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["minimum_age"] = _agree_field(
            f"Are you aged {conf.min_age()} or over?",
            f"You need to be aged {conf.min_age()} or over to take part")
        self.fields["carer_consent"].label = (
            f"If you are under {conf.carer_consent_under()}")
        self.fields["carer_consent"].help_text = (
            f"Only if you are under {conf.carer_consent_under()}")
        if not conf.carer_consent_under():
            del self.fields["carer_consent"]

    def clean(self):
        data = super().clean()
        if ("carer_consent" in self.fields and data.get("age_band") == "11-15"
                and conf.carer_consent_under() >= 16 and not data.get("carer_consent")):
            self.add_error("carer_consent", "Ask your parent or carer first, then tick the box")
        return data


def _answer_fields(form, prefix, youth=False):
    form.fields[f"{prefix}condition"] = forms.ChoiceField(
        choices=CONDITION_CHOICES_YOUTH if youth else CONDITION_CHOICES, required=False,
        widget=forms.RadioSelect, label="How is this here?" if not youth else "How is it here?")
    form.fields[f"{prefix}importance"] = forms.ChoiceField(
        choices=IMPORTANCE_CHOICES, required=False, widget=forms.RadioSelect,
        label="How much does it matter?" if not youth else "How much does it matter to you?")
    form.fields[f"{prefix}comment"] = forms.CharField(
        widget=forms.Textarea, required=False, max_length=1000,
        label="Anything to add? (optional)",
        help_text="Do not write names or anything that identifies anyone")


def answer_from(data, prefix=""):
    condition = data.get(f"{prefix}condition") or ""
    importance = data.get(f"{prefix}importance") or ""
    return Answer(condition=int(condition) if condition.isdigit() else None,
                  dont_know=condition == "dk",
                  importance=int(importance) if importance.isdigit() else None,
                  comment=data.get(f"{prefix}comment") or "")


class RatingForm(forms.Form):
    def __init__(self, *args, youth=False, **kwargs):
        super().__init__(*args, **kwargs)
        _answer_fields(self, "", youth)


class PaperForm(forms.Form):
    role = forms.ChoiceField(label="Role on the form", choices=Participant.Role.choices,
                             error_messages={"required": "Choose the role on the form"})
    age_band = forms.ChoiceField(label="Age group on the form",
                                 choices=Participant.AgeBand.choices,
                                 error_messages={"required": "Choose the age group"})

    def __init__(self, *args, factors, **kwargs):
        super().__init__(*args, **kwargs)
        self.factors = list(factors)
        for f in self.factors:
            self.fields[f"f{f.pk}_condition"] = forms.ChoiceField(
                choices=[("", "Blank")] + CONDITION_CHOICES, required=False,
                label=f"{f.name}: how is this here?")
            self.fields[f"f{f.pk}_importance"] = forms.ChoiceField(
                choices=[("", "Blank")] + IMPORTANCE_CHOICES, required=False,
                label=f"{f.name}: how much does it matter?")

    def answers(self):
        return {f: answer_from(self.cleaned_data, f"f{f.pk}_") for f in self.factors}


class PriorityForm(forms.Form):
    factor = forms.ModelChoiceField(queryset=Factor.objects.none(), label="Factor",
                                    empty_label="Choose a factor",
                                    error_messages={"required": "Choose the factor"})
    rank = forms.IntegerField(min_value=1, max_value=50, label="Rank",
                              help_text="1 for the group's first priority",
                              error_messages={"required": "Enter the rank",
                                              "invalid": "Rank must be a whole number",
                                              "min_value": "Rank must be 1 or more",
                                              "max_value": "Rank must be 50 or less"})
    rationale = forms.CharField(widget=forms.Textarea, max_length=2000, label="Rationale",
                                help_text="Why the group chose it",
                                error_messages={"required": "Enter the group's rationale"})
    method = forms.ChoiceField(choices=Priority.Method.choices, widget=forms.RadioSelect,
                               label="How the group decided",
                               error_messages={"required": "Choose how the group decided"})
    agreed_on = NhsDateField(label="Agreed on",
                             error_messages={"required": "Enter the date it was agreed"})

    def __init__(self, *args, assessment, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["factor"].queryset = assessment.scope()


class ActionForm(forms.Form):
    priority = forms.ModelChoiceField(queryset=Priority.objects.none(), label="Priority",
                                      empty_label="Choose a priority",
                                      error_messages={"required": "Choose the priority"})
    smart_objective = forms.CharField(
        widget=forms.Textarea, max_length=2000, label="SMART objective",
        help_text="Specific, measurable, achievable, relevant and time-bound",
        error_messages={"required": "Enter the SMART objective"})
    strategy_type = forms.ChoiceField(choices=Action.StrategyType.choices,
                                      widget=forms.RadioSelect, label="Strategy type",
                                      error_messages={"required": "Choose the strategy type"})
    sector = forms.ChoiceField(choices=Action.Sector.choices, label="Sector",
                               error_messages={"required": "Choose the sector"})
    lead_partner = forms.CharField(max_length=200, label="Lead partner",
                                   error_messages={"required": "Enter the lead partner"})
    start = NhsDateField(label="Start", allow_future=True,
                         error_messages={"required": "Enter the start date"})
    due = NhsDateField(label="Due", allow_future=True,
                       error_messages={"required": "Enter the due date"})
    status = forms.ChoiceField(choices=Action.Status.choices, label="Status",
                               error_messages={"required": "Choose the status"})
    progress_measure = forms.CharField(max_length=300, label="Progress measure",
                                       error_messages={"required": "Enter the progress measure"})
    baseline = forms.CharField(max_length=60, required=False, label="Baseline (optional)")
    target = forms.CharField(max_length=60, required=False, label="Target (optional)")
    latest_value = forms.CharField(max_length=60, required=False,
                                   label="Latest value (optional)")
    thrive_grouping = forms.ChoiceField(
        choices=[(g.value, GROUPING_LABELS[g]) for g in Grouping], initial=Grouping.THRIVING,
        label="THRIVE Framework grouping",
        help_text="Community actions sit in Thriving (prevention and promotion) unless agreed "
        "otherwise; they are never attached to a child")

    def __init__(self, *args, assessment, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["priority"].queryset = assessment.priorities.select_related("factor")
        self.fields["priority"].label_from_instance = lambda p: f"{p.rank}. {p.factor.name}"


class CloseForm(forms.Form):
    reason = forms.CharField(
        widget=forms.Textarea, required=False, max_length=2000,
        label="Reason for closing without a priority and an action (optional)",
        help_text="Only needed if the group has not recorded at least one priority and one "
        "action")


class ProgressForm(forms.Form):
    recorded_on = NhsDateField(label="Date of this progress",
                               error_messages={"required": "Enter the date of this progress"})
    status = forms.ChoiceField(choices=Action.Status.choices, label="Status",
                               error_messages={"required": "Choose the status"})
    latest_value = forms.CharField(max_length=60, required=False,
                                   label="Latest value of the progress measure (optional)")
    note = forms.CharField(widget=forms.Textarea, required=False, max_length=2000,
                           label="Note (optional)")


class AcerForm(forms.Form):
    item_key = forms.ChoiceField(choices=[(k, label) for k, _, label in acer.ITEMS],
                                 label="Sign of community trauma",
                                 error_messages={"required": "Choose the sign"})
    level = forms.ChoiceField(choices=AcerObservation.Level.choices, widget=forms.RadioSelect,
                              label="What did the group observe?",
                              error_messages={"required": "Choose what the group observed"})
    note = forms.CharField(widget=forms.Textarea, required=False, max_length=2000,
                           label="Note (optional)")
