"""The synthetic Northvale locality: deterministic for a seed and a `today`.

    demo = generate(seed=2026, young_people=2000, today=date(2026, 3, 1))
    demo.locality                      # agencies, teams, users
    for history in demo.histories():   # one young person at a time, as plain records
        ...

Pure Python and no database: writers (the Django loader in `writer`, or a Parquet writer for
benchmarks) consume the records. Randomness comes only from random.Random instances seeded from
`seed`; each young person has their own stream, so one person's history does not depend on how
many people come after them.
"""

from __future__ import annotations

import dataclasses
import random
from collections.abc import Iterator
from datetime import date

from .history import HistoryMaker
from .locality import Staffing, build_locality
from .people import NhsNumbers, make_carers, make_person
from .records import Locality, PersonHistory

DEMO_PASSWORD = "thrive-demo-2026"
DEFAULT_SEED = 2026
DEFAULT_YOUNG_PEOPLE = 2000


class Demo:
    def __init__(self, seed: int, young_people: int, today: date):
        self.seed, self.young_people, self.today = seed, young_people, today
        self.staffing: Staffing = build_locality(random.Random(seed), young_people)

    @property
    def locality(self) -> Locality:
        return self.staffing.locality

    def histories(self) -> Iterator[PersonHistory]:
        """Each young person with their carers and episodes. Same seed, same sequence."""
        numbers = NhsNumbers(random.Random(f"{self.seed}/nhs-numbers"), self.young_people)
        maker = self.history_maker()
        carer_key = 0
        for index in range(self.young_people):
            history = self.history(maker, index, next(numbers), carer_key)
            carer_key += len(history.carers)
            yield history

    def history_maker(self) -> HistoryMaker:
        return HistoryMaker(self.staffing, self.today)

    def history(self, maker: HistoryMaker, index: int, nhs_number: str, carer_key: int) -> PersonHistory:
        """The young person with this index, from their own random stream (so any one can be made
        without the ones before; only NHS numbers and carers' keys run across everyone)."""
        rng = random.Random(f"{self.seed}/person/{index}")
        person = make_person(rng, index, nhs_number, self.today)
        carers = make_carers(rng, person, carer_key)
        return PersonHistory(person, carers, maker.episodes(rng, person))


def generate(seed: int = DEFAULT_SEED, young_people: int = DEFAULT_YOUNG_PEOPLE, *,
             today: date) -> Demo:
    if young_people < 1:
        raise ValueError("Generate at least one young person")
    return Demo(seed, young_people, today)


def tables(demo: Demo) -> dict[str, list]:
    """Every record, by table, in a fixed order (for tests and small exports)."""
    out: dict[str, list] = {
        "agencies": list(demo.locality.agencies), "teams": list(demo.locality.teams),
        "users": list(demo.locality.users), "people": [], "carers": [], "episodes": [],
        "decisions": [], "goals": [], "ratings": [], "contacts": [], "endings": [],
        "completions": [],
    }
    for history in demo.histories():
        out["people"].append(history.person)
        out["carers"].extend(history.carers)
        for bundle in history.episodes:
            out["episodes"].append(bundle.episode)
            out["decisions"].extend(bundle.decisions)
            out["goals"].extend(bundle.goals)
            out["ratings"].extend(bundle.ratings)
            out["contacts"].extend(bundle.contacts)
            if bundle.ending:
                out["endings"].append(bundle.ending)
            out["completions"].extend(bundle.completions)
    return out


def canonical(demo: Demo) -> list[tuple]:
    """A plain, comparable dump of everything generated."""
    return [(name, *dataclasses.astuple(rec)) for name, recs in tables(demo).items()
            for rec in recs]
