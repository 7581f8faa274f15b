"""Every page that shows a young person's record writes exactly one audit entry, and so does
every refused request for one (a user with no relationship), without the response saying more.

The routes are enumerated from the URL configuration, so a new record page is covered the day
it is added; a route with a parameter this test does not know fails until the test learns it.
"""

import re
from datetime import date, time, timedelta

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from thrive.accounts.models import Agency, Team
from thrive.care.models import Goal
from thrive.conftest import make_user
from thrive.core.models import AuditEvent
from thrive.sharing.models import AgencyReferral, CareTeamMember, Consent

RECORD_KWARGS = {"person_id", "episode_id", "referral_id", "plan_id", "completion_id",
                 "signpost_id", "number", "member_id", "service_id",
                 "kind", "entry_id", "note_id", "consent_id", "carer_id"}
# A route that names any of these shows (part of) a young person's record.
RECORD_ROOTS = {"person_id", "episode_id", "referral_id", "completion_id", "signpost_id"}


def routes(resolver=None, prefix=""):
    resolver = resolver or get_resolver()
    for entry in resolver.url_patterns:
        if isinstance(entry, URLResolver):
            namespace = f"{prefix}{entry.namespace}:" if entry.namespace else prefix
            yield from routes(entry, namespace)
        elif isinstance(entry, URLPattern) and entry.name:
            params = set(entry.pattern.converters)
            if params & RECORD_ROOTS:
                yield f"{prefix}{entry.name}", params


ROUTES = sorted(routes())


@pytest.fixture
def record(signed_in, rf, episode, practitioner, school):
    from thrive.directory import services as directory
    from thrive.directory.models import Service
    from thrive.measures.services import record_completion
    from thrive.risk.models import RiskSupportPlan
    from thrive.risk.tests.helpers import plan_data

    person = episode.young_person
    signed_in.post(reverse("risk:new", args=[person.public_id]),
                   plan_data(practitioner, [episode.agency, school]))
    plan = RiskSupportPlan.objects.get(young_person=person)
    goal = Goal.objects.create(episode=episode, number=1, description="Sleep better",
                               agreed_on=date.today(), expected_by=date.today() + timedelta(30),
                               plan_if_not_met="Review", recorded_by=practitioner)
    member = CareTeamMember.objects.create(young_person=person, user=practitioner,
                                           role="Clinician", added_by=practitioner)
    consent = Consent.objects.create(young_person=person, given_by="young_person",
                                     given_by_name="Amira", with_agency=school,
                                     purpose="referral", given_on=date.today(),
                                     expires_on=date.today() + timedelta(30),
                                     recorded_by=practitioner)
    referral = AgencyReferral.objects.create(young_person=person, from_agency=episode.agency,
                                             to_agency=school, sent_by=practitioner,
                                             reason="School support", consent=consent)
    request = rf.post("/")
    request.user = practitioner
    completion = record_completion(request, episode, measure_id="phq9", rater="self",
                                   completed_on=date.today(), responses={i: 1 for i in range(1, 10)})
    directory.load_demo()
    service = Service.objects.filter(is_sensitive=False).first() if hasattr(
        Service, "is_sensitive") else Service.objects.first()
    signpost = directory.signpost(request, episode, service, reason="Peer support group",
                                  follow_up_on=date.today() + timedelta(days=14))
    from thrive.care.models import Contact
    from thrive.people.models import ParentCarer
    from thrive.sharing.models import RecordNote

    carer = ParentCarer.objects.create(young_person=person, name="Sara Khan", relationship="mother")
    contact = Contact.objects.create(episode=episode, date=date.today(), time=time(9, 0),
                                     mode="telephone", attendance="attended")
    note = RecordNote.objects.create(young_person=person, author=practitioner,
                                     agency=practitioner.agency, text="Spoke to school")
    return {"person_id": person.public_id, "kind": "contact", "entry_id": contact.pk,
            "note_id": note.pk, "consent_id": consent.pk, "carer_id": carer.pk,
            "episode_id": episode.public_id,
            "completion_id": completion.public_id, "signpost_id": signpost.public_id,
            "service_id": service.oruk_id,
            "referral_id": referral.public_id, "plan_id": plan.public_id,
            "number": goal.number, "member_id": member.pk}, person


def test_the_route_list_is_not_empty():
    names = [name for name, _ in ROUTES]
    assert "people:record" in names and "care:episode" in names


@pytest.mark.parametrize("name, params", ROUTES, ids=[name for name, _ in ROUTES])
def test_record_route_writes_exactly_one_audit_entry(signed_in, record, name, params):
    values, person = record
    unknown = params - RECORD_KWARGS
    assert not unknown, f"{name}: teach this test how to fill {unknown}"
    url = reverse(name, kwargs={k: values[k] for k in params})
    before = AuditEvent.objects.count()
    response = signed_in.get(url)
    entries = AuditEvent.objects.filter(pk__gt=0).order_by("id")[before:]
    if response.status_code in (302, 405):  # a redirect or a POST-only action shows nothing
        assert not entries, f"{name} audited a view it did not show"
        return
    assert response.status_code == 200, f"{name} answered {response.status_code}"
    assert [(e.action in ("view", "export"), e.young_person_id) for e in entries] == [
        (True, person.pk)], f"{name} wrote {len(entries)} audit entries"


@pytest.fixture
def stranger(db):
    """A practitioner of an agency with no relationship to anyone in the fixture, in a browser
    of their own."""
    from django.test import Client

    client = Client()
    agency = Agency.objects.create(name="Youth club", kind=Agency.Kind.CHARITY)
    user = make_user("sam.stranger", Team.objects.create(agency=agency, name="Drop-in"))
    client.force_login(user)
    return client, user


@pytest.mark.parametrize("name, params", ROUTES, ids=[name for name, _ in ROUTES])
def test_a_refused_request_writes_exactly_one_audit_entry(record, stranger, name, params):
    values, person = record
    client, user = stranger
    url = reverse(name, kwargs={k: values[k] for k in params})
    before = AuditEvent.objects.count()
    for method in (client.get, client.post):
        response = method(url)
        if response.status_code == 405:
            continue
        assert response.status_code in (403, 404), f"{name} answered {response.status_code}"
        entries = list(AuditEvent.objects.order_by("id")[before:])
        assert [(e.user_id, e.outcome, e.young_person_id) for e in entries] == [
            (user.pk, "refused", person.pk)], f"{name} ({method.__name__}) wrote {entries}"
        assert entries[0].basis == "none"
        before += 1


def test_a_refused_request_looks_the_same_whether_the_record_exists_or_not(record, stranger):
    import uuid

    values, person = record
    client, user = stranger
    real = client.get(reverse("people:record", args=[values["person_id"]]))
    made_up = uuid.uuid4()
    invented = client.get(reverse("people:record", args=[made_up]))
    def page(response):  # the per-response nonce and CSRF token aside
        return re.sub(rb'(nonce|value)="[^"]*"', b"", response.content)

    assert (real.status_code, page(real)) == (invented.status_code, page(invented))
    refused = AuditEvent.objects.filter(outcome="refused").order_by("id")
    assert [(e.young_person_id, e.object_id) for e in refused] == [
        (person.pk, str(values["person_id"])), (None, str(made_up))]
