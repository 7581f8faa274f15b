"""Risk Support plans end to end through the pages."""

import io
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from pypdf import PdfReader

from thrive.care.models import GroupingDecision
from thrive.conftest import make_episode, make_user, make_young_person
from thrive.core.models import AuditEvent
from thrive.core.rules import STALE
from thrive.core.testing import form_data
from thrive.risk import rules, services
from thrive.risk.models import CrisisStep, PlanAgency, PlanRisk, RiskSupportPlan

from .helpers import TODAY, plan_data


def new_url(person):
    return reverse("risk:new", args=[person.public_id])


def plan_urls(person, plan):
    return {name: reverse(f"risk:{name}", args=[person.public_id, plan.public_id])
            for name in ("plan", "edit", "end", "pdf")}


@pytest.fixture
def plan(signed_in, episode, person, practitioner, agencies):
    response = signed_in.post(new_url(person), plan_data(practitioner, agencies))
    assert response.status_code == 302, response.content.decode()
    return RiskSupportPlan.objects.get()


def agree_grouping(episode, user, grouping="getting_risk_support"):
    return GroupingDecision.objects.create(
        episode=episode, decided_on=TODAY, grouping=grouping, young_person_took_part=True,
        parent_carer_took_part=True, rationale="Agreed together", made_explicit=True,
        review_on=TODAY + timedelta(weeks=8), recorded_by=user)


def test_a_plan_is_written_through_the_form_and_shown(signed_in, episode, person, practitioner,
                                                       agencies):
    form = signed_in.get(new_url(person)).content.decode()
    assert "Write a Risk Support plan" in form and 'name="crisis-0-responses"' in form
    response = signed_in.post(new_url(person), plan_data(practitioner, agencies))
    plan = RiskSupportPlan.objects.get()
    assert response.status_code == 302 and response.url == plan_urls(person, plan)["plan"]
    assert (plan.young_person, plan.keyworker, plan.status, plan.version) == (
        person, practitioner, "current", 1)
    assert plan.agreed_with_young_person and plan.agreed_with_family == "Mum (Sarah Khan)"
    assert [(a.agency, a.role) for a in plan.agencies.all()] == [
        (agencies[0], "Role of Test CAMHS"), (agencies[1], "Role of Test MHST")]
    assert list(plan.risks.values_list("kind", flat=True)) == ["to_self", "from_others"]
    step = plan.crisis_steps.get()
    assert step.responses == ["Stay with her", "Remove anything sharp", "Call the crisis line"]
    assert AuditEvent.objects.filter(action="create", object_id=str(plan.public_id)).count() == 1

    page = signed_in.get(plan_urls(person, plan)["plan"]).content.decode()
    for text in ("Cuts her arms when overwhelmed", "Risk from others", "Test MHST",
                 "<li>Remove anything sharp</li>", "0300 123 4567", "Jo Patel, Northvale Academy",
                 "Time with her dog", "Nan (Mrs Khan)"):
        assert text in page


def test_a_plan_is_changed_as_a_whole_and_its_version_goes_up(signed_in, plan, person,
                                                               practitioner, agencies, council):
    urls = plan_urls(person, plan)
    form = signed_in.get(urls["edit"]).content.decode()
    assert 'name="version" value="1"' in form and "Cuts her arms when overwhelmed" in form
    data = plan_data(practitioner, [*agencies, council], version=1,
                     risks=[{"kind": "to_others", "description": "Hits out at her brother"}])
    response = signed_in.post(urls["edit"], data)
    assert response.status_code == 302, response.content.decode()
    plan.refresh_from_db()
    assert plan.version == 2
    assert plan.agencies.count() == 3
    assert list(plan.risks.values_list("description", flat=True)) == ["Hits out at her brother"]
    assert AuditEvent.objects.filter(action="change", object_id=str(plan.public_id)).count() == 1


def test_the_second_of_two_saves_from_the_same_version_is_refused_and_nothing_is_lost(
        client, signed_in, plan, person, colleague, practitioner, agencies):
    client2 = type(client)()
    client2.force_login(colleague)
    urls = plan_urls(person, plan)
    assert 'name="version" value="1"' in client2.get(urls["edit"]).content.decode()

    first = plan_data(practitioner, agencies, version=1, what_helps="First person's words")
    assert signed_in.post(urls["edit"], first).status_code == 302

    second = plan_data(practitioner, agencies, version=1, what_helps="Second person's words")
    response = client2.post(urls["edit"], second)
    page = response.content.decode()
    assert response.status_code == 200
    assert "There is a problem" in page and "Someone else changed this record" in page
    assert "Second person&#39;s words" in page  # what they typed is still on the page
    plan.refresh_from_db()
    assert (plan.what_helps, plan.version) == ("First person's words", 2)
    assert STALE.split(".")[0] in page


