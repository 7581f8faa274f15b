"""The Risk Support plan form: one page, with rows (formsets) for agencies, risks, crisis steps
and the distribution list. Every row field is optional to Django; a row left empty is ignored
and a half-filled row says exactly what is missing."""


from django import forms

from thrive.accounts.models import Agency
from thrive.core.dates import today
from thrive.core.fields import NhsDateField, YesNoField, review_confirmation

from . import rules
from .models import DistributionEntry, ExternalParticipant, PlanRisk
from .services import PlanContent

MAX_ROWS = 30
# "Shared on this platform" is not a choice: agencies on the platform see the plan by being
# named under Agencies (with consent or a safeguarding basis); see services.platform_sharing.
HOW_SENT_OFF_PLATFORM = [c for c in DistributionEntry.HowSent.choices
                         if c[0] != DistributionEntry.HowSent.PLATFORM]


class PlanForm(forms.Form):
    keyworker = forms.ModelChoiceField(
        queryset=None, label="Keyworker", empty_label="Choose the keyworker",
        help_text="The person the young person and family contact first about this plan",
        error_messages={"required": "Choose the keyworker",
                        "invalid_choice": "Choose the keyworker from the list"},
    )
    what_helps = forms.CharField(
        widget=forms.Textarea, label="What helps", max_length=5000,
        help_text="In the young person's and family's words: what calms, distracts or keeps "
        "them safe",
        error_messages={"required": "Enter what helps"},
    )
    preventive_actions = forms.CharField(
        widget=forms.Textarea, label="Preventive actions", max_length=5000,
        help_text="What each person will do, day to day, to make the risks less likely",
        error_messages={"required": "Enter the preventive actions"},
    )
    informal_network = forms.CharField(
        widget=forms.Textarea, label="Informal network (optional)", required=False,
        max_length=5000,
        help_text="Family, friends, neighbours, faith or community contacts who help, and how",
    )
    agreed_with_young_person = YesNoField(
        label="Was the plan agreed with the young person?",
        error_messages={"required": "Select yes if the plan was agreed with the young person"},
    )
    agreed_with_family = forms.CharField(
        required=False, max_length=300, label="Who in the family agreed the plan (optional)",
        help_text="For example, Mum (Sarah Khan). Leave blank if no one in the family has "
        "agreed it yet",
    )
    agreed_on = NhsDateField(label="Date agreed", help_text="For example, 15 3 2026",
                             error_messages={"required": "Enter the date the plan was agreed"})
    review_on = NhsDateField(
        label="Review date", allow_future=True,
        help_text="Reviews due within 14 days, and overdue reviews, show on caseloads",
        error_messages={"required": "Enter the review date"},
    )
    confirm_distant_review = review_confirmation()
    safeguarding_basis = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}), required=False, max_length=2000,
        label="Safeguarding reason to share with the named agencies without consent (optional)",
        help_text="Agencies named above see this plan on the platform once the young person or "
        "family consents to sharing it with them. Only if there is a safeguarding reason to share "
        "it without that consent: team managers and safeguarding leads only; the privacy officer "
        "is alerted",
    )
    version = forms.IntegerField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, keyworkers, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["keyworker"].queryset = keyworkers
        self.fields["keyworker"].label_from_instance = (
            lambda u: f"{u.display_name}, {u.agency.name}" if u.agency else u.display_name)
        self.fields["keyworker"].widget = forms.Select()
        self.fields["keyworker"].widget.choices = self.fields["keyworker"].choices

    def clean_review_on(self):
        review_on = self.cleaned_data["review_on"]
        if review_on and review_on <= today():
            raise forms.ValidationError("Review date must be in the future")
        return review_on

    def clean(self):
        data = super().clean()
        agreed, review = data.get("agreed_on"), data.get("review_on")
        if agreed and review and review <= agreed and "review_on" not in self.errors:
            self.add_error("review_on", "Review date must be after the date agreed")
        return data


class RowForm(forms.Form):
    """One row of a list. `required` names the fields a filled-in row must have, with the
    message for each; `what` names the row in messages ("Agency 2")."""

    what = "Row"
    required: dict[str, str] = {}

    def __init__(self, *args, number: int, **kwargs):
        self.number = number
        super().__init__(*args, **kwargs)
        for bf_field in self.fields.values():
            bf_field.required = False
            bf_field.error_messages = {**bf_field.error_messages,
                                       "max_length": f"{self.what} {number}: %(limit_value)d "
                                       "characters at most"}

    @property
    def title(self) -> str:
        return f"{self.what} {self.number}"

    def is_blank(self) -> bool:
        data = getattr(self, "cleaned_data", {})
        return all(v in (None, "", []) or (isinstance(v, str) and not v.strip())
                   for v in data.values())

    def clean(self):
        data = super().clean()
        if self.is_blank():
            return data
        for name, message in self.required.items():
            value = data.get(name)
            if name not in self.errors and (value is None or not str(value).strip()
                                            or value == []):
                self.add_error(name, f"{self.title}: {message}")
        return data


