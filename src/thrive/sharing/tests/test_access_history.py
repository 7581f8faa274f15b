"""The access history speaks plain English, filters, pages and exports for a subject access
request; the privacy officer's access log does the same across every record."""

import csv
import io
import uuid
from datetime import timedelta

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from thrive.accounts.models import Agency, Role, Team
from thrive.conftest import make_user
from thrive.core import audit
from thrive.core.models import AuditEvent
from thrive.core.testing import form_data
from thrive.risk.models import RiskSupportPlan
from thrive.risk.tests.helpers import plan_data


@pytest.fixture
def officer(camhs_team):
    return make_user("pia.privacy", camhs_team, Role.PRIVACY_OFFICER)


@pytest.fixture
def stranger(db):
    agency = Agency.objects.create(name="Youth club", kind=Agency.Kind.CHARITY)
    return make_user("sam.stranger", Team.objects.create(agency=agency, name="Drop-in"))


@pytest.fixture
def history(signed_in, episode, practitioner, school, stranger):
    """A practitioner views the record and an episode, writes and exports a plan; a stranger
    is refused."""
    person = episode.young_person
    signed_in.get(reverse("people:record", args=[person.public_id]))
    signed_in.get(reverse("care:episode", args=[episode.public_id]))
    signed_in.post(reverse("risk:new", args=[person.public_id]),
                   plan_data(practitioner, [episode.agency, school]))
    plan = RiskSupportPlan.objects.get()
    signed_in.get(reverse("risk:pdf", args=[person.public_id, plan.public_id]))
    other = Client()
    other.force_login(stranger)
    other.get(reverse("people:record", args=[person.public_id]))
    return person


def page_text(client, url, **params):
    response = client.get(url, params)
    assert response.status_code == 200
    return response.content.decode()


def test_a_records_history_says_who_what_when_and_how_in_plain_english(signed_in, history):
    page = page_text(signed_in, reverse("sharing:access-history", args=[history.public_id]))
    for words in ("Viewed the record", "Viewed episode 1 at Test CAMHS",
                  "Wrote a Risk Support plan", "Exported the Risk Support plan as PDF",
                  "Refused: no relationship", "Sam Tester, Youth club",
                  "Pat Tester, Test CAMHS", "Their agency works with them", "No relationship"):
        assert words in page, words
    local = timezone.localtime(AuditEvent.objects.last().at)
    assert f"{local.day} {local:%B %Y} at" in page
    for internal in ("youngperson", "Viewed youngperson", "agency 1", "RiskSupportPlan",
                     "How </span>relationship", "How </span>none"):
        assert internal not in page, internal


def entries(client, url, **params):
    """The table of entries only (the filter's own options name actions too)."""
    page = page_text(client, url, **params)
    return page[page.index("<tbody"):page.index("</tbody>")]


def test_the_history_filters_by_user_action_and_date(signed_in, history, stranger):
    url = reverse("sharing:access-history", args=[history.public_id])
    page = entries(signed_in, url, user=stranger.pk)
    assert "Refused: no relationship" in page and "Viewed episode 1" not in page
    page = entries(signed_in, url, action="exported")
    assert "Exported the Risk Support plan as PDF" in page and "Viewed the record" not in page
    page = entries(signed_in, url, action="refused")
    assert "Refused: no relationship" in page and "Exported" not in page
    today = timezone.localdate()
    page = entries(signed_in, url, **form_data(since=today - timedelta(days=3),
                                                 until=today - timedelta(days=1)))
    assert "No entries." in page
    page = entries(signed_in, url, **form_data(since=today, until=today))
    assert "Viewed the record" in page


@pytest.mark.parametrize("params, message", [
    ({**form_data(since=timezone.localdate()),
      **form_data(until=timezone.localdate() - timedelta(days=2))},
     "The &#39;To&#39; date must be the same as or after the &#39;From&#39; date"),
    ({"since-day": "31", "since-month": "2", "since-year": "2026"}, "From must be a real date"),
    ({"action": "delete_everything"}, "Choose an action from the list"),
    ({"user": "999999"}, "Choose someone from the list"),
])
def test_bad_filters_get_a_clear_error_and_no_entries(signed_in, history, params, message):
    page = page_text(signed_in, reverse("sharing:access-history", args=[history.public_id]),
                     **params)
    assert "There is a problem" in page and message in page
    assert "No entries." in page


def test_the_history_pages_with_a_flat_number_of_queries(signed_in, history, practitioner):
    url = reverse("sharing:access-history", args=[history.public_id])

    def queries():
        with CaptureQueriesContext(connection) as captured:
            signed_in.get(url)
        return len(captured)

    few = queries()
    for _ in range(70):
        audit.record(None, "view", user=practitioner, young_person=history)
    assert queries() == few
    page = page_text(signed_in, url, page=2)
    assert "Page 2 of 2" in page