def test_a_second_first_plan_is_refused(signed_in, plan, person, practitioner, agencies):
    response = signed_in.post(new_url(person), plan_data(practitioner, agencies))
    assert "Someone else saved a Risk Support plan" in response.content.decode()
    assert RiskSupportPlan.objects.count() == 1
    # Opening the new-plan page when a plan is current goes to changing it.
    assert signed_in.get(new_url(person)).url == plan_urls(person, plan)["edit"]


def test_someone_with_no_relationship_gets_not_found_everywhere(client, plan, person, outsider,
                                                                  agencies):
    client.force_login(outsider)
    urls = [reverse("risk:plans", args=[person.public_id]), new_url(person),
            *plan_urls(person, plan).values()]
    before = AuditEvent.objects.count()
    for url in urls:
        assert client.get(url).status_code == 404, url
        assert client.post(url, plan_data(outsider, agencies, version=1)).status_code in (404, 405)
    plan.refresh_from_db()
    assert plan.version == 1
    # Every refusal is audited as refused, and nothing else is (issue 12).
    assert set(AuditEvent.objects.filter(pk__gt=0).order_by("id")[before:].values_list(
        "outcome", "young_person_id")) == {("refused", person.pk)}


def test_a_plan_of_another_young_person_is_not_found_through_this_one(
        signed_in, plan, camhs_team, practitioner):
    other = make_episode(make_young_person(given_name="Ben"), camhs_team,
                         practitioner).young_person
    url = reverse("risk:plan", args=[other.public_id, plan.public_id])
    assert signed_in.get(url).status_code == 404


@pytest.mark.parametrize("name, action", [("plan", "view"), ("pdf", "export"),
                                          ("edit", "view"), ("end", "view")])
def test_each_view_and_export_writes_exactly_one_audit_entry(signed_in, plan, person, name,
                                                             action):
    before = AuditEvent.objects.count()
    assert signed_in.get(plan_urls(person, plan)[name]).status_code == 200
    events = list(AuditEvent.objects.order_by("id")[before:])
    assert len(events) == 1
    assert (events[0].action, events[0].object_id, events[0].young_person_id) == (
        action, str(plan.public_id), person.pk)


def test_the_new_plan_page_writes_one_audit_entry(signed_in, episode, person):
    before = AuditEvent.objects.count()
    assert signed_in.get(new_url(person)).status_code == 200
    assert list(AuditEvent.objects.order_by("id")[before:].values_list(
        "action", "young_person_id")) == [("view", person.pk)]


def test_the_plans_page_writes_one_audit_entry(signed_in, plan, person):
    before = AuditEvent.objects.count()
    page = signed_in.get(reverse("risk:plans", args=[person.public_id])).content.decode()
    assert "Plan agreed" in page
    assert AuditEvent.objects.count() == before + 1


BAD = [
    ("review date in the past", dict(review_on=TODAY - timedelta(days=1)),
     "Review date must be in the future"),
    ("agreed in the future", dict(agreed_on=TODAY + timedelta(days=1)),
     "Date agreed must be today or in the past"),
    ("no risks", dict(risks=[]), "Add at least one risk"),
    ("a crisis step with no responses", dict(crisis=[
        {"trigger": "she runs away", "responses": "  \n ", "contact_who": "Police",
         "contact_how": "999"}]), "Crisis step 1: enter at least one response"),
    ("no crisis steps", dict(crisis=[]), "Add at least one crisis step"),
    ("half a risk", dict(risks=[{"kind": "to_self", "description": ""}]),
     "Risk 1: describe the risk"),
    ("no what helps", dict(what_helps=""), "Enter what helps"),
    ("no keyworker", dict(keyworker=""), "Choose the keyworker"),
]


