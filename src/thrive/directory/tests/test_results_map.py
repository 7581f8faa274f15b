"""A map of results (issue 13 item 2) only where a tile URL is configured: the page is whole
without it; the Content Security Policy allows the tile host for images and nothing else."""

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db

OSM = "https://tile.openstreetmap.org/{z}/{x}/{y}.png"


def csp(response) -> dict[str, str]:
    return {part.split()[0]: part for part in
            (p.strip() for p in response["Content-Security-Policy"].split(";")) if part}


def test_without_a_tile_url_there_is_no_map_and_no_extra_host(client, demo_directory, settings):
    settings.THRIVE_MAP_TILE_URL = ""
    response = client.get(reverse("directory:search"), {"q": "youth club"})
    text = response.content.decode()
    assert "Eastbrook youth club" in text
    assert "data-thrive-map" not in text and "leaflet" not in text and "data-map-lat" not in text
    assert csp(response)["img-src"] == "img-src 'self' data:"


def test_with_a_tile_url_results_carry_their_place_and_only_images_may_come_from_the_tiles(
        client, demo_directory, settings):
    settings.THRIVE_MAP_TILE_URL = OSM
    response = client.get(reverse("directory:search"), {"q": "youth club"})
    text = response.content.decode()
    # Hidden until the script draws it: without JavaScript the list is the page.
    assert "<section data-thrive-map" in text and "aria-labelledby=\"map-heading\" hidden" in text
    assert f'data-tile-url="{OSM}"' in text
    assert 'data-map-name="Eastbrook youth club"' in text
    assert "/static/leaflet/leaflet.js" in text and "/static/directory/map.js" in text
    policy = csp(response)
    assert policy["img-src"] == "img-src 'self' data: https://tile.openstreetmap.org"
    for directive in ("script-src", "style-src", "default-src", "font-src"):
        assert "openstreetmap" not in policy[directive]


def test_subdomain_tiles_and_odd_urls(client, settings):
    settings.THRIVE_MAP_TILE_URL = "https://{s}.tile.example.org/{z}/{x}/{y}.png"
    assert "https://*.tile.example.org" in csp(client.get(reverse("directory:search")))["img-src"]
    settings.THRIVE_MAP_TILE_URL = "javascript:alert(1)"
    assert csp(client.get(reverse("directory:search")))["img-src"] == "img-src 'self' data:"
    settings.THRIVE_MAP_TILE_URL = "https://evil.example'; script-src *"
    policy = csp(client.get(reverse("directory:search")))
    assert policy["img-src"] == "img-src 'self' data:" and "*" not in policy["script-src"]


def test_services_without_a_place_are_listed_but_not_mapped(client, demo_directory, settings):
    settings.THRIVE_MAP_TILE_URL = OSM
    text = client.get(reverse("directory:search"), {"q": "helpline"}).content.decode()
    assert "services found" in text or "service found" in text
    cards = text.split('<li class="nhsuk-card')[1:]
    assert cards and any("data-map-lat" not in card.split(">")[0] for card in cards)
