"""The JSON API for young people's records. Every read goes through the access policy and the
audit log, exactly as the pages do."""

from datetime import date
from uuid import UUID

from ninja import Router, Schema
from ninja.errors import HttpError

from thrive.accounts import permissions
from thrive.care import caseload as queries
from thrive.care.models import GroupingDecision
from thrive.core import audit
from thrive.core.models import AuditEvent
from thrive.sharing import policy

router = Router(tags=["young people"])

# The API takes records out of the platform, so it is an export: break-glass is read-only.
BREAK_GLASS_READ_ONLY = ("Emergency (break-glass) access is read-only on the record's pages; "
                         "the API cannot export this record.")


class EpisodeSummary(Schema):
    id: UUID
    agency: str
    team: str
    status: str
    referral_received_on: date
    current_grouping: str | None = None
    review_on: date | None = None


class YoungPersonOut(Schema):
    id: UUID
    given_name: str
    family_name: str
    nhs_number: str
    date_of_birth: date
    sex: str
    episodes: list[EpisodeSummary]


class YoungPersonHit(Schema):
    id: UUID
    given_name: str
    family_name: str
    date_of_birth: date
    # standing, ended or declined (read only after the agency's last episode), or break_glass
    relationship: str


class SearchIn(Schema):
    q: str


def _clinical(request):
    if not permissions.works_with_records(request.user):
        raise HttpError(403, "Records are for practitioners and team managers.")


@router.get("/young-people/{person_id}", response=YoungPersonOut)
def young_person(request, person_id: UUID):
    _clinical(request)
    person = policy.young_person_or_404(request.user, person_id)
    if not policy.can_export(request.user, person):
        raise HttpError(403, BREAK_GLASS_READ_ONLY)
    episodes = list(policy.visible_episodes(request.user).filter(young_person=person)
                    .select_related("agency", "team", "ending"))
    current = {d.episode_id: d for d in GroupingDecision.objects.filter(
        episode__in=episodes, is_current=True)}
    audit.record(request, AuditEvent.Action.VIEW, obj=person, young_person=person, detail="api")
    return YoungPersonOut(
        id=person.public_id, given_name=person.given_name, family_name=person.family_name,
        nhs_number=person.nhs_number, date_of_birth=person.date_of_birth, sex=person.sex,
        episodes=[EpisodeSummary(
            id=e.public_id, agency=e.agency.name, team=e.team.name, status=e.status,
            referral_received_on=e.referral_received_on,
            current_grouping=current[e.pk].grouping if e.pk in current else None,
            review_on=current[e.pk].review_on if e.pk in current else None) for e in episodes])


@router.post("/search/young-people", response=list[YoungPersonHit])
def search(request, body: SearchIn):
    """A POST, so identifiers never appear in a URL."""
    _clinical(request)
    text = body.q.strip()
    if len(text) < 2:
        raise HttpError(422, "Enter a name, NHS number or date of birth to search for")
    if queries.search_problem(text):
        raise HttpError(422, queries.search_problem(text))
    hits = list(queries.find_young_people(request.user, text))
    # Only records the user may export: a break-glass grant opens the record on the pages alone.
    exportable = set(policy.related_young_people(request.user).filter(
        pk__in=[p.pk for p in hits]).values_list("pk", flat=True))
    hits = [p for p in hits if p.pk in exportable]
    audit.record(request, AuditEvent.Action.SEARCH,
                 detail=f"api by {queries.search_kind(text)}: {len(hits)} found")
    return [YoungPersonHit(id=p.public_id, given_name=p.given_name, family_name=p.family_name,
                           date_of_birth=p.date_of_birth, relationship=p.relationship)
            for p in hits]
