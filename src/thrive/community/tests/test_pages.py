"""The pages a facilitator and a participant use, with disclosure checked on every output."""

import csv
import io
from datetime import date

import pytest
from django.core.cache import cache
from django.db import connection
from django.test import override_settings
from django.urls import reverse
from pypdf import PdfReader

from thrive.community import charts, exports, results, services
from thrive.community.models import Assessment, Participant, Rating
from thrive.core.models import AuditEvent
from thrive.core.testing import form_data

from .conftest import factor, participants_rate

SECRET_IP = "203.0.113.77"
SECRET_AGENT = "SecretBrowser/9.9 (unique-agent-string)"


@pytest.fixture(autouse=True)
def _fresh_cache():
    cache.clear()


@pytest.fixture
def fac_client(client, facilitator):
    client.force_login(facilitator)
    return client


def url(name, a, *args):
    return reverse(f"community:{name}", args=[a.public_id, *args])


def join_data(**extra):
    data = {"wording": "youth", "minimum_age": ["yes"], "age_band": "16-17",
            "role": "young_person", "consent": ["yes"]}
    data.update(extra)
    return data


# -- Gates ---------------------------------------------------------------------------------


def test_only_facilitators_reach_the_facilitator_pages(client, practitioner, assessment):
    client.force_login(practitioner)
    assert client.get(reverse("community:home")).status_code == 403
    assert client.get(url("results", assessment)).status_code == 403
    assert client.get(url("report", assessment)).status_code == 403


def test_signed_out_visitor_is_sent_to_sign_in_but_join_page_is_public(client, open_assessment):
    assert client.get(url("results", open_assessment)).status_code == 302
    page = client.get(reverse("community:join", args=[open_assessment.join_token]))
    assert page.status_code == 200
    assert "your privacy" in page.content.decode()


def test_facilitator_home_and_header_link(fac_client, assessment):
    page = fac_client.get(reverse("community:home")).content.decode()
    assert "Northvale East" in page
    assert 'href="/community/"' in page
    home = fac_client.get(reverse("care:home"))  # `/` and the THRIVE logo
    assert home.status_code == 302 and home["Location"] == reverse("community:home")


# -- Set up --------------------------------------------------------------------------------


def test_set_up_community_and_assessment_with_short_form(fac_client, factor_set, community,
                                                         facilitator):
    response = fac_client.post(reverse("community:new-community"),
                               {"name": "Riverside", "scheme": "lsoa", "code": "e01000002"})
    riverside = community.__class__.objects.get(name="Riverside")
    assert response.url == reverse("community:new-assessment", args=[riverside.public_id])
    assert riverside.geography_code == "E01000002"
    place = list(factor_set.factors.filter(cluster__key="place").values_list("pk", flat=True))
    response = fac_client.post(
        reverse("community:new-assessment", args=[riverside.public_id]),
        form_data(purpose="Youth club short form", period_start=date(2026, 9, 1),
                  period_end=date(2026, 9, 30), factor_set=str(factor_set.pk),
                  factors=[str(pk) for pk in place]))
    created = Assessment.objects.get(community=riverside)
    assert response.url == url("assessment", created)
    assert created.is_short_form and created.facilitator == facilitator


def test_bad_set_up_shows_error_summary_and_saves_nothing(fac_client, factor_set, community):
    response = fac_client.post(
        reverse("community:new-assessment", args=[community.public_id]),
        form_data(purpose="x", period_start=date(2026, 9, 30), period_end=date(2026, 9, 1),
                  factor_set=str(factor_set.pk),
                  factors=[str(factor_set.factors.first().pk)]))
    assert response.status_code == 400
    assert "nhsuk-error-summary" in response.content.decode()
    assert not Assessment.objects.exists()


def test_open_assessment_page_shows_join_link_and_qr_code(fac_client, open_assessment):
    page = fac_client.get(url("assessment", open_assessment)).content.decode()
    assert f"/community/join/{open_assessment.join_token}/" in page
    assert 'aria-label="QR code of the join link"' in page and "<svg" in page


def test_set_up_lists_overlapping_assessments(fac_client, assessment, community):
    page = fac_client.get(reverse("community:new-assessment", args=[community.public_id]))
    assert "Assessments of this area in the last three years" in page.content.decode()


