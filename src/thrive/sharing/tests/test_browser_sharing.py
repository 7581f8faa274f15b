"""Sharing a young person's care between agencies, in a real browser (issue 4): a school team
records consent and refers to CAMHS; CAMHS accepts, agrees Getting Risk Support, writes a
multi-agency Risk Support plan and exports it as a PDF; a practitioner from an unrelated agency
cannot find or open the record until they use break-glass; the privacy officer sees the alert.
Each person has their own browser context, and axe-core checks every page any of them reaches."""

import re
from datetime import date, timedelta

import pytest
from django.urls import reverse
from playwright.sync_api import expect
from pypdf import PdfReader

from thrive.accounts.models import Agency, Role, Team

# The shared browser fixtures. The report hook that lets the `new_page` fixture fail a test that
# left a page unchecked lives in a conftest, which this package does not have, so the test ends
# with `every_page_checked` instead.
from thrive.browser_tests.support import _visits, assert_accessible, sign_in
from thrive.conftest import PASSWORD, make_episode, make_user, make_young_person
from thrive.risk.models import RiskSupportPlan
from thrive.sharing.models import AccessAlert, AgencyReferral, BreakGlassGrant

pytestmark = pytest.mark.browser

TODAY = date.today()
REFERRAL_REASON = "Self-harm has increased since Easter and school support is not enough."
RISKS = ["Has cut her arms when overwhelmed by exams",
         "An older contact online is pressuring her to meet"]
CRISIS_TRIGGER = "she says she does not feel safe"
RESPONSES = ["Stay with her and listen", "Remove anything she could hurt herself with",
             "Call the CAMHS crisis line"]
BREAK_GLASS_REASON = "Leah arrived at our drop-in in distress tonight and asked for help now."


# -- Steps ----------------------------------------------------------------------------------


def fill_date(scope, legend: str, day: date) -> None:
    """An NHS.UK date input: three boxes in a fieldset named by its legend."""
    group = scope.get_by_role("group", name=legend, exact=True)
    group.get_by_label("Day").fill(str(day.day))
    group.get_by_label("Month").fill(str(day.month))
    group.get_by_label("Year").fill(str(day.year))


def choose(scope, question: str, answer: str) -> None:
    """Tick a radio or checkbox by its question (legend) and answer (label)."""
    scope.get_by_role("group", name=question, exact=True).get_by_label(answer, exact=True).check()


def row(page, title: str):
    """One row of a repeating list on the plan form ("Agency 2", "Crisis step 1")."""
    return page.get_by_role("group", name=title, exact=True)


def success_message(page, text: str) -> None:
    expect(page.get_by_role("status")).to_contain_text(text)


def h1(page, text: str) -> None:
    expect(page.get_by_role("heading", level=1)).to_contain_text(text)


def nice(day: date) -> str:
    return f"{day.day} {day:%B %Y}"


def sign_in_elsewhere(page, username: str, heading: str) -> None:
    """Sign in as a role with no caseload: it lands on its own first page."""
    page.goto(reverse("care:home"))
    h1(page, "Sign in")
    assert_accessible(page)
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    h1(page, heading)
    assert_accessible(page)


def every_page_checked(*pages) -> None:
    """What the `new_page` fixture's guard does where a conftest wires it up: every document
    each page loaded was checked with axe, and no page raised a JavaScript error."""
    problems = []
    for page in pages:
        record = _visits[id(page)]
        problems += [f"page not checked with assert_accessible: {url}"
                     for url in record.unchecked()]
        problems += [f"JavaScript error: {error}" for error in record.errors]
    assert not problems, "\n".join(problems)


def pdf_text(path) -> str:
    reader = PdfReader(path)
    return " ".join(" ".join((p.extract_text() or "") for p in reader.pages).split())


# -- The journey ----------------------------------------------------------------------------


@pytest.fixture
def locality(camhs, camhs_team, school, school_team):
    risk_team = Team.objects.create(agency=camhs, name="Risk Support team")
    charity = Agency.objects.create(name="Northvale Youth Trust", kind=Agency.Kind.CHARITY)
    leah = make_young_person(given_name="Leah", family_name="Morgan",
                             date_of_birth=date(2010, 9, 14))
    school_worker = make_user("sue.school", school_team)
    make_episode(leah, school_team, school_worker)
    return {
        "leah": leah, "risk_team": risk_team,
        "school_worker": school_worker,
        "camhs_worker": make_user("cam.camhs", camhs_team),
        "charity_worker": make_user("chi.charity",
                                    Team.objects.create(agency=charity, name="Drop-in")),
        "privacy_officer": make_user("pia.privacy", None, Role.PRIVACY_OFFICER),
    }


