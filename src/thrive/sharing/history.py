"""The access history in plain English: who, which young person, what, when and how.

Audit entries keep only types, opaque ids and short details. Describing a page of them looks up
what those ids mean (episodes, agencies, measures, care-team members) in one query per kind of
thing, whatever the number of entries, so a page costs the same at 10 rows or 500.
"""

import re
from dataclasses import dataclass
from datetime import datetime

from django.utils import timezone

from thrive.core.models import AuditEvent

from .access_audit import SHOWN_AGAIN

A = AuditEvent.Action

# Pages opened on the way to a change: the url name the guards record, in words.
FORM_PAGES = {
    "care-team": "the care team", "remove-member": "the care team",
    "new-consent": "the form to record consent", "refer": "the form to refer to another agency",
    "new-note": "the form to add a note", "edit-details": "the form to change their details",
    "new-parent-carer": "the form to add a parent or carer",
    "new-referral": "the form for a new referral", "key-dates": "the key dates form",
    "grouping": "the THRIVE grouping form", "new-goal": "the form to agree a goal",
    "goal-rating": "the goal rating form", "new-contact": "the form to record a contact",
    "ending": "the form to end the episode", "closing-letter": "the closing letter form",
    "allocate": "the allocation page", "episode-find": "the signposting search",
    "signpost": "the signposting form", "outcome": "the signposting follow-up form",
    "hand-over": "the tablet hand-over", "merge": "the merge page",
    "possible-match": "the possible match page", "plans": "the Risk Support plans",
    "risk:new": "the form to write a Risk Support plan",
    "measures:new": "the questionnaire form", "edit": "the Risk Support plan to change it",
    "end": "the Risk Support plan to end it",
}
# Details written by views, in words ({episode} is filled in where the entry names one).
DETAILS = {
    "access history": "Viewed who has looked at this record",
    "access history CSV": "Exported the access history as CSV",
    "access log": "Viewed the access log", "access log CSV": "Exported the access log as CSV",
    "outcome measures": "Viewed the outcome measures of {episode}",
    "outcome measure charts": "Viewed the outcome measure charts",
    "record a questionnaire": "Opened the questionnaire form for {episode}",
    "hand over a questionnaire": "Opened the tablet hand-over for {episode}",
    "tablet completion": "Handed over a tablet questionnaire for {episode}",
    "signposts": "Viewed the signposting for {episode}",
    "allocate": "Opened the allocation page for {episode}",
    "new risk support plan form": "Opened the form to write a Risk Support plan",
    "risk support plan, to change it": "Opened the Risk Support plan to change it",
    "risk support plan, to end it": "Opened the Risk Support plan to end it",
    "risk support plan PDF": "Exported the Risk Support plan as PDF",
    "FHIR QuestionnaireResponse": "Exported {completion} as FHIR",
    "risk support plan": "Wrote a Risk Support plan",
    "risk support plan ended": "Ended the Risk Support plan",
    "referral accepted": "Accepted the referral to {referral_agency}",
    "referral declined": "Declined the referral to {referral_agency}",
    "referral withdrawn": "Withdrew the referral to {referral_agency}",
    "removed from care team": "Removed {member} from the care team",
    "key dates": "Changed the key dates of {episode}",
    "closing letter": "Wrote the closing letter for {episode}",
    "alert closed": "Closed a privacy alert",
    "break-glass refused": "Refused: break-glass request did not succeed",
}
CREATED = {
    "YoungPerson": "Created the record", "Episode": "Opened {episode}",
    "RecordNote": "Added a note", "Consent": "Recorded consent to share with {consent_agency}",
    "AgencyReferral": "Referred to {referral_agency}",
    "CareTeamMember": "Added {member} to the care team", "Goal": "Agreed a goal in {episode}",
    "GoalRating": "Rated a goal in {episode}", "Contact": "Recorded a contact in {episode}",
    "Ending": "Ended {episode}", "GroupingDecision": "Recorded a THRIVE grouping in {episode}",
    "Completion": "Recorded {completion}", "Signpost": "Signposted to a service",
    "ClosingLetter": "Wrote a closing letter", "RiskSupportPlan": "Wrote a Risk Support plan",
}
VIEWED = {
    "YoungPerson": "Viewed the record", "Episode": "Viewed {episode}",
    "Completion": "Viewed {completion}", "AgencyReferral": "Viewed the referral to "
    "{referral_agency}", "RiskSupportPlan": "Viewed the Risk Support plan",
    "Signpost": "Viewed a signposting follow-up",
}
HOW = {
    AuditEvent.Basis.RELATIONSHIP: "Their agency works with them",
    AuditEvent.Basis.CONSENT: "Consent",
    AuditEvent.Basis.OVERRIDE: "Safeguarding override",
    AuditEvent.Basis.BREAK_GLASS: "Break-glass (emergency access)",
    AuditEvent.Basis.ROLE: "Privacy officer's access review",
    AuditEvent.Basis.NONE: "No relationship",
}
REFUSED = {
    AuditEvent.Basis.NONE: "Refused: no relationship",
    AuditEvent.Basis.BREAK_GLASS: "Refused: break-glass access is read-only",
}


