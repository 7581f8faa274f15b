"""The directory in a real browser: a young person on a phone searches by postcode and need and
opens a service, without signing in; a practitioner signposts a young person to it from their
record. axe-core checks every page."""

import re
from datetime import date, timedelta

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from thrive.browser_tests.support import DESKTOP, PHONE, assert_accessible, sign_in
from thrive.directory import services
from thrive.directory.models import Signpost

pytestmark = pytest.mark.browser


@pytest.fixture
def directory(transactional_db):
    services.load_demo()


def search(page, *, q="", postcode="", need="", need_label="Kind of help"):
    page.get_by_label("What are you looking for?").fill(q)
    if postcode or need:
        filters = page.locator("details.thrive-filters")
        if filters.get_attribute("open") is None:
            filters.locator("summary").click()
    if postcode:
        page.get_by_label("Postcode").fill(postcode)
    if need:
        page.get_by_label(need_label).select_option(label=need)
    page.get_by_role("button", name="Search").click()


def test_a_young_person_on_a_phone_finds_a_service_near_them(new_page, directory):
    page = new_page(viewport=PHONE, is_mobile=True, has_touch=True)
    page.goto(reverse("directory:search"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Find a community service")
    assert_accessible(page)

    search(page, postcode="NV99 9ZZ")
    expect(page.get_by_role("alert")).to_contain_text("We could not find the postcode")
    assert_accessible(page)

    page.get_by_label("Postcode").fill("")
    search(page, q="youth club", postcode="nv2 1aa", need="Staying well")
    expect(page.get_by_role("heading", name=re.compile(r"services? found"))).to_be_visible()
    first = page.get_by_role("listitem").filter(has=page.get_by_role("heading", level=3)).first
    expect(first).to_contain_text("Eastbrook youth club")
    expect(first).to_contain_text("miles away")
    assert_accessible(page)
    # Nothing overflows the phone's width.
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")

    first.get_by_role("link", name="Eastbrook youth club").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Eastbrook youth club")
    expect(page.get_by_text("Ages 11 to 18")).to_be_visible()
    assert_accessible(page)


@pytest.mark.parametrize("viewport", [pytest.param(PHONE, id="375px"),
                                      pytest.param(DESKTOP, id="desktop")])
def test_a_young_person_searching_feeling_low_sees_results_first(new_page, directory, viewport):
    page = (new_page(viewport=PHONE, is_mobile=True, has_touch=True) if viewport == PHONE
            else new_page(viewport=viewport))
    page.goto(reverse("directory:search"))
    assert_accessible(page)
    search(page, q="feeling low")
    heading = page.get_by_role("heading", name=re.compile(r"services? found"))
    expect(heading).to_be_visible()
    # The results start on the first screen (of a 375 by 812 phone too), not under the filters.
    assert heading.bounding_box()["y"] < viewport["height"]
    first = page.get_by_role("listitem").filter(has=page.get_by_role("heading", level=3)).first
    expect(first).to_contain_text("Low mood support sessions")
    expect(first).to_contain_text("Who it is for")
    expect(first).to_contain_text("Last checked")
    assert_accessible(page)
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")

    # Words that suggest risk: urgent help comes first, above everything else.
    search(page, q="i feel suicidal")
    urgent = page.locator(".nhsuk-card--care--urgent")
    expect(urgent).to_contain_text("If you need help now")
    assert urgent.bounding_box()["y"] < page.get_by_role("heading", level=1).bounding_box()["y"]
    assert_accessible(page)


def test_a_practitioner_signposts_a_young_person_from_their_record(page, directory, episode):
    follow_up = date.today() + timedelta(days=21)
    sign_in(page, "pat.practitioner")
    assert_accessible(page)  # the caseload it lands on
    page.goto(reverse("care:episode", args=[episode.public_id]))
    assert_accessible(page)
    link = page.get_by_role("link", name=re.compile("^Signpost", re.I))
    if link.count():  # the record page links here once the caseload/record wiring is in
        link.first.click()
    else:
        page.goto(reverse("directory:episode-signposts", args=[episode.public_id]))
    expect(page.get_by_role("heading", level=1)).to_contain_text("Signposting")
    assert_accessible(page)

    page.get_by_role("link", name="Find a service to signpost to").click()
    assert_accessible(page)
    search(page, q="youth club", postcode="NV2 1AA", need="Thriving",
           need_label="What kind of help is needed")
    assert_accessible(page)
    page.get_by_role("link", name="Eastbrook youth club").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Signpost to Eastbrook youth club")
    assert_accessible(page)

    page.get_by_role("button", name="Save signposting").click()
    expect(page.get_by_role("alert")).to_contain_text("Enter why you signposted them")
    assert_accessible(page)

    page.get_by_label("Why this service").fill("Wants to meet people her age outside school")
    group = page.get_by_role("group", name="Follow-up date")
    group.get_by_label("Day").fill(str(follow_up.day))
    group.get_by_label("Month").fill(str(follow_up.month))
    group.get_by_label("Year").fill(str(follow_up.year))
    page.get_by_role("button", name="Save signposting").click()
    expect(page.get_by_role("status")).to_contain_text("Signposted to Eastbrook youth club")
    expect(page.get_by_role("table")).to_contain_text("Wants to meet people her age")
    assert_accessible(page)
    made = Signpost.objects.get()
    assert (made.episode_id, made.follow_up_on) == (episode.pk, follow_up)