@pytest.mark.parametrize("case, overrides, message", BAD, ids=[b[0] for b in BAD])
def test_bad_input_gets_an_error_summary_and_saves_nothing(signed_in, episode, person,
                                                           practitioner, agencies, case,
                                                           overrides, message):
    keyworker = overrides.pop("keyworker", practitioner)
    data = plan_data(practitioner if keyworker == "" else keyworker, agencies, **overrides)
    if keyworker == "":
        data["keyworker"] = ""
    before = AuditEvent.objects.count()
    response = signed_in.post(new_url(person), data)
    page = response.content.decode()
    assert response.status_code == 200
    assert "There is a problem" in page and "<title>Error:" in page
    if message:
        assert message in page
    assert not RiskSupportPlan.objects.exists() and not PlanRisk.objects.exists()
    assert not CrisisStep.objects.exists() and not PlanAgency.objects.exists()
    # Only the page shown again, with the young person's name on it, is audited (a view).
    assert list(AuditEvent.objects.order_by("id")[before:].values_list(
        "action", "young_person_id")) == [("view", person.pk)]


def test_bad_input_on_a_change_leaves_the_plan_as_it_was(signed_in, plan, person, practitioner,
                                                        agencies):
    data = plan_data(practitioner, agencies[:1], version=1, risks=[],
                     what_helps="Should not be saved")
    page = signed_in.post(plan_urls(person, plan)["edit"], data).content.decode()
    assert "Add at least one risk" in page
    plan.refresh_from_db()
    assert (plan.version, plan.risks.count(), plan.agencies.count()) == (1, 2, 2)
    assert plan.what_helps != "Should not be saved"


def test_an_agency_listed_twice_is_refused(signed_in, episode, person, practitioner, agencies):
    page = signed_in.post(new_url(person), plan_data(
        practitioner, [agencies[0], agencies[0]])).content.decode()
    assert "Test CAMHS is listed more than once" in page
    assert not RiskSupportPlan.objects.exists()


def test_a_keyworker_from_an_unrelated_agency_cannot_be_chosen(signed_in, episode, person,
                                                               outsider, agencies):
    page = signed_in.post(new_url(person), plan_data(outsider, agencies)).content.decode()
    assert "Choose the keyworker from the list" in page
    assert not RiskSupportPlan.objects.exists()


def test_too_many_rows_are_refused_not_a_server_error(signed_in, episode, person, practitioner,
                                                      agencies):
    data = plan_data(practitioner, agencies)
    data["risks-TOTAL_FORMS"] = "5000"
    response = signed_in.post(new_url(person), data)
    assert response.status_code == 200 and "There is a problem" in response.content.decode()
    assert not RiskSupportPlan.objects.exists()


def test_an_ended_plan_is_kept_and_cannot_be_changed(signed_in, plan, person, practitioner,
                                                     agencies):
    urls = plan_urls(person, plan)
    response = signed_in.post(urls["end"], form_data(
        ended_on=TODAY, end_reason="Risks reduced; help continues in Getting More Help",
        version="1"))
    assert response.status_code == 302
    plan.refresh_from_db()
    assert plan.status == "ended" and plan.ended_on == TODAY
    assert signed_in.get(urls["edit"]).status_code == 302
    signed_in.post(urls["edit"], plan_data(practitioner, agencies, version=2))
    plan.refresh_from_db()
    assert plan.version == 2
    # A new plan can now be written.
    assert signed_in.get(new_url(person)).status_code == 200


def test_the_pdf_is_a_printable_attachment_that_does_not_name_the_young_person(
        signed_in, plan, person, practitioner):
    response = signed_in.get(plan_urls(person, plan)["pdf"])
    assert response["Content-Type"] == "application/pdf"
    assert response["Cache-Control"] == "no-store"
    disposition = response["Content-Disposition"]
    assert disposition == f'attachment; filename="risk-support-plan-{plan.public_id}.pdf"'
    assert person.family_name not in disposition and person.nhs_number not in disposition
    reader = PdfReader(io.BytesIO(response.content))
    assert reader.pages[0].mediabox.width == pytest.approx(595.28, abs=1)  # A4
    text = " ".join(" ".join(page.extract_text().split()) for page in reader.pages)
    for expected in ("Risk Support plan", "Cuts her arms when overwhelmed",
                     "Older boyfriend pressuring her", "Risk from others", "Test CAMHS",
                     "Test MHST", "Crisis step 1: if she says she feels unsafe at home",
                     "1. Stay with her", "2. Remove anything sharp", "3. Call the crisis line",
                     "CAMHS crisis team", "Jo Patel, Northvale Academy", "OFFICIAL-SENSITIVE",
                     f"by {practitioner.display_name}; OFFICIAL-SENSITIVE"):
        assert expected in text, expected


