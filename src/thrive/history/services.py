"""Corrections with history: marking a clinical entry entered in error, and the version history
of records edited in place. Each operation is one transaction, checks access through the
sharing policy, and audits (never the values themselves)."""

import uuid
from dataclasses import dataclass
from datetime import date, datetime

from django.conf import settings
from django.core.exceptions import FieldDoesNotExist, PermissionDenied
from django.db import models, transaction
from django.http import Http404
from django.utils import timezone

from thrive.care.models import Contact, Ending, Episode, Goal, GoalRating, GroupingDecision
from thrive.core import audit
from thrive.core.models import AuditEvent
from thrive.core.rules import RuleBroken
from thrive.directory.models import Signpost
from thrive.measures.models import Completion
from thrive.sharing import policy
from thrive.sharing.models import AgencyReferral, RecordNote

from .models import EndingEnteredInError, FieldChange

# --- Entered in error -------------------------------------------------------------------------


@dataclass(frozen=True)
class Kind:
    slug: str  # in URLs
    model: type
    label: str  # "contact", as in "Mark this contact as entered in error"
    episode_path: str | None  # how the entry reaches its episode (None: a record note)


KINDS = {k.slug: k for k in (
    Kind("contact", Contact, "contact", "episode"),
    Kind("goal", Goal, "goal", "episode"),
    Kind("goal-rating", GoalRating, "goal rating", "goal__episode"),
    Kind("grouping", GroupingDecision, "grouping decision", "episode"),
    Kind("questionnaire", Completion, "questionnaire", "episode"),
    Kind("ending", Ending, "ending", "episode"),
    Kind("signpost", Signpost, "signpost", "episode"),
    Kind("note", RecordNote, "note", None),
)}
KIND_OF_MODEL = {k.model: k for k in KINDS.values()}

def ending_refused_message(episode: Episode) -> str:
    """Why this user may not mark the ending entered in error (the page says it plainly)."""
    closes = policy.post_ending_window_closes(episode)
    return (
        "Only the episode's lead practitioner can mark its ending as entered in error, within "
        f"{settings.THRIVE_POST_ENDING_WINDOW_DAYS} days of the ending"
        + (f" (until {closes:%-d %B %Y})" if closes else "") + ". If the young person still "
        "needs help, record a new referral (it opens a new episode on the same record); if "
        "details of the ending are wrong, add a note to the record saying what is correct.")


def may_undo_ending(user, episode: Episode) -> bool:
    """Who may mark an ending entered in error: whoever may still add to the ended episode, i.e.
    its lead practitioner within the window after the ending (the sharing policy). No query."""
    return policy.can_add_after_ending(user, episode)


def kind_of(entry) -> Kind:
    return KIND_OF_MODEL[type(entry)]


def episode_of(entry) -> Episode | None:
    if isinstance(entry, GoalRating):
        return entry.goal.episode
    if isinstance(entry, RecordNote):
        return None
    return entry.episode


def may_change_episode(user, episode: Episode) -> bool:
    """Who may correct an entry of an episode: whoever may add to it (its agency, while it is
    open), and its lead practitioner within the window after the ending (the sharing policy)."""
    return policy.can_edit_episode(user, episode) or policy.can_add_after_ending(user, episode)


def may_mark(user, entry, *, may_edit_record: bool | None = None) -> bool:
    """Whether to offer "Mark as entered in error" on an entry the user can already see. No
    query for episode entries (the episode and its ending are loaded with the page)."""
    if entry.is_entered_in_error:
        return False
    if isinstance(entry, RecordNote):
        if may_edit_record is None:
            may_edit_record = policy.can_edit_record(user, entry.young_person)
        return may_edit_record and entry.agency_id == user.agency_id
    if isinstance(entry, Ending):
        return may_undo_ending(user, episode_of(entry))
    return may_change_episode(user, episode_of(entry))


