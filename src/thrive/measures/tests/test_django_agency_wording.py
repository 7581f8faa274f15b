"""An agency's own licensed wording, loaded in the browser: every problem named and nothing kept
from a bad file; a good file is the next version (earlier ones kept), audited, and used by that
agency's tablet, links and forms only. The tablet steps through the questions with progress.

The wording here is neutral placeholder text, never a questionnaire's real wording."""

import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from thrive.accounts.models import Role
from thrive.conftest import make_episode, make_user, make_young_person
from thrive.core.models import AuditEvent
from thrive.measures import services, tablet_steps
from thrive.measures.engine import get_catalogue, parse_wording
from thrive.measures.models import AgencyWording, Completion
from thrive.measures.tests.stepping import answer_in_steps
from thrive.measures.tests.test_django_handover import hand_over

pytestmark = pytest.mark.django_db
WORDING_URL = "/measures/wording/"


def placeholder(measure_id: str) -> dict:
    """Placeholder wording for every item of a measure: "Placeholder statement n"."""
    measure = get_catalogue().measure(measure_id)
    first = measure.items[min(measure.items)]
    return {"instructions": f"Placeholder instructions for {measure_id}",
            "answers": {str(v): f"Placeholder answer {v}" for v in range(first.min, first.max + 1)},
            "items": {str(n): f"Placeholder statement {n}" for n in measure.items}}


@pytest.fixture
def admin(camhs_team):
    return make_user("ada.admin", camhs_team, Role.AGENCY_ADMIN)


@pytest.fixture
def admin_client(admin):
    from django.test import Client

    own = Client()  # not the `client` fixture: tests sign a practitioner in on that one
    own.force_login(admin)
    return own


def upload(client, content, name="wording.json", note=""):
    raw = content if isinstance(content, bytes) else json.dumps(content).encode()
    return client.post(WORDING_URL, {"wording_file": SimpleUploadedFile(name, raw), "note": note})


def test_every_problem_in_a_file_is_named_and_nothing_is_loaded(admin_client):
    bad = {"rcads47_child": {"items": {"48": "x", "2": ""}, "answers": {"7": "x"}, "instrctions": "y"},
           "rcads47": {"1": "x"}, "cgas": {"1": "x"}}
    html = upload(admin_client, bad).content.decode()
    for problem in ("rcads47_child › items › 48: not in this questionnaire",
                    "rcads47_child › items › 2: must be text",
                    "rcads47_child › answers › 7: not in this questionnaire",
                    "&#39;instrctions&#39; is not one of",
                    "rcads47: no such questionnaire in the catalogue",
                    "cgas: Children&#39;s Global Assessment Scale (CGAS) has no questions to word"):
        assert problem in html, problem
    assert "The file was not loaded: 6 problems to fix" in html
    assert not AgencyWording.objects.exists()


@pytest.mark.parametrize("raw, problem", [
    (b"{not json", "Line 1, column 2: not valid JSON"),
    (b"\xff\xfe{}", "The file is not UTF-8 text"),
    (b"", "The file is empty"),
    (b'["a"]', "The file must be a JSON object"),
    (b'{"phq9": {"1": "a", "1": "b"}}', "&#39;1&#39; appears more than once"),
])
def test_unreadable_files_are_refused_with_the_reason(admin_client, raw, problem):
    html = upload(admin_client, raw).content.decode()
    assert problem in html and not AgencyWording.objects.exists()


def test_a_good_file_is_a_new_version_audited_and_earlier_versions_are_kept(admin_client, admin):
    upload(admin_client, {"rcads47_child": placeholder("rcads47_child")}, note="first licence")
    upload(admin_client, {"rcads47_child": {"1": "Placeholder corrected one"}}, name="fix.json")
    versions = list(AgencyWording.objects.order_by("version"))
    assert [v.version for v in versions] == [1, 2] and versions[0].note == "first licence"
    assert all(v.uploaded_by == admin for v in versions)
    assert AuditEvent.objects.filter(detail__startswith="questionnaire wording version 2 loaded from "
                                                        "fix.json").exists()
    page = admin_client.get(WORDING_URL).content.decode()
    assert "Version 2, from fix.json" in page and "first licence" in page
    # Version 2 replaced the whole agency wording: only item 1 now.
    assert services.item_text("rcads47_child", admin.agency_id) == {1: "Placeholder corrected one"}
    admin_client.post(WORDING_URL, {"reuse": str(versions[0].pk)})
    assert AgencyWording.objects.count() == 3
    assert services.has_wording(get_catalogue().measure("rcads47_child"), admin.agency_id)
    download = admin_client.get("/measures/wording/1.json")
    assert json.loads(download.content)["rcads47_child"]["items"]["47"] == "Placeholder statement 47"


def test_only_an_agency_administrator_loads_wording(signed_in, client, manager):
    assert signed_in.get(WORDING_URL).status_code == 403
    assert upload(signed_in, {"phq9": {"1": "x"}}).status_code == 403
    client.force_login(manager)
    assert client.get(WORDING_URL).status_code == 403
    assert not AgencyWording.objects.exists()


