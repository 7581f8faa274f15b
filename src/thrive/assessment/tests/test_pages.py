"""The self-assessment through its pages, as the lead and panel members use it."""

import csv
import html
import io
from datetime import date

import pytest
from django.test import Client
from django.urls import reverse

from thrive.assessment import services
from thrive.assessment.models import Round
from thrive.assessment.principles import IDS


@pytest.fixture(autouse=True)
def _analytics_dir(settings, tmp_path):
    settings.THRIVE_ANALYTICS_DIR = tmp_path / "analytics"


def client_for(user) -> Client:
    c = Client()
    c.force_login(user)
    return c


def u(name, round_, *extra):
    return reverse(f"assessment:{name}", args=[round_.public_id, *extra])


def score_data(value, notes="", submit=True):
    data = {pid: value for pid in IDS} | {f"notes_{pid}": notes for pid in IDS}
    data["submit" if submit else "save"] = "1"
    return data


def test_lead_creates_a_round_and_a_reversed_period_is_an_error(site_lead):
    lead = client_for(site_lead)
    assert lead.get(reverse("assessment:index")).status_code == 200
    bad = {
        "title": "Northvale",
        "scope": "locality",
        "locality": "Northvale",
        "held_on-day": "1",
        "held_on-month": "3",
        "held_on-year": "2025",
        "period_start-day": "1",
        "period_start-month": "4",
        "period_start-year": "2025",
        "period_end-day": "1",
        "period_end-month": "4",
        "period_end-year": "2024",
    }
    response = lead.post(reverse("assessment:new"), bad)
    assert response.status_code == 400 and "There is a problem" in response.content.decode()
    assert "on or after its start" in response.content.decode()
    assert not Round.objects.exists()
    good = bad | {
        "period_start-year": "2024",
        "period_end-year": "2025",
        "period_end-month": "3",
        "period_end-day": "31",
    }
    response = lead.post(reverse("assessment:new"), good)
    created = Round.objects.get()
    assert response.status_code == 302 and response.url == u("round", created)


def test_practitioner_not_on_a_panel_cannot_use_self_assessment(practitioner, round_):
    c = client_for(practitioner)
    assert c.get(reverse("assessment:index")).status_code == 403
    assert c.get(reverse("assessment:new")).status_code == 403
    assert c.get(u("round", round_)).status_code == 404


def test_member_cannot_see_others_scores_before_submitting(round_, member_a, member_b):
    a, b = client_for(member_a), client_for(member_b)
    response = a.post(u("score", round_), score_data("4", notes="Alpha-notes-secret"))
    assert response.status_code == 302
    # B has not submitted: no page shows A's scores or notes.
    for name in ("moderation", "results", "plan"):
        page = b.get(u(name, round_))
        assert page.status_code in (403, 404), name
        assert "Alpha-notes-secret" not in page.content.decode()
    for page in (b.get(u("round", round_)), b.get(u("score", round_)), b.get(reverse("assessment:index"))):
        assert "Alpha-notes-secret" not in page.content.decode()
    # a draft saved by B does not open the door either
    b.post(u("score", round_), score_data("2", submit=False))
    assert b.get(u("moderation", round_)).status_code == 403
    # once B submits, B sees the spread and A's notes
    b.post(u("score", round_), score_data("2", notes="Beta-notes"))
    page = b.get(u("moderation", round_)).content.decode()
    assert "Alpha-notes-secret" in page and "Beta-notes" in page


def test_submitting_with_a_principle_unscored_is_an_error_and_nothing_is_submitted(round_, member_a):
    a = client_for(member_a)
    data = score_data("3")
    del data["I8"]
    response = a.post(u("score", round_), data)
    assert response.status_code == 400 and "Score every principle" in response.content.decode()
    assert not round_.panel.get(user=member_a).submitted