def test_factor_cards_show_outcomes_banner_and_evidence(fac_client, assessment):
    response = fac_client.post(url("factors", assessment), form_data(
        factor=str(factor(assessment, "housing").pk), indicator="Overcrowded homes",
        value="12.5", unit="%", source="Census 2021", as_of=date(2021, 3, 21),
        peer_value="8.7"))
    assert response.status_code == 302
    page = fac_client.get(url("factors", assessment)).content.decode()
    assert "Overcrowded homes" in page and "8.7" in page
    assert "Illustrative, to be reviewed locally" in page
    assert "never blended into the ratings" in page


# -- Joining and rating without an account -------------------------------------------------


def test_participant_joins_rates_and_nothing_identifying_is_stored(client, open_assessment):
    token = open_assessment.join_token
    headers = {"REMOTE_ADDR": SECRET_IP, "HTTP_USER_AGENT": SECRET_AGENT}
    response = client.post(reverse("community:join", args=[token]), join_data(), **headers)
    assert response.url == reverse("community:rate", args=[token, 1])
    first = open_assessment.scope().first()
    page = client.get(response.url, **headers).content.decode()
    assert first.prompt_youth in page  # youth wording chosen
    client.post(response.url, {"condition": "2", "importance": "5",
                               "comment": "Nowhere safe to go"}, **headers)
    participant = Participant.objects.get()
    rating = Rating.objects.get()
    assert (rating.condition, rating.importance, participant.role) == (2, 5, "young_person")
    # Nothing anywhere in the database holds the address or the user agent.
    with connection.cursor() as cursor:
        tables = connection.introspection.table_names(cursor)
        for table in tables:
            if not table.startswith("community_"):
                continue
            cursor.execute(f'SELECT * FROM "{table}"')
            for row in cursor.fetchall():
                text = " ".join(str(v) for v in row)
                assert SECRET_IP not in text and SECRET_AGENT not in text
    assert not AuditEvent.objects.filter(ip_address=SECRET_IP).exists()


def test_participant_resumes_on_the_same_device_only(client, open_assessment):
    token = open_assessment.join_token
    client.post(reverse("community:join", args=[token]), join_data())
    client.post(reverse("community:rate", args=[token, 1]), {"condition": "3"})
    again = client.get(reverse("community:join", args=[token]))
    assert again.url == reverse("community:rate", args=[token, 2])
    assert Participant.objects.count() == 1
    client.cookies.clear()  # another device: a fresh start, never someone else's answers
    assert client.get(reverse("community:join", args=[token])).status_code == 200


def test_skip_and_finish_then_withdraw(client, open_assessment):
    token = open_assessment.join_token
    client.post(reverse("community:join", args=[token]), join_data(wording="plain"))
    steps = open_assessment.scope().count()
    for step in range(1, steps + 1):
        response = client.post(reverse("community:rate", args=[token, step]),
                               {"condition": "dk", "skip": "yes"} if step == 2 else
                               {"condition": "dk"})
    assert response.url == reverse("community:done", args=[token])
    assert Rating.objects.count() == steps - 1
    assert "Thank you" in client.get(response.url).content.decode()
    client.post(response.url, {"withdraw": "yes"})
    assert not Participant.objects.exists()


def test_join_needs_consent_and_carer_consent_under_16(client, open_assessment):
    token = open_assessment.join_token
    response = client.post(reverse("community:join", args=[token]),
                           join_data(consent=[], age_band="11-15"))
    page = response.content.decode()
    assert response.status_code == 400
    assert "Tick to agree to take part" in page
    assert "Ask your parent or carer first" in page
    assert not Participant.objects.exists()


@override_settings(THRIVE_COMMUNITY_MIN_AGE=13, THRIVE_COMMUNITY_CARER_CONSENT_UNDER=0)
def test_minimum_age_and_carer_consent_are_settings(client, open_assessment):
    page = client.get(reverse("community:join", args=[open_assessment.join_token]))
    text = page.content.decode()
    assert "Are you aged 13 or over?" in text
    assert "parent or carer knows" not in text


def test_closed_assessment_refuses_with_a_clear_message(client, open_assessment):
    token = open_assessment.join_token
    client.post(reverse("community:join", args=[token]), join_data())
    services.close(open_assessment, reason="Session over")
    response = client.post(reverse("community:rate", args=[token, 1]), {"condition": "3"})
    assert response.status_code == 410
    assert "has closed and no longer takes ratings" in response.content.decode()
    assert not Rating.objects.exists()
    fresh = client.get(reverse("community:join", args=[token]))
    assert fresh.status_code == 410