class AgencyRowForm(RowForm):
    what = "Agency"
    required = {"agency": "choose the agency", "role": "enter the agency's role in the plan"}
    agency = forms.ModelChoiceField(queryset=Agency.objects.order_by("name"), label="Agency",
                                    empty_label="Choose an agency", widget=forms.Select)
    role = forms.CharField(label="Role in this plan", max_length=1000,
                           help_text="For example, weekly check-ins at school; crisis "
                           "assessment out of hours")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["agency"].widget.choices = self.fields["agency"].choices
        self.fields["agency"].error_messages["invalid_choice"] = (
            f"{self.title}: choose the agency from the list")


class RiskRowForm(RowForm):
    what = "Risk"
    required = {"kind": "choose the kind of risk", "description": "describe the risk"}
    kind = forms.ChoiceField(choices=[("", "Choose the kind of risk"), *PlanRisk.Kind.choices],
                             label="Kind of risk")
    description = forms.CharField(widget=forms.Textarea, label="The risk, in plain words",
                                  max_length=3000)


class CrisisRowForm(RowForm):
    what = "Crisis step"
    required = {"trigger": "enter what would start this crisis response",
                "responses": "enter at least one response",
                "contact_who": "enter who to contact", "contact_how": "enter how to contact them"}
    trigger = forms.CharField(widget=forms.Textarea, label="If this happens (trigger)",
                              max_length=2000)
    responses = forms.CharField(
        widget=forms.Textarea, label="Then do this, in order", max_length=5000,
        help_text="Write each response on its own line. They are numbered in this order",
    )
    contact_who = forms.CharField(label="Who to contact", max_length=300)
    contact_how = forms.CharField(label="How to contact them", max_length=300,
                                  help_text="For example, a phone number and when it is answered")

    def clean_responses(self):
        return rules.responses_from_text(self.cleaned_data.get("responses", ""))


class DistributionRowForm(RowForm):
    what = "Recipient"
    required = {"recipient": "enter the name and agency", "how_sent": "choose how it is sent"}
    recipient = forms.CharField(label="Name and agency", max_length=300,
                                help_text="For example, Jo Patel, Northvale Academy")
    how_sent = forms.ChoiceField(choices=[("", "Choose how it is sent"), *HOW_SENT_OFF_PLATFORM],
                                 label="How it is sent")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["how_sent"].error_messages["invalid_choice"] = (
            f"{self.title}: agencies on this platform get the plan by being named under "
            "Agencies; choose how else it was sent")


class ExternalRowForm(RowForm):
    """Someone from an organisation not on this platform (police, GP, A&E, social care...)."""

    what = "Participant"
    required = {"name": "enter their name", "organisation_kind": "choose the kind of organisation",
                "role": "enter their role in the plan", "how_sent": "choose how they got the plan"}
    name = forms.CharField(label="Name", max_length=200)
    organisation_kind = forms.ChoiceField(
        choices=[("", "Choose the kind of organisation"),
                 *ExternalParticipant.OrganisationKind.choices], label="Kind of organisation")
    organisation = forms.CharField(label="Organisation (optional)", max_length=200,
                                   help_text="For example, Northvale children's social care")
    role = forms.CharField(label="Role in this plan", max_length=1000)
    phone = forms.CharField(label="Phone (optional if you give an email)", max_length=40)
    email = forms.EmailField(label="Email (optional if you give a phone)", max_length=254,
                             error_messages={"invalid": "Enter an email address like "
                                             "name@example.org"})
    how_sent = forms.ChoiceField(choices=[("", "Choose how they got the plan"),
                                          *HOW_SENT_OFF_PLATFORM],
                                 label="How they got the plan")


class RowFormSet(forms.BaseFormSet):
    def get_form_kwargs(self, index):
        # Every row is always cleaned: Django would skip a row "unchanged from its initial
        # data", which here means dropping an existing agency or risk the user left as it was.
        # RowForm itself treats an empty row as absent.
        return {**super().get_form_kwargs(index), "number": index + 1, "empty_permitted": False}

    @property
    def filled(self) -> list:
        return [f for f in self.forms if f.is_valid() and not f.is_blank()]


PREFIXES = {"agencies": AgencyRowForm, "risks": RiskRowForm, "crisis": CrisisRowForm,
            "distribution": DistributionRowForm, "external": ExternalRowForm}
EXTRA = {"agencies": 3, "risks": 3, "crisis": 2, "distribution": 3, "external": 2}


