"""The published Open Referral UK API: every response validates against the UK profile's
OpenAPI document and the compiled HSDS schemas (resolved from local copies)."""

import json

import pytest
from django.test import Client

from thrive.directory import oruk_schema, taxonomy
from thrive.directory.demo_data import _id
from thrive.directory.importer import import_services
from thrive.directory.models import Location, Service, ServiceAtLocation

from .conftest import example

pytestmark = pytest.mark.django_db

REFUGE = _id("location", "refuge")


@pytest.fixture
def api(demo_directory):
    import_services([example("service_full")])
    return Client()  # not signed in: the API is open


def get(api, path, template=None, status=200, **params):
    response = api.get(f"/openreferral{path}", params)
    assert response.status_code == status, response.content[:500]
    assert response["Access-Control-Allow-Origin"] == "*"
    body = response.json()
    if status == 200:
        problems = oruk_schema.errors(oruk_schema.response_validator(template or path), body)
        assert problems == [], f"{path} {params}: {problems[:5]}"
    assert REFUGE not in json.dumps(body), f"{path} published the refuge"
    return body


def first(model):
    return str(model.objects.order_by("id").values_list("oruk_id", flat=True).first())


LISTS = [
    ("/services", {}),
    ("/services", {"page": 2, "per_page": 7}),
    ("/services", {"search": "counselling"}),
    ("/services", {"taxonomy_term_id": taxonomy.term_id("crisis")}),
    ("/services", {"taxonomy_id": taxonomy.TAXONOMY_ID, "minimum_age": 11, "maximum_age": 25}),
    ("/services", {"day": "SA", "start_time": "09:00", "end_time": "14:00"}),
    ("/services", {"day": "saturday"}),
    ("/service_at_locations", {}),
    ("/service_at_locations", {"postcode": "NV1 1AA", "proximity": "3000"}),
    ("/service_at_locations", {"search": "youth", "per_page": 3, "page": 2}),
    ("/organizations", {}),
    ("/taxonomies", {}),
    ("/taxonomy_terms", {"per_page": 5}),
]


@pytest.mark.parametrize("path, params", LISTS)
def test_every_list_validates_and_pages(api, path, params):
    body = get(api, path, **params)
    assert set(body) >= {"total_items", "total_pages", "page_number", "size", "first_page",
                         "last_page", "empty", "contents"}
    assert body["size"] == len(body["contents"])
    assert body["page_number"] == params.get("page", 1)


def test_every_record_validates(api):
    get(api, "/")
    for service in Service.objects.all():
        get(api, f"/services/{service.oruk_id}", "/services/{id}")
    for sal in ServiceAtLocation.objects.filter(location__is_sensitive=False):
        get(api, f"/service_at_locations/{sal.oruk_id}", "/service_at_locations/{id}")
    get(api, f"/organizations/{first(__import__('thrive.directory.models', fromlist=['x']).Organization)}",
        "/organizations/{id}")
    get(api, f"/taxonomies/{taxonomy.TAXONOMY_ID}", "/taxonomies/{id}")
    get(api, f"/taxonomy_terms/{taxonomy.term_id('getting-help')}", "/taxonomy_terms/{id}")


def test_filters_mean_what_the_profile_says(api):
    crisis = get(api, "/services", taxonomy_term_id=taxonomy.term_id("crisis"))
    names = {s["name"] for s in crisis["contents"]}
    assert "24-hour crisis line" in names and "Family swim" not in names
    saturday = get(api, "/services", day="SA", per_page=200)
    assert "Family swim" in {s["name"] for s in saturday["contents"]}
    assert "Parenting teenagers course" not in {s["name"] for s in saturday["contents"]}
    teens = get(api, "/services", minimum_age=13, maximum_age=18, per_page=200)
    assert all(13 <= s["minimum_age"] and s["maximum_age"] <= 18 for s in teens["contents"])
    near = get(api, "/service_at_locations", postcode="NV11AA", proximity="2000", per_page=200)
    towns = {s["location"]["addresses"][0]["city"] for s in near["contents"]}
    assert towns == {"Northvale"}


def test_sensitive_locations_are_never_published(api):
    refuge = Location.objects.get(oruk_id=REFUGE)
    assert refuge.is_sensitive
    sal = refuge.service_at_locations.first()
    get(api, f"/service_at_locations/{sal.oruk_id}", status=404)
    service = get(api, f"/services/{sal.service.oruk_id}", "/services/{id}")
    assert service["service_at_locations"] == []
    assert all("service_at_location_id" not in s for s in service["schedules"])
    get(api, "/service_at_locations", per_page=200)


