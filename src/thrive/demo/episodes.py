"""One episode from referral to ending, as a whole: the history module places it in time.

An episode is built complete (to its planned ending) from a referral date, then moved by whole
weeks and, if it is still going on today, cut at today. Keys are placeholders here (-1; goal
ratings point at their goal's position in the episode) until the history module numbers them.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, time, timedelta

from . import decisions, phrases, referrals
from . import locality as loc
from .decisions import ADVICE, HELP, MORE_HELP, RISK
from .outcomes import add_goals, close
from .records import ContactRec, EpisodeBundle, EpisodeRec
from .weighted import Weighted

DAY = timedelta(days=1)
CAMHS = (loc.CAMHS_HELP, loc.CAMHS_MORE, loc.CAMHS_CRISIS)
# Weeks until the grouping is reviewed, by grouping.
_REVIEW_WEEKS = {ADVICE: (4, 6), HELP: (8, 12), MORE_HELP: (10, 16), RISK: (4, 8),
                 decisions.THRIVING: (8, 12)}
# Days between appointments.
_EVERY = {ADVICE: (28, 42), HELP: (7, 14), MORE_HELP: (7, 14), RISK: (5, 14),
          decisions.THRIVING: (30, 60)}
# Appointments in working hours, on the hour or half past.
_SLOT = Weighted(tuple((time(h, m), 3 if h in (10, 11, 14, 15) else 2)
                       for h in range(9, 17) for m in (0, 30)))
_MODE = Weighted((("face_to_face", 60), ("video", 18), ("telephone", 17), ("other", 5)))
_ATTENDANCE = Weighted((("attended", 80), ("did_not_attend", 10), ("cancelled_by_family", 6),
                        ("cancelled_by_service", 4)))
MAX_DAYS = 900  # even long episodes are reviewed towards an ending by about two and a half years
TRIAGE_CALL = 0.3  # triage often happens on the papers or with the referrer, not the family


def weekday(day: date) -> date:
    """The next working day (Saturday and Sunday move forward to Monday)."""
    wd = day.weekday()
    return day + timedelta(days=7 - wd) if wd >= 5 else day


@dataclass
class Context:
    """What an episode needs to know about its young person and service."""

    rng: random.Random
    team: str
    lead: int
    colleagues: tuple[int, ...]  # same team, not the lead
    partners: tuple[int, ...]  # another agency, for joint and risk support work
    name: str
    age: int


def build(ctx: Context, *, r: date, person_key: int, public_id: str, team_key: int,
          agency_key: int, reason: str, source: str, decline: bool = False,
          accept: bool = False) -> EpisodeBundle:
    """decline: force a declined referral; accept: never decline (an episode open today)."""
    rng, service = ctx.rng, referrals.SERVICES[ctx.team]
    episode = EpisodeRec(
        key=-1, public_id=public_id, person_key=person_key, agency_key=agency_key,
        team_key=team_key, lead_key=ctx.lead, referral_received_on=r, referral_source=source,
        referral_reason=reason,
        referral_detail=rng.choice(phrases.REFERRAL_DETAIL[reason]).format(name=ctx.name),
    )
    bundle = EpisodeBundle(episode)
    triaged = weekday(r + referrals.wait(rng, service.triage) * DAY)
    episode.triaged_on = triaged
    if rng.random() < TRIAGE_CALL:
        _contact(ctx, bundle, triaged, "triage", mode="telephone", attended=True)
    if decline or (not accept and rng.random() < service.declines):
        episode.declined_on = triaged
        episode.declined_reason = rng.choice(phrases.DECLINED_REASONS).format(name=ctx.name)
        episode.lead_key = None  # nobody carries a declined referral
        return bundle
    accepted = weekday(triaged + rng.choice((0, 0, 0, 1, 2, 5)) * DAY)
    episode.accepted_on = accepted
    assessed = weekday(accepted + referrals.wait(rng, service.assessment) * DAY)
    if (assessed - accepted).days > 21 and rng.random() < 0.85:
        # "Advice while waiting": a provisional grouping agreed by phone, reviewed at assessment.
        _decide(ctx, bundle, accepted, ADVICE if rng.random() < 0.8 else HELP, "triage",
                review_on=assessed)
    if not accept and rng.random() < service.no_show:
        _never_came(ctx, bundle, assessed)
        return bundle
    episode.assessed_on = assessed
    _contact(ctx, bundle, assessed, "assessment", mode="face_to_face", attended=True)
    grouping = service.first_grouping(rng)
    if grouping == ADVICE:
        episode.first_help_on = assessed  # advice is given there and then
        start = weekday(assessed + rng.randint(*_EVERY[ADVICE]) * DAY)
    else:
        start = weekday(assessed + max(1, referrals.wait(rng, service.treatment)) * DAY)
    review = max(start, assessed + 28 * DAY) + rng.randint(*_REVIEW_WEEKS[grouping]) * 7 * DAY
    _decide(ctx, bundle, assessed, grouping, "first", review_on=weekday(review))
    if grouping == ADVICE and rng.random() < service.advice_only:
        # Advice given at assessment is all that was needed: closed after a letter or a call.
        close(ctx, bundle, weekday(assessed + rng.randint(3, 21) * DAY))
        return bundle
    _help(ctx, bundle, grouping, start, review)
    return bundle


def _never_came(ctx: Context, bundle: EpisodeBundle, booked: date) -> None:
    """Accepted, but the assessment was missed (once or twice): closed as not engaging."""
    rng = ctx.rng
    _contact(ctx, bundle, booked, "assessment", mode="face_to_face", attendance="did_not_attend")
    if rng.random() < 0.6:
        booked = weekday(booked + rng.randint(7, 21) * DAY)
        _contact(ctx, bundle, booked, "assessment", mode="face_to_face",
                 attendance="did_not_attend" if rng.random() < 0.7 else "cancelled_by_family")
    close(ctx, bundle, weekday(booked + rng.randint(7, 21) * DAY), disengaged=True)


def _help(ctx: Context, bundle: EpisodeBundle, grouping: str, start: date, review: date) -> None:
    """Appointments and reviews until an ending is agreed (or the family stops coming)."""
    rng, episode = ctx.rng, bundle.episode
    day, missed = start, 0
    while True:
        slipped = rng.randint(14, 60) if rng.random() < 0.15 else rng.randint(0, 10)
        decide_on = weekday(review + slipped * DAY)
        while day < decide_on:
            attendance = _ATTENDANCE(rng)
            _contact(ctx, bundle, day, grouping, attendance=attendance)
            if attendance == "attended":
                missed = 0
                if episode.first_help_on is None:
                    episode.first_help_on = day
                if grouping in (HELP, MORE_HELP) and not bundle.goals:
                    add_goals(ctx, bundle, day, grouping)
            elif attendance == "did_not_attend":
                missed += 1
                if missed >= 2 and rng.random() < 0.5:
                    close(ctx, bundle, weekday(day + rng.randint(7, 21) * DAY), disengaged=True)
                    return
            day = weekday(day + rng.randint(*_EVERY[grouping]) * DAY)
        step = decisions.next_step(rng, grouping)
        if step == "end" or (decide_on - episode.referral_received_on).days > MAX_DAYS:
            close(ctx, bundle, decide_on)
            return
        if step in (MORE_HELP, RISK) and ctx.team not in CAMHS and rng.random() < 0.6:
            # Outside CAMHS, needing more help usually means a referral on rather than more here.
            close(ctx, bundle, decide_on, transferred=True)
            return
        review = decide_on + rng.randint(*_REVIEW_WEEKS[step]) * 7 * DAY
        _decide(ctx, bundle, decide_on, step, "review", review_on=weekday(review))
        grouping = step
        day = max(day, weekday(decide_on + DAY))


def _decide(ctx: Context, bundle: EpisodeBundle, on: date, grouping: str, kind: str, *,
            review_on: date) -> None:
    rng = ctx.rng
    previous = bundle.decisions[-1].grouping if bundle.decisions else None
    people = (ctx.lead,)
    if grouping == RISK and ctx.partners:
        people += (rng.choice(ctx.partners),)  # risk support is multi-agency by definition
    elif grouping == MORE_HELP and ctx.colleagues and rng.random() < 0.5:
        people += (rng.choice(ctx.colleagues),)
    bundle.decisions.append(decisions.make(
        rng, episode_key=-1, on=on, grouping=grouping, previous=previous, kind=kind,
        name=ctx.name, age=ctx.age, review_on=review_on, practitioners=people,
    ))


def _contact(ctx: Context, bundle: EpisodeBundle, day: date, what: str, *, mode: str = "",
             attended: bool = False, attendance: str = "attended") -> None:
    rng = ctx.rng
    if attended:
        attendance = "attended"
    if not mode:
        mode = _MODE(rng)
        if what == ADVICE and rng.random() < 0.6:
            mode = "telephone"
    if attendance == "did_not_attend":
        summary = rng.choice(phrases.CONTACT_SUMMARY["did_not_attend"])
    elif attendance != "attended":
        summary = rng.choice(phrases.CONTACT_SUMMARY["cancelled"])
    else:
        summary = rng.choice(phrases.CONTACT_SUMMARY[what]).format(name=ctx.name)
    practitioner = ctx.lead
    if ctx.colleagues and rng.random() < 0.12:
        practitioner = rng.choice(ctx.colleagues)  # covering for leave, or a joint session
    bundle.contacts.append(ContactRec(
        key=-1, episode_key=-1, date=day, time=_SLOT(rng), mode=mode,
        attendance=attendance, practitioner_key=practitioner, summary=summary,
    ))
