"""Closing letters on some of the episodes that ended in the last few weeks, so the demo shows the
lead practitioner's window after an ending (sharing.policy.can_add_after_ending). Deterministic:
every other recently ended episode, by id."""

from datetime import date, timedelta

from django.conf import settings

from thrive.care.models import ClosingLetter, Episode

TEXT = ("{name} and their family agreed that the help they came for is done. The goals we set "
        "together were reviewed at the last session. If things get harder, {name} or the family "
        "can contact the team again, or ask the GP or school to refer.")


def add_closing_letters(today: date) -> dict[str, int]:
    since = today - timedelta(days=settings.THRIVE_POST_ENDING_WINDOW_DAYS)
    ended = (Episode.objects.filter(ending__ended_on__gte=since, ending__ended_on__lte=today,
                                    declined_on__isnull=True, lead_practitioner__isnull=False)
             .select_related("young_person", "ending").order_by("pk"))
    letters = [ClosingLetter(episode=e, written_on=e.ending.ended_on, written_by_id=e.lead_practitioner_id,
                             addressed_to="The young person's GP",
                             text=TEXT.format(name=e.young_person.given_name))
               for n, e in enumerate(ended) if n % 2 == 0]
    ClosingLetter.objects.bulk_create(letters, batch_size=500)
    return {ClosingLetter._meta.db_table: len(letters)}