@pytest.mark.parametrize("path, params, parameter", [
    ("/services", {"page": "0"}, "page"),
    ("/services", {"per_page": "0"}, "per_page"),
    ("/services", {"modified_after": "last tuesday"}, "modified_after"),
    ("/services", {"minimal": "perhaps"}, "minimal"),
    ("/services", {"format": "xml"}, "format"),
    ("/services", {"minimum_age": "teen"}, "minimum_age"),
    ("/services", {"start_time": "9am"}, "start_time"),
    ("/services", {"day": "Funday"}, "day"),
    ("/services", {"taxonomy_term_id": "not-an-id"}, "taxonomy_term_id"),
    ("/service_at_locations", {"postcode": "ZZ9 9ZZ", "proximity": "100"}, "postcode"),
    ("/service_at_locations", {"proximity": "100"}, "proximity"),
])
def test_bad_parameters_get_a_400_naming_them(api, path, params, parameter):
    body = get(api, path, status=400, **params)
    assert body["errors"][0]["parameter"] == parameter


def test_unknown_ids_are_404(api):
    get(api, "/services/7b0c6f1e-0000-4000-8000-000000000000", status=404)
    get(api, "/services/nonsense", status=404)
    get(api, "/taxonomy_terms/7b0c6f1e-0000-4000-8000-000000000000", status=404)


def test_the_api_is_read_only(api):
    assert api.post("/openreferral/services", {}).status_code == 405


def contains(published, original, path="") -> list[str]:
    """Where `original` is not carried over into `published` (lists matched by id)."""
    if isinstance(original, dict):
        missing = []
        for key, value in original.items():
            if key not in published:
                missing.append(f"{path}.{key}")
            else:
                missing += contains(published[key], value, f"{path}.{key}")
        return missing
    if isinstance(original, list):
        by_id = {i.get("id"): i for i in published if isinstance(i, dict)}
        missing = []
        for n, item in enumerate(original):
            other = by_id.get(item.get("id")) if isinstance(item, dict) else None
            if other is None and not (isinstance(item, dict)):
                other = published[n] if n < len(published) else None
            if other is None:
                missing.append(f"{path}[{n}]")
            else:
                missing += contains(other, item, f"{path}[{n}]")
        return missing
    return [] if published == original else [f"{path}: {published!r} != {original!r}"]


def test_the_standards_example_round_trips(api):
    original = example("service_full")
    published = get(api, f"/services/{original['id']}", "/services/{id}")
    assert contains(published, original) == []


def test_a_published_directory_imports_elsewhere_unchanged(api, django_db_blocker):
    published = [get(api, f"/services/{s.oruk_id}", "/services/{id}")
                 for s in Service.objects.all()]
    Service.objects.all().delete()
    import_services(published)
    again = [get(api, f"/services/{s['id']}", "/services/{id}") for s in published]
    assert again == published
    assert import_services(again).unchanged == len(published)


def test_per_page_above_the_most_is_capped_not_refused(api):
    body = get(api, "/services", per_page=1000)
    assert body["size"] == 61 and body["total_items"] == 61 and body["last_page"]
    Service.objects.update(status="active")
    big = get(api, "/services", per_page=5000)
    assert big["size"] <= 200


def test_modified_after(api):
    everything = get(api, "/services", per_page=200)["total_items"]
    service = Service.objects.order_by("id").first()
    Service.objects.exclude(pk=service.pk).update(last_modified="2020-01-01T00:00:00Z")
    Service.objects.filter(pk=service.pk).update(last_modified="2026-06-01T12:00:00Z")
    recent = get(api, "/services", modified_after="2026-01-01T00:00:00Z")
    assert [s["id"] for s in recent["contents"]] == [str(service.oruk_id)]
    assert get(api, "/services", modified_after="2019-12-31")["total_items"] == everything
    assert get(api, "/services", modified_after="2026-06-01T12:00:01+00:00")["total_items"] == 0


def test_minimal_and_full(api):
    response = api.get("/openreferral/services", {"minimal": "true", "per_page": 1000})
    body = response.json()
    assert body["total_items"] == len(body["contents"])
    assert set(body["contents"][0]) == {"id", "modified_date"}
    full = get(api, "/services", full="true", per_page=3)
    for item in full["contents"]:
        assert "schedules" in item and "service_at_locations" in item
        problems = oruk_schema.errors(oruk_schema.response_validator("/services/{id}"), item)
        assert problems == []


def test_ndjson_streams_every_result_without_pages(api):
    response = api.get("/openreferral/services", {"format": "ndjson"})
    assert response["Content-Type"] == "application/x-ndjson"
    lines = b"".join(response.streaming_content).decode().splitlines()
    total = get(api, "/services")["total_items"]
    assert len(lines) == total and all(json.loads(line)["id"] for line in lines)


def test_the_day_filter_ignores_schedules_that_have_ended(api):
    swim = Service.objects.get(name="Family swim")
    assert swim.oruk_id and get(api, "/services", day="SU", per_page=200)["total_items"]
    swim.schedules.update(valid_to="2020-03-01")
    sunday = get(api, "/services", day="SU", per_page=200)
    assert "Family swim" not in {s["name"] for s in sunday["contents"]}