def entry_or_404(user, kind_slug: str, scope_id, entry_id: int):
    """The entry, found through the record the user may see: `scope_id` is the episode's (or, for
    a note, the young person's) public id. "Not yours" and "does not exist" are the same 404."""
    kind = KINDS.get(kind_slug)
    if kind is None:
        raise Http404("No such entry")
    if kind.episode_path is None:
        person = policy.young_person_or_404(user, scope_id)
        note = RecordNote.objects.filter(young_person=person, pk=entry_id).select_related(
            "young_person", "author", "agency").first()
        if note is None or not policy.may_see_note(user, note):
            raise Http404("No such entry")
        return note
    episode = policy.episode_or_404(user, scope_id)
    related = ["goal"] if kind.model is GoalRating else []
    entry = kind.model.objects.filter(**{kind.episode_path: episode}, pk=entry_id).select_related(
        *related).first()
    if entry is None:
        raise Http404("No such entry")
    # The episode as the policy loaded it (young person, team, ending) serves every check.
    if kind.model is GoalRating:
        entry.goal.episode = episode
    else:
        entry.episode = episode
    return entry


def check_access(user, entry):
    """Same 404 as every record page when the user may not see the record; read-only access
    (an ended episode, break-glass, another agency's note) is refused."""
    if isinstance(entry, RecordNote):
        person = policy.young_person_or_404(user, entry.young_person.public_id)
        if not policy.may_see_note(user, entry):
            raise Http404("No such entry")
        if not (policy.can_edit_record(user, person) and entry.agency_id == user.agency_id):
            raise PermissionDenied("Only the agency that wrote a note can mark it as entered in "
                                   "error, while it works with the young person.")
        return
    episode = policy.episode_or_404(user, episode_of(entry).public_id)
    if isinstance(entry, Ending):
        if not may_undo_ending(user, episode):
            raise PermissionDenied(ending_refused_message(episode))
        return
    if not may_change_episode(user, episode):
        raise PermissionDenied("This episode is read only for you.")


def mark_entered_in_error(request, entry, reason: str):
    """Mark one clinical entry entered in error, with a reason. The entry stays (struck through)
    and leaves every count, extract and the national metric. Refused once already marked; an
    erroneous current grouping hands "current" back to the previous valid decision."""
    user = request.user
    reason = (reason or "").strip()
    check_access(user, entry)
    kind = kind_of(entry)
    if not reason:
        raise RuleBroken(f"Enter why this {kind.label} was entered in error", "reason")
    if isinstance(entry, Ending):
        return _mark_ending(request, entry, reason)
    episode = episode_of(entry)
    with transaction.atomic():
        if episode is not None:
            episode = Episode.objects.select_for_update().get(pk=episode.pk)
        entry = type(entry).objects.select_for_update().get(pk=entry.pk)
        if entry.is_entered_in_error:
            raise RuleBroken(
                f"This {kind.label} was already marked as entered in error "
                f"on {timezone.localtime(entry.entered_in_error_at):%-d %B %Y}.")
        entry.entered_in_error_at = timezone.now()
        entry.entered_in_error_by = user
        entry.entered_in_error_reason = reason
        fields = ["entered_in_error_at", "entered_in_error_by", "entered_in_error_reason"]
        was_current = isinstance(entry, GroupingDecision) and entry.is_current
        if was_current:
            entry.is_current = False
            fields.append("is_current")
        entry.save(update_fields=fields)
        detail = f"entered in error: {kind.label}"
        if was_current:
            previous = _restore_previous_grouping(episode, entry)
            if previous is not None:
                detail += f"; current grouping again: {previous.grouping}"
        if episode is not None:
            Episode.objects.filter(pk=episode.pk).update(version=models.F("version") + 1)
        person = entry.young_person if isinstance(entry, RecordNote) else episode.young_person
        audit.record(request, AuditEvent.Action.CHANGE, obj=entry, young_person=person,
                     detail=detail)
    return entry


