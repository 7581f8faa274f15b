"""A Risk Support plan is shared with the agencies it names: with their risk-support consent or
the plan's safeguarding basis they see the plan (not the record); people from organisations not
on the platform are named with contact details; the distribution list says how each got it."""

from datetime import date, timedelta

import pytest
from django.urls import reverse

from thrive.accounts.models import Role, Team
from thrive.conftest import make_user
from thrive.risk.models import ExternalParticipant, RiskSupportPlan
from thrive.sharing.models import AccessAlert, Consent

from .helpers import plan_data

TODAY = date.today()
REASON = "Risk of serious harm from an adult at home"
POLICE = {"name": "PC Dan Moss", "organisation_kind": "police", "organisation": "Northvale police",
          "role": "Missing-from-home response", "phone": "101", "email": "",
          "how_sent": "secure_email"}


@pytest.fixture
def eh_worker(council):
    return make_user("eli.earlyhelp", Team.objects.create(agency=council, name="EH team"))


@pytest.fixture
def named_plan(signed_in, episode, person, practitioner, camhs, council):
    """Written by CAMHS (working with the young person), naming Early Help (not working with
    them on the platform) and the police (not on the platform)."""
    response = signed_in.post(reverse("risk:new", args=[person.public_id]),
                              plan_data(practitioner, [camhs, council], external=[POLICE]))
    assert response.status_code == 302, response.content.decode()
    return RiskSupportPlan.objects.get()


def urls(person, plan):
    return (reverse("risk:plan", args=[person.public_id, plan.public_id]),
            reverse("risk:plans", args=[person.public_id]),
            reverse("people:record", args=[person.public_id]),
            reverse("risk:pdf", args=[person.public_id, plan.public_id]))


def risk_consent(person, agency, recorder, **fields):
    values = dict(young_person=person, given_by="young_person", given_by_name="Amira Khan",
                  with_agency=agency, purpose="risk_support", given_on=TODAY - timedelta(days=1),
                  expires_on=TODAY + timedelta(days=90), recorded_by=recorder)
    values.update(fields)
    return Consent.objects.create(**values)


def test_a_named_agency_without_consent_cannot_see_it_and_the_plan_says_so(
        client, named_plan, person, eh_worker):
    plan_url, plans_url, record_url, _pdf = urls(person, named_plan)
    page = client.get(plan_url).content.decode()
    assert "Not shared yet: no consent to share this plan with them" in page
    assert "On this platform: working with the young person" in page  # CAMHS itself
    client.force_login(eh_worker)
    assert client.get(plan_url).status_code == 404
    assert client.get(plans_url).status_code == 404
    assert "Risk Support plans that name your agency" not in client.get(
        reverse("care:caseload")).content.decode()


def test_with_risk_support_consent_the_named_agency_sees_the_plan_but_not_the_record(
        client, named_plan, person, eh_worker, council, practitioner):
    consent = risk_consent(person, council, practitioner)
    plan_url, plans_url, record_url, pdf_url = urls(person, named_plan)
    client.force_login(eh_worker)
    page = client.get(plan_url).content.decode()
    assert "Time with her dog" in page and "PC Dan Moss" in page
    assert "Change the plan" not in page and "Download as PDF" not in page
    assert client.get(plans_url).status_code == 200
    assert client.get(record_url).status_code == 404
    assert client.get(pdf_url).status_code == 404
    assert client.get(reverse("risk:edit", args=[person.public_id, named_plan.public_id])
                      ).status_code == 404
    # The review reminder is on the caseload, with a link to the plan.
    caseload = client.get(reverse("care:caseload")).content.decode()
    assert "Risk Support plans that name your agency" in caseload and plan_url in caseload
    # The distribution list says how Early Help has it.
    client.force_login(practitioner)
    page = client.get(plan_url).content.decode()
    assert (f"Shared on this platform, with consent given on {consent.given_on:%-d %B %Y}"
            in page)
    # Consent withdrawn: access goes the same day.
    Consent.objects.filter(pk=consent.pk).update(withdrawn_on=TODAY)
    client.force_login(eh_worker)
    assert client.get(plan_url).status_code == 404


def test_the_review_reminder_shows_when_the_review_is_due(client, named_plan, person, eh_worker,
                                                          council, practitioner):
    risk_consent(person, council, practitioner)
    RiskSupportPlan.objects.filter(pk=named_plan.pk).update(review_on=TODAY + timedelta(days=3))
    client.force_login(eh_worker)
    assert "Review due" in client.get(reverse("care:caseload")).content.decode()


def test_an_ended_plan_is_no_longer_shared(client, named_plan, person, eh_worker, council,
                                           practitioner):
    risk_consent(person, council, practitioner)
    RiskSupportPlan.objects.filter(pk=named_plan.pk).update(status="ended", ended_on=TODAY)
    client.force_login(eh_worker)
    assert client.get(urls(person, named_plan)[0]).status_code == 404