@dataclass
class Line:
    """One access, in words."""
    id: int
    at: datetime
    when: str
    who: str
    agency: str
    person: str
    person_public_id: str
    what: str
    how: str
    reason: str
    refused: bool


def when_text(at: datetime) -> str:
    local = timezone.localtime(at)
    return f"{local.day} {local:%B %Y} at {local:%H:%M}"


NOUNS = {"User": "staff account", "BreakGlassGrant": "break-glass grant",
         "AccessAlert": "privacy alert", "RecordNote": "note", "GroupingDecision": "THRIVE grouping"}


def _humanised(object_type: str) -> str:
    if object_type in NOUNS:
        return NOUNS[object_type]
    return re.sub(r"(?<!^)(?=[A-Z])", " ", object_type).lower() if object_type else "record"


class _Lookups:
    """What the opaque ids on a page of entries stand for, one query per kind."""

    def __init__(self, events):
        from thrive.care.models import Episode
        from thrive.measures.models import Completion
        from thrive.people.models import YoungPerson

        from .models import AgencyReferral, CareTeamMember, Consent

        def ids(kind):
            return {e.object_id for e in events if e.object_type == kind and e.object_id}

        person_ids = {e.young_person_id for e in events if e.young_person_id}
        self.people = {p.pk: p for p in YoungPerson.objects.filter(pk__in=person_ids)
                       .only("pk", "public_id", "given_name", "family_name")}
        completions = {str(c["public_id"]): c for c in Completion.objects.filter(
            public_id__in=_uuids(ids("Completion"))).values("public_id", "measure_id",
                                                            "episode_id")}
        self.completions = completions
        episodes = list(Episode.objects.filter(young_person_id__in=person_ids).order_by(
            "young_person_id", "referral_received_on", "pk").values(
            "pk", "public_id", "young_person_id", "agency__name"))
        self.episodes, by_pk, counter = {}, {}, {}
        for row in episodes:
            counter[row["young_person_id"]] = counter.get(row["young_person_id"], 0) + 1
            text = f"episode {counter[row['young_person_id']]} at {row['agency__name']}"
            self.episodes[str(row["public_id"])] = text
            by_pk[row["pk"]] = text
        self.episode_by_pk = by_pk
        self.referrals = {str(r["public_id"]): r["to_agency__name"] for r in
                          AgencyReferral.objects.filter(public_id__in=_uuids(ids("AgencyReferral")))
                          .values("public_id", "to_agency__name")}
        self.members = {str(m.pk): m.user.display_name for m in CareTeamMember.objects.filter(
            pk__in=_ints(ids("CareTeamMember"))).select_related("user")}
        self.consents = {str(c["pk"]): c["with_agency__name"] for c in Consent.objects.filter(
            pk__in=_ints(ids("Consent"))).values("pk", "with_agency__name")}

    def measure_name(self, measure_id: str) -> str:
        from thrive.measures import services

        measure = services.catalogue().measures.get(measure_id)
        return measure.name if measure is not None else measure_id.upper()


