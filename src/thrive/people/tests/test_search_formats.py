"""Search accepts names in either order (with a comma) and dates as people write them; young people
whose episode with the agency ended or was declined are found, marked."""

import re
from datetime import date, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from thrive.care.models import Ending
from thrive.conftest import make_episode, make_young_person, valid_nhs_number
from thrive.core.models import AuditEvent

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate()


@pytest.fixture
def sienna(camhs_team, practitioner):
    person = make_young_person(given_name="Sienna", family_name="Hughes",
                               date_of_birth=date(2010, 5, 15))
    make_episode(person, camhs_team, practitioner)
    return person


def search(client, q):
    return client.post(reverse("people:find"), {"q": q})


def names(response) -> list[str]:
    return re.findall(r'<a href="/young-people/[^"]+/">([^<]+)</a>', response.content.decode())


@pytest.mark.parametrize("q", ["Hughes, Sienna", "Sienna Hughes", "hughes sienna", "HUGHES,SIENNA",
                               "15/05/2010", "15 5 2010", "15.05.2010", "2010-05-15", "15-5-2010",
                               "15 May 2010"])
def test_search_accepts_names_either_way_and_dates_as_written(signed_in, sienna, q):
    assert names(search(signed_in, q)) == ["Sienna Hughes"]


@pytest.mark.parametrize("q", ["15/13/2010", "31.02.2010", "2010-02-30", "0 5 2010"])
def test_a_date_that_does_not_exist_gets_a_clear_error(signed_in, sienna, q):
    response = search(signed_in, q)
    page = response.content.decode()
    assert "There is a problem" in page
    assert "Enter a real date of birth, for example 15/05/2010" in page
    assert not AuditEvent.objects.filter(action=AuditEvent.Action.SEARCH).exists()


def test_the_api_refuses_a_date_that_does_not_exist(signed_in, sienna):
    response = signed_in.post("/api/v1/search/young-people", {"q": "15/13/2010"},
                              content_type="application/json")
    assert response.status_code == 422
    assert "Enter a real date of birth" in response.content.decode()


def end(episode, on):
    Ending.objects.create(episode=episode, ended_on=on, reason="goals_met", goals_met="met",
                          agreed_with_family=True, next_step="none_needed",
                          recorded_by=episode.lead_practitioner)


def test_ended_and_declined_are_found_and_marked(signed_in, camhs_team, practitioner):
    ended = make_young_person(given_name="Ella", family_name="Ended", nhs_number=valid_nhs_number())
    end(make_episode(ended, camhs_team, practitioner), TODAY - timedelta(days=30))
    declined = make_young_person(given_name="Dan", family_name="Declined",
                                 nhs_number=valid_nhs_number())
    make_episode(declined, camhs_team, practitioner, accepted_on=None, declined_on=TODAY)
    current = make_young_person(given_name="Olu", family_name="Open", nhs_number=valid_nhs_number())
    make_episode(current, camhs_team, practitioner)
    page = search(signed_in, "2011-03-27").content.decode()  # everyone's date of birth
    rows = {name: row for name, row in re.findall(
        r'<a href="/young-people/[^"]+/">([^<]+)</a>(.*?)</td>', page, re.S)}
    assert set(rows) == {"Ella Ended", "Dan Declined", "Olu Open"}
    assert "Ended" in rows["Ella Ended"] and "Declined" in rows["Dan Declined"]
    assert "nhsuk-tag" not in rows["Olu Open"]
    api = signed_in.post("/api/v1/search/young-people", {"q": "2011-03-27"},
                         content_type="application/json").json()
    # The JSON API takes records out of the platform, so it answers for standing relationships
    # only: read-only ones (ended, declined, break-glass) are read on the pages.
    assert {hit["family_name"]: hit["relationship"] for hit in api} == {"Open": "standing"}


def test_the_latest_past_episode_decides_the_mark(signed_in, camhs_team, practitioner):
    person = make_young_person()
    make_episode(person, camhs_team, practitioner, accepted_on=None,
                 referral_received_on=TODAY - timedelta(days=400), declined_on=TODAY - timedelta(days=390))
    end(make_episode(person, camhs_team, practitioner), TODAY - timedelta(days=5))
    page = search(signed_in, person.nhs_number).content.decode()
    assert "Ended" in page and "Declined" not in page


def searched_queries(client, camhs_team, practitioner, name, n):
    for i in range(n):
        person = make_young_person(family_name=name, nhs_number=valid_nhs_number())
        episode = make_episode(person, camhs_team, practitioner)
        if i % 2:
            end(episode, TODAY - timedelta(days=i))
    with CaptureQueriesContext(connection) as ctx:
        response = search(client, name)
    assert len(names(response)) == n
    return len(ctx.captured_queries)


def test_search_query_count_does_not_grow_with_results(client, camhs_team, practitioner):
    client.force_login(practitioner)
    two = searched_queries(client, camhs_team, practitioner, "Khan", 2)
    assert searched_queries(client, camhs_team, practitioner, "Patel", 40) == two
