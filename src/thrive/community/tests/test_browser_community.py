"""Community THRIVE in a real browser, with axe-core on every page: a young person rates on a
375 px phone by the join link, without an account; a facilitator watches the live results
refresh, records priorities and an action, closes the assessment and downloads the PDF."""

import io
import re
from datetime import date

import pytest
from django.urls import reverse
from playwright.sync_api import expect
from pypdf import PdfReader

from thrive.browser_tests.support import PHONE, assert_accessible
from thrive.community import services
from thrive.community.models import Participant, Rating
from thrive.conftest import PASSWORD

from .conftest import participants_rate

pytestmark = pytest.mark.browser


@pytest.fixture
def short_form(transactional_db, facilitator, factor_set, community):
    a = services.create_assessment(
        user=facilitator, community=community, period_start=date(2026, 11, 1),
        period_end=date(2026, 12, 31), purpose="Youth club evening",
        factor_set=factor_set,
        factors=factor_set.factors.filter(key__in=["parks_open_space", "look_feel_safety",
                                                   "getting_around"]))
    return services.open_for_ratings(a)


def test_a_young_person_rates_on_a_phone_by_the_join_link(new_page, short_form):
    page = new_page(viewport=PHONE, is_mobile=True, has_touch=True)
    page.goto(reverse("community:join", args=[short_form.join_token]))
    expect(page.get_by_role("heading", level=1)).to_contain_text("Have your say about your area")
    expect(page.get_by_role("heading", name="Before you start: your privacy")).to_be_visible()
    assert_accessible(page)

    page.get_by_role("button", name="Start").click()
    expect(page.get_by_role("alert")).to_contain_text("Tick to agree to take part")
    assert_accessible(page)

    page.get_by_label("Wording for young people").check()
    page.get_by_role("group", name="Are you aged 11 or over?").get_by_label("I agree").check()
    page.get_by_label("11 to 15").check()
    page.get_by_label("My parent or carer knows and agrees").check()
    page.get_by_label("Young person", exact=True).check()
    page.get_by_role("group", name="Your agreement").get_by_label("I agree").check()
    page.get_by_role("button", name="Start").click()

    expect(page.get_by_role("heading", level=1)).to_contain_text("1 of 3")
    assert_accessible(page)
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    page.get_by_label("2 – not good").check()
    page.get_by_label("5 – most important").check()
    page.get_by_label("Anything to add? (optional)").fill("Nowhere to hang out after dark")
    page.get_by_role("button", name="Next").click()

    expect(page.get_by_role("heading", level=1)).to_contain_text("2 of 3")
    assert_accessible(page)
    page.get_by_role("button", name="Skip this one").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("3 of 3")
    assert_accessible(page)
    page.get_by_label("Not sure").check()
    page.get_by_role("button", name="Finish").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Thanks – you're done!")
    assert_accessible(page)
    participant = Participant.objects.get()
    assert (participant.role, participant.age_band, participant.carer_consent) == (
        "young_person", "11-15", True)
    assert Rating.objects.filter(participant=participant).count() == 2

    # Back on the same phone later: the session resumes where they were, no new participant.
    page.goto(reverse("community:join", args=[short_form.join_token]))
    expect(page.get_by_role("heading", level=1)).to_contain_text("of 3")
    assert_accessible(page)
    assert Participant.objects.count() == 1


