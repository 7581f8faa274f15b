import copy
import io
import json

import pytest

from thrive.directory import importer, services
from thrive.directory.importer import ImportRejected, import_services, read_feed
from thrive.directory.models import Location, Organization, Schedule, Service, ServiceAttribute

from .conftest import example

pytestmark = pytest.mark.django_db


def snapshot():
    return (
        sorted(Service.objects.values_list("oruk_id", "content_hash", "imported_at", "id")),
        sorted(Organization.objects.values_list("oruk_id", "content_hash", "id")),
        sorted(Location.objects.values_list("oruk_id", "content_hash", "id")),
        Schedule.objects.count(), ServiceAttribute.objects.count(),
    )


@pytest.mark.parametrize("name, path", [
    ("service_full", None), ("service_list", ["contents"]),
    ("organization_full", ["services"]), ("service_at_location_full", ["service"]),
])
def test_the_standards_own_examples_import_cleanly(name, path):
    payload = example(name)
    for step in path or []:
        payload = payload[step]
    result = import_services(importer.services_in(payload) if path != ["service"] else [payload])
    assert result.created == 1
    assert Service.objects.filter(name="Community Counselling").exists()


def test_the_example_service_keeps_its_parts():
    import_services([example("service_full")])
    service = Service.objects.get()
    assert service.organization.name == "Example Organization Inc."
    assert (service.minimum_age, service.maximum_age) == (12, 100)
    schedule = service.schedules.get()
    assert schedule.byday == "TH,FR" and str(schedule.opens_at) == "10:00:00"
    location = service.service_at_locations.get().location
    # The example's coordinates (100, 101) are not on Earth: kept as sent, but not placed.
    assert location.latitude is None and location.data["latitude"] == 100


def test_importing_the_same_records_twice_changes_nothing(demo_directory):
    before = snapshot()
    result = import_services(importer.read_file(services.DATA / "demo_directory.json"))
    assert (result.created, result.updated, result.unchanged) == (0, 0, 60)
    assert snapshot() == before


def test_a_changed_record_is_updated_and_its_parts_replaced():
    record = example("service_full")
    import_services([record])
    changed = copy.deepcopy(record)
    changed["description"] = "Now with evening sessions."
    changed["schedules"][0]["byday"] = "MO"
    result = import_services([changed])
    assert (result.created, result.updated) == (0, 1)
    service = Service.objects.get()
    assert service.data["description"] == "Now with evening sessions."
    assert list(service.schedules.values_list("byday", flat=True)) == ["MO"]


def test_one_bad_record_stops_the_whole_import_and_names_record_and_field():
    good = example("service_full")
    bad = copy.deepcopy(good)
    bad["id"] = "0c2a9b43-1f0a-4c43-9a55-2b8e1a7a3f11"
    bad["name"] = "Broken service"
    bad["status"] = "open"
    bad["schedules"][0]["opens_at"] = "25:00"
    with pytest.raises(ImportRejected) as rejected:
        import_services([good, bad])
    problems = [(p.record, p.field) for p in rejected.value.problems]
    assert ("service 2 of 2 'Broken service' (id 0c2a9b43-1f0a-4c43-9a55-2b8e1a7a3f11)",
            "status") in problems
    assert Service.objects.count() == 0 and Organization.objects.count() == 0


def test_semantic_problems_are_reported_too():
    record = example("service_full")
    record["minimum_age"], record["maximum_age"] = 18, 11
    record["schedules"][0]["opens_at"] = "25:00"
    record["schedules"][0]["byday"] = "MONDAY"
    with pytest.raises(ImportRejected) as rejected:
        import_services([record])
    fields = {p.field: p.message for p in rejected.value.problems}
    assert fields["maximum_age"] == "maximum age 11 is below minimum age 18"
    assert "not a time of day" in fields["schedules[0].opens_at"]
    assert "MO, TU" in fields["schedules[0].byday"]
    assert Service.objects.count() == 0


def test_the_same_location_given_two_ways_in_one_import_is_refused():
    first = example("service_full")
    second = copy.deepcopy(first)
    second["id"] = "5d1b1d52-4c8a-4a7e-9e51-7e4f0f6c8a11"
    second["service_at_locations"][0]["id"] = "8c2b0f11-7d3e-4f5a-9b6c-1a2b3c4d5e6f"
    second["service_at_locations"][0]["location"]["name"] = "Somewhere else"
    with pytest.raises(ImportRejected) as rejected:
        import_services([first, second])
    assert any("location 3a19ff88" in p.message for p in rejected.value.problems)