@override_settings(THRIVE_COMMUNITY_JOIN_LIMIT=5)
def test_join_page_is_rate_limited(client, open_assessment):
    join_url = reverse("community:join", args=[open_assessment.join_token])
    codes = [client.get(join_url, REMOTE_ADDR="198.51.100.9").status_code for _ in range(7)]
    assert codes[:5] == [200] * 5
    assert codes[5:] == [429, 429]
    assert client.get(join_url, REMOTE_ADDR="198.51.100.10").status_code == 200


def test_unknown_join_link_is_not_found(client, db):
    assert client.get(reverse("community:join", args=["nope"])).status_code == 404


# -- Results with disclosure on every output ---------------------------------------------------


@pytest.fixture
def example_b(open_assessment):
    """Example B on Parks: 4 young people (16–17) and 10 adults; roles 7 residents,
    5 practitioners, 2 young_person. Housing has only 4 ratings (low n)."""
    participants_rate(open_assessment, "parks_open_space", [1, 1, 1, 1], role="resident",
                      age_band="16-17", importance=4)
    participants_rate(open_assessment, "parks_open_space", [4, 4, 4], role="resident",
                      importance=4)
    participants_rate(open_assessment, "parks_open_space", [5, 5, 5, 5, 5], role="practitioner",
                      importance=4)
    participants_rate(open_assessment, "parks_open_space", [3, 3], role="young_person",
                      importance=4)
    participants_rate(open_assessment, "housing", [2, 2, 2, 2])
    return open_assessment


def test_results_page_applies_suppression(fac_client, example_b):
    page = fac_client.get(url("results", example_b)).content.decode()
    assert "fewer than 5" in page and "suppressed" in page
    assert "low n: fewer than 5 ratings" in page  # Housing
    assert "Fewer than 5 young people" in page
    assert 'data-vega-target="chart-radar"' in page and "hx-get" in page
    # Shown: everyone (47 / 14 = 3.36) and residents (16 / 7 = 2.29). Never shown: the adults'
    # mean (43 / 10 = 4.30), the young people's (1.00) or the practitioners' (5.00).
    assert "3.36" in page and "2.29 (n 7)" in page
    assert "4.30" not in page and "1.00 (n" not in page and "5.00 (n" not in page
    fragment = fac_client.get(url("results-live", example_b)).content.decode()
    assert "fewer than 5" in fragment and "4.30" not in fragment


def test_csv_exports_apply_suppression(fac_client, example_b):
    stats_csv = fac_client.get(url("export", example_b, "statistics")).content.decode()
    rows = {r["factor_key"]: r for r in csv.DictReader(io.StringIO(stats_csv))}
    assert rows["housing"]["n"] == "fewer than 5" and rows["housing"]["mean"] == ""
    assert rows["parks_open_space"]["young_people_mean"] == "fewer than 5"
    assert rows["parks_open_space"]["adults_mean"] == "suppressed"
    assert rows["parks_open_space"]["mean"] == "3.36"
    assert "4.30" not in stats_csv
    ratings = list(csv.DictReader(io.StringIO(
        fac_client.get(url("export", example_b, "ratings")).content.decode())))
    assert {r["factor_key"] for r in ratings} == {"parks_open_space"}
    assert len(ratings) == 14
    assert set(ratings[0]) == {"participant", "factor_key", "factor", "condition", "dont_know",
                               "importance"}
    assert AuditEvent.objects.filter(action=AuditEvent.Action.EXPORT).count() == 2


def test_pdf_report_applies_suppression(fac_client, example_b):
    response = fac_client.get(url("report", example_b))
    assert response["Content-Type"] == "application/pdf"
    text = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(response.content)).pages)
    text = " ".join(text.split())
    assert "Community THRIVE report" in text
    assert "fewer than 5" in text and "suppressed" in text
    assert "low n" in text and "3.36" in text
    assert "4.30" not in text and "5.00 (n" not in text