def _uuids(values):
    import uuid

    out = []
    for value in values:
        try:
            out.append(uuid.UUID(value))
        except ValueError:
            pass
    return out


def _ints(values):
    return [int(v) for v in values if v.isdigit()]


def _what(event, look: _Lookups) -> str:
    episode = look.episodes.get(event.object_id, "an episode")
    completion_row = look.completions.get(event.object_id)
    completion = "a questionnaire"
    if completion_row:
        completion = f"a {look.measure_name(completion_row['measure_id'])} questionnaire"
        if completion_row["episode_id"] in look.episode_by_pk:
            completion += f" ({look.episode_by_pk[completion_row['episode_id']]})"
    fill = {"episode": episode, "completion": completion,
            "referral_agency": look.referrals.get(event.object_id, "another agency"),
            "member": look.members.get(event.object_id, "someone"),
            "consent_agency": look.consents.get(event.object_id, "another agency")}
    if event.outcome == AuditEvent.Outcome.REFUSED:
        if event.action == A.BREAK_GLASS:
            return "Refused: break-glass request did not succeed"
        return REFUSED.get(event.basis, "Refused: read-only access")
    detail = event.detail
    if detail in DETAILS:
        return DETAILS[detail].format(**fill)
    if detail.endswith(SHOWN_AGAIN):
        name = detail.removesuffix(SHOWN_AGAIN)
        page = FORM_PAGES.get(name) or FORM_PAGES.get(name.rsplit(":", 1)[-1], "a form")
        return f"Saw {page} again, with errors to correct"
    if event.action == A.VIEW:
        if detail in FORM_PAGES:
            return f"Opened {FORM_PAGES[detail]}" + (
                f" ({episode})" if event.object_type == "Episode" else "")
        if detail.startswith("risk support plans"):
            return "Viewed the list of Risk Support plans"
        if detail.startswith(("possible match", "merge")):
            return "Viewed the record to check a possible duplicate"
        return VIEWED.get(event.object_type, "Viewed part of the record").format(**fill)
    if event.action == A.EXPORT:
        if detail.startswith("FHIR Observation"):
            return "Exported outcome scores as FHIR"
        if detail.startswith("access history CSV"):
            return "Exported the access history as CSV"
        return f"Exported the {_humanised(event.object_type)}"
    if event.action == A.CREATE:
        return CREATED.get(event.object_type,
                           f"Added a {_humanised(event.object_type)}").format(**fill)
    if event.action == A.CHANGE:
        if event.object_type == "RiskSupportPlan" and detail.startswith("risk support plan version"):
            return f"Changed the Risk Support plan (version {detail.rsplit(' ', 1)[-1]})"
        if event.object_type == "Episode" and detail.startswith("lead practitioner"):
            return f"Changed the lead practitioner of {episode}"
        if event.object_type == "YoungPerson":
            return "Merged duplicate records"
        if event.object_type == "CareTeamMember":
            return "Handed over a care-team place"
        return f"Changed the {_humanised(event.object_type)}"
    if event.action == A.BREAK_GLASS:
        return "Broke glass for emergency access"
    return event.get_action_display()


def describe(events) -> list[Line]:
    """Plain-English lines for a page of entries (selected with select_related('user__agency'))."""
    events = list(events)
    look = _Lookups(events)
    lines = []
    for event in events:
        person = look.people.get(event.young_person_id)
        lines.append(Line(
            id=event.pk, at=event.at, when=when_text(event.at),
            who=event.user.display_name if event.user else (event.username or "Unknown"),
            agency=event.user.agency.name if event.user and event.user.agency else "",
            person=person.full_name if person else (
                "No such record" if event.outcome == AuditEvent.Outcome.REFUSED else ""),
            person_public_id=str(person.public_id) if person else "",
            what=_what(event, look),
            how=HOW.get(event.basis, ""),
            reason=event.reason,
            refused=event.outcome == AuditEvent.Outcome.REFUSED))
    return lines
