"""The self-assessment in a real browser, with axe-core on every page: a site lead starts a
round and a panel of two; each member scores on their own (the second cannot open the others'
scores before submitting); the lead moderates with the live evidence beside each principle,
agrees the scores and closes the round; the PDF report's text is checked; an improvement action
is recorded with a Plan-Do-Study-Act step."""

import io
import re

import pytest
from playwright.sync_api import expect
from pypdf import PdfReader

from thrive.accounts.models import Role
from thrive.assessment.models import Round
from thrive.assessment.principles import IDS
from thrive.browser_tests.support import PHONE, assert_accessible
from thrive.conftest import PASSWORD, make_user

pytestmark = pytest.mark.browser


def go(page, url):
    page.goto(url)
    assert_accessible(page)


def sign_in_at(page, username, url="/self-assessment/"):
    page.goto(url)
    expect(page.get_by_role("heading", level=1, name="Sign in")).to_be_visible()
    assert_accessible(page)
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", level=1)).not_to_have_text("Sign in")
    assert_accessible(page)


def fill_date(page, prefix, day, month, year):
    page.locator(f"#id_{prefix}-day").fill(day)
    page.locator(f"#id_{prefix}-month").fill(month)
    page.locator(f"#id_{prefix}-year").fill(year)


def score_all(page, value, notes):
    for pid in IDS:
        page.locator(f"input[name='{pid}'][value='{value}']").check()
    page.locator("#id_notes_I2").fill(notes)


