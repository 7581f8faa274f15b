"""Each young person's history: a chain of episodes over about four years, placed in time.

Episodes are built whole, then slid back by whole weeks to fit before the next one (or, for the
one still open, to straddle today) and cut at today. Building first and placing after keeps
every date rule easy to see: nothing before birth or age 4, nothing after today except review
dates and goal dates, ending after the last contact.
"""

from __future__ import annotations

import random
import uuid
from dataclasses import dataclass, field
from datetime import date, timedelta

from . import locality as loc
from . import referrals
from .episodes import Context, build
from .locality import Staffing
from .outcome_measures import add_outcome_measures
from .outcomes import age_out
from .questionnaires import add_questionnaires
from .records import EpisodeBundle, PersonRec
from .weighted import Weighted

# Chance of an episode open today for a young person under 18; about a fifth end up with one
# (a few cannot fit one in, e.g. the youngest). More open episodes than the monthly inflow keeps
# open would pile their referrals into the last few months (decision 0027).
OPEN_RATE = 0.22
YEARS = 4
OPEN_FULL_WEIGHT_DAYS = 700
DAY = timedelta(days=1)
_EPISODE_COUNT = Weighted(((1, 52), (2, 30), (3, 12), (4, 6)))


@dataclass
class Keys:
    """Next key for each kind of record; keys are numbered in the order records are made."""

    episode: int = 0
    decision: int = 0
    goal: int = 0
    rating: int = 0
    contact: int = 0
    ending: int = 0
    completion: int = 0


def _years_later(born: date, years: int) -> date:
    try:
        return born.replace(year=born.year + years)
    except ValueError:  # 29 February
        return born.replace(year=born.year + years, day=28)


def _age_on(born: date, day: date) -> int:
    return day.year - born.year - ((day.month, day.day) < (born.month, born.day))


def _floor_week(days: int) -> int:
    return days // 7 * 7