def test_the_plan_page_makes_the_same_number_of_queries_however_big_the_plan(
        signed_in, episode, person, practitioner, agencies, camhs):
    from thrive.accounts.models import Agency

    def queries_for_plan_page(n):
        RiskSupportPlan.objects.all().delete()
        more = [Agency.objects.get_or_create(name=f"Agency {i}", kind="charity")[0]
                for i in range(n)]
        risks = [{"kind": "to_self", "description": f"Risk {i}"} for i in range(n)]
        crisis = [{"trigger": f"trigger {i}", "responses": "a\nb\nc", "contact_who": "x",
                   "contact_how": "y"} for i in range(n)]
        distribution = [{"recipient": f"R {i}", "how_sent": "post"} for i in range(n)]
        response = signed_in.post(new_url(person), plan_data(
            practitioner, more, risks=risks, crisis=crisis, distribution=distribution))
        assert response.status_code == 302, response.content.decode()
        plan = RiskSupportPlan.objects.get()
        with CaptureQueriesContext(connection) as context:
            assert signed_in.get(plan_urls(person, plan)["plan"]).status_code == 200
        return len(context.captured_queries)

    assert queries_for_plan_page(2) == queries_for_plan_page(12)


def test_current_plans_for_caseloads_is_one_query(signed_in, plan, person, camhs_team,
                                                  practitioner, django_assert_num_queries):
    others = [make_young_person(given_name=f"P{i}") for i in range(5)]
    with django_assert_num_queries(1):
        plans = services.current_plans_for([person.pk] + [p.pk for p in others])
    assert set(plans) == {person.pk}
    summary = plans[person.pk]
    assert (summary.public_id, summary.agency_count, summary.review_on) == (
        plan.public_id, 2, plan.review_on)
    assert summary.review_state(TODAY) == ""
    assert summary.review_state(plan.review_on) == "due"


def test_the_banner_flags_a_plan_its_review_and_a_getting_risk_support_gap(
        signed_in, episode, person, practitioner, agencies):
    assert services.risk_banner(person) is None
    agree_grouping(episode, practitioner, "getting_more_help")
    assert services.risk_banner(person) is None
    GroupingDecision.objects.update(is_current=False)
    agree_grouping(episode, practitioner)
    banner = services.risk_banner(person)
    assert (banner.kind, banner.gap) == ("gap", rules.NO_PLAN)
    assert banner.url == new_url(person)

    signed_in.post(new_url(person), plan_data(practitioner, agencies[:1]))
    plan = RiskSupportPlan.objects.get()
    banner = services.risk_banner(person, today=plan.review_on + timedelta(days=1))
    assert banner.kind == "plan" and "only one agency" in banner.gap
    assert banner.review_state == "overdue" and banner.keyworker == practitioner.display_name
    assert banner.url == plan_urls(person, plan)["plan"]
    page = signed_in.get(plan_urls(person, plan)["plan"]).content.decode()
    assert "only one agency" in page


def test_the_banner_has_no_gap_for_a_multi_agency_plan(signed_in, plan, episode, person,
                                                       practitioner):
    agree_grouping(episode, practitioner)
    banner = services.risk_banner(person)
    assert banner.kind == "plan" and banner.gap is None


def test_a_colleague_at_another_agency_in_the_plan_can_see_it(client, plan, person, school_team):
    school_worker = make_user("sam.school", school_team)
    make_episode(person, school_team, school_worker)
    client.force_login(school_worker)
    assert client.get(plan_urls(person, plan)["plan"]).status_code == 200


def test_the_error_summary_lists_problems_in_the_order_of_the_page(signed_in, episode, person,
                                                                   practitioner, agencies):
    data = plan_data(practitioner, agencies, what_helps="",
                     risks=[{"kind": "to_self", "description": ""}],
                     review_on=TODAY - timedelta(days=3))
    page = signed_in.post(new_url(person), data).content.decode()
    summary = page[page.index("There is a problem"):page.index("</h1>")]
    positions = [summary.index(m) for m in (
        "Risk 1: describe the risk", "Enter what helps", "Review date must be in the future")]
    assert positions == sorted(positions)
    assert 'href="#id_risks-0-description"' in summary