def test_a_safeguarding_basis_needs_a_manager_alerts_and_shares_the_plan(
        client, named_plan, person, eh_worker, practitioner, manager, camhs, council):
    edit_url = reverse("risk:edit", args=[person.public_id, named_plan.public_id])
    data = plan_data(practitioner, [camhs, council], version=named_plan.version,
                     external=[POLICE], safeguarding_basis=REASON)
    page = client.post(edit_url, data).content.decode()
    assert "Only a team manager or safeguarding lead can share the plan without consent" in page
    assert RiskSupportPlan.objects.get().safeguarding_basis == ""
    client.force_login(manager)
    assert client.post(edit_url, data).status_code == 302
    plan = RiskSupportPlan.objects.get()
    assert plan.safeguarding_basis == REASON and plan.safeguarding_basis_by == manager
    alert = AccessAlert.objects.get(kind="plan_safeguarding")
    assert alert.user == manager and REASON in alert.detail
    page = client.get(urls(person, plan)[0]).content.decode()
    assert "Shared on this platform on a safeguarding basis (no consent)" in page
    assert "recorded by Mia Tester" in page
    client.force_login(eh_worker)
    assert client.get(urls(person, plan)[0]).status_code == 200
    # A practitioner saving the plan again without touching the basis keeps it, no new alert.
    client.force_login(practitioner)
    data = plan_data(practitioner, [camhs, council], version=plan.version, external=[POLICE],
                     safeguarding_basis=REASON)
    assert client.post(edit_url, data).status_code == 302
    assert RiskSupportPlan.objects.get().safeguarding_basis_by == manager
    assert AccessAlert.objects.filter(kind="plan_safeguarding").count() == 1


def test_external_participants_are_shown_with_contact_details_and_how_they_got_it(
        signed_in, named_plan, person):
    participant = ExternalParticipant.objects.get()
    assert participant.organisation_kind == "police" and participant.phone == "101"
    page = signed_in.get(urls(person, named_plan)[0]).content.decode()
    assert "Northvale police" in page and "Missing-from-home response" in page
    assert "PC Dan Moss, Northvale police" in page and "Secure email" in page
    form = signed_in.get(reverse("risk:edit", args=[person.public_id, named_plan.public_id]))
    html = form.content.decode()
    assert 'value="PC Dan Moss"' in html
    for kind in ("s social care</option>", "Police", "GP practice", "A&amp;E",
                 "School or college", "Youth justice"):
        assert kind in html


def test_a_participant_without_contact_details_or_a_platform_distribution_is_refused(
        signed_in, episode, person, practitioner, camhs, council):
    new_url = reverse("risk:new", args=[person.public_id])
    page = signed_in.post(new_url, plan_data(practitioner, [camhs, council], external=[
        {**POLICE, "phone": ""}])).content.decode()
    assert "Participant 1: enter a phone number or email address" in page
    page = signed_in.post(new_url, plan_data(practitioner, [camhs, council], distribution=[
        {"recipient": "Early Help", "how_sent": "platform"}])).content.decode()
    assert "agencies on this platform get the plan by being named under Agencies" in page
    page = signed_in.post(new_url, plan_data(practitioner, [camhs, council], external=[
        {**POLICE, "email": "not-an-address"}])).content.decode()
    assert "Enter an email address like name@example.org" in page
    assert not RiskSupportPlan.objects.exists()


def test_the_caseload_reminders_take_the_same_queries_for_2_or_40_plans(
        client, eh_worker, council, camhs_team, practitioner, django_assert_max_num_queries):
    from thrive.conftest import make_young_person
    from thrive.risk.models import PlanAgency

    def plans(n):
        for _ in range(n):
            person = make_young_person()
            plan = RiskSupportPlan.objects.create(
                young_person=person, keyworker=practitioner, what_helps="x",
                preventive_actions="y", agreed_with_young_person=True, agreed_on=TODAY,
                review_on=TODAY + timedelta(days=5), created_by=practitioner,
                updated_by=practitioner)
            PlanAgency.objects.create(plan=plan, order=1, agency=council, role="Support")
            risk_consent(person, council, practitioner)

    client.force_login(eh_worker)
    plans(2)
    with django_assert_max_num_queries(30) as two:
        client.get(reverse("care:caseload"))
    plans(38)
    with django_assert_max_num_queries(len(two.captured_queries)):
        page = client.get(reverse("care:caseload")).content.decode()
    assert page.count("Review due") >= 40


def test_a_manager_at_the_named_agency_also_gets_the_reminder(client, named_plan, person, council,
                                                               practitioner, eh_worker):
    risk_consent(person, council, practitioner)
    boss = make_user("bo.boss", Team.objects.get(agency=council), Role.TEAM_MANAGER)
    client.force_login(boss)
    assert urls(person, named_plan)[0] in client.get(reverse("care:caseload")).content.decode()
