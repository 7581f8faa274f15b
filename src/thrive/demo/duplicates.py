"""A possible duplicate for the system administrator's merge page: a young person the locality
already knows, added again at another agency with their last name misspelt and no NHS number,
after the practitioner was shown the possible match and judged it someone else.

(Re-referrals, a second episode at the same agency after a discharge, come from the generated
histories themselves: see `history.py`.)"""

from datetime import date, timedelta

from django.db import transaction

from thrive.accounts.models import Agency, User
from thrive.care.models import Episode
from thrive.people import matching
from thrive.people.models import NewRecordDespiteMatch, YoungPerson


def _misspelt(name: str) -> str:
    """Two neighbouring letters swapped ("Khan" -> "Kahn"): one slip, still a possible match."""
    return name[0] + name[2] + name[1] + name[3:] if len(name) > 3 and name[1] != name[2] else name + "e"


def add_possible_duplicate(today: date) -> dict[str, int]:
    known = (YoungPerson.objects.filter(episodes__ending__isnull=False, merged_into__isnull=True)
             .exclude(episodes__agency__kind=Agency.Kind.SCHOOL).order_by("pk").first())
    school = Agency.objects.filter(kind=Agency.Kind.SCHOOL).order_by("pk").first()
    worker = (User.objects.filter(agency=school, role="practitioner", team__isnull=False)
              .order_by("pk").first() if school else None)
    if known is None or worker is None:
        return {"possible duplicate pairs": 0}
    with transaction.atomic():
        twin = YoungPerson.objects.create(
            given_name=known.given_name, family_name=_misspelt(known.family_name),
            date_of_birth=known.date_of_birth, sex=known.sex, school=known.school,
            local_authority=known.local_authority, nhs_number="")
        Episode.objects.create(
            young_person=twin, agency=school, team=worker.team, lead_practitioner=worker,
            referral_received_on=today - timedelta(days=10), referral_source="school",
            referral_reason="low_mood", referral_detail="Head of year worried about low mood.")
        NewRecordDespiteMatch.objects.create(
            young_person=twin, possible_match=known, match_reason=matching.SIMILAR_NAME_SAME_DOB,
            decided_by=worker, reason="The family said they had never been seen by a service "
                                      "before, so I took it to be a different young person.")
    return {"possible duplicate pairs": 1}