def test_the_csv_export_is_audited_and_named_for_what_it_holds(signed_in, history):
    response = signed_in.get(reverse("sharing:access-history-csv", args=[history.public_id]),
                             {"action": "refused"})
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    disposition = response["Content-Disposition"]
    assert "access-history-of-one-young-person" in disposition
    assert history.family_name not in disposition and str(history.public_id) not in disposition
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert rows[0][:5] == ["When", "Who", "Agency", "Young person", "What"]
    assert [r[4] for r in rows[1:]] == ["Refused: no relationship"]
    assert rows[1][3] == history.full_name
    last = AuditEvent.objects.order_by("-id").first()
    assert (last.action, last.young_person_id, last.detail) == (
        "export", history.pk, "access history CSV")


def test_the_csv_cannot_carry_a_spreadsheet_formula(signed_in, history, practitioner):
    audit.record(None, "break_glass", user=practitioner, young_person=history,
                 reason="=HYPERLINK(\"http://evil\")")
    body = b"".join(signed_in.get(reverse("sharing:access-history-csv",
                                          args=[history.public_id])).streaming_content).decode()
    assert "'=HYPERLINK" in body and ",=HYPERLINK" not in body


def test_the_privacy_officer_finds_a_young_person_by_post_and_filters_by_opaque_id(
        client, officer, history, stranger):
    client.force_login(officer)
    url = reverse("sharing:access-log")
    page = client.post(url, {"name": history.family_name}).content.decode()
    link = f"?person={history.public_id}"
    assert link in page
    assert AuditEvent.objects.order_by("-id").first().action == "search"
    page = page_text(client, url + link)
    assert "Refused: no relationship" in page and history.full_name in page
    page = page_text(client, url, person=str(uuid.uuid4()))
    assert "That young person could not be found" in page
    csv_response = client.get(reverse("sharing:access-log-csv"), {"person": history.public_id})
    assert "access-log-one-young-person" in csv_response["Content-Disposition"]
    body = b"".join(csv_response.streaming_content).decode()
    assert "Viewed the record" in body and "Refused: no relationship" in body
    assert AuditEvent.objects.order_by("-id").first().young_person_id == history.pk


def test_only_the_privacy_officer_reads_the_access_log(signed_in):
    assert signed_in.get(reverse("sharing:access-log")).status_code == 403
    assert signed_in.get(reverse("sharing:access-log-csv")).status_code == 403


def test_a_form_shown_again_with_errors_is_described_by_what_the_form_is(signed_in, episode):
    person = episode.young_person
    signed_in.post(reverse("sharing:new-note", args=[person.public_id]), {"text": ""})
    page = entries(signed_in, reverse("sharing:access-history", args=[person.public_id]))
    assert "Saw the form to add a note again, with errors to correct" in page


WRITTEN_BY_THE_APPLICATION = [  # (action, object type, detail) as views and services write them
    ("view", "YoungPerson", ""), ("view", "YoungPerson", "new-note"),
    ("view", "Episode", "new-contact"), ("view", "Episode", "outcome measures"),
    ("view", "", "risk support plans (2)"), ("view", "RiskSupportPlan", ""),
    ("view", "Completion", ""), ("view", "AgencyReferral", ""),
    ("export", "RiskSupportPlan", "risk support plan PDF"),
    ("export", "Completion", "FHIR QuestionnaireResponse"),
    ("export", "YoungPerson", "FHIR Observation search (3)"),
    ("create", "CareTeamMember", "care team: user 7"), ("create", "AgencyReferral",
                                                         "referral to agency 3"),
    ("create", "Consent", ""), ("create", "RecordNote", "note (safeguarding)"),
    ("create", "GroupingDecision", "grouping getting_help"), ("create", "GoalRating", "goal 1"),
    ("change", "RiskSupportPlan", "risk support plan version 3"),
    ("change", "Episode", "lead practitioner: a > b"), ("change", "AgencyReferral",
                                                       "referral accepted"),
    ("change", "CareTeamMember", "care team: a > b (keyworker)"),
    ("break_glass", "BreakGlassGrant", ""),
]


@pytest.mark.parametrize("action, object_type, detail", WRITTEN_BY_THE_APPLICATION)
def test_no_internal_names_reach_the_words(db, person, action, object_type, detail):
    from thrive.sharing.history import describe

    event = AuditEvent(pk=1, at=timezone.now(), username="x", action=action,
                       object_type=object_type, object_id="12", young_person_id=person.pk,
                       detail=detail, basis="relationship")
    [line] = describe([event])
    assert line.what[0].isupper() and line.person == person.full_name
    for internal in ("youngperson", "agency 3", "user 7", "getting_help", " > ", "caretea",
                     "recordnote", "riskSupport", "(3)"):
        assert internal.lower() not in line.what.lower(), line.what


def test_the_access_log_pages_with_a_flat_number_of_queries(client, officer, history,
                                                             practitioner, episode):
    client.force_login(officer)
    url = reverse("sharing:access-log")

    def queries():
        with CaptureQueriesContext(connection) as captured:
            assert client.get(url, {"action": "viewed"}).status_code == 200
        return len(captured)

    few = queries()
    other = make_user("cal.colleague2", episode.team)
    for n in range(60):
        audit.record(None, "view", user=other if n % 2 else practitioner, young_person=history,
                     obj=episode)
    assert queries() == few