def test_a_service_at_location_belongs_to_one_service():
    first = example("service_full")
    second = copy.deepcopy(first)
    second["id"] = "5d1b1d52-4c8a-4a7e-9e51-7e4f0f6c8a11"
    with pytest.raises(ImportRejected) as rejected:
        import_services([first, second])
    assert [p.field for p in rejected.value.problems] == ["service_at_locations[0].id"]


def test_a_failure_while_writing_leaves_nothing_behind(monkeypatch):
    records = [example("service_full")]
    second = copy.deepcopy(records[0])
    second["id"] = "5d1b1d52-4c8a-4a7e-9e51-7e4f0f6c8a11"
    second["service_at_locations"] = []
    second["schedules"] = []
    records.append(second)
    real = importer._Writer.service
    calls = []

    def failing(self, record, now, source=""):
        calls.append(record["id"])
        if len(calls) == 2:
            raise RuntimeError("database went away")
        return real(self, record, now, source)

    monkeypatch.setattr(importer._Writer, "service", failing)
    with pytest.raises(RuntimeError):
        import_services(records)
    assert Service.objects.count() == 0 and Location.objects.count() == 0


def test_not_json_is_reported_with_its_line(tmp_path):
    path = tmp_path / "feed.json"
    path.write_text('{"id": \n', encoding="utf-8")
    with pytest.raises(ImportRejected) as rejected:
        importer.read_file(path)
    assert rejected.value.problems[0].field == "line 2"


def test_a_feed_is_read_page_by_page_then_service_by_service():
    full = example("service_full")
    second = copy.deepcopy(full)
    second["id"] = "5d1b1d52-4c8a-4a7e-9e51-7e4f0f6c8a11"
    second["service_at_locations"][0]["id"] = "8c2b0f11-7d3e-4f5a-9b6c-1a2b3c4d5e6f"
    pages = {
        "https://feed.example/api/services?page=1&per_page=1": {
            "total_items": 2, "total_pages": 2, "page_number": 1, "size": 1, "first_page": True,
            "last_page": False, "empty": False, "contents": [{"id": full["id"]}]},
        "https://feed.example/api/services?page=2&per_page=1": {
            "total_items": 2, "total_pages": 2, "page_number": 2, "size": 1, "first_page": False,
            "last_page": True, "empty": False, "contents": [{"id": second["id"]}]},
        f"https://feed.example/api/services/{full['id']}": full,
        f"https://feed.example/api/services/{second['id']}": second,
    }
    requested = []

    def opener(request, timeout):
        requested.append(request.full_url)
        return io.BytesIO(json.dumps(pages[request.full_url]).encode())

    records = read_feed("https://feed.example/api", per_page=1, opener=opener)
    assert [r["id"] for r in records] == [full["id"], second["id"]]
    assert len(requested) == 4
    result = import_services(records)
    assert result.created == 2


def _feed_opener(pages, requested):
    def opener(request, timeout):
        requested.append(request.full_url)
        return io.BytesIO(pages[request.full_url])
    return opener


@pytest.mark.parametrize("bad_id", ["../../admin/users", "a/b", "..", "x?page=2", "", 7, None])
def test_a_feed_cannot_send_the_import_to_other_paths_on_its_host(db, bad_id):
    listing = {"total_pages": 1, "last_page": True, "contents": [{"id": bad_id}]}
    requested = []
    pages = {"https://feed.example/api/services?page=1&per_page=100": json.dumps(listing).encode()}
    with pytest.raises(ImportRejected) as refused:
        read_feed("https://feed.example/api", opener=_feed_opener(pages, requested))
    assert "is not a service id this import will fetch" in str(refused.value.problems[0])
    assert requested == ["https://feed.example/api/services?page=1&per_page=100"]


def test_a_feed_answer_over_the_size_limit_is_refused_unread(db, monkeypatch):
    monkeypatch.setattr("thrive.directory.importer.MAX_RESPONSE_BYTES", 1000)
    listing = {"total_pages": 1, "last_page": True, "contents": [{"id": "a" * 10}] * 200}
    pages = {"https://feed.example/api/services?page=1&per_page=100": json.dumps(listing).encode()}
    with pytest.raises(ImportRejected) as refused:
        read_feed("https://feed.example/api", opener=_feed_opener(pages, []))
    assert "larger than" in str(refused.value.problems[0])