def test_full_round_through_the_pages(round_, site_lead, member_a, member_b):
    lead, a, b = client_for(site_lead), client_for(member_a), client_for(member_b)
    lead.post(u("add-member", round_), {"name": "Dee Outside", "organisation": "Parent carer forum"})
    outside = round_.panel.get(user__isnull=True)
    assert lead.post(u("score-for", round_, outside.pk), score_data("1")).status_code == 302
    a.post(u("score", round_), score_data("2", notes="A says two"))
    b.post(u("score", round_), score_data("na"))
    assert lead.post(u("start-moderation", round_)).status_code == 302
    page = lead.get(u("moderation", round_)).content.decode()
    assert "A says two" in page and "1 at 1, 1 at 2, 0 at 3, 0 at 4, 1 not able to judge" in page
    assert "Dee Outside" in page
    # evidence not computed yet: the page says so; recomputing extracts the platform's records
    assert "has not been computed" in page
    lead.post(u("refresh-evidence", round_))
    page = lead.get(u("moderation", round_)).content.decode()
    assert "Live evidence for S2" in page and "Numerator: episodes open" in page
    assert "No evidence the platform can compute" in page
    # the rest of the live evidence is on the page too; no directory yet, so every gap is listed
    for title in ("Referrals between agencies accepted within 10 working days",
                  "Care teams spanning two or more agencies",
                  "Endings agreed with the family and with a reason",
                  "made explicit to the family", "outcome charts", "Options chosen of those offered"):
        assert title in html.unescape(page), title
    assert "No active service in the directory for" in page and "Getting Help, ages 16 to 17" in page
    # closing before every principle is agreed is refused
    lead.post(u("close", round_))
    round_.refresh_from_db()
    assert round_.status == Round.Status.MODERATION
    agreed = {f"score_{pid}": "3" if pid.startswith("M") else "2" for pid in IDS}
    agreed |= {f"rationale_{pid}": f"Agreed on {pid}" for pid in IDS}
    missing_rationale = agreed | {"rationale_M1": ""}
    response = lead.post(u("moderation", round_), missing_rationale)
    assert response.status_code == 400 and "Give the rationale" in response.content.decode()
    assert lead.post(u("moderation", round_), agreed).status_code == 302
    response = lead.post(u("close", round_))
    assert response.status_code == 302 and response.url == u("results", round_)
    round_.refresh_from_db()
    assert round_.is_closed and round_.evidence_at_close["indicators"]
    # closed: immutable through the pages too
    lead.post(u("moderation", round_), agreed | {"score_M1": "1"})
    assert services.agreed_scores(round_)["M1"] == 3
    results = lead.get(u("results", round_)).content.decode()
    assert "42 out of 72" in results and "6 of 18" in results and "(33.3%)" in results
    assert "first closed round" in results
    macro = results.split("Macro – strategy and commissioning</th>")[1].split("</tr>")[0]
    assert "6 of 6" in macro and "18 out of 24" in macro and "6 (100.0%)" in macro
    micro = results.split("Micro – practice</th>")[1].split("</tr>")[0]
    assert "16 out of 32" in micro and "0 (0.0%)" in micro
    rows = list(csv.reader(io.StringIO(lead.get(u("results-csv", round_)).content.decode())))
    assert ["Site total", "42"] in rows and ["THRIVE-like principles", "6"] in rows
    i5 = next(r for r in rows if r and r[0] == "I5")
    assert i5[1] == "Micro – practice" and i5[3:5] == ["2", "no"] and i5[-1] == "Agreed on I5"
    pdf = lead.get(u("results-pdf", round_))
    assert pdf["Content-Type"] == "application/pdf" and pdf.content.startswith(b"%PDF")
    # improvement plan: only principles below 3; with a PDSA step
    plan = lead.get(u("plan", round_)).content.decode()
    assert "I5 (agreed 2)" in plan and "M1 (agreed 3)" not in plan
    response = lead.post(
        u("plan", round_),
        {
            "principle": "I5",
            "description": "Goals at first contact",
            "owner": "CAMHS lead",
            "due_on-day": "1",
            "due_on-month": "9",
            "due_on-year": "2025",
        },
    )
    assert response.status_code == 302
    action = round_.actions.get()
    lead.post(
        u("action", round_, action.public_id),
        {"stage": "do", "note": "Piloted in one team", "status": "in_progress"},
    )
    action.refresh_from_db()
    assert action.status == "in_progress"
    # the next round shows what was done, and the change since this one
    lead.post(
        u("copy", round_),
        {
            "title": "Follow-up",
            "held_on-day": "1",
            "held_on-month": "3",
            "held_on-year": "2026",
            "period_start-day": "1",
            "period_start-month": "4",
            "period_start-year": "2025",
            "period_end-day": "1",
            "period_end-month": "10",
            "period_end-year": "2025",
        },
    )
    follow = Round.objects.get(title="Follow-up")
    page = lead.get(u("round", follow)).content.decode()
    assert "What was done since the last round" in page and "Piloted in one team" in page
    assert follow.panel.count() == 3


def test_compare_rounds_side_by_side(site_lead, member_a, camhs):
    lead = client_for(site_lead)
    rounds = []
    for n, (scope, value) in enumerate((("locality", "2"), ("service", "3"))):
        r = services.create_round(
            lead=site_lead,
            title=f"Round {n}",
            scope=scope,
            locality="Northvale",
            agency=camhs,
            held_on=date(2025, 3, 1),
            period_start=date(2024, 4, 1),
            period_end=date(2025, 3, 31),
        )
        m = services.add_member(r, user=member_a)
        services.save_scores(m, {pid: (value, "") for pid in IDS}, submit=True)
        services.start_moderation(r)
        services.agree_scores(r, {pid: (value, "ok") for pid in IDS})
        services.close_round(r)
        rounds.append(r)
    page = lead.get(reverse("assessment:compare"), {"round": [str(r.public_id) for r in rounds]})
    text = page.content.decode()
    assert "Northvale" in text and "Test CAMHS" in text
    total_row = text.split("Site total</th>")[1].split("</tr>")[0]
    assert sorted(total_row.replace("<td>", " ").replace("</td>", " ").split()) == ["36", "54"]


