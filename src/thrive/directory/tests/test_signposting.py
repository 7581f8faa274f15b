from datetime import date, timedelta

import pytest
from django.urls import reverse

from thrive.conftest import make_episode, make_young_person
from thrive.core.models import AuditEvent
from thrive.directory import services
from thrive.directory.models import Service, Signpost

pytestmark = pytest.mark.django_db


@pytest.fixture
def swim(demo_directory):
    return Service.objects.get(name="Family swim")


def signpost_url(episode, service):
    return reverse("directory:signpost", args=[episode.public_id, service.oruk_id])


def date_fields(name, day):
    return {f"{name}-day": day.day, f"{name}-month": day.month, f"{name}-year": day.year}


def test_signpost_from_the_record_with_reason_and_follow_up(signed_in, episode, swim):
    follow = date.today() + timedelta(days=14)
    response = signed_in.post(signpost_url(episode, swim), {
        "reason": "Wants to get active with her mum", **date_fields("follow_up_on", follow)})
    assert response.status_code == 302
    made = Signpost.objects.get()
    assert (made.episode, made.service, made.follow_up_on) == (episode, swim, follow)
    event = AuditEvent.objects.filter(action="create").last()
    assert event.object_type == "Signpost" and event.young_person_id == episode.young_person_id
    page = signed_in.get(reverse("directory:episode-signposts", args=[episode.public_id]))
    assert "Family swim" in page.content.decode() and "Wants to get active" in page.content.decode()


def test_bad_input_is_refused_with_a_clear_error_and_nothing_saved(signed_in, episode, swim):
    response = signed_in.post(signpost_url(episode, swim), {
        "reason": "", **date_fields("follow_up_on", date.today() - timedelta(days=1))})
    assert response.status_code == 422
    text = response.content.decode()
    assert "There is a problem" in text and "Enter why you signposted them" in text
    response = signed_in.post(signpost_url(episode, swim), {
        "reason": "Active", **date_fields("follow_up_on", date.today() - timedelta(days=1))})
    assert "Follow-up date must be today or in the future" in response.content.decode()
    assert not Signpost.objects.exists()


def test_only_people_who_may_edit_the_episode_can_signpost(client, outsider, episode, swim):
    client.force_login(outsider)
    assert client.get(signpost_url(episode, swim)).status_code == 404
    assert client.post(signpost_url(episode, swim), {"reason": "x"}).status_code == 404
    assert not Signpost.objects.exists()


def test_a_declined_episode_cannot_be_signposted(signed_in, episode, swim):
    episode.declined_on = date.today()
    episode.accepted_on = None
    episode.save()
    assert signed_in.get(signpost_url(episode, swim)).status_code in (403, 404)


def test_follow_up_outcome_and_still_waiting(signed_in, episode, swim, practitioner):
    item = Signpost.objects.create(episode=episode, service=swim, reason="Active",
                                   signposted_on=date.today() - timedelta(days=20),
                                   follow_up_on=date.today() - timedelta(days=6),
                                   created_by=practitioner)
    url = reverse("directory:outcome", args=[item.public_id])
    response = signed_in.post(url, {"outcome": "still_waiting", "version": 1,
                                    **date_fields("recorded_on", date.today())})
    assert "Enter the date you agreed to follow up" in response.content.decode()
    later = date.today() + timedelta(days=10)
    response = signed_in.post(url, {"outcome": "still_waiting", "version": 1,
                                    **date_fields("recorded_on", date.today()),
                                    **date_fields("next_follow_up_on", later)})
    assert response.status_code == 302
    item.refresh_from_db()
    assert (item.outcome, item.follow_up_on, item.version) == ("still_waiting", later, 2)
    stale = signed_in.post(url, {"outcome": "engaged", "version": 1,
                                 **date_fields("recorded_on", date.today())})
    assert "Someone else changed this record" in stale.content.decode()
    signed_in.post(url, {"outcome": "engaged", "version": 2,
                         **date_fields("recorded_on", date.today())})
    item.refresh_from_db()
    assert item.outcome == "engaged"


def test_overdue_follow_ups_for_the_caseload(episode, camhs_team, practitioner, swim,
                                             django_assert_num_queries):
    other = make_episode(make_young_person(given_name="Bo"), camhs_team, practitioner)
    quiet = make_episode(make_young_person(given_name="Cy"), camhs_team, practitioner)
    past, future = date.today() - timedelta(days=1), date.today() + timedelta(days=3)
    for ep, follow, outcome in [(episode, past, ""), (episode, past, "still_waiting"),
                                (episode, future, ""), (other, past, "engaged"),
                                (other, past, ""), (quiet, future, "")]:
        Signpost.objects.create(episode=ep, service=swim, reason="r", follow_up_on=follow,
                                signposted_on=past - timedelta(days=30), outcome=outcome,
                                created_by=practitioner)
    with django_assert_num_queries(1):
        overdue = services.overdue_follow_ups([episode.pk, other.pk, quiet.pk])
    assert overdue == {episode.pk: 2, other.pk: 1}