def _mark_ending(request, ending: Ending, reason: str) -> EndingEnteredInError:
    """An ending recorded by mistake: kept word for word in EndingEnteredInError, and the Ending
    row deleted, in one transaction, so the episode is open again everywhere ("has an ending"
    stays the one test of closed). Undoes exactly what care.services.record_ending changed: the
    latest valid grouping decision is current again, and the inter-agency referral the ending
    completed is accepted again. Closing letters and late questionnaires stay on the episode."""
    with transaction.atomic():
        episode = Episode.objects.select_for_update().get(pk=ending.episode_id)
        ending = Ending.objects.filter(episode=episode).first()
        if ending is None:
            raise RuleBroken("This ending was already marked as entered in error.")
        archived = EndingEnteredInError.objects.create(
            episode=episode, ending_id=ending.pk, ended_on=ending.ended_on, reason=ending.reason,
            goals_met=ending.goals_met, agreed_with_family=ending.agreed_with_family,
            next_step=ending.next_step, next_step_detail=ending.next_step_detail,
            recorded_by_id=ending.recorded_by_id, recorded_at=ending.recorded_at,
            entered_in_error_at=timezone.now(), entered_in_error_by=request.user,
            entered_in_error_reason=reason)
        ending.delete()
        episode = Episode.objects.get(pk=episode.pk)  # without the ending: open again
        detail = "entered in error: ending; episode open again"
        if not episode.is_open:  # declined as well: nothing else to restore
            previous = None
        else:
            GroupingDecision.objects.filter(episode=episode, is_current=True).update(
                is_current=False)  # none expected: the ending retired it
            previous = (GroupingDecision.objects.valid().filter(episode=episode)
                        .order_by("-decided_on", "-id").first())
        if previous is not None:
            previous.is_current = True
            previous.save(update_fields=["is_current"])
            detail += f"; current grouping again: {previous.grouping}"
        reopened = AgencyReferral.objects.filter(
            episode=episode, status=AgencyReferral.Status.COMPLETED,
        ).update(status=AgencyReferral.Status.ACCEPTED)
        if reopened:
            detail += "; inter-agency referral accepted again"
        archived.grouping_made_current = previous
        archived.referral_reopened = bool(reopened)
        archived.save(update_fields=["grouping_made_current", "referral_reopened"])
        Episode.objects.filter(pk=episode.pk).update(version=models.F("version") + 1)
        audit.record(request, AuditEvent.Action.CHANGE, obj=episode,
                     young_person=episode.young_person, detail=detail)
    return archived


def _restore_previous_grouping(episode: Episode, wrong: GroupingDecision):
    """The decision the erroneous one replaced (the latest valid one) is current again, while the
    episode is open. The erroneous row is saved as not current first, so the partial unique index
    (one current grouping per episode) holds at every statement."""
    if not episode.is_open:
        return None
    previous = (GroupingDecision.objects.valid().filter(episode=episode).exclude(pk=wrong.pk)
                .order_by("-decided_on", "-id").first())
    if previous is not None:
        previous.is_current = True
        previous.save(update_fields=["is_current"])
    return previous


# --- Version history --------------------------------------------------------------------------

NOT_RECORDED = ""  # an empty value; the page says "Not recorded"


def plain(value, field=None) -> str:
    """A value in plain words: a choice's label, "Yes"/"No", 3 March 2026, a person's name."""
    if value is None or value == "" or value == [] or value == ():
        return NOT_RECORDED
    choices = dict(field.flatchoices) if field is not None and field.choices else None
    if choices is not None and not isinstance(value, (list, tuple)):
        return str(choices.get(value, value))
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if isinstance(value, datetime):
        value = timezone.localtime(value) if timezone.is_aware(value) else value
        return f"{value.day} {value:%B %Y} at {value:%H:%M}"
    if isinstance(value, date):
        return f"{value.day} {value:%B %Y}"
    if isinstance(value, (list, tuple)):
        return "; ".join(p for p in (plain(v) for v in value) if p)
    if isinstance(value, models.Model):
        return str(getattr(value, "display_name", None) or getattr(value, "name", None) or value)
    return str(value)


def _field(model, name):
    try:
        field = model._meta.get_field(name)
    except FieldDoesNotExist:  # a pseudo-field
        return None
    return field if isinstance(field, models.Field) else None  # not a reverse relation


def _label(model, name: str, labels: dict | None) -> str:
    if labels and name in labels:
        return labels[name]
    field = _field(model, name)
    text = str(field.verbose_name) if field is not None else name.replace("_", " ")
    return text[:1].upper() + text[1:]


def snapshot(instance, names) -> dict:
    """The current values of `names` on `instance` (related objects as themselves)."""
    return {name: getattr(instance, name) for name in names}