def test_agency_wording_is_used_on_its_own_episodes_only(admin_client, signed_in, episode, school_team,
                                                         outsider, practitioner):
    upload(admin_client, {"rcads25": placeholder("rcads25")})
    url = (reverse("measures:hand-over", args=[episode.public_id])
           + "?measure=rcads25&rater=self&method=tablet")
    signed_in.force_login(practitioner)
    assert "The questions have no wording" not in signed_in.get(url).content.decode()
    record = reverse("measures:record", args=[episode.public_id]) + "?measure=rcads25&rater=self&method=items"
    assert "1. Placeholder statement 1" in signed_in.get(record).content.decode()
    # Another agency's episode still has none.
    other = make_episode(make_young_person(given_name="Zed"), school_team, outsider)
    signed_in.force_login(outsider)
    other_url = (reverse("measures:hand-over", args=[other.public_id])
                 + "?measure=rcads25&rater=self&method=tablet")
    assert "The questions have no wording" in signed_in.get(other_url).content.decode()


def test_the_tablet_steps_through_a_loaded_measure_with_progress(admin_client, signed_in, episode,
                                                                 practitioner):
    upload(admin_client, {"rcads25": placeholder("rcads25")})
    signed_in.force_login(practitioner)
    hand_over(signed_in, episode, measure="rcads25")
    tablet = reverse("measures:tablet")
    first = signed_in.get(tablet).content.decode()
    assert "Placeholder instructions for rcads25" in first
    assert "Questions 1 to 5 of 25" in first and 'value="5"' in first and 'max="25"' in first
    assert "Placeholder answer 2" in first and "Previous" not in first
    response = signed_in.post(tablet, {"step": "1", "nav": "next", "item_1": "2", "item_2": "3"})
    assert response.url == tablet + "?q=2"
    second = signed_in.get(response.url).content.decode()
    assert "Questions 6 to 10 of 25" in second and "Previous" in second
    back = signed_in.post(tablet, {"step": "2", "nav": "back", "item_6": "1"})
    assert back.url == tablet + "?q=1"
    again = signed_in.get(back.url).content.decode()
    assert 'value="3" checked' in again  # the answer given before is kept
    assert not Completion.objects.exists()
    answer_in_steps(signed_in, tablet, "rcads25", {n: "1" for n in range(1, 26)})
    completion = Completion.objects.get()
    assert completion.responses["1"] == 1 and completion.on_tablet


def test_a_stale_step_number_shows_a_real_step(signed_in, episode):
    hand_over(signed_in, episode, measure="gad7")
    page = signed_in.get(reverse("measures:tablet") + "?q=99").content.decode()
    assert "Question 7 of 7" in page and "Finish" in page


def test_finishing_with_nothing_answered_says_so(signed_in, episode):
    hand_over(signed_in, episode, measure="gad7")
    response = answer_in_steps(signed_in, reverse("measures:tablet"), "gad7", {})
    assert "Enter at least one answer" in response.content.decode()
    assert not Completion.objects.exists()


def test_a_stored_version_the_catalogue_no_longer_fits_falls_back(admin, episode, signed_in):
    AgencyWording.objects.create(agency=admin.agency, version=1, uploaded_by=admin, file_name="old.json",
                                 content={"rcads25": {"items": {"99": "x"}}})
    assert services.item_text("rcads25", admin.agency_id) == {}
    url = (reverse("measures:hand-over", args=[episode.public_id])
           + "?measure=rcads25&rater=self&method=tablet")
    assert signed_in.get(url).status_code == 200


def test_steps_one_question_at_a_time_or_grouped_as_the_measure_needs():
    cat = get_catalogue()
    assert [s.items for s in tablet_steps.steps(cat.measure("phq9"))] == [(n,) for n in range(1, 11)]
    assert [s.items for s in tablet_steps.steps(cat.measure("ors"))] == [(1, 2, 3, 4)]
    sdq = [s.items for s in tablet_steps.steps(cat.measure("sdq_self"))]
    assert sdq[0] == (1, 2, 3, 4, 5) and sdq[4] == (21, 22, 23, 24, 25)
    assert sdq[5] == (26,)  # the impact questions have other answers: apart
    assert len(tablet_steps.steps(cat.measure("rcads47_child"))) == 10
    assert tablet_steps.step(cat.measure("gad7"), 3).progress == "Question 3 of 7"


def test_the_older_service_file_shape_still_parses():
    parsed = parse_wording('{"rcads25": {"1": "Placeholder one"}}')
    assert parsed.ok and parsed.measures["rcads25"].items == {1: "Placeholder one"}


def test_hand_over_says_when_only_some_questions_are_worded(admin_client, signed_in, episode):
    upload(admin_client, {"rcads25": {"items": {"1": "Placeholder one", "2": "Placeholder two"}}})
    url = (reverse("measures:hand-over", args=[episode.public_id])
           + "?measure=rcads25&rater=self&method=tablet")
    page = signed_in.get(url).content.decode()
    assert "Wording is loaded for only 2 of the 25" in page
    assert "Use the paper form and copy its totals instead" in page


def test_an_old_version_that_no_longer_fits_is_not_used_again(admin_client, admin):
    old = AgencyWording.objects.create(agency=admin.agency, version=1, uploaded_by=admin,
                                       file_name="old.json", content={"rcads25": {"items": {"99": "x"}}})
    upload(admin_client, {"rcads25": {"1": "Placeholder one"}})
    page = admin_client.post(WORDING_URL, {"reuse": str(old.pk)}, follow=True).content.decode()
    assert "Version 1 no longer fits the questionnaires: rcads25 › items › 99" in page
    assert AgencyWording.objects.count() == 2
