"""Version history: demographics, key dates, staff details and Risk Support plans keep who, when
and each field's old and new value, shown in plain words on the record (and the staff page)."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from thrive.accounts import services as accounts
from thrive.accounts.models import Agency, Role
from thrive.care import services as care
from thrive.conftest import make_user
from thrive.core.models import AuditEvent
from thrive.history.models import FieldChange
from thrive.people import services as people
from thrive.risk.models import RiskSupportPlan
from thrive.risk.tests.helpers import plan_data

from .helpers import request_for

pytestmark = pytest.mark.django_db

DETAILS = ("nhs_number", "given_name", "family_name", "preferred_name", "date_of_birth", "sex",
           "gender_identity", "ethnic_category", "school", "local_authority", "postcode")


def details(person, **changes):
    values = {name: getattr(person, name) for name in DETAILS}
    values.update(changes)
    return values


def history_page(client, person):
    response = client.get(reverse("history:record", args=[person.public_id]))
    assert response.status_code == 200
    return response.content.decode()


def test_a_change_of_details_keeps_each_fields_old_and_new_value(signed_in, person, episode,
                                                                 practitioner):
    before = AuditEvent.objects.count()
    people.update_demographics(request_for(practitioner), person, version=person.version,
                               **details(person, school="Hillside School", sex="1"))
    rows = {r.field_name: r for r in FieldChange.objects.filter(young_person=person)}
    assert set(rows) == {"school", "sex"}
    assert (rows["school"].old_value, rows["school"].new_value) == (
        "Northvale Academy", "Hillside School")
    assert rows["sex"].field_label == "Sex" and rows["sex"].old_value != "2"  # a label, not a code
    assert rows["school"].changed_by == practitioner
    assert rows["school"].change_id == rows["sex"].change_id
    audit = AuditEvent.objects.order_by("id")[before]
    assert audit.detail == "demographics: sex, school"  # what changed, never the values
    assert "Hillside" not in audit.detail
    html = history_page(signed_in, person)
    assert "Northvale Academy" in html and "Hillside School" in html
    assert "Pat" in html or practitioner.display_name in html


def test_saving_without_a_change_writes_no_version(person, practitioner):
    people.update_demographics(request_for(practitioner), person, version=person.version,
                               **details(person))
    assert not FieldChange.objects.exists()


def test_key_dates_keep_their_history(signed_in, episode, practitioner):
    fields = {name: getattr(episode, name) for name in care.KEY_DATES}
    fields.update(declined_reason="", triaged_on=episode.referral_received_on + timedelta(days=2))
    care.update_key_dates(request_for(practitioner), episode, version=episode.version, **fields)
    row = FieldChange.objects.get()
    assert (row.field_label, row.old_value) == ("Triage date", "")
    assert row.object_label.startswith("Key dates")
    html = history_page(signed_in, episode.young_person)
    assert "Triage date" in html and "Not recorded" in html


def test_another_agencys_key_dates_are_not_shown(client, episode, practitioner, outsider,
                                                school_team):
    from thrive.conftest import make_episode

    theirs = make_episode(episode.young_person, school_team, outsider)
    fields = {name: getattr(theirs, name) for name in care.KEY_DATES}
    fields.update(declined_reason="", triaged_on=theirs.referral_received_on + timedelta(days=1))
    care.update_key_dates(request_for(outsider), theirs, version=theirs.version, **fields)
    client.force_login(practitioner)
    assert "Triage date" not in history_page(client, episode.young_person)


def test_no_relationship_is_a_404(client, person, outsider, practitioner, episode):
    client.force_login(outsider)
    assert client.get(reverse("history:record", args=[person.public_id])).status_code == 404


def test_a_risk_support_plan_change_lists_its_changed_parts(signed_in, episode, person,
                                                           practitioner, school):
    agencies = [episode.agency, school]
    signed_in.post(reverse("risk:new", args=[person.public_id]), plan_data(practitioner, agencies))
    plan = RiskSupportPlan.objects.get()
    council = Agency.objects.create(name="Test Early Help", kind=Agency.Kind.COUNCIL)
    response = signed_in.post(
        reverse("risk:edit", args=[person.public_id, plan.public_id]),
        plan_data(practitioner, [*agencies, council], version=1,
                  preventive_actions="Check-in twice a day",
                  risks=[{"kind": "to_others", "description": "Hits out at her brother"}]))
    assert response.status_code == 302, response.content.decode()
    labels = set(FieldChange.objects.filter(object_type="RiskSupportPlan")
                 .values_list("field_label", flat=True))
    assert labels == {"Preventive actions", "Agencies and their roles", "Risks"}
    html = history_page(signed_in, person)
    assert "Hits out at her brother" in html and "Check-in twice a day" in html
    audit = AuditEvent.objects.filter(action="change", object_type="RiskSupportPlan").get()
    assert "brother" not in audit.detail


def test_staff_details_keep_their_history_on_the_staff_page(client, camhs_team, practitioner):
    admin = make_user("ada.admin", camhs_team, Role.AGENCY_ADMIN)
    accounts.change_staff(request_for(admin), practitioner, version=accounts.version_of(practitioner),
                          role=Role.PRACTITIONER, team=camhs_team, job_title="Senior clinician",
                          is_safeguarding_lead=True)
    rows = {r.field_label: r for r in FieldChange.objects.filter(staff_member=practitioner)}
    assert set(rows) == {"Job title", "Safeguarding lead"}
    assert (rows["Safeguarding lead"].old_value, rows["Safeguarding lead"].new_value) == ("No", "Yes")
    client.force_login(admin)
    member_page = client.get(reverse("accounts:staff-member", args=[practitioner.pk])).content.decode()
    assert reverse("history:staff", args=[practitioner.pk]) in member_page
    html = client.get(reverse("history:staff", args=[practitioner.pk])).content.decode()
    assert "Senior clinician" in html and "Safeguarding lead" in html
    client.force_login(practitioner)  # not an administrator
    assert client.get(reverse("history:staff", args=[practitioner.pk])).status_code == 403


def test_the_history_page_costs_the_same_queries_for_2_or_40_versions(signed_in, person, episode,
                                                                      practitioner, colleague):
    def change(n, user):
        people.update_demographics(request_for(user), person, version=person.version,
                                   **details(person, school=f"School {n}"))
        person.refresh_from_db()

    for n in range(2):
        change(n, practitioner)
    with CaptureQueriesContext(connection) as two:
        history_page(signed_in, person)
    for n in range(2, 40):
        change(n, colleague if n % 2 else practitioner)
    with CaptureQueriesContext(connection) as forty:
        html = history_page(signed_in, person)
    assert html.count('class="nhsuk-table thrive-change"') == 40
    assert len(forty) == len(two)


def test_the_record_links_to_its_history(signed_in, person, episode):
    html = signed_in.get(reverse("people:record", args=[person.public_id])).content.decode()
    assert reverse("history:record", args=[person.public_id]) in html


def test_withdrawing_a_consent_is_kept_in_the_history(
        signed_in, episode, person, practitioner, school):
    from datetime import date, timedelta

    from thrive.core.testing import form_data
    from thrive.sharing.models import Consent

    consent = Consent.objects.create(
        young_person=person, given_by="young_person", given_by_name="Amira", with_agency=school,
        purpose="care_coordination", given_on=date.today() - timedelta(days=20),
        expires_on=date.today() + timedelta(days=200), recorded_by=practitioner)
    url = reverse("sharing:withdraw-consent", args=[person.public_id, consent.pk])
    record = signed_in.get(reverse("people:record", args=[person.public_id])).content.decode()
    assert url in record
    response = signed_in.post(url, form_data(withdrawn_on=date(2000, 1, 1)))
    assert response.status_code == 200 and "nhsuk-error-summary" in response.content.decode()
    day = date.today() - timedelta(days=1)
    response = signed_in.post(url, form_data(withdrawn_on=day))
    assert response.status_code == 302
    consent.refresh_from_db()
    assert consent.withdrawn_on == day
    row = FieldChange.objects.get(object_type="Consent")
    assert (row.field_label, row.old_value) == ("Withdrawn", "")
    assert row.object_label.startswith(f"Consent to share with {school.name}")
    assert f"{day.day} {day:%B %Y}" in history_page(signed_in, person)
    again = signed_in.post(url, form_data(withdrawn_on=day))
    assert again.status_code == 200 and "already withdrawn" in again.content.decode()


def test_a_parent_or_carers_changed_details_are_kept(signed_in, episode, person):
    from thrive.core.testing import form_data
    from thrive.people.models import ParentCarer

    carer = ParentCarer.objects.create(young_person=person, name="Sara Khan", relationship="mother",
                                       parental_responsibility=True, phone="01632 960000")
    url = reverse("people:edit-parent-carer", args=[person.public_id, carer.pk])
    assert url in signed_in.get(reverse("people:record", args=[person.public_id])).content.decode()
    response = signed_in.post(url, form_data(
        name="Sara Khan", relationship="mother", parental_responsibility=True,
        lives_with_young_person=False, phone="01632 960111", email=""))
    assert response.status_code == 302
    rows = {r.field_label: r for r in FieldChange.objects.filter(object_type="ParentCarer")}
    assert set(rows) == {"Lives with the young person", "Phone"}
    assert (rows["Lives with the young person"].old_value,
            rows["Lives with the young person"].new_value) == ("Yes", "No")
    html = history_page(signed_in, person)
    assert "Parent or carer: Sara Khan" in html and "01632 960111" in html
    event = AuditEvent.objects.filter(object_type="ParentCarer", action="change").get()
    assert "01632" not in event.detail
