"""Remote completion: a one-time, expiring link with no identifiers; the answers land on the
episode, audited."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from thrive.core.models import AuditEvent
from thrive.measures.models import Completion, RemoteLink
from thrive.measures.tests.stepping import answer_in_steps

pytestmark = pytest.mark.django_db


def make_link(client, episode, measure="gad7"):
    url = (reverse("measures:remote-link", args=[episode.public_id])
           + f"?measure={measure}&rater=self&method=tablet")
    page = client.post(url).content.decode()
    marker = 'id="remote-link" href="'
    start = page.index(marker) + len(marker)
    return page[start:page.index('"', start)]


def test_a_link_is_answered_once_on_a_phone_and_lands_on_the_episode(signed_in, client, episode,
                                                                       person, practitioner):
    link = make_link(signed_in, episode)
    path = link.split("testserver", 1)[-1]
    assert str(episode.public_id) not in link and person.nhs_number not in link
    signed_in.logout()
    page = client.get(path)
    html = page.content.decode()
    assert page.status_code == 200 and "Over the last 2 weeks" in html
    for private in (person.given_name, person.family_name, episode.team.name):
        assert private not in html
    response = answer_in_steps(client, path, "gad7", {n: "2" for n in range(1, 8)})
    assert "Thank you" in response.content.decode()
    completion = Completion.objects.get()
    assert completion.episode == episode and completion.recorded_by == practitioner
    assert completion.scores.get(scale_id="total").value == 14
    assert AuditEvent.objects.filter(detail__contains="completed through a remote link").exists()
    again = client.get(path)
    assert again.status_code == 410 and Completion.objects.count() == 1


def test_an_expired_link_does_not_open(signed_in, client, episode):
    path = make_link(signed_in, episode).split("testserver", 1)[-1]
    RemoteLink.objects.update(expires_at=timezone.now() - timedelta(minutes=1))
    signed_in.logout()
    assert client.get(path).status_code == 410
    assert client.post(path, {"item_1": "1"}).status_code == 410
    assert not Completion.objects.exists()


def test_a_made_up_link_does_not_open(client):
    assert client.get(reverse("measures:remote", args=["made-up"])).status_code == 410
