"""Where the live evidence's extract lives, by source, and a small cache of computed evidence.

The platform's records are extracted (analytics.platform_extract) into their own directory when
a lead asks for the evidence to be recomputed (or by `thrive refresh_assessment_evidence`); an
imported MHSDS-style extract is read where the analytics page keeps it. Evidence for a period is
computed from the extract on demand (fast: evidence.py over Parquet) and remembered until the
extract changes.
"""

import json
import threading
from pathlib import Path

from thrive.analytics.locations import analytics_dir, imported_extract_dir
from thrive.analytics.platform_extract import build_platform_extract
from thrive.analytics.workdirs import swap_in, work_dir

from . import evidence

SOURCES = {"platform": "This platform's records", "mhsds": "The imported MHSDS extract"}
_cache: dict[tuple, dict] = {}
_lock = threading.Lock()


def extract_dir(source: str) -> Path:
    if source == "platform":
        return analytics_dir() / "extract-assessment"
    if source == "mhsds":
        return imported_extract_dir()
    raise ValueError(f"Unknown source {source}")


def available(source: str) -> bool:
    return (extract_dir(source) / "manifest.json").exists()


def extracted_at(source: str) -> str | None:
    if not available(source):
        return None
    return json.loads((extract_dir(source) / "manifest.json").read_text()).get("created_at")


def refresh_platform() -> dict:
    """Extract the platform's records now (swapped in whole: readers never see half), with the
    seniority of the practitioner at each contact beside it (evidence.CONTACT_STAFF)."""
    out = extract_dir("platform")
    with _lock, work_dir(out.parent, "assessment-extract") as staging:
        # The side tables go in before the swap, so a reader never sees the extract without them.
        manifest = build_platform_extract(staging / "extract")
        write_contact_staff(staging / "extract")
        write_agency_kinds(staging / "extract")
        write_agency_referrals(staging / "extract")
        write_care_team_agencies(staging / "extract")
        write_practitioner_days(staging / "extract")
        write_directory_coverage(staging / "extract")
        write_directory_kinds(staging / "extract")
        swap_in(staging / "extract", out)
        _cache.clear()
        return manifest


def write_agency_kinds(directory: Path) -> None:
    """Each agency's kind, keyed as referrals.provider is (ODS code, else name), and one row per
    kind with no agency, so every kind counts."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    from thrive.accounts.models import Agency

    providers, kinds = [], []
    for ods, name, kind in Agency.objects.values_list("ods_code", "name", "kind"):
        providers.append(ods or name)
        kinds.append(kind)
    for kind in Agency.Kind.values:
        providers.append(None)
        kinds.append(kind)
    table = pa.table({"provider": pa.array(providers, pa.string()), "kind": pa.array(kinds, pa.string())})
    tmp = directory / f"{evidence.AGENCY_KINDS}.parquet.tmp"
    pq.write_table(table, tmp)
    tmp.replace(directory / f"{evidence.AGENCY_KINDS}.parquet")


def _write_side(directory: Path, name: str, columns: dict) -> None:
    """One side table's Parquet file, written under a temporary name and renamed."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    tmp = directory / f"{name}.parquet.tmp"
    pq.write_table(pa.table(columns), tmp)
    tmp.replace(directory / f"{name}.parquet")


def write_agency_referrals(directory: Path) -> None:
    """One row per referral between agencies on the platform: the day it was sent, its status,
    the day it was decided and the day ten working days after it was sent (England and Wales
    bank holidays). Nobody is named; ids are the referral's public id."""
    import pyarrow as pa
    from django.utils import timezone

    from thrive.sharing.models import AgencyReferral

    from .working_days import add_working_days

    ids, sent, status, decided, answer_by = [], [], [], [], []
    for public_id, sent_at, state, decided_at in AgencyReferral.objects.values_list(
        "public_id", "sent_at", "status", "decided_at"
    ).iterator(chunk_size=5000):
        day = timezone.localdate(sent_at)
        ids.append(str(public_id))
        sent.append(day)
        status.append(state)
        decided.append(timezone.localdate(decided_at) if decided_at else None)
        answer_by.append(add_working_days(day, 10))
    _write_side(directory, evidence.AGENCY_REFERRALS, {
        "referral_id": pa.array(ids, pa.string()),
        "sent_on": pa.array(sent, pa.date32()),
        "status": pa.array(status, pa.string()),
        "decided_on": pa.array(decided, pa.date32()),
        "answer_by": pa.array(answer_by, pa.date32()),
    })


def write_care_team_agencies(directory: Path) -> None:
    """One row per care-team membership of someone in an agency: the young person (public id),
    the member's agency and the days the membership began and ended."""
    import pyarrow as pa
    from django.utils import timezone

    from thrive.sharing.models import CareTeamMember

    people, agencies, added, removed = [], [], [], []
    for person, agency, added_at, removed_at in CareTeamMember.objects.filter(
        user__agency__isnull=False
    ).values_list("young_person__public_id", "user__agency_id", "added_at", "removed_at").iterator(
        chunk_size=5000
    ):
        people.append(str(person))
        agencies.append(str(agency))
        added.append(timezone.localdate(added_at))
        removed.append(timezone.localdate(removed_at) if removed_at else None)
    _write_side(directory, evidence.CARE_TEAM_AGENCIES, {
        "person_id": pa.array(people, pa.string()),
        "agency": pa.array(agencies, pa.string()),
        "added_on": pa.array(added, pa.date32()),
        "removed_on": pa.array(removed, pa.date32()),
    })