def test_round_from_start_to_pdf_and_improvement_action(
    new_page, transactional_db, camhs_team, school_team, settings, tmp_path
):
    settings.THRIVE_ANALYTICS_DIR = tmp_path / "analytics"
    make_user("sam.lead", None, role=Role.SITE_LEAD)
    make_user("amy.member", camhs_team)
    make_user("ben.member", school_team)

    lead = new_page()
    sign_in_at(lead, "sam.lead")
    expect(lead.get_by_role("link", name="Self-assessment", exact=True)).to_be_visible()
    lead.get_by_role("button", name="Start a new round").click()
    assert_accessible(lead)
    # a reversed evidence period is an error, nothing saved
    lead.get_by_label("Name of the round").fill("Northvale baseline")
    lead.get_by_role("radio", name="A locality").check()
    lead.get_by_label("Locality (if assessing a locality)").fill("Northvale")
    fill_date(lead, "held_on", "1", "3", "2025")
    fill_date(lead, "period_start", "1", "4", "2025")
    fill_date(lead, "period_end", "31", "3", "2024")
    lead.get_by_role("button", name="Start the round").click()
    expect(lead.get_by_role("alert")).to_contain_text("on or after its start")
    assert_accessible(lead)
    fill_date(lead, "period_start", "1", "4", "2024")
    fill_date(lead, "period_end", "31", "3", "2025")
    lead.get_by_role("button", name="Start the round").click()
    expect(lead.get_by_role("heading", level=1)).to_contain_text("Northvale baseline")
    assert_accessible(lead)
    round_url = lead.url
    for name, agency in (("Amy Tester", "Test CAMHS"), ("Ben Tester", "Test MHST")):
        lead.get_by_role("link", name="Add a panel member").click()
        assert_accessible(lead)
        lead.get_by_label("A person who uses the platform").select_option(label=f"{name} ({agency})")
        lead.get_by_role("button", name="Add to the panel").click()
        expect(lead.get_by_role("cell", name=re.compile(name))).to_be_visible()
        assert_accessible(lead)

    amy = new_page()
    sign_in_at(amy, "amy.member", round_url)
    amy.get_by_role("button", name="Score the principles").click()
    assert_accessible(amy)
    score_all(amy, "2", "Amy: groupings rarely told to families")
    amy.get_by_role("button", name="Submit scores").click()
    expect(amy.get_by_text("Scores submitted")).to_be_visible()
    assert_accessible(amy)

    ben = new_page()
    sign_in_at(ben, "ben.member", round_url)
    expect(ben.get_by_text("Amy: groupings")).to_have_count(0)
    response = ben.goto(round_url + "moderation/")
    assert response.status == 403
    expect(ben.get_by_text("Amy: groupings")).to_have_count(0)
    assert_accessible(ben)
    go(ben, round_url + "score/")
    score_all(ben, "4", "Ben: explicit in every school plan")
    ben.get_by_role("button", name="Submit scores").click()
    expect(ben.get_by_text("Scores submitted")).to_be_visible()
    assert_accessible(ben)

    go(lead, round_url)
    lead.get_by_role("button", name="Start moderation").click()
    expect(lead.get_by_role("heading", level=1)).to_have_text(re.compile("Moderation"))
    assert_accessible(lead)
    lead.get_by_role("button", name="Recompute evidence from the platform's records").click()
    expect(lead.get_by_text("Evidence recomputed")).to_be_visible()
    assert_accessible(lead)
    i2 = lead.get_by_role("region", name=re.compile("^I2 "))
    expect(i2).to_contain_text("Amy: groupings rarely told to families")
    expect(i2).to_contain_text("Ben: explicit in every school plan")
    expect(i2).to_contain_text("1 at 2, 0 at 3, 1 at 4")
    expect(i2).to_contain_text("Live evidence for I2")
    expect(i2).to_contain_text("Numerator: episodes open at the end of the period")
    expect(lead.get_by_role("region", name=re.compile("^M1 "))).to_contain_text(
        "No evidence the platform can compute"
    )
    for pid in IDS:
        lead.locator(f"input[name='score_{pid}'][value='{'2' if pid == 'I2' else '3'}']").check()
        lead.locator(f"#id_rationale_{pid}").fill(f"Agreed {pid} after discussion")
    lead.get_by_role("button", name="Save agreed scores").click()
    expect(lead.get_by_text("Agreed scores saved")).to_be_visible()
    assert_accessible(lead)
    lead.get_by_role("button", name="Close the round").click()
    expect(lead.get_by_role("heading", level=1)).to_have_text(re.compile("Results"))
    expect(lead.get_by_text("17 of 18")).to_be_visible()
    expect(lead.locator("#profile-chart svg, #profile-chart canvas").first).to_be_visible()
    assert_accessible(lead)
    assert Round.objects.get().is_closed

    with lead.expect_download() as download:
        lead.get_by_role("link", name="Download the report (PDF)").click()
    pdf = PdfReader(io.BytesIO(open(download.value.path(), "rb").read()))
    text = " ".join(" ".join(p.extract_text() for p in pdf.pages).split())
    assert "THRIVE implementation self-assessment" in text and "Northvale baseline" in text
    assert "53 out of 72" in text and "17 of 18" in text
    assert "Agreed I2 after discussion" in text

    results_url = lead.url
    expect(lead.locator("#principle-chart svg, #principle-chart canvas").first).to_be_visible()
    phone = new_page(viewport=PHONE, is_mobile=True)
    sign_in_at(phone, "sam.lead", results_url)
    expect(phone.get_by_role("heading", level=1)).to_have_text(re.compile("Results"))
    expect(phone.get_by_role("cell", name="6 of 6").first).to_be_visible()
    assert_accessible(phone)

    lead.get_by_role("link", name="Improvement plan").click()
    assert_accessible(lead)
    lead.get_by_label("Principle").select_option("I2")
    lead.get_by_label("What will be done").fill("Tell every family their grouping in writing")
    lead.get_by_label("Who owns it").fill("Northvale CAMHS lead")
    fill_date(lead, "due_on", "1", "9", "2025")
    lead.get_by_role("button", name="Add the action").click()
    expect(lead.get_by_text("Action added for I2")).to_be_visible()
    assert_accessible(lead)
    lead.get_by_role("link", name="Tell every family their grouping in writing").click()
    assert_accessible(lead)
    lead.get_by_role("radio", name="Do", exact=True).check()
    lead.get_by_label("What was planned, done, learned or changed").fill("Letter template used in two teams")
    lead.get_by_label("Status of the action now").select_option("in_progress")
    lead.get_by_role("button", name="Record the step").click()
    expect(lead.get_by_role("cell", name="Letter template used in two teams")).to_be_visible()
    expect(lead.get_by_text("Status: In progress")).to_be_visible()
    assert_accessible(lead)
