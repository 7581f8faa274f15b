"""Demo self-assessment for Northvale (called by `thrive load_demo`): a locality round closed a
year ago, with agreed scores, live evidence at closing and an improvement plan under way, and an
open round copied from it that some of the panel have scored. Deterministic for a seed."""

import random
from datetime import date, timedelta

from django.utils import timezone

from thrive.accounts.models import User

from . import services, sources
from .models import Action, PdsaEntry, Round, StaffSeniority
from .principles import IDS

LEAD = "sitelead"
TITLES = ("Northvale THRIVE baseline", "Northvale THRIVE follow-up")
PANEL = ("manager.camhs", "manager.mhst.east", "manager.earlyhelp", "manager.opendoor", "analyst")
# Last year's agreed scores: a site part-way to THRIVE-like.
AGREED = {
    "M1": 3,
    "M2": 2,
    "M3": 2,
    "M4": 1,
    "M5": 3,
    "M6": 2,
    "S1": 2,
    "S2": 3,
    "S3": 3,
    "S4": 2,
    "I1": 2,
    "I2": 3,
    "I3": 2,
    "I4": 2,
    "I5": 2,
    "I6": 3,
    "I7": None,
    "I8": 2,
}
ACTIONS = (
    (
        "I5",
        "Agree goals and a likely timeframe at the first Getting Help appointment in every team",
        "CAMHS Getting Help team manager",
        (
            ("plan", "Pilot in the CAMHS Getting Help team for eight weeks"),
            ("do", "Goals recorded at first contact in 14 of 20 new episodes"),
            ("study", "Goals came later where the family needed a second visit"),
            ("act", "Rolled out to MHST East with a second-visit allowance"),
        ),
        "in_progress",
    ),
    (
        "M4",
        "Report the options families choose to commissioners each quarter",
        "Commissioning analyst",
        (("plan", "Add preferences to the quarterly report"),),
        "planned",
    ),
)


def _members(round_):
    return {m.user.username: m for m in round_.panel.select_related("user") if m.user}


# Demo seniority from job titles (principle I7's evidence); anyone else is a practitioner.
SENIOR_WORDS = {
    "Consultant": "consultant",
    "Senior": "senior",
    "Clinical psychologist": "senior",
    "Family therapist": "senior",
    "psychotherapist": "senior",
    "Counselling psychologist": "senior",
    "Team manager": "senior",
}


def add_seniority() -> int:
    rows = []
    for user in User.objects.filter(role__in=("practitioner", "team_manager"), agency__isnull=False):
        level = next(
            (lv for word, lv in SENIOR_WORDS.items() if word in (user.job_title or "")), "practitioner"
        )
        rows.append(StaffSeniority(user=user, level=level))
    StaffSeniority.objects.filter(user__in=[r.user for r in rows]).delete()
    StaffSeniority.objects.bulk_create(rows)
    return len(rows)


def add_self_assessment(seed: int, today: date) -> dict:
    lead = User.objects.filter(username=LEAD).first()
    if lead is None:
        return {}
    seniority = add_seniority()
    # A reload replaces the demo's rounds rather than adding to them.
    old = Round.objects.filter(lead=lead, title__in=TITLES)
    Action.objects.filter(round__in=old).delete()
    Round.objects.filter(copied_from__in=old).delete()
    old.delete()
    rng = random.Random(seed)
    held = today - timedelta(days=365)
    closed = services.create_round(
        lead=lead,
        title="Northvale THRIVE baseline",
        scope="locality",
        locality="Northvale",
        held_on=held,
        period_start=held - timedelta(days=365),
        period_end=held - timedelta(days=1),
    )
    users = {u.username: u for u in User.objects.filter(username__in=PANEL)}
    for username in PANEL:
        if username in users:
            services.add_member(closed, user=users[username])
    services.add_member(
        closed, name="Parent carer forum representative", organisation="Northvale Parent Carer Forum"
    )
    for member in closed.panel.all():
        answers = {}
        for pid in IDS:
            base = AGREED[pid]
            score = None if base is None else min(4, max(1, base + rng.choice((-1, 0, 0, 1))))
            answers[pid] = ("na" if score is None else str(score), "")
        services.save_scores(member, answers, submit=True)
    services.start_moderation(closed)
    services.agree_scores(
        closed,
        {pid: ("na" if s is None else str(s), "Agreed at the baseline meeting") for pid, s in AGREED.items()},
    )
    try:
        sources.refresh_platform()
        evidence = sources.evidence_for_round(closed)
    except OSError:
        evidence = None
    services.close_round(closed, evidence=evidence)
    rows = {"self-assessment rounds": 1, "improvement actions": 0, "staff seniority": seniority}
    for principle, text, owner, steps, status in ACTIONS:
        action = services.add_action(
            closed,
            principle=principle,
            description=text,
            owner=owner,
            due_on=held + timedelta(days=180),
            created_by=lead,
        )
        for n, (stage, note) in enumerate(steps):
            PdsaEntry.objects.create(
                action=action,
                stage=stage,
                note=note,
                recorded_by=lead,
                recorded_on=held + timedelta(days=30 * (n + 1)),
            )
        action.status = status
        action.save(update_fields=["status"])
        rows["improvement actions"] += 1
    closed.closed_at = timezone.now() - timedelta(days=364)
    closed.save(update_fields=["closed_at"])

    open_round = services.copy_round(
        closed,
        lead=lead,
        title="Northvale THRIVE follow-up",
        held_on=today + timedelta(days=14),
        period_start=today - timedelta(days=365),
        period_end=today - timedelta(days=1),
    )
    rows["self-assessment rounds"] += 1
    # Two of the panel have scored already; the others (manager.camhs among them) have not.
    members = _members(open_round)
    for username in ("manager.earlyhelp", "analyst"):
        if username in members:
            services.save_scores(
                members[username],
                {
                    pid: ("na" if s is None else str(min(4, s + rng.choice((0, 1)))), "")
                    for pid, s in AGREED.items()
                },
                submit=True,
            )
    return rows