def initial_rows(plan) -> dict[str, list[dict]]:
    if plan is None:
        return {name: [] for name in PREFIXES}
    return {
        "agencies": [{"agency": a.agency_id, "role": a.role} for a in plan.agencies.all()],
        "risks": [{"kind": r.kind, "description": r.description} for r in plan.risks.all()],
        "crisis": [{"trigger": s.trigger, "responses": rules.responses_to_text(s.responses),
                    "contact_who": s.contact_who, "contact_how": s.contact_how}
                   for s in plan.crisis_steps.all()],
        "distribution": [{"recipient": d.recipient, "how_sent": d.how_sent}
                         for d in plan.distribution.all()],
        "external": [{"name": e.name, "organisation_kind": e.organisation_kind,
                      "organisation": e.organisation, "role": e.role, "phone": e.phone,
                      "email": e.email, "how_sent": e.how_sent}
                     for e in plan.external_participants.all()],
    }


class PlanForms:
    """The main form and the four row lists, validated and turned into `PlanContent` together."""

    def __init__(self, data=None, *, keyworkers, initial=None, rows=None):
        rows = rows or initial_rows(None)
        self.main = PlanForm(data, keyworkers=keyworkers, initial=initial)
        self.sets = {}
        for prefix, cls in PREFIXES.items():
            existing = rows.get(prefix, [])
            extra = 2 if existing else EXTRA[prefix]
            formset_cls = forms.formset_factory(
                cls, formset=RowFormSet, extra=extra, max_num=MAX_ROWS,
                absolute_max=MAX_ROWS, validate_max=True)
            self.sets[prefix] = formset_cls(data, prefix=prefix, initial=existing or None)

    # The order of the page, so the error summary lists problems top to bottom.
    PAGE = (["keyworker"], "agencies", ["safeguarding_basis"], "external", "risks",
            ["what_helps", "preventive_actions"], "crisis",
            ["informal_network", "agreed_with_young_person", "agreed_with_family", "agreed_on",
             "review_on", "confirm_distant_review"], "distribution")

    def all_forms(self) -> list:
        return [f for fs in self.sets.values() for f in fs.forms] + [self.main]

    def in_page_order(self) -> list:
        """Forms (or parts of the main form) for the error summary, in the order shown."""
        parts = [_Part(self.main, [], first=True)]
        for item in self.PAGE:
            if isinstance(item, list):
                parts.append(_Part(self.main, item))
            else:
                parts.extend(self.sets[item].forms)
        return parts

    def is_valid(self) -> bool:
        valid = self.main.is_valid()
        for formset in self.sets.values():
            if not formset.is_valid():
                valid = False
                for error in formset.non_form_errors():
                    self.main.add_error(None, error)
        return valid

    def add_error(self, field: str | None, message: str) -> None:
        """Attach a service's RuleBroken to the right form: "risks-0-description" is the first
        filled-in risk row's description (or the first row when none is filled in); a plain
        name is the main form's field."""
        prefix, _, rest = (field or "").partition("-")
        if prefix in self.sets and rest:
            index, _, name = rest.partition("-")
            forms_ = self.sets[prefix].filled or self.sets[prefix].forms
            if index.isdigit() and int(index) < len(forms_) and name in forms_[int(index)].fields:
                forms_[int(index)].add_error(name, message)
                return
        self.main.add_error(field if field in self.main.fields else None, message)

    def content(self) -> PlanContent:
        data = self.main.cleaned_data
        rows = {prefix: self.sets[prefix].filled for prefix in self.sets}
        return PlanContent(
            **{name: data[name] for name in PlanContent.SCALARS},
            confirm_distant_review=data.get("confirm_distant_review", False),
            agencies=[(f.cleaned_data["agency"], f.cleaned_data["role"].strip())
                      for f in rows["agencies"]],
            risks=[(f.cleaned_data["kind"], f.cleaned_data["description"].strip())
                   for f in rows["risks"]],
            crisis_steps=[(f.cleaned_data["trigger"].strip(), f.cleaned_data["responses"],
                           f.cleaned_data["contact_who"].strip(),
                           f.cleaned_data["contact_how"].strip())
                          for f in rows["crisis"]],
            distribution=[(f.cleaned_data["recipient"].strip(), f.cleaned_data["how_sent"])
                          for f in rows["distribution"]],
            external=[tuple(f.cleaned_data[name].strip() for name in (
                "name", "organisation_kind", "organisation", "role", "phone", "email", "how_sent"))
                for f in rows["external"]],
            safeguarding_basis=data.get("safeguarding_basis", ""),
        )


class _Part:
    """Some fields of a form, looking enough like a form for the error summary macro."""

    def __init__(self, form, names, first=False):
        self.form, self.names, self.first = form, names, first

    def non_field_errors(self):
        return self.form.non_field_errors() if self.first else []

    def visible_fields(self):
        return [self.form[name] for name in self.names]

    def hidden_fields(self):
        return self.form.hidden_fields() if self.first else []
