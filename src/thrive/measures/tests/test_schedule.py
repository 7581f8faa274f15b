"""Measures due: the agency's schedule (at assessment, every n attended contacts, at ending)."""

from datetime import date, timedelta

import pytest
from django.urls import reverse

from thrive.accounts.models import Role
from thrive.conftest import make_user
from thrive.measures.schedule import Rule, due

D = date(2026, 3, 1)


def test_due_at_assessment_until_recorded_and_overdue_after_14_days():
    rules = [Rule("rcads47_child", "self", at_assessment=True)]
    found = due(rules, started_on=D, ended_on=None, attended=[], completed={}, today=D + timedelta(days=3))
    assert [(d.reason, d.overdue) for d in found] == [("at assessment", False)]
    late = due(rules, started_on=D, ended_on=None, attended=[], completed={}, today=D + timedelta(days=15))
    assert late[0].overdue
    assert due(rules, started_on=D, ended_on=None, attended=[],
               completed={("rcads47_child", "self"): [D]}, today=D + timedelta(days=15)) == []


def test_due_every_sixth_attended_contact_since_the_last_completion():
    rules = [Rule("ors", "self", every_contacts=6)]
    contacts = [D + timedelta(days=7 * i) for i in range(1, 9)]
    done = {("ors", "self"): [D]}
    def after(n):
        return due(rules, started_on=D, ended_on=None, attended=contacts[:n], completed=done,
                   today=D + timedelta(70))

    assert after(5) == []
    assert after(6)[0].reason == "after 6 attended contacts" and not after(6)[0].overdue
    assert after(8)[0].overdue


def test_due_at_ending_unless_completed_in_the_fortnight_before():
    rules = [Rule("rcads47_child", "self", at_assessment=True, at_ending=True)]
    ended = D + timedelta(days=90)
    found = due(rules, started_on=D, ended_on=ended, attended=[],
                completed={("rcads47_child", "self"): [D]}, today=ended + timedelta(days=2))
    assert [(d.reason, d.overdue) for d in found] == [("at ending", False)]
    assert due(rules, started_on=D, ended_on=ended, attended=[],
               completed={("rcads47_child", "self"): [D, ended - timedelta(days=3)]}, today=ended) == []


@pytest.mark.django_db
def test_manager_sets_the_schedule_and_the_episode_shows_what_is_due(client, camhs_team, signed_in,
                                                                     episode):
    manager = make_user("mo.manager", camhs_team, Role.TEAM_MANAGER)
    client.force_login(manager)
    url = reverse("measures:schedule")
    refused = client.post(url, {"measure_id": "rcads47_child", "rater": "self"})
    assert "Choose at least one" in refused.content.decode()
    bad = client.post(url, {"measure_id": "rcads47_child", "rater": "self", "every_contacts": "0"})
    assert "from 1 to 50" in bad.content.decode()
    ok = client.post(url, {"measure_id": "rcads47_child", "rater": "self", "at_assessment": "on",
                           "every_contacts": "6"})
    assert ok.status_code == 302
    page = client.get(url).content.decode()
    assert "at assessment, every 6 attended contacts" in page

    episode_page = signed_in.get(reverse("measures:episode", args=[episode.public_id])).content.decode()
    assert "Measures due" in episode_page and "due at assessment" in episode_page
    assert "Overdue" in episode_page  # accepted 50 days ago, nothing recorded


@pytest.mark.django_db
def test_a_practitioner_cannot_set_the_schedule(signed_in):
    assert signed_in.get(reverse("measures:schedule")).status_code == 403


@pytest.mark.django_db
def test_the_caseload_shows_measures_overdue(signed_in, episode, camhs):
    from thrive.measures.models import MeasureSchedule

    MeasureSchedule.objects.create(agency=camhs, measure_id="gad7", rater="self", at_assessment=True)
    page = signed_in.get(reverse("care:caseload")).content.decode()
    assert "1 measure overdue" in page
