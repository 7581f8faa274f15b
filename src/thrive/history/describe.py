"""Plain words for an entry, for the confirmation page (no query: the entry is loaded)."""


def describe_entry(entry) -> str:
    from thrive.care.models import Contact, Ending, Goal, GoalRating, GroupingDecision
    from thrive.directory.models import Signpost
    from thrive.measures.models import Completion
    from thrive.sharing.models import RecordNote

    if isinstance(entry, Contact):
        return (f"{entry.get_mode_display()} contact on {entry.date:%-d %B %Y} at "
                f"{entry.time:%H:%M} ({entry.get_attendance_display().lower()})")
    if isinstance(entry, Goal):
        return f"Goal {entry.number}, agreed {entry.agreed_on:%-d %B %Y}: {entry.description}"
    if isinstance(entry, GoalRating):
        return (f"Rating of {entry.rating} out of 10 for goal {entry.goal.number}, "
                f"{entry.rated_on:%-d %B %Y}")
    if isinstance(entry, GroupingDecision):
        return f"Grouping decision {entry.grouping_label}, agreed {entry.decided_on:%-d %B %Y}"
    if isinstance(entry, Completion):
        from thrive.measures.services import measure_name

        return (f"{measure_name(entry.measure_id)} ({entry.get_rater_display().lower()}), "
                f"completed {entry.completed_on:%-d %B %Y}")
    if isinstance(entry, Signpost):
        return f"Signpost to {entry.service.name} on {entry.signposted_on:%-d %B %Y}"
    if isinstance(entry, RecordNote):
        return f"Note written {entry.written_at:%-d %B %Y}"
    if isinstance(entry, Ending):
        return f"Ending on {entry.ended_on:%-d %B %Y}"
    return str(entry)
