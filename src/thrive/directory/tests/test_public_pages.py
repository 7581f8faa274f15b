"""The public pages: no sign-in, GET search, nothing about young people."""

import pytest
from django.urls import reverse

from thrive.directory.models import Service

pytestmark = pytest.mark.django_db


def test_search_works_without_signing_in(client, demo_directory):
    response = client.get(reverse("directory:search"), {"q": "youth club", "postcode": "NV2 1AA",
                                                        "need": "thriving"})
    assert response.status_code == 200
    text = response.content.decode()
    assert "Eastbrook youth club" in text and "miles away" in text


def test_a_bad_postcode_gets_an_error_summary(client, demo_directory):
    response = client.get(reverse("directory:search"), {"postcode": "ZZ9 9ZZ"})
    text = response.content.decode()
    assert "There is a problem" in text and "We could not find the postcode ZZ9 9ZZ" in text


def test_bad_age_gets_an_error(client, demo_directory):
    text = client.get(reverse("directory:search"), {"age": "teen"}).content.decode()
    assert "Age must be a number, like 14" in text


def test_service_page_is_public_and_hides_sensitive_addresses(client, demo_directory):
    refuge = Service.objects.get(name="Children's refuge outreach")
    response = client.get(reverse("directory:service", args=[refuge.oruk_id]))
    assert response.status_code == 200
    text = response.content.decode()
    assert "Safe Haven refuge" not in text and "NV1 4HJ" not in text
    assert "Online, by phone or by arrangement" in text


def test_signposting_pages_need_sign_in(client, episode, demo_directory):
    response = client.get(reverse("directory:episode-signposts", args=[episode.public_id]))
    assert response.status_code == 302 and "/account/sign-in" in response["Location"]


def test_public_pages_show_nothing_about_young_people(signed_in, episode, demo_directory):
    text = signed_in.get(reverse("directory:search"), {"q": "counselling"}).content.decode()
    assert episode.young_person.family_name not in text


@pytest.mark.parametrize("referer", [
    "https://evil.example/directory/search/?q=x",
    "javascript://127.0.0.1/directory/search/%0aalert(1)",
    "http://127.0.0.1/elsewhere/?next=/directory/search/",
])
def test_the_back_link_never_leaves_our_search_page(client, demo_directory, referer):
    service = Service.objects.filter(status=Service.Status.ACTIVE).first()
    text = client.get(reverse("directory:service", args=[service.oruk_id]), HTTP_HOST="127.0.0.1",
                      HTTP_REFERER=referer).content.decode()
    assert "evil.example" not in text and "javascript:" not in text and "/elsewhere/" not in text
    assert f'href="{reverse("directory:search")}"' in text


def test_the_back_link_returns_to_the_results_the_visitor_came_from(client, demo_directory):
    service = Service.objects.filter(status=Service.Status.ACTIVE).first()
    text = client.get(reverse("directory:service", args=[service.oruk_id]), HTTP_HOST="127.0.0.1",
                      HTTP_REFERER="http://127.0.0.1/directory/search/?q=youth+club").content.decode()
    assert f'href="{reverse("directory:search")}?q=youth+club"' in text
