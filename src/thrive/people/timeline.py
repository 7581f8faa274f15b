"""A young person's timeline: episodes, grouping decisions, goals, ratings, contacts and endings,
newest first, from a fixed number of queries."""

from dataclasses import dataclass
from datetime import date

from django.db.models import QuerySet

from thrive.care.models import Contact, Goal, GoalRating, GroupingDecision


@dataclass(frozen=True)
class Entry:
    on: date
    kind: str  # referral, decision, goal, rating, contact, ending
    title: str
    detail: str
    episode_id: object
    order: int = 0
    in_error: str = ""  # the reason, for an entry marked entered in error (shown struck through)


def build(episodes: QuerySet) -> tuple[list, list[Entry]]:
    """`episodes` is already scoped by the access policy."""
    episodes = list(episodes.select_related("team", "agency", "ending").order_by(
        "-referral_received_on", "-pk"))
    by_pk = {e.pk: e for e in episodes}
    entries: list[Entry] = []
    for e in episodes:
        entries.append(Entry(e.referral_received_on, "referral",
                             f"Referral received by {e.team.name}",
                             f"{e.get_referral_source_display()}: {e.get_referral_reason_display()}",
                             e.public_id))
        if e.declined_on:
            entries.append(Entry(e.declined_on, "declined", f"Referral declined by {e.team.name}",
                                 e.declined_reason, e.public_id))
        ending = getattr(e, "ending", None)
        if ending is not None:
            entries.append(Entry(ending.ended_on, "ending", f"Help ended ({e.team.name})",
                                 f"{ending.get_reason_display()}. Next: "
                                 f"{ending.get_next_step_display()}", e.public_id, 9))
    for d in GroupingDecision.objects.filter(episode__in=by_pk):
        entries.append(Entry(d.decided_on, "decision", f"Grouping agreed: {d.grouping_label}",
                             d.rationale, by_pk[d.episode_id].public_id, 5,
                             d.entered_in_error_reason))
    for g in Goal.objects.filter(episode__in=by_pk):
        entries.append(Entry(g.agreed_on, "goal", f"Goal {g.number} agreed", g.description,
                             by_pk[g.episode_id].public_id, 6, g.entered_in_error_reason))
    for r in GoalRating.objects.filter(goal__episode__in=by_pk).select_related("goal"):
        entries.append(Entry(r.rated_on, "rating", f"Goal {r.goal.number} rated {r.rating} out of 10",
                             f"Rated by: {r.get_rated_by_display()}",
                             by_pk[r.goal.episode_id].public_id, 7,
                             r.entered_in_error_reason or r.goal.entered_in_error_reason))
    for c in Contact.objects.filter(episode__in=by_pk):
        entries.append(Entry(c.date, "contact",
                             f"{c.get_mode_display()} contact at {c.time:%H:%M}: "
                             f"{c.get_attendance_display().lower()}",
                             c.summary, by_pk[c.episode_id].public_id, 4,
                             c.entered_in_error_reason))
    entries.sort(key=lambda x: (x.on, x.order), reverse=True)
    return episodes, entries
