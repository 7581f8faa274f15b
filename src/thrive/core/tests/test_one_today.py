"""One notion of "today": the service's local date (Europe/London), not the server's clock.

At 00:30 British Summer Time on 2 June a UTC server's clock still says 1 June. Checks that say
"today or earlier", and reviews due or overdue, must already be on 2 June.
"""

from datetime import UTC, date, datetime
from unittest import mock

import pytest
from django.urls import reverse

from thrive.care.models import Contact, GroupingDecision
from thrive.conftest import make_episode, make_young_person
from thrive.core.dates import today

# 2026-06-01 23:30 UTC is 2026-06-02 00:30 BST.
HALF_PAST_MIDNIGHT_BST = datetime(2026, 6, 1, 23, 30, tzinfo=UTC)


@pytest.fixture
def at_half_past_midnight_bst(settings):
    settings.TIME_ZONE = "Europe/London"
    with mock.patch("django.utils.timezone.now", return_value=HALF_PAST_MIDNIGHT_BST):
        yield


def test_today_is_the_local_date_of_the_service(at_half_past_midnight_bst):
    assert today() == date(2026, 6, 2)


def contact(day: date) -> dict:
    return {"date-day": str(day.day), "date-month": str(day.month), "date-year": str(day.year),
            "time": "00:15", "mode": "telephone", "attendance": "attended"}


def test_must_be_today_or_earlier_uses_the_local_date(signed_in, person, camhs_team, practitioner,
                                                      at_half_past_midnight_bst):
    episode = make_episode(person, camhs_team, practitioner,
                           referral_received_on=date(2026, 5, 1), accepted_on=date(2026, 5, 2))
    url = reverse("care:new-contact", args=[episode.public_id])
    tomorrow = signed_in.post(url, contact(date(2026, 6, 3))).content.decode()
    assert "Date of contact must be today or in the past" in tomorrow
    assert signed_in.post(url, contact(date(2026, 6, 2))).status_code == 302
    assert Contact.objects.get().date == date(2026, 6, 2)


def test_reviews_due_and_overdue_use_the_local_date(signed_in, camhs_team, practitioner,
                                                    at_half_past_midnight_bst):
    for name, review_on in (("Yesterday", date(2026, 6, 1)), ("Today", date(2026, 6, 2))):
        episode = make_episode(make_young_person(given_name=name), camhs_team, practitioner,
                               referral_received_on=date(2026, 4, 1),
                               accepted_on=date(2026, 4, 2))
        GroupingDecision.objects.create(
            episode=episode, decided_on=date(2026, 4, 20), grouping="getting_help",
            young_person_took_part=True, parent_carer_took_part=True, options_discussed=["group"],
            options_preferred=["group"], rationale="Group work", made_explicit=True,
            review_on=review_on, recorded_by=practitioner)
    caseload = reverse("care:caseload")
    overdue = signed_in.get(caseload, {"review": "overdue"}).content.decode()
    due = signed_in.get(caseload, {"review": "due"}).content.decode()
    # Reviewed by 1 June is overdue on 2 June; a review on 2 June is due today, not overdue.
    assert "Yesterday Khan" in overdue and "Today Khan" not in overdue
    assert "Today Khan" in due and "Yesterday Khan" not in due