def write_directory_coverage(directory: Path) -> None:
    """The directory as it stands now: for each kind of help (the THRIVE needs-based grouping a
    service is tagged with) and age band, how many active services offer it (a service without an
    age limit covers every band it reaches). Every combination gets a row, so gaps count."""
    import pyarrow as pa

    from thrive.directory.models import Service, ServiceAttribute
    from thrive.directory.taxonomy import NEEDS

    active = Service.objects.filter(status=Service.Status.ACTIVE)
    ages = {pk: (low, high) for pk, low, high in active.values_list("id", "minimum_age", "maximum_age")}
    counts = {(need, band): 0 for need in NEEDS for band, _, _ in evidence.AGE_BANDS}
    for service, need in ServiceAttribute.objects.filter(
        service__in=active, term__code__in=list(NEEDS)
    ).values_list("service_id", "term__code").distinct():
        low, high = ages[service]
        for band, first, last in evidence.AGE_BANDS:
            if (low is None or low <= last) and (high is None or high >= first):
                counts[need, band] += 1
    keys = list(counts)
    _write_side(directory, evidence.DIRECTORY_COVERAGE, {
        "need": pa.array([k[0] for k in keys], pa.string()),
        "need_name": pa.array([NEEDS[k[0]][0] for k in keys], pa.string()),
        "age_band": pa.array([k[1] for k in keys], pa.string()),
        "services": pa.array([counts[k] for k in keys], pa.int32()),
    })


def write_directory_kinds(directory: Path) -> None:
    """For each kind of support the directory tags (directory.taxonomy.KINDS), how many active
    services offer it now; every kind gets a row."""
    import pyarrow as pa
    from django.db.models import Count

    from thrive.directory.models import Service, ServiceAttribute
    from thrive.directory.taxonomy import KINDS

    found = dict(
        ServiceAttribute.objects.filter(service__status=Service.Status.ACTIVE, term__code__in=list(KINDS))
        .values_list("term__code").annotate(n=Count("service", distinct=True))
    )
    _write_side(directory, evidence.DIRECTORY_KINDS, {
        "kind": pa.array(list(KINDS), pa.string()),
        "services": pa.array([found.get(kind, 0) for kind in KINDS], pa.int32()),
    })


# The audit log's detail for a view of the pages that show a young person's outcome charts
# (measures.views.episode_measures and record_measures).
CHART_VIEW_DETAILS = ("outcome measures", "outcome measure charts")


def write_practitioner_days(directory: Path) -> None:
    """One row per practitioner (a key, never a name) and day on which they had a contact
    (kind "contact") or viewed a young person's outcome charts (kind "chart_view", from the
    audit log)."""
    import pyarrow as pa
    from django.utils import timezone

    from thrive.care.models import Contact
    from thrive.core.models import AuditEvent

    days = set(
        (str(user), on, "contact")
        for user, on in Contact.objects.filter(practitioner__isnull=False)
        .values_list("practitioner_id", "date").distinct().iterator(chunk_size=5000)
    )
    for user, at in AuditEvent.objects.filter(
        action=AuditEvent.Action.VIEW, detail__in=CHART_VIEW_DETAILS, user__isnull=False
    ).values_list("user_id", "at").iterator(chunk_size=5000):
        days.add((str(user), timezone.localdate(at), "chart_view"))
    rows = sorted(days)
    _write_side(directory, evidence.PRACTITIONER_DAYS, {
        "practitioner": pa.array([r[0] for r in rows], pa.string()),
        "on": pa.array([r[1] for r in rows], pa.date32()),
        "kind": pa.array([r[2] for r in rows], pa.string()),
    })


def write_contact_staff(directory: Path) -> None:
    """One row per contact with a practitioner: whether they are senior (StaffSeniority). The
    contact ids are the extract's; nobody is named."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    from thrive.care.models import Contact

    from .models import StaffSeniority

    levels = dict(StaffSeniority.objects.values_list("user_id", "level"))
    ids, senior, known = [], [], []
    for cid, practitioner in (
        Contact.objects.filter(practitioner__isnull=False)
        .values_list("id", "practitioner_id")
        .iterator(chunk_size=5000)
    ):
        ids.append(str(cid))
        level = levels.get(practitioner)
        known.append(level is not None)
        senior.append(level in StaffSeniority.SENIOR_LEVELS)
    table = pa.table(
        {
            "contact_id": pa.array(ids, pa.string()),
            "senior": pa.array(senior, pa.bool_()),
            "level_known": pa.array(known, pa.bool_()),
        }
    )
    tmp = directory / f"{evidence.CONTACT_STAFF}.parquet.tmp"
    pq.write_table(table, tmp)
    tmp.replace(directory / f"{evidence.CONTACT_STAFF}.parquet")


def _readable(iso: str | None) -> str | None:
    """ "4 December 2026 at 14:42" in the service's time zone."""
    from datetime import datetime

    from thrive.config.jinja2 import nice_date

    return nice_date(datetime.fromisoformat(iso)) if iso else None


def evidence_for_round(round_, source: str = "platform") -> dict | None:
    """The round's live evidence from the source, or None when that source has no extract yet."""
    if not available(source):
        return None
    key = (source, extracted_at(source), round_.period_start, round_.period_end)
    if key not in _cache:
        result = evidence.evidence_for(
            extract_dir(source), round_.period_start, round_.period_end, source=source
        )
        result["extracted_at"] = _readable(extracted_at(source))
        with _lock:
            if len(_cache) > 64:
                _cache.clear()
            _cache[key] = result
    return _cache[key]
