"""Young people and their parents or carers."""

from __future__ import annotations

import random
import uuid
from collections.abc import Iterator
from datetime import date, timedelta

from thrive.people.nhs_number import check_digit

from . import names
from .records import CarerRec, PersonRec
from .weighted import Weighted

# Ethnic category weights: a northern English town, a little more diverse among children.
_ETHNICITY = Weighted((
    ("A", 680), ("B", 5), ("C", 50), ("D", 15), ("E", 8), ("F", 15), ("G", 12), ("H", 30),
    ("J", 40), ("K", 15), ("L", 15), ("M", 10), ("N", 30), ("P", 5), ("R", 7), ("S", 13),
    ("Z", 35), ("99", 15),
))

# Age today, in whole years, 4-18; referrals peak in the early-to-mid teens.
_AGE = Weighted(tuple(zip(range(4, 19), (1, 2, 3, 4, 5, 6, 6, 7, 8, 9, 10, 10, 9, 8, 5),
                         strict=True)))
_SEX = Weighted((("1", 490), ("2", 500), ("9", 1), ("X", 9)))

# Households: the relationships of the one or two adults recorded, with weights.
_HOUSEHOLD = Weighted((
    (("mother", "father"), 42), (("mother",), 28), (("father",), 5),
    (("mother", "step_parent"), 6), (("grandparent",), 4), (("kinship_carer",), 2),
    (("foster_carer", "social_worker"), 4), (("foster_carer",), 2), (("mother", "other"), 3),
    (("father", "step_parent"), 2), (("grandparent", "mother"), 2),
))
# Who usually has parental responsibility (a care order gives it to the council).
_HAS_PR = {"mother": 0.99, "father": 0.85, "step_parent": 0.15, "grandparent": 0.3,
           "kinship_carer": 0.7, "foster_carer": 0.0, "social_worker": 1.0, "other": 0.1}
_FEMALE_LIKELY = {"mother": 1.0, "father": 0.0, "step_parent": 0.4, "grandparent": 0.7,
                  "kinship_carer": 0.7, "foster_carer": 0.8, "social_worker": 0.75, "other": 0.6}


class NhsNumbers:
    """Unique, valid NHS numbers from the 999 range reserved for testing, in a shuffled order.

    The 999 range holds about 909,000 valid numbers; beyond that young people get none (the
    field may be blank, as it is for some real young people, e.g. recently arrived).
    """

    def __init__(self, rng: random.Random, needed: int):
        # Sample ~12% more bodies than needed: about 1 in 11 has no valid check digit.
        count = min(1_000_000, int(needed * 1.12) + 64)
        self._bodies = iter(rng.sample(range(1_000_000), count))

    def __next__(self) -> str:
        for n in self._bodies:
            body = f"999{n:06d}"
            digit = check_digit(body)
            if digit is not None:
                return body + str(digit)
        return ""

    def __iter__(self) -> Iterator[str]:
        return self


def make_person(rng: random.Random, key: int, nhs_number: str, today: date) -> PersonRec:
    age = _AGE(rng)
    # Born so that today they are `age` (4 years 3 months at least: room for one referral).
    born = today - timedelta(days=int(age * 365.25) + rng.randint(0, 364))
    born = min(born, today - timedelta(days=4 * 365 + 100))
    sex = _SEX(rng)
    gender = _gender_identity(rng, sex)
    # The registered name follows recorded sex; a trans young person's own name is preferred.
    female = sex == "2" if sex in ("1", "2") else rng.random() < 0.5
    ethnicity = _ETHNICITY(rng)
    pool = names.pool_for(rng, ethnicity)
    given = names.given_name(rng, pool, female)
    preferred = ""
    if gender in ("1", "2") and sex in ("1", "2") and gender != sex:
        preferred = names.given_name(rng, pool, gender == "2")
    elif gender == "3" and rng.random() < 0.6:
        preferred = rng.choice(("Alex", "Sam", "Charlie", "Jo", "Robin", "Ash", "Kit"))
    elif given in names.NICKNAMES and rng.random() < 0.4:
        preferred = names.NICKNAMES[given]
    postcode, decile = names.postcode_and_decile(rng)
    return PersonRec(
        key=key,
        public_id=str(uuid.UUID(int=rng.getrandbits(128), version=4)),
        nhs_number=nhs_number,
        given_name=given,
        family_name=names.family_name(rng, pool),
        preferred_name=preferred,
        date_of_birth=born,
        sex=sex,
        gender_identity=gender,
        ethnic_category=ethnicity,
        school=names.school_for_age(rng, age),
        # A few live over the border but attend Northvale schools.
        local_authority="Northvale" if rng.random() < 0.96 else "Southmoor",
        postcode=postcode,
        deprivation_decile=decile,
    )


def _gender_identity(rng: random.Random, sex: str) -> str:
    r = rng.random()
    if r < 0.08:
        return ""  # not asked or not recorded
    if r < 0.10:
        return rng.choice(("X", "Z"))
    if r < 0.125:
        return "3"
    if r < 0.13:
        return "4"
    if sex in ("1", "2"):
        if r < 0.14:
            return "2" if sex == "1" else "1"
        return sex
    return rng.choice(("1", "2", "X"))


def make_carers(rng: random.Random, person: PersonRec, first_key: int) -> list[CarerRec]:
    household = _HOUSEHOLD(rng)
    pool = names.pool_for(rng, person.ethnic_category)
    carers = []
    for i, relationship in enumerate(household):
        female = rng.random() < _FEMALE_LIKELY[relationship]
        given = names.adult_given_name(rng, pool, female)
        same_family = relationship in ("mother", "father", "grandparent") and rng.random() < 0.85
        family = person.family_name if same_family else names.family_name(rng, pool)
        if relationship in ("foster_carer", "social_worker"):
            given, family = names.adult_name(rng)
        lives_with = relationship != "social_worker" and not (
            relationship == "father" and i == 1 and rng.random() < 0.25  # separated parents
        )
        carers.append(CarerRec(
            key=first_key + i,
            person_key=person.key,
            name=f"{given} {family}",
            relationship=relationship,
            parental_responsibility=rng.random() < _HAS_PR[relationship],
            lives_with_young_person=lives_with,
            # Ofcom's range for drama: never a real phone.
            phone=f"07700 900{rng.randint(0, 999):03d}" if rng.random() < 0.95 else "",
            email=(f"{given}.{family}{rng.randint(1, 99)}@example.com".lower().replace("'", "")
                   if rng.random() < 0.7 else ""),
        ))
    return carers
