"""Signposting that fits the young person and keeps its history (issue 13 item 6): the age from
the record, a warning for a service outside its age range, backdating, every follow-up kept with
its note, overdue follow-ups on the caseload, follow-ups after the episode's ending."""

from datetime import timedelta

import pytest
from django.urls import reverse

from thrive.care.models import Ending
from thrive.conftest import make_episode, make_young_person
from thrive.core import dates
from thrive.directory.models import Service, Signpost, SignpostOutcome

pytestmark = pytest.mark.django_db


@pytest.fixture
def swim(demo_directory):
    return Service.objects.get(name="Family swim")


def date_fields(name, day):
    return {f"{name}-day": day.day, f"{name}-month": day.month, f"{name}-year": day.year}


def signpost_url(episode, service):
    return reverse("directory:signpost", args=[episode.public_id, service.oruk_id])


def list_page(client, episode):
    return client.get(reverse("directory:episode-signposts", args=[episode.public_id]))


def make_signpost(episode, service, user, **fields):
    today = dates.today()
    defaults = dict(reason="Active", signposted_on=today - timedelta(days=20),
                    follow_up_on=today - timedelta(days=6), created_by=user)
    defaults.update(fields)
    return Signpost.objects.create(episode=episode, service=service, **defaults)


def end(episode, on):
    return Ending.objects.create(episode=episode, ended_on=on, reason="goals_met",
                                 goals_met="met", agreed_with_family=True,
                                 next_step="none_needed", recorded_by=episode.lead_practitioner)


def test_the_search_from_the_record_starts_with_the_young_persons_age(signed_in, episode,
                                                                         demo_directory):
    page = signed_in.get(reverse("directory:episode-find", args=[episode.public_id]))
    age = episode.young_person.age
    assert f'name="age" type="number" value="{age}"' in page.content.decode()


def test_a_service_outside_the_age_range_warns_but_does_not_block(signed_in, episode, swim):
    age = episode.young_person.age
    swim.minimum_age, swim.maximum_age = age + 2, age + 10
    swim.save()
    form = signed_in.get(signpost_url(episode, swim)).content.decode()
    assert f"is {age} (from their record)" in form
    assert "Check the age range" in form and f"aged {age + 2} and over" in form
    response = signed_in.post(signpost_url(episode, swim), {
        "reason": "Older sister goes", **date_fields("follow_up_on",
                                                     dates.today() + timedelta(days=7))})
    assert response.status_code == 302
    assert Signpost.objects.get().service == swim


def test_a_service_that_fits_shows_no_warning(signed_in, episode, swim):
    swim.minimum_age, swim.maximum_age = None, None
    swim.save()
    form = signed_in.get(signpost_url(episode, swim)).content.decode()
    assert "Check the age range" not in form


def test_signposting_can_be_backdated_but_not_ahead_or_before_the_referral(signed_in, episode,
                                                                             swim):
    today = dates.today()
    follow = {**date_fields("follow_up_on", today + timedelta(days=7)), "reason": "Active"}
    form = signed_in.get(signpost_url(episode, swim)).content.decode()
    assert f'value="{today.year}"' in form  # prefilled with today
    ahead = signed_in.post(signpost_url(episode, swim),
                           {**follow, **date_fields("signposted_on", today + timedelta(days=1))})
    assert ahead.status_code == 422
    assert "Date signposted must be today or in the past" in ahead.content.decode()
    before = signed_in.post(signpost_url(episode, swim), {
        **follow, **date_fields("signposted_on",
                                episode.referral_received_on - timedelta(days=1))})
    assert before.status_code == 422
    assert "on or after the referral was received" in before.content.decode()
    assert not Signpost.objects.exists()
    earlier = today - timedelta(days=10)
    done = signed_in.post(signpost_url(episode, swim),
                          {**follow, **date_fields("signposted_on", earlier)})
    assert done.status_code == 302
    assert Signpost.objects.get().signposted_on == earlier


def test_without_a_date_it_is_signposted_today(signed_in, episode, swim):
    signed_in.post(signpost_url(episode, swim), {
        "reason": "Active", **date_fields("follow_up_on", dates.today() + timedelta(days=7))})
    assert Signpost.objects.get().signposted_on == dates.today()


