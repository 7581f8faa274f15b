"""Plain records the generator produces, one class per table.

No Django here: the same records feed the database writer and, later, a Parquet writer for
million-person benchmarks. Every record has a `key`, a 0-based number unique within its kind;
references between records use keys, and a writer turns keys into ids (id = base + key).
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from datetime import date, time, timedelta
from decimal import Decimal


@dataclass(slots=True)
class AgencyRec:
    key: int
    name: str
    kind: str
    ods_code: str = ""


@dataclass(slots=True)
class TeamRec:
    key: int
    agency_key: int
    name: str


@dataclass(slots=True)
class UserRec:
    key: int
    username: str
    first_name: str
    last_name: str
    role: str
    agency_key: int | None
    team_key: int | None
    job_title: str
    # Shown in the sign-ins table (one obvious user per agency and role).
    signin: bool = False

    @property
    def email(self) -> str:
        return f"{self.username}@northvale.example"


@dataclass(slots=True)
class PersonRec:
    key: int
    public_id: str
    nhs_number: str
    given_name: str
    family_name: str
    preferred_name: str
    date_of_birth: date
    sex: str
    gender_identity: str
    ethnic_category: str
    school: str
    local_authority: str
    postcode: str
    deprivation_decile: int


@dataclass(slots=True)
class CarerRec:
    key: int
    person_key: int
    name: str
    relationship: str
    parental_responsibility: bool
    lives_with_young_person: bool
    phone: str
    email: str


@dataclass(slots=True)
class EpisodeRec:
    key: int
    public_id: str
    person_key: int
    agency_key: int
    team_key: int
    lead_key: int | None
    referral_received_on: date
    referral_source: str
    referral_reason: str
    referral_detail: str
    triaged_on: date | None = None
    accepted_on: date | None = None
    declined_on: date | None = None
    declined_reason: str = ""
    assessed_on: date | None = None
    first_help_on: date | None = None


@dataclass(slots=True)
class DecisionRec:
    key: int
    episode_key: int
    decided_on: date
    grouping: str
    young_person_took_part: bool
    parent_carer_took_part: bool
    practitioner_keys: tuple[int, ...]
    other_participants: str
    options_discussed: tuple[str, ...]
    options_preferred: tuple[str, ...]
    decision_aid: str
    rationale: str
    made_explicit: bool
    review_on: date
    is_current: bool
    recorded_by_key: int


@dataclass(slots=True)
class GoalRec:
    key: int
    episode_key: int
    number: int
    description: str
    agreed_on: date
    expected_by: date
    plan_if_not_met: str
    recorded_by_key: int


@dataclass(slots=True)
class RatingRec:
    key: int
    goal_key: int
    rated_on: date
    rating: int
    rated_by: str
    recorded_by_key: int


@dataclass(slots=True)
class ContactRec:
    key: int
    episode_key: int
    date: date
    time: time
    mode: str
    attendance: str
    practitioner_key: int | None
    summary: str


@dataclass(slots=True)
class CompletionRec:
    """A questionnaire completed item by item; responses are (item number, answer) pairs, None
    for an item left unanswered (answers with a decimal place, as ORS allows, are Decimals).
    A measure that is a single rating or total (CGAS, SCORE-15) has no responses and its
    entered_totals as (scale id, value) pairs. age and sex ("M"/"F"/None) on the day are what
    the scoring engine needs for T-scores and cut-offs."""

    key: int
    episode_key: int
    measure_id: str
    rater: str
    completed_on: date
    responses: tuple[tuple[int, int | Decimal | None], ...]
    recorded_by_key: int
    age: int | None = None
    sex: str | None = None
    entered_totals: tuple[tuple[str, str], ...] = ()


@dataclass(slots=True)
class EndingRec:
    key: int
    episode_key: int
    ended_on: date
    reason: str
    goals_met: str
    agreed_with_family: bool
    next_step: str
    next_step_detail: str
    recorded_by_key: int


@dataclass(slots=True)
class EpisodeBundle:
    """One episode and everything recorded in it."""

    episode: EpisodeRec
    decisions: list[DecisionRec] = field(default_factory=list)
    goals: list[GoalRec] = field(default_factory=list)
    ratings: list[RatingRec] = field(default_factory=list)
    contacts: list[ContactRec] = field(default_factory=list)
    ending: EndingRec | None = None
    completions: list[CompletionRec] = field(default_factory=list)

    def shift(self, days: int) -> None:
        """Move every date by `days` (a multiple of 7 keeps each weekday a weekday)."""
        delta = timedelta(days=days)
        for rec in (self.episode, *self.decisions, *self.goals, *self.ratings, *self.contacts,
                    *([self.ending] if self.ending else []), *self.completions):
            for name in _DATE_FIELDS[type(rec)]:
                value = getattr(rec, name)
                if value is not None:
                    setattr(rec, name, value + delta)


@dataclass(slots=True)
class PersonHistory:
    """A young person, their parents or carers, and every episode, oldest first."""

    person: PersonRec
    carers: list[CarerRec]
    episodes: list[EpisodeBundle]


@dataclass(slots=True)
class Locality:
    agencies: list[AgencyRec]
    teams: list[TeamRec]
    users: list[UserRec]


# The date fields of each record type (worked out once: `shift` runs for every episode).
_DATE_FIELDS = {
    cls: tuple(f.name for f in fields(cls) if f.type in ("date", "date | None"))
    for cls in (EpisodeRec, DecisionRec, GoalRec, RatingRec, ContactRec, EndingRec, CompletionRec)
}
