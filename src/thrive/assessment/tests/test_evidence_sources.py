"""The side tables written beside the platform's extract, from platform records."""

from datetime import UTC, date, datetime

import pyarrow.parquet as pq
import pytest

from thrive.assessment import sources
from thrive.sharing.models import AgencyReferral, CareTeamMember

pytestmark = pytest.mark.django_db


def read(tmp_path, name):
    return pq.read_table(tmp_path / f"{name}.parquet").to_pylist()


def test_referrals_between_agencies_with_the_day_ten_working_days_on(
        tmp_path, person, camhs, school, outsider, practitioner):
    ref = AgencyReferral.objects.create(
        young_person=person, from_agency=school, to_agency=camhs, sent_by=outsider, reason="Low mood",
        consent_override_reason="Safeguarding", status=AgencyReferral.Status.ACCEPTED,
        decided_by=practitioner, decided_at=datetime(2024, 5, 10, 9, tzinfo=UTC))
    AgencyReferral.objects.filter(pk=ref.pk).update(sent_at=datetime(2024, 5, 1, 9, tzinfo=UTC))
    sources.write_agency_referrals(tmp_path)
    assert read(tmp_path, "agency_referrals") == [{
        "referral_id": str(ref.public_id), "sent_on": date(2024, 5, 1), "status": "accepted",
        "decided_on": date(2024, 5, 10), "answer_by": date(2024, 5, 16)}]  # 6 May a bank holiday


def test_care_team_members_by_agency(tmp_path, person, practitioner, colleague, outsider):
    for user in (practitioner, colleague, outsider):
        CareTeamMember.objects.create(young_person=person, user=user, role="Worker", added_by=practitioner)
    sources.write_care_team_agencies(tmp_path)
    rows = read(tmp_path, "care_team_agencies")
    assert {r["person_id"] for r in rows} == {str(person.public_id)}
    assert sorted(r["agency"] for r in rows) == sorted(
        str(u.agency_id) for u in (practitioner, colleague, outsider))
    assert len({r["agency"] for r in rows}) == 2 and all(r["removed_on"] is None for r in rows)


def test_practitioner_days_from_contacts_and_views_of_the_outcome_charts(
        tmp_path, client, episode, practitioner, colleague):
    from datetime import time

    from thrive.care.models import Contact

    Contact.objects.create(episode=episode, date=date(2024, 5, 1), time=time(10), mode="face_to_face",
                           attendance="attended", practitioner=practitioner)
    client.force_login(practitioner)
    assert client.get(f"/measures/episodes/{episode.public_id}/").status_code == 200
    client.get(f"/people/{episode.young_person.public_id}/")  # the record itself: not a chart view
    sources.write_practitioner_days(tmp_path)
    rows = read(tmp_path, "practitioner_days")
    assert sorted((r["practitioner"], r["kind"]) for r in rows) == [
        (str(practitioner.pk), "chart_view"), (str(practitioner.pk), "contact")]
    assert date(2024, 5, 1) in {r["on"] for r in rows}


def test_directory_coverage_counts_active_services_by_kind_of_help_and_age_band(tmp_path):
    import uuid

    from django.utils import timezone

    from thrive.directory.models import Service, ServiceAttribute, TaxonomyTerm

    terms = {code: TaxonomyTerm.objects.create(oruk_id=uuid.uuid4(), name=code, code=code)
             for code in ("getting-help", "thriving", "group")}

    def service(status, low, high, *codes):
        made = Service.objects.create(oruk_id=uuid.uuid4(), name="S", status=status, minimum_age=low,
                                      maximum_age=high, content_hash="x", imported_at=timezone.now())
        for code in codes:
            ServiceAttribute.objects.create(oruk_id=uuid.uuid4(), service=made, term=terms[code])

    service("active", 11, 16, "getting-help", "group")  # 11 to 15 and 16 to 17
    service("active", None, 4, "thriving")  # no lower limit: 0 to 4
    service("inactive", 0, 25, "getting-help")  # not active: not counted
    sources.write_directory_coverage(tmp_path)
    sources.write_directory_kinds(tmp_path)
    kinds = {r["kind"]: r["services"] for r in read(tmp_path, "directory_kinds")}
    assert kinds["group"] == 1 and kinds["self-help"] == 0 and len(kinds) == 7
    covered = {(r["need"], r["age_band"]): r["services"] for r in read(tmp_path, "directory_coverage")}
    assert len(covered) == 25  # five kinds of help by five age bands, gaps included
    assert {r["need_name"] for r in read(tmp_path, "directory_coverage")} >= {"Getting Help", "Thriving"}
    assert {k: v for k, v in covered.items() if v} == {
        ("getting-help", "11 to 15"): 1, ("getting-help", "16 to 17"): 1, ("thriving", "0 to 4"): 1}