@dataclass
class HistoryMaker:
    staffing: Staffing
    today: date
    keys: Keys = field(default_factory=Keys)
    # Open episodes go round each team in turn so every practitioner carries a caseload.
    _open_turn: dict[str, int] = field(default_factory=dict)

    def episodes(self, rng: random.Random, person: PersonRec) -> list[EpisodeBundle]:
        born, today = person.date_of_birth, self.today
        earliest = max(today - timedelta(days=round(YEARS * 365.25)), _years_later(born, 4))
        latest_referral = min(today - 3 * DAY, _years_later(born, 17) + timedelta(days=270))
        wanted = _EPISODE_COUNT(rng)
        chain: list[EpisodeBundle] = []
        if _age_on(born, today) <= 17 and rng.random() < OPEN_RATE:
            bundle = self._open(rng, person, earliest)
            if bundle:
                chain.append(bundle)
        if chain:
            bound = chain[0].episode.referral_received_on - self._gap(rng)
        else:
            # The most recent ending falls anywhere in the four years.
            high = min(today - DAY, _years_later(born, 18) + 60 * DAY)
            low = earliest + 45 * DAY
            bound = high if high <= low else low + rng.randint(0, (high - low).days) * DAY
        for attempt in range(8):
            if len(chain) >= wanted or bound < earliest + 14 * DAY:
                break
            # The last tries make sure nobody is left without an episode: a quick decline.
            bundle = self._closed(rng, person, bound, earliest, latest_referral,
                                  chain[-1] if chain else None, quick=attempt >= 5)
            if bundle is None:
                if chain:
                    break
                # Try again anywhere in the years that fit (not all at the end of them).
                span = max(0, (today - earliest).days - 90)
                bound = today - DAY - rng.randint(0, span) * DAY
                continue
            chain.append(bundle)
            bound = bundle.episode.referral_received_on - self._gap(rng)
        chain.reverse()
        for bundle in chain:
            add_questionnaires(bundle, person)
            add_outcome_measures(bundle, person)
        self._mark_rereferrals(chain)
        self._number(chain)
        return chain

    def _gap(self, rng: random.Random) -> timedelta:
        return (14 + int(480 * rng.random() ** 2)) * DAY

    def _context(self, rng: random.Random, person: PersonRec, around: date,
                 earliest: date, neighbour: EpisodeBundle | None, *, by_turn: bool = False):
        age = _age_on(person.date_of_birth, max(around, earliest))
        female = person.sex == "2"
        if neighbour and rng.random() < 0.35:  # back to the same team, often for the same reason
            team = self._team_code(neighbour.episode.team_key)
            why = neighbour.episode.referral_reason if rng.random() < 0.6 else \
                referrals.reason(rng, age, female)
        else:
            why = referrals.reason(rng, age, female)
            team = referrals.team(rng, why, age, person.school)
        staff = self.staffing.practitioners[team]
        if by_turn:  # the demo practitioner is first in each team, so gets the first one
            turn = self._open_turn.get(team, 0)
            self._open_turn[team] = turn + 1
            lead = staff[turn % len(staff)]
        else:
            lead = rng.choice(staff)
        partner_team = loc.EARLY_HELP if team == loc.CAMHS_CRISIS else loc.CAMHS_CRISIS
        ctx = Context(
            rng=rng, team=team, lead=lead,
            colleagues=tuple(k for k in staff if k != lead),
            partners=tuple(self.staffing.practitioners[partner_team]),
            name=person.preferred_name or person.given_name, age=age,
        )
        return ctx, why

    def _build(self, ctx: Context, person: PersonRec, why: str, r: date, **kw) -> EpisodeBundle:
        return build(
            ctx, r=r, person_key=person.key,
            public_id=str(uuid.UUID(int=ctx.rng.getrandbits(128), version=4)),
            team_key=self.staffing.team_key[ctx.team], agency_key=self.staffing.agency_key[ctx.team],
            reason=why, source=referrals.source(ctx.rng, ctx.team), **kw,
        )

    def _open(self, rng: random.Random, person: PersonRec, earliest: date):
        """An accepted episode still going on today, with today somewhere in its life."""
        today = self.today
        start = today - 180 * DAY
        ctx, why = self._context(rng, person, start, earliest, None, by_turn=True)
        for _ in range(12):
            # Episodes open today are the long ones more often (a long episode is open on more
            # days): keep a short one only in proportion to its length, so open episodes'
            # referrals spread back over the years rather than piling up in recent months.
            bundle = self._build(ctx, person, why, start, accept=True)
            length = (bundle.ending.ended_on - start).days
            if rng.random() < length / OPEN_FULL_WEIGHT_DAYS:
                break
        first = bundle.decisions[0].decided_on
        ends = bundle.ending.ended_on
        # Referral late enough that a grouping was agreed by today, early enough not to be over.
        latest = today - ((first - start).days + 3) * DAY
        soonest = max(earliest, today - ((ends - start).days - 1) * DAY)
        if latest < earliest:
            return None
        for _ in range(5):  # fewer referrals in the school holidays
            target = soonest + rng.randint(0, max(0, (latest - soonest).days)) * DAY
            if rng.random() < referrals.term_weight(target, ctx.team):
                break
        shift = _floor_week((min(target, latest) - start).days)
        if start + shift * DAY < earliest:
            shift += 7
        if start + shift * DAY > latest:
            return None
        bundle.shift(shift)
        self._cut_at_today(bundle)
        return bundle

    def _closed(self, rng, person, bound, earliest, latest_referral, neighbour, quick):
        """A finished episode (or declined referral) ending on or before `bound`."""
        start = bound - 150 * DAY
        ctx, why = self._context(rng, person, start, earliest, neighbour)
        bundle = self._build(ctx, person, why, start, decline=quick)
        episode = bundle.episode
        ends = bundle.ending.ended_on if bundle.ending else episode.declined_on
        shift = _floor_week(min((latest_referral - start).days, (bound - ends).days))
        for _ in range(4):  # a referral in the school holidays is often one made before them
            if rng.random() < referrals.term_weight(start + shift * DAY, ctx.team):
                break
            shift -= 7 * rng.randint(2, 14)
        if start + shift * DAY < earliest:
            return None
        bundle.shift(shift)
        age_out(bundle, _years_later(person.date_of_birth, 18))
        return bundle

    def _cut_at_today(self, bundle: EpisodeBundle) -> None:
        today, episode = self.today, bundle.episode
        bundle.decisions = [d for d in bundle.decisions if d.decided_on <= today]
        bundle.decisions[-1].is_current = True
        bundle.contacts = [c for c in bundle.contacts if c.date <= today]
        bundle.goals = [g for g in bundle.goals if g.agreed_on <= today]
        bundle.ratings = [r for r in bundle.ratings if r.rated_on <= today] if bundle.goals else []
        bundle.ending = None
        if episode.assessed_on and episode.assessed_on > today:
            episode.assessed_on = None
        if episode.first_help_on and episode.first_help_on > today:
            episode.first_help_on = None

    def _team_code(self, team_key: int) -> str:
        return loc.TEAMS[team_key].code

    @staticmethod
    def _mark_rereferrals(chain: list[EpisodeBundle]) -> None:
        seen = set()
        for bundle in chain:
            episode = bundle.episode
            if episode.agency_key in seen:
                episode.referral_detail = "Re-referral. " + episode.referral_detail
            seen.add(episode.agency_key)

    def _number(self, chain: list[EpisodeBundle]) -> None:
        k = self.keys
        for bundle in chain:
            episode_key = bundle.episode.key = k.episode
            k.episode += 1
            for d in bundle.decisions:
                d.key, d.episode_key = k.decision, episode_key
                k.decision += 1
            first_goal = k.goal
            for g in bundle.goals:
                g.key, g.episode_key = k.goal, episode_key
                k.goal += 1
            for r in bundle.ratings:
                r.key, r.goal_key = k.rating, first_goal + r.goal_key
                k.rating += 1
            for c in bundle.contacts:
                c.key, c.episode_key = k.contact, episode_key
                k.contact += 1
            if bundle.ending:
                bundle.ending.key, bundle.ending.episode_key = k.ending, episode_key
                k.ending += 1
            for c in bundle.completions:
                c.key, c.episode_key = k.completion, episode_key
                k.completion += 1

