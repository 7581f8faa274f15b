"""The demo's Community THRIVE: one community with a closed assessment of 60 participants (local
evidence, the group's priorities and a plan) and a draft repeat for this year. Deterministic for a
seed; loading again replaces it. Called by `thrive load_demo`."""

import random
import secrets
from datetime import date, timedelta

from django.db import transaction
from django.utils import timezone

from thrive.accounts.models import Role, User

from . import services
from .models import Community, Participant, Rating

COMMUNITY = ("Northvale", Community.Scheme.LAD, "E06999901")  # the demo population table's area
FACILITATOR = "facilitator"
PARTICIPANTS = 60
# Each factor's typical condition (1 serious concern … 5 strong asset): adults, young people.
TENDENCY = {
    "social_networks_trust": (3.4, 3.0), "participation": (2.8, 2.2), "norms_culture": (3.2, 3.0),
    "whats_sold": (2.3, 2.4), "look_feel_safety": (2.6, 1.8), "parks_open_space": (3.0, 2.0),
    "arts_culture": (3.3, 2.6), "getting_around": (2.9, 2.5), "housing": (1.9, 2.1),
    "air_water_soil": (3.1, 3.2), "education": (3.5, 3.0), "living_wages_wealth": (2.2, 2.0),
}
IMPORTANCE = {"housing": 4.7, "look_feel_safety": 4.5, "parks_open_space": 4.0,
              "living_wages_wealth": 4.4, "education": 4.2}
COMMENTS = [
    ("look_feel_safety", "The underpass by the station is dark and nobody walks there at night."),
    ("parks_open_space", "The rec has no lights and the play area has been shut for a year."),
    ("housing", "Damp and mould in the flats on Mill Lane."),
    ("arts_culture", "The youth music project was brilliant until it closed."),
    ("getting_around", "The 41 bus stops at 7pm, so evening clubs are out of reach."),
]
PEOPLE = (  # (role, age band, how many)
    ("young_person", "11-15", 8), ("young_person", "16-17", 6), ("resident", "18-24", 6),
    ("resident", "25-64", 16), ("resident", "65+", 6), ("parent_carer", "25-64", 8),
    ("practitioner", "25-64", 6), ("decision_maker", "25-64", 2), ("business", "25-64", 2),
)


def _condition(rng, centre):
    return max(1, min(5, round(rng.gauss(centre, 0.9))))


@transaction.atomic
def add_community_thrive(seed: int, today: date) -> dict[str, int]:
    rng = random.Random(f"{seed}-community-thrive")
    facilitator = User.objects.filter(username=FACILITATOR, role=Role.FACILITATOR).first()
    if facilitator is None:
        return {}
    name, scheme, code = COMMUNITY
    for old in Community.objects.filter(geography_scheme=scheme, geography_code=code):
        for assessment in old.assessments.order_by("-pk"):
            assessment.actions.all().delete()
            assessment.delete()
        old.delete()
    factor_set = services.default_factor_set()
    community = services.create_community(name=name, scheme=scheme, code=code)
    start = today - timedelta(days=400)
    last_year = services.create_assessment(
        user=facilitator, community=community, period_start=start,
        period_end=start + timedelta(days=60),
        purpose="Annual Community THRIVE assessment with residents, young people and partners, "
                "to agree the area's priorities for the year.",
        factor_set=factor_set, factors=factor_set.factors.all())
    services.open_for_ratings(last_year)
    factors = list(last_year.scope())
    people = [(role, band) for role, band, n in PEOPLE for _ in range(n)]
    participants = Participant.objects.bulk_create(
        Participant(assessment=last_year, number=i, key=secrets.token_urlsafe(32), role=role,
                    age_band=band, youth_wording=role == "young_person",
                    carer_consent=band == "11-15", consent_at=timezone.now())
        for i, (role, band) in enumerate(people, start=1))
    ratings = []
    for p in participants:
        young = p.age_band in ("11-15", "16-17", "18-24")
        for f in factors:
            if rng.random() < 0.06:
                continue  # skipped
            dont_know = rng.random() < 0.05
            ratings.append(Rating(
                participant=p, factor=f, dont_know=dont_know,
                condition=None if dont_know else _condition(rng, TENDENCY[f.key][young]),
                importance=max(1, min(5, round(rng.gauss(IMPORTANCE.get(f.key, 3.3), 0.8))))))
    by_key = {f.key: f for f in factors}
    for i, (key, text) in enumerate(COMMENTS):
        rating = next(r for r in ratings[i * 40:] if r.factor == by_key[key])
        rating.comment = text
    Rating.objects.bulk_create(ratings)

    evidence = [
        ("housing", "Households in overcrowded homes", "11.8", "%", "Census 2021", "8.7"),
        ("living_wages_wealth", "Children in low-income families", "27.4", "%",
         "DWP Children in low income families", "19.9"),
        ("parks_open_space", "Homes within 10 minutes' walk of a park", "64", "%",
         "Local green space audit", "81"),
    ]
    for key, indicator, value, unit, source, peer in evidence:
        services.add_evidence(last_year, factor=by_key[key], indicator=indicator, value=value,
                              unit=unit, source=source, as_of=start - timedelta(days=90),
                              peer_value=peer)
    agreed = start + timedelta(days=55)
    plan = [
        ("look_feel_safety", "Young people rated it the lowest and said the underpass feels unsafe",
         [("Light and repaint the station underpass, with young people choosing the design",
           "environment", "community", "Northvale Council highways", "done", "Underpass lit",
           "no", "yes", "yes")]),
        ("housing", "Lowest rated by adults and most important to everyone",
         [("Inspect 200 private rented homes on Mill Lane for damp and mould by March",
           "practice", "institutions", "Northvale Council housing", "in_progress",
           "Homes inspected", "0", "200", "120")]),
        ("parks_open_space", "Young people and parents want somewhere safe to play after school",
         [("Reopen the rec play area and add lighting", "environment", "community",
           "Northvale Parks Friends", "planned", "Play area open", "closed", "open", "closed"),
          ("Run a weekly youth club at the rec pavilion", "programme", "school",
           "Open Door Youth", "in_progress", "Young people attending", "0", "30", "18")]),
    ]
    counts = {"community thrive ratings": len(ratings), "community thrive actions": 0}
    for rank, (key, rationale, actions) in enumerate(plan, start=1):
        priority = services.add_priority(last_year, factor=by_key[key], rank=rank,
                                         rationale=rationale, method="consensus",
                                         agreed_on=agreed)
        for (objective, kind, sector, lead, status, measure, baseline, target,
             latest) in actions:
            services.add_action(last_year, priority=priority, smart_objective=objective,
                                strategy_type=kind, sector=sector, lead_partner=lead,
                                start=agreed, due=agreed + timedelta(days=240), status=status,
                                progress_measure=measure, baseline=baseline, target=target,
                                latest_value=latest)
            counts["community thrive actions"] += 1
    services.observe(last_year, item_key="deteriorated_environments", level="some",
                     note="Boarded-up shops by the station; the underpass")
    services.observe(last_year, item_key="low_collective_efficacy", level="not_seen")
    services.close(last_year)
    # Progress through the year since, appended to the closed plan.
    for action in last_year.actions.filter(status="in_progress"):
        services.record_progress(action, user=facilitator, recorded_on=today - timedelta(days=30),
                                 status="in_progress", latest_value=action.target,
                                 note="Reported at the partners' quarterly meeting")
    services.repeat(last_year, user=facilitator)
    counts["community thrive participants"] = len(participants)
    return counts