def test_comments_can_be_hidden(fac_client, open_assessment):
    p = services.join(open_assessment, role="resident", age_band="65+")
    services.rate(p, factor(open_assessment, "housing"),
                  services.Answer(condition=2, comment="Damp in every flat on Mill Lane"))
    rating = Rating.objects.get()
    assert "Damp in every flat" in fac_client.get(url("results", open_assessment)).content.decode()
    fac_client.post(url("hide-comment", open_assessment, rating.pk), {"hidden": "yes"})
    page = fac_client.get(url("results", open_assessment)).content.decode()
    assert "Damp in every flat" not in page and "Hidden comment" in page


def test_paper_form_keyed(fac_client, open_assessment):
    housing = factor(open_assessment, "housing")
    response = fac_client.post(url("paper", open_assessment), {
        "role": "resident", "age_band": "65+", f"f{housing.pk}_condition": "1",
        f"f{housing.pk}_importance": "5"})
    assert response.status_code == 302
    assert Participant.objects.get().keyed_from_paper


# -- Prioritise, plan, close, repeat ------------------------------------------------------------


def test_prioritise_plan_close_and_repeat(fac_client, example_b):
    page = fac_client.get(url("priorities", example_b)).content.decode()
    assert "Suggestion to support the group&#39;s decision" in page
    parks = factor(example_b, "parks_open_space")
    response = fac_client.post(url("close", example_b), {"reason": ""})
    assert response.status_code == 400
    assert "Record at least one priority and one action" in response.content.decode()
    fac_client.post(url("priorities", example_b), form_data(
        factor=str(parks.pk), rank="1", rationale="Nowhere safe to play", method="consensus",
        agreed_on=date(2026, 10, 1)))
    priority = example_b.priorities.get()
    response = fac_client.post(url("new-action", example_b), form_data(
        priority=str(priority.pk), smart_objective="Reopen the Mill Lane playground by March",
        strategy_type="environment", sector="community", lead_partner="Northvale Council",
        start=date(2026, 11, 1), due=date(2027, 3, 31), status="planned",
        progress_measure="Playground open", baseline="closed", target="open",
        latest_value="", thrive_grouping="thriving"))
    assert response.status_code == 302
    assert fac_client.post(url("close", example_b), {"reason": ""}).status_code == 302
    example_b.refresh_from_db()
    assert example_b.is_closed
    actions_csv = fac_client.get(url("export", example_b, "actions")).content.decode()
    assert "Reopen the Mill Lane playground" in actions_csv and "thriving" in actions_csv
    # Closed: nothing changes any more.
    response = fac_client.post(url("priorities", example_b), form_data(
        factor=str(factor(example_b, "housing").pk), rank="2", rationale="x",
        method="vote", agreed_on=date(2026, 10, 1)))
    assert response.status_code == 400 and example_b.priorities.count() == 1
    response = fac_client.post(url("repeat", example_b))
    draft = Assessment.objects.get(previous=example_b)
    assert response.url == url("assessment", draft)
    review = fac_client.get(url("review", draft)).content.decode()
    assert "Reopen the Mill Lane playground" in review and "not compared" in review
    again = fac_client.post(url("repeat", example_b), follow=True)
    assert "already been repeated" in again.content.decode()
    assert Assessment.objects.filter(previous=example_b).count() == 1


@override_settings(THRIVE_COMMUNITY_DIVERGENCE_THRESHOLD=3.0)
def test_divergence_threshold_is_a_setting(fac_client, open_assessment):
    participants_rate(open_assessment, "parks_open_space", [1, 2, 1, 2, 2], role="young_person",
                      age_band="11-15")
    participants_rate(open_assessment, "parks_open_space", [4, 3, 4, 5, 3, 4])
    page = fac_client.get(url("results", open_assessment)).content.decode()
    assert "-2.23" in page and "Divergent" not in page
    assert "flagged at 3.0 or more" in page


def test_hostile_or_odd_input_never_breaks_a_page(client, fac_client, open_assessment):
    assert fac_client.get(url("results", open_assessment)).status_code == 200  # nobody yet
    assert fac_client.get(url("priorities", open_assessment)).status_code == 200
    assert fac_client.get(url("export", open_assessment, "secrets")).status_code == 404
    assert fac_client.get(url("review", open_assessment)).status_code == 404  # not a repeat
    token = open_assessment.join_token
    client.post(reverse("community:join", args=[token]), join_data())
    response = client.post(reverse("community:rate", args=[token, 1]), {"condition": "7",
                                                                        "importance": "x"})
    assert "nhsuk-error-summary" in response.content.decode()
    assert not Rating.objects.exists()
    assert client.get(reverse("community:rate", args=[token, 99])).status_code == 404