def test_every_follow_up_is_kept_with_its_note_and_the_latest_shown(signed_in, episode, swim,
                                                                     practitioner):
    item = make_signpost(episode, swim, practitioner)
    url = reverse("directory:outcome", args=[item.public_id])
    today = dates.today()
    later = today + timedelta(days=10)
    signed_in.post(url, {"outcome": "still_waiting", "version": 1,
                         "note": "On the waiting list for Saturday sessions",
                         **date_fields("recorded_on", today - timedelta(days=2)),
                         **date_fields("next_follow_up_on", later)})
    signed_in.post(url, {"outcome": "engaged", "version": 2, "note": "Went twice with her mum",
                         **date_fields("recorded_on", today)})
    rows = list(SignpostOutcome.objects.filter(signpost=item))
    assert [(r.outcome, r.note) for r in rows] == [
        ("engaged", "Went twice with her mum"),
        ("still_waiting", "On the waiting list for Saturday sessions")]
    assert rows[1].next_follow_up_on == later and rows[0].next_follow_up_on is None
    item.refresh_from_db()
    assert item.outcome == "engaged"
    text = list_page(signed_in, episode).content.decode()
    assert "Went twice with her mum" in text
    assert "All 2 follow-ups" in text and "On the waiting list for Saturday sessions" in text
    assert text.index("Engaged with the service") < text.index("All 2 follow-ups")


def test_the_caseload_filters_overdue_follow_ups(signed_in, episode, camhs_team, practitioner,
                                                  swim):
    other = make_episode(make_young_person(given_name="Bodhi"), camhs_team, practitioner)
    make_signpost(episode, swim, practitioner)
    make_signpost(other, swim, practitioner, follow_up_on=dates.today() + timedelta(days=3))
    everyone = signed_in.get(reverse("care:caseload")).content.decode()
    assert "Amira" in everyone and "Bodhi" in everyone
    overdue = signed_in.get(reverse("care:caseload") + "?follow_up=overdue").content.decode()
    assert "Amira" in overdue and "Bodhi" not in overdue
    assert '<option value="overdue" selected>Overdue</option>' in overdue


def test_the_lead_can_still_follow_up_after_the_ending(signed_in, episode, swim, practitioner):
    item = make_signpost(episode, swim, practitioner)
    end(episode, dates.today() - timedelta(days=1))
    text = list_page(signed_in, episode).content.decode()
    assert "Record follow-up" in text
    url = reverse("directory:outcome", args=[item.public_id])
    response = signed_in.post(url, {"outcome": "engaged", "version": 1,
                                    **date_fields("recorded_on", dates.today())})
    assert response.status_code == 302
    assert SignpostOutcome.objects.get(signpost=item).outcome == "engaged"


def test_no_follow_up_once_the_window_after_the_ending_has_closed(signed_in, episode, swim,
                                                                   practitioner, settings):
    item = make_signpost(episode, swim, practitioner,
                         signposted_on=dates.today() - timedelta(days=50))
    end(episode, dates.today() - timedelta(days=settings.THRIVE_POST_ENDING_WINDOW_DAYS + 1))
    assert "Record follow-up" not in list_page(signed_in, episode).content.decode()
    url = reverse("directory:outcome", args=[item.public_id])
    response = signed_in.post(url, {"outcome": "engaged", "version": 1,
                                    **date_fields("recorded_on", dates.today())})
    assert response.status_code == 403
    assert not SignpostOutcome.objects.exists()


def test_someone_else_in_the_team_cannot_follow_up_after_the_ending(client, episode, swim,
                                                                      practitioner, manager):
    item = make_signpost(episode, swim, practitioner)
    end(episode, dates.today() - timedelta(days=1))
    client.force_login(manager)
    response = client.post(reverse("directory:outcome", args=[item.public_id]), {
        "outcome": "engaged", "version": 1, **date_fields("recorded_on", dates.today())})
    assert response.status_code in (403, 404)
    assert not SignpostOutcome.objects.exists()


def test_an_outcome_recorded_before_history_becomes_its_first_follow_up(episode, swim,
                                                                          practitioner):
    from importlib import import_module

    from django.apps import apps

    migration = import_module("thrive.directory.migrations.0004_signpost_outcomes")
    item = make_signpost(episode, swim, practitioner, outcome="did_not_engage",
                         outcome_recorded_on=dates.today(), outcome_note="Could not get there")
    make_signpost(episode, swim, practitioner)  # never followed up: no row
    migration.keep_existing_outcomes(apps, None)
    row = SignpostOutcome.objects.get()
    assert (row.signpost, row.outcome, row.note) == (item, "did_not_engage", "Could not get there")