def _sign_in_as_facilitator(page, facilitator):
    page.goto(reverse("community:home"))
    expect(page.get_by_role("heading", level=1, name="Sign in")).to_be_visible()
    assert_accessible(page)
    page.get_by_label("Username").fill(facilitator.username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Community THRIVE")
    assert_accessible(page)


def test_a_facilitator_watches_results_plans_closes_and_downloads_the_report(
        page, short_form, facilitator):
    participants_rate(short_form, "parks_open_space", [1, 2, 1, 2, 2], role="young_person",
                      age_band="11-15", importance=5)
    participants_rate(short_form, "parks_open_space", [4, 3, 4, 5, 3, 4], importance=3)
    participants_rate(short_form, "getting_around", [2, 2, 3], importance=4)
    _sign_in_as_facilitator(page, facilitator)

    page.get_by_role("link", name=re.compile("1 November 2026")).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Assessment 1 November 2026")
    assert_accessible(page)
    page.get_by_role("link", name="Live results").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(re.compile("Live results"))
    young = page.get_by_role("row", name=re.compile("^Parks & Open Space")).nth(1)
    expect(young).to_contain_text("-2.23")
    expect(page.locator("#chart-profile.thrive-chart--ready")).to_be_visible()
    expect(page.get_by_text("fewer than three clusters, so there is no radar")).to_be_visible()
    getting_around = page.get_by_role("row", name=re.compile("^Getting Around")).first
    expect(getting_around).to_contain_text("low n")
    assert_accessible(page)

    # Two more people rate Getting Around while the screen is up: it refreshes by itself.
    participants_rate(short_form, "getting_around", [3, 4], importance=4)
    expect(getting_around).to_contain_text("2.80", timeout=40_000)
    expect(page.locator("#chart-profile.thrive-chart--ready")).to_be_visible()
    assert_accessible(page)

    page.goto(reverse("community:overlay", args=[short_form.public_id]))
    assert_accessible(page)
    page.get_by_label("Sign of community trauma").select_option(label="Deteriorated environments")
    page.get_by_label("Marked").check()
    page.get_by_role("button", name="Record observation").click()
    expect(page.get_by_role("row", name=re.compile("Deteriorated environments"))).to_contain_text(
        "Marked")
    assert_accessible(page)

    page.goto(reverse("community:priorities", args=[short_form.public_id]))
    expect(page.get_by_role("heading", name="Suggestion to support the group's decision")
           ).to_be_visible()
    assert_accessible(page)
    page.get_by_label("Factor").select_option(label="Getting Around")
    page.get_by_label("Rank").fill("1")
    page.get_by_label("Rationale").fill("The last bus leaves at 7pm")
    page.get_by_label("Vote").check()
    page.get_by_label("Day").fill("20")
    page.get_by_label("Month").fill("11")
    page.get_by_label("Year").fill("2026")
    page.get_by_role("button", name="Record priority").click()
    expect(page.get_by_text("The last bus leaves at 7pm")).to_be_visible()
    assert_accessible(page)

    page.get_by_role("link", name="Add an action").click()
    assert_accessible(page)
    page.get_by_label("Priority").select_option(label="1. Getting Around")
    page.get_by_label("SMART objective").fill("Extend the 41 bus to 10pm on school days by June")
    page.get_by_label("Policy").check()
    page.get_by_label("Sector").select_option(label="Community at large")
    page.get_by_label("Lead partner").fill("Northvale Transport")
    for legend, (d, m, y) in (("Start", ("1", "1", "2027")), ("Due", ("30", "6", "2027"))):
        group = page.get_by_role("group", name=legend)
        group.get_by_label("Day").fill(d)
        group.get_by_label("Month").fill(m)
        group.get_by_label("Year").fill(y)
    page.get_by_label("Progress measure").fill("Evening buses running")
    page.get_by_role("button", name="Add action").click()
    expect(page.get_by_text("Extend the 41 bus to 10pm")).to_be_visible()
    assert_accessible(page)

    page.get_by_role("link", name="Close the assessment").click()
    assert_accessible(page)
    page.get_by_role("button", name="Close assessment").click()
    expect(page.get_by_text("The assessment is closed.")).to_be_visible()
    assert_accessible(page)

    with page.expect_download() as download:
        page.get_by_role("link", name="Report (PDF)").click()
    pdf = PdfReader(io.BytesIO(open(download.value.path(), "rb").read()))
    text = " ".join(" ".join(p.extract_text() for p in pdf.pages).split())
    assert "Community THRIVE report" in text
    assert "The last bus leaves at 7pm" in text and "Extend the 41 bus" in text
    assert "-2.23 divergent" in text
    short_form.refresh_from_db()
    assert short_form.is_closed