def test_a_school_refers_to_camhs_who_write_a_risk_support_plan_and_break_glass_is_alerted(
    new_page, locality, camhs, school  # noqa: F811 - new_page is the fixture imported above
):
    leah = locality["leah"]
    record_url = reverse("people:record", args=[leah.public_id])
    review_on = TODAY + timedelta(weeks=6)

    # == The school practitioner: consent, then a referral to CAMHS ==========================
    school_page = new_page()
    page = school_page
    sign_in(page, "sue.school")  # axe checks the sign-in page and the caseload
    page.get_by_role("link", name="Leah Morgan").click()
    h1(page, "MHST East")
    assert_accessible(page)
    page.get_by_role("link", name="Back", exact=True).click()
    h1(page, "Leah Morgan")
    expect(page.get_by_text("No consent recorded.")).to_be_visible()
    assert_accessible(page)

    page.get_by_role("link", name="Record consent").click()
    h1(page, "Record consent to share")
    assert_accessible(page)
    choose(page, "Who gave consent?", "A parent or carer")
    page.get_by_label("Their name").fill("Sara Morgan")
    page.get_by_label("Share with").select_option(label="Test CAMHS")
    choose(page, "For what purpose?", "Referral for help")
    fill_date(page, "Date consent was given", TODAY)
    fill_date(page, "Valid until", TODAY + timedelta(days=180))
    page.get_by_role("button", name="Save consent").click()
    success_message(page, "Consent recorded")
    expect(page.get_by_text(
        "A parent or carer (Sara Morgan) consented to share with Test CAMHS for referral for help"
    )).to_be_visible()
    assert_accessible(page)

    page.get_by_role("link", name="Refer to another agency").click()
    h1(page, "Refer to another agency")
    assert_accessible(page)
    # Submitted with nothing chosen: the error summary, checked by axe too.
    page.get_by_role("button", name="Send referral").click()
    expect(page.get_by_role("alert").filter(has_text="There is a problem")).to_be_visible()
    expect(page).to_have_title(re.compile("^Error: Refer to another agency"))
    assert_accessible(page)
    page.get_by_label("Refer to").select_option(label="Test CAMHS")
    page.get_by_label("Why you are referring").fill(REFERRAL_REASON)
    choose(page, "Is this a transfer (your agency's help is ending)?", "No")
    page.get_by_role("button", name="Send referral").click()
    success_message(page, "Referral sent to Test CAMHS")
    expect(page.get_by_role("heading", name="Referrals between agencies")).to_be_visible()
    expect(page.get_by_text(re.compile(r"Test MHST to Test CAMHS, .*: sent"))).to_be_visible()
    assert_accessible(page)
    referral = AgencyReferral.objects.get(young_person=leah)
    assert (referral.from_agency, referral.to_agency, referral.status) == (school, camhs, "sent")
    assert referral.consent is not None

    # == The CAMHS practitioner: accept the referral, agree Getting Risk Support ===============
    camhs_page = new_page()
    page = camhs_page
    sign_in(page, "cam.camhs")
    page.get_by_role("link", name="Referrals", exact=True).click()
    h1(page, "Referrals between agencies")
    incoming = page.get_by_role("table", name="Referrals sent to your agency")
    expect(incoming.get_by_role("row", name=re.compile("Leah Morgan")).get_by_role("cell")
           ).to_have_text(["Leah Morgan", "Test MHST", re.compile(nice(TODAY)), "Sent",
                           re.compile("Consent given on")])
    assert_accessible(page)
    incoming.get_by_role("link", name="Leah Morgan").click()
    h1(page, "Referral from Test MHST")
    expect(page.get_by_role("main")).to_contain_text(REFERRAL_REASON)
    expect(page.get_by_role("main")).to_contain_text("Given by Sara Morgan")
    assert_accessible(page)
    page.get_by_label("Which team will help?").select_option(label="Risk Support team")
    choose(page, "Who will lead?", "I will be the lead practitioner")
    page.get_by_role("button", name="Accept referral").click()
    success_message(page, "Referral accepted. The young person is on your caseload.")
    h1(page, "Risk Support team")
    expect(page.locator("#current-grouping")).to_have_text("No grouping agreed yet.")
    key_dates = page.get_by_role("main")
    expect(key_dates).to_contain_text(re.compile(r"Referred by\s*School or college"))
    expect(key_dates).to_contain_text(REFERRAL_REASON)
    assert_accessible(page)
    referral.refresh_from_db()
    assert referral.status == "accepted" and referral.episode.team == locality["risk_team"]

    page.get_by_role("link", name="Record a grouping decision").click()
    h1(page, "Record a grouping decision")
    assert_accessible(page)
    fill_date(page, "Date agreed", TODAY)
    choose(page, "Did the young person take part in the decision?", "Yes")
    choose(page, "Did a parent or carer take part?", "Yes")
    for option in ("Joint work across agencies", "Multi-agency Risk Support plan"):
        choose(page, "Options discussed", option)
    choose(page, "What the young person and family preferred", "Multi-agency Risk Support plan")
    choose(page, "Agreed needs-based grouping", "Getting Risk Support")
    page.get_by_label("Why this grouping, in plain words").fill(
        "Leah is hurting herself more often; school and CAMHS will plan together to keep her safe.")
    choose(page, "Was the grouping made explicit to the young person and family?", "Yes")
    fill_date(page, "Review date", TODAY + timedelta(weeks=4))
    page.get_by_role("button", name="Save decision").click()
    success_message(page, "Grouping agreed: Getting Risk Support")
    expect(page.locator("#current-grouping")).to_have_text("Getting Risk Support")
    assert_accessible(page)

    # The record now flags the gap: Getting Risk Support without a plan.
    page.get_by_role("link", name="Back", exact=True).click()
    h1(page, "Leah Morgan")
    flag = page.locator("#risk-flag")
    expect(flag).to_contain_text("No Risk Support plan")
    expect(flag).to_contain_text("Getting Risk Support, but there is no current Risk Support plan")
    expect(flag.get_by_role("link", name="Write a Risk Support plan")).to_be_visible()
    assert_accessible(page)

    # == The Risk Support plan ===============================================================
    page.get_by_role("link", name="Risk Support plans").click()
    h1(page, "Risk Support plans")
    expect(page.get_by_text("No Risk Support plan has been written for Leah.")).to_be_visible()
    assert_accessible(page)
    page.get_by_role("main").get_by_role("link", name="Write a Risk Support plan").last.click()
    h1(page, "Write a Risk Support plan")
    assert_accessible(page)

    # The keyworker and the first agency start as the person writing it and their agency.
    expect(page.get_by_label("Keyworker")).to_have_value(str(locality["camhs_worker"].pk))
    expect(row(page, "Agency 1").get_by_label("Agency", exact=True)).to_have_value(str(camhs.pk))
    row(page, "Agency 1").get_by_label("Role in this plan").fill(
        "Crisis assessment out of hours and weekly therapy")
    row(page, "Agency 2").get_by_label("Agency", exact=True).select_option(label="Test MHST")
    row(page, "Agency 2").get_by_label("Role in this plan").fill(
        "Daily check-in with the school mental health lead")
    for n, (kind, description) in enumerate(zip(["Risk to self", "Risk from others"], RISKS,
                                                strict=True), 1):
        row(page, f"Risk {n}").get_by_label("Kind of risk").select_option(label=kind)
        row(page, f"Risk {n}").get_by_label("The risk, in plain words").fill(description)
    page.get_by_label("What helps").fill("Walking the dog with her brother\nDrawing")
    page.get_by_label("Preventive actions").fill("School check-in every morning before lessons")
    step = row(page, "Crisis step 1")
    step.get_by_label("If this happens (trigger)").fill(CRISIS_TRIGGER)
    step.get_by_label("Then do this, in order").fill(
        "\n".join(f"{n}. {r}" for n, r in enumerate(RESPONSES, 1)))
    step.get_by_label("Who to contact").fill("CAMHS crisis team")
    step.get_by_label("How to contact them").fill("0300 123 4567, any time")
    choose(page, "Was the plan agreed with the young person?", "Yes")
    page.get_by_label("Who in the family agreed the plan (optional)").fill("Mum (Sara Morgan)")
    fill_date(page, "Date agreed", TODAY)
    fill_date(page, "Review date", review_on)
    row(page, "Recipient 1").get_by_label("Name and agency").fill("Jo Patel, Test MHST")
    row(page, "Recipient 1").get_by_label("How it is sent").select_option(label="Secure email")
    page.get_by_role("button", name="Save plan").click()

    success_message(page, "Risk Support plan saved")
    h1(page, "Risk Support plan")
    expect(page.get_by_role("heading", name="Gap in this plan")).to_have_count(0)
    agencies = page.get_by_role("table", name="Agencies in this plan and each one's role")
    expect(agencies.get_by_role("row")).to_have_text([
        re.compile("Agency.*Role"),
        re.compile("Test CAMHS.*Crisis assessment out of hours"),
        re.compile("Test MHST.*Daily check-in"),
    ])
    for risk in RISKS:
        expect(page.get_by_role("listitem").filter(has_text=risk)).to_be_visible()
    expect(page.get_by_role("heading", level=3, name=f"Crisis step 1: if {CRISIS_TRIGGER}")
           ).to_be_visible()
    card = page.locator(".nhsuk-card").filter(has_text="Crisis step 1")
    expect(card.get_by_role("listitem")).to_have_text(RESPONSES)  # numbers typed are dropped
    assert_accessible(page)
    plan = RiskSupportPlan.objects.get(young_person=leah)
    assert plan.agencies.count() == 2 and plan.crisis_steps.get().responses == RESPONSES

    # The PDF, to print and share: named for what it is, never who it is about.
    with page.expect_download() as downloading:
        page.get_by_role("link", name=re.compile("^Download as PDF")).click()
    download = downloading.value
    assert download.suggested_filename == f"risk-support-plan-{plan.public_id}.pdf"
    assert "Leah" not in download.suggested_filename
    text = pdf_text(download.path())
    for expected in [*RISKS, *RESPONSES, "Test CAMHS", "Test MHST", "Leah Morgan",
                     f"Crisis step 1: if {CRISIS_TRIGGER}", "1. Stay with her and listen",
                     "3. Call the CAMHS crisis line", "CAMHS crisis team", nice(review_on)]:
        assert expected in text, f"{expected!r} is not in the PDF's text:\n{text}"
    assert "Gap:" not in text

    # Back on the record, the flag shows the plan in place and the gap has gone.
    page.goto(record_url)
    flag = page.locator("#risk-flag")
    expect(flag).to_contain_text("Risk Support plan in place")
    expect(flag).not_to_contain_text("Gap")
    assert_accessible(page)

    # == An unrelated agency: nothing to see, until break-glass =============================
    charity_page = new_page()
    page = charity_page
    sign_in(page, "chi.charity")
    page.goto(record_url)
    h1(page, "Page not found")
    expect(page.get_by_role("main")).not_to_contain_text("Leah")
    assert_accessible(page)

    page.get_by_role("link", name="Find a young person").click()
    h1(page, "Find a young person")
    assert_accessible(page)
    page.get_by_label("Name, NHS number or date of birth").fill("Leah Morgan")
    page.get_by_role("button", name="Search").click()
    expect(page.get_by_role("heading", level=2, name="0 results")).to_be_visible()
    expect(page.get_by_text("No young person you work with matches.")).to_be_visible()
    assert_accessible(page)

    page.get_by_role("link", name="Emergency access").click()
    h1(page, "Emergency access (break-glass)")
    assert_accessible(page)
    # The wrong date of birth opens nothing.
    page.get_by_label("NHS number").fill(leah.nhs_number_display)
    fill_date(page, "Date of birth", leah.date_of_birth + timedelta(days=1))
    page.get_by_label("Why you need to see this record now").fill(BREAK_GLASS_REASON)
    page.get_by_role("button", name="Open the record").click()
    expect(page.get_by_role("alert").filter(has_text="There is a problem")).to_contain_text(
        "No young person has this NHS number and date of birth")
    assert_accessible(page)
    assert not BreakGlassGrant.objects.exists()

    fill_date(page, "Date of birth", leah.date_of_birth)
    page.get_by_role("button", name="Open the record").click()
    h1(page, "Leah Morgan")
    success_message(page, "Emergency access for 4 hours. The privacy officer has been alerted.")
    warning = page.locator(".nhsuk-warning-callout").filter(
        has=page.get_by_role("heading", name="Important: Emergency access"))
    expect(warning).to_contain_text("You are seeing this record through break-glass.")
    expect(page.get_by_role("link", name="Record consent")).to_have_count(0)  # read-only
    assert_accessible(page)
    grant = BreakGlassGrant.objects.get()
    assert (grant.user, grant.young_person) == (locality["charity_worker"], leah)

    # == The privacy officer sees the alert ==================================================
    officer_page = new_page()
    page = officer_page
    sign_in_elsewhere(page, "pia.privacy", "Access alerts")  # a privacy officer lands on them
    alerts = page.get_by_role("table", name="Access alerts, open first")
    alert_row = alerts.get_by_role("row", name=re.compile("Break-glass access"))
    expect(alert_row).to_contain_text("Chi Tester, Northvale Youth Trust")
    expect(alert_row).to_contain_text("Open")
    assert_accessible(page)
    alert_row.get_by_role("link", name="Break-glass access").click()
    h1(page, "Break-glass access")
    expect(page.get_by_role("main")).to_contain_text(BREAK_GLASS_REASON)
    assert_accessible(page)
    page.get_by_role("link", name="See who has looked at this record").click()
    h1(page, "Who has looked at this record")
    history = page.get_by_role("table", name="Access history")
    expect(history.get_by_role("row").filter(has_text=BREAK_GLASS_REASON).first).to_contain_text(
        "Chi Tester")
    assert_accessible(page)
    alert = AccessAlert.objects.get()
    assert alert.kind == "break_glass" and alert.closed_at is None

    every_page_checked(school_page, camhs_page, charity_page, officer_page)