def test_header_and_home_link_for_leads_and_panel_members_only(site_lead, member_a, practitioner, round_):
    for user, shown in ((site_lead, True), (member_a, True), (practitioner, False)):
        page = client_for(user).get("/", follow=True).content.decode()
        assert ('href="/self-assessment/"' in page) is shown, user.username


def test_lead_makes_a_version_edits_descriptors_and_a_used_version_cannot_change(site_lead, round_):
    lead = client_for(site_lead)
    used = round_.principle_set
    page = lead.get(reverse("assessment:principle-set", args=[used.pk])).content.decode()
    assert "cannot change" in page and "Edit the descriptors" not in page
    response = lead.post(
        reverse("assessment:edit-descriptors", args=[used.pk, "M1"]), {"1": "a", "2": "b", "3": "c", "4": "d"}
    )
    assert response.status_code == 400 and "used by a round" in response.content.decode()
    used.refresh_from_db()
    assert used.principle("M1")["descriptors"]["3"] != "c"

    response = lead.post(reverse("assessment:principle-set", args=[used.pk]), {"title": "Northvale wording"})
    from thrive.assessment.models import PrincipleSet

    mine = PrincipleSet.objects.get(title="Northvale wording")
    assert response.url == reverse("assessment:principle-set", args=[mine.pk])
    blank = lead.post(
        reverse("assessment:edit-descriptors", args=[mine.pk, "I5"]), {"1": "x", "2": "y", "3": "", "4": "z"}
    )
    assert blank.status_code == 400 and "Describe what a score of 3 looks like" in blank.content.decode()
    lead.post(
        reverse("assessment:edit-descriptors", args=[mine.pk, "I5"]),
        {"1": "No goals", "2": "Some goals", "3": "Goals by the third contact", "4": "Always, first contact"},
    )
    mine.refresh_from_db()
    assert mine.principle("I5")["descriptors"]["3"] == "Goals by the third contact"
    # a round can use it, and the scoring page shows its descriptors
    new = services.create_round(
        lead=site_lead,
        title="Local wording round",
        scope="locality",
        locality="Northvale",
        held_on=date(2025, 3, 1),
        principle_set=mine,
        period_start=date(2024, 4, 1),
        period_end=date(2025, 3, 31),
    )
    member = services.add_member(new, user=round_.panel.first().user)
    text = client_for(member.user).get(u("score", new)).content.decode()
    assert "Goals by the third contact" in text


def test_staff_administrators_record_seniority(camhs, camhs_team, practitioner, site_lead):
    from thrive.accounts.models import Role
    from thrive.assessment.models import StaffSeniority
    from thrive.conftest import make_user

    admin = client_for(make_user("ada.admin", camhs_team, role=Role.AGENCY_ADMIN))
    assert "Not recorded" in admin.get(reverse("assessment:seniority-list")).content.decode()
    page = admin.get(reverse("accounts:staff-member", args=[practitioner.pk])).content.decode()
    assert reverse("assessment:seniority", args=[practitioner.pk]) in page
    bad = admin.post(reverse("assessment:seniority", args=[practitioner.pk]), {})
    assert bad.status_code == 400 and "Choose their seniority" in bad.content.decode()
    admin.post(reverse("assessment:seniority", args=[practitioner.pk]), {"level": "consultant"})
    assert StaffSeniority.objects.get(user=practitioner).is_senior
    assert "Consultant or lead clinician" in admin.get(reverse("assessment:seniority-list")).content.decode()
    # not for a site lead or a practitioner
    assert client_for(site_lead).get(reverse("assessment:seniority-list")).status_code == 403
    assert (
        client_for(practitioner)
        .post(reverse("assessment:seniority", args=[practitioner.pk]), {"level": "consultant"})
        .status_code
        == 403
    )


def test_crafted_agreed_scores_are_refused_and_only_the_lead_agrees(round_, site_lead, member_a, member_b):
    services.save_scores(round_.panel.first(), {pid: ("2", "") for pid in IDS}, submit=True)
    services.start_moderation(round_)
    lead = client_for(site_lead)
    response = lead.post(u("moderation", round_), {"score_M1": "7", "rationale_M1": "x"})
    assert response.status_code == 400 and "There is a problem" in response.content.decode()
    member = client_for(member_a)  # submitted: may read the moderation view, not agree
    assert member.get(u("moderation", round_)).status_code == 200
    assert member.post(u("moderation", round_), {"score_M1": "3", "rationale_M1": "x"}).status_code == 403
    assert member.post(u("close", round_)).status_code == 403
    assert not round_.agreed.exists()
