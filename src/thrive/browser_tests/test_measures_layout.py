"""The outcome measures page lays out at every width: at 1280 px each chart stays within its
column and never covers its scores table (RCADS has eight panels); the goal chart's date axis
names each date once; a chart's key names only what it draws; at 375 px neither the measures page
nor the episode page (its contacts table) scrolls sideways."""

from datetime import date, time, timedelta

import pytest
from django.test import RequestFactory
from playwright.sync_api import expect

from thrive.browser_tests.support import PHONE, assert_accessible, sign_in
from thrive.care.models import Contact, Goal, GoalRating
from thrive.conftest import make_episode, make_user, make_young_person
from thrive.measures import services

pytestmark = pytest.mark.browser
START = date.today() - timedelta(days=60)


@pytest.fixture
def busy_episode(camhs_team):
    user = make_user("lay.out", camhs_team)
    person = make_young_person(given_name="Layla", family_name="Outhwaite", sex="2",
                               date_of_birth=date(2012, 5, 1))
    episode = make_episode(person, camhs_team, user)
    request = RequestFactory().post("/")
    request.user = user
    for days, value in ((0, 2), (21, 1), (42, 1)):
        on = START + timedelta(days=days)
        services.record_completion(request, episode, measure_id="rcads47_child", rater="self",
                                   completed_on=on, responses={n: value for n in range(1, 48)})
        services.record_completion(request, episode, measure_id="phq9", rater="self", completed_on=on,
                                   responses={n: value + 1 for n in range(1, 10)})
        services.record_completion(request, episode, measure_id="srs", rater="self", completed_on=on,
                                   responses={n: 8 for n in range(1, 5)})
    for number in (1, 2):
        goal = Goal.objects.create(episode=episode, number=number, description=f"Goal {number} text",
                                   agreed_on=START, expected_by=START + timedelta(days=90),
                                   plan_if_not_met="Review together", recorded_by=user)
        for days, rating in ((1, 2), (29, 6)):  # two dates only: each must appear once
            GoalRating.objects.create(goal=goal, rated_on=START + timedelta(days=days), rating=rating,
                                      rated_by="self", recorded_by=user)
    for n in range(6):
        Contact.objects.create(episode=episode, date=START + timedelta(days=7 * n), time=time(15, 30),
                               mode="face_to_face", attendance="attended", practitioner=user,
                               summary="Session")
    return user, episode


def no_sideways_scroll(page, width=None) -> bool:
    """Nothing wider than the window (on a phone, than the phone: a mobile browser zooms out to
    fit wide content, which widens innerWidth too)."""
    scroll, inner = page.evaluate("[document.scrollingElement.scrollWidth, window.innerWidth]")
    return scroll <= min(inner, width or inner)


def charts_drawn(page, count):
    expect(page.locator(".thrive-chart--ready")).to_have_count(count)


def test_charts_stay_in_their_column_and_keys_name_what_is_drawn(page, busy_episode):
    user, episode = busy_episode
    sign_in(page, user.username)
    page.goto(f"/measures/episodes/{episode.public_id}/")
    charts_drawn(page, 4)  # RCADS, PHQ-9, SRS, goals
    assert_accessible(page)
    assert no_sideways_scroll(page)
    for chart in page.locator(".thrive-chart").all():
        svg = chart.locator("svg").first.bounding_box()
        column = chart.bounding_box()
        assert svg["x"] >= column["x"] - 1 and svg["x"] + svg["width"] <= column["x"] + column["width"] + 1, \
            chart.get_attribute("id")
    # The RCADS chart ends above its table: nothing covers the scores.
    rcads_chart = page.locator("#chart-rcads47_child-self").bounding_box()
    rcads_table = page.locator('[data-chart-table="chart-rcads47_child-self"]').bounding_box()
    assert (rcads_chart["y"] + rcads_chart["height"] <= rcads_table["y"] + 1
            or rcads_chart["x"] + rcads_chart["width"] <= rcads_table["x"] + 1)
    # The key under each chart names only what is drawn: PHQ-9 has a cut-off; SRS has none.
    expect(page.locator("#chart-phq9-self-key")).to_contain_text("clinical cut-off")
    expect(page.locator("#chart-srs-self-key")).not_to_contain_text("cut-off")
    expect(page.locator("#chart-goals-key")).not_to_contain_text("cut-off")
    # The goal chart's axis names each of its two dates once.
    labels = page.locator("#chart-goals svg .role-axis-label text").all_text_contents()
    dates = [t for t in labels if any(m in t for m in ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul",
                                                          "Aug", "Sep", "Oct", "Nov", "Dec"))]
    assert dates and len(dates) == len(set(dates)), labels


def test_nothing_scrolls_sideways_on_a_phone(new_page, busy_episode):
    user, episode = busy_episode
    page = new_page(viewport=PHONE, is_mobile=True)
    sign_in(page, user.username)
    page.goto(f"/measures/episodes/{episode.public_id}/")
    charts_drawn(page, 4)
    assert_accessible(page)
    assert no_sideways_scroll(page, PHONE["width"]), page.evaluate("document.scrollingElement.scrollWidth")
    page.goto(f"/episodes/{episode.public_id}/")
    expect(page.locator("[data-contact]").first).to_be_visible()
    assert_accessible(page)
    assert no_sideways_scroll(page, PHONE["width"]), page.evaluate("document.scrollingElement.scrollWidth")