def record_changes(request, instance, before: dict, after: dict, *, object_label: str,
                   young_person=None, staff_member=None, labels: dict | None = None,
                   ) -> list[FieldChange]:
    """One FieldChange per field whose value differs between `before` and `after`, all sharing
    one change id: who, when, the field's label, the old and new value in plain words. Called
    inside the transaction of the service that saves `instance`. Returns the rows; the caller's
    audit entry may name the fields changed, never their values."""
    model = type(instance)
    object_id = str(getattr(instance, "public_id", None) or instance.pk)
    now, change_id = timezone.now(), uuid.uuid4()
    user = request.user if request.user.is_authenticated else None
    rows = []
    for name in after:
        field = _field(model, name)
        old, new = plain(before.get(name), field), plain(after[name], field)
        if old == new:
            continue
        rows.append(FieldChange(
            change_id=change_id, changed_at=now, changed_by=user, object_type=model.__name__,
            object_id=object_id, object_label=object_label, young_person=young_person,
            staff_member=staff_member, field_name=name, field_label=_label(model, name, labels),
            old_value=old, new_value=new))
    FieldChange.objects.bulk_create(rows)
    return rows


def changed_fields(rows: list[FieldChange]) -> str:
    """For an audit entry: the labels of the fields changed (never the values)."""
    return ", ".join(r.field_label.lower() for r in rows) or "nothing"


@dataclass
class ChangeSet:
    """The fields changed in one save, for the page."""

    changed_at: object
    changed_by: object
    object_label: str
    rows: list


def change_sets(changes) -> list[ChangeSet]:
    out: dict = {}
    for row in changes:
        if row.change_id not in out:
            out[row.change_id] = ChangeSet(row.changed_at, row.changed_by, row.object_label, [])
        out[row.change_id].rows.append(row)
    return list(out.values())


def record_history(user, person) -> list[ChangeSet]:
    """The record's history of changes, for a user who may see the record: its own details,
    consents and plans, and the key dates of the episodes the user may see. Two queries."""
    from django.db.models import Q

    episodes = [str(p) for p in policy.visible_episodes(user).filter(young_person=person)
                .values_list("public_id", flat=True)]
    changes = (FieldChange.objects.filter(young_person=person)
               .filter(~Q(object_type="Episode") | Q(object_id__in=episodes))
               .select_related("changed_by").order_by("-changed_at", "-id"))
    return change_sets(changes)


def staff_history(member) -> list[ChangeSet]:
    return change_sets(FieldChange.objects.filter(staff_member=member)
                       .select_related("changed_by").order_by("-changed_at", "-id"))


PLAN_FIELDS = ("keyworker", "what_helps", "preventive_actions", "informal_network",
               "agreed_with_young_person", "agreed_with_family", "agreed_on", "review_on",
               "safeguarding_basis", "status", "ended_on", "end_reason")
PLAN_LABELS = {
    "agencies": "Agencies and their roles", "risks": "Risks", "crisis_steps": "Crisis steps",
    "distribution": "Who else the plan was sent to",
    "external": "Participants from outside the platform",
    "safeguarding_basis": "Safeguarding basis for sharing without consent",
    "agreed_with_young_person": "Agreed with the young person",
    "agreed_with_family": "Agreed with the family", "agreed_on": "Date agreed",
    "review_on": "Review date", "ended_on": "Date ended", "end_reason": "Why it ended",
}


def plan_snapshot(plan) -> dict:
    """A Risk Support plan and its parts as plain values (the parts are edited as a whole)."""
    values = snapshot(plan, PLAN_FIELDS)
    values["agencies"] = [f"{a.agency.name}: {a.role}"
                          for a in plan.agencies.select_related("agency").order_by("order")]
    values["risks"] = [f"{r.get_kind_display()}: {r.description}"
                       for r in plan.risks.order_by("order")]
    values["crisis_steps"] = [
        f"{s.trigger} → {' / '.join(s.responses)} (contact {s.contact_who}, {s.contact_how})"
        for s in plan.crisis_steps.order_by("order")]
    values["distribution"] = [f"{d.recipient} ({d.get_how_sent_display()})"
                              for d in plan.distribution.order_by("order")]
    values["external"] = [f"{e.name}, {e.role}" for e in plan.external_participants.order_by("order")]
    return values