def test_join_pages_are_never_cached_and_a_finished_participant_resumes_at_the_end(
        client, open_assessment):
    token = open_assessment.join_token
    response = client.post(reverse("community:join", args=[token]), join_data())
    assert "no-store" in client.get(response.url)["Cache-Control"]
    for step in range(1, open_assessment.scope().count() + 1):
        client.post(reverse("community:rate", args=[token, step]), {"importance": "3"})
    again = client.get(reverse("community:join", args=[token]))
    assert again.url == reverse("community:done", args=[token])


def test_progress_is_recorded_after_closing_without_changing_the_closed_record(
        fac_client, open_assessment, facilitator):
    housing = factor(open_assessment, "housing")
    priority = services.add_priority(open_assessment, factor=housing, rank=1, rationale="Damp",
                                     method="consensus", agreed_on=date(2026, 10, 1))
    action = services.add_action(
        open_assessment, priority=priority, smart_objective="Inspect 200 homes",
        strategy_type="practice", sector="institutions", lead_partner="Council housing",
        start=date(2026, 11, 1), due=date(2027, 3, 31), progress_measure="Homes inspected",
        baseline="0", target="200")
    services.close(open_assessment)
    draft = services.repeat(open_assessment, user=facilitator)
    response = fac_client.post(url("progress", open_assessment, action.pk), form_data(
        recorded_on=date(2026, 11, 20), status="in_progress", latest_value="120",
        note="Two officers on it"))
    assert response.status_code == 302
    action.refresh_from_db()
    assert (action.status, action.latest_value) == ("planned", "")  # the agreed plan unchanged
    review = fac_client.get(url("review", draft)).content.decode()
    assert "In progress (20 November 2026)" in review and "0, 200, 120" in review
    rows = list(csv.DictReader(io.StringIO(
        fac_client.get(url("export", open_assessment, "actions")).content.decode())))
    assert (rows[0]["status"], rows[0]["latest_value"], rows[0]["progress_on"]) == (
        "In progress", "120", "2026-11-20")
    bad = fac_client.post(url("progress", open_assessment, action.pk), form_data(
        recorded_on=None, status="done"))
    assert bad.status_code == 400 and action.progress.count() == 1


def test_charts_draw_only_disclosed_figures(example_b):
    res = results.results_for(example_b)
    profile = charts.factor_profile(res)["data"]["values"]
    assert [row["factor"] for row in profile] == ["Parks & Open Space"]  # Housing is low n
    assert charts.young_vs_adults(res)["data"]["values"] == []  # young < 5, adults complement
    radar = charts.cluster_radar(res)
    # Only Place has a factor with 5 or more ratings: a shape needs every spoke, so no series is
    # drawn (the cluster table says "not enough ratings"), and never a suppressed group's.
    assert radar["layer"][1]["data"]["values"] == []


def test_trauma_overlay_marks_the_radar_and_is_never_scored(fac_client, example_b):
    response = fac_client.post(url("overlay", example_b), {
        "item_key": "deteriorated_environments", "level": "marked",
        "note": "Boarded-up shops on the high street"})
    assert response.status_code == 302
    before = results.results_for(example_b)
    page = fac_client.get(url("results", example_b)).content.decode()
    assert "Deteriorated environments" in page and "Boarded-up shops" in page
    radar = charts.cluster_radar(before, charts.overlay_markers(
        example_b.acer_observations.all()))
    assert radar["layer"][3]["data"]["values"][0]["cluster"] == "Place (physical/built)"
    # Never scored: the statistics are exactly as before.
    assert fac_client.get(url("export", example_b, "statistics")).content.decode() == \
        exports.statistics_csv(example_b, before)
    pdf = fac_client.get(url("report", example_b)).content
    text = " ".join(" ".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf)).pages).split())
    assert "Deteriorated environments Marked" in text
    bad = fac_client.post(url("overlay", example_b), {"item_key": "made_up", "level": "some"})
    assert bad.status_code == 400


@override_settings(THRIVE_COMMUNITY_TRAUMA_OVERLAY=False)
def test_trauma_overlay_can_be_turned_off(fac_client, open_assessment):
    assert fac_client.get(url("overlay", open_assessment)).status_code == 404
    assert "Trauma overlay" not in fac_client.get(url("assessment", open_assessment)).content \
        .decode()
