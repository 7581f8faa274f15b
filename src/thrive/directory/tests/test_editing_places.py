"""Editors keep a listing's places current (issue 13 item 5): the address and postcode (placed
from the loaded postcode table where it can be), and the opening times at each place. Every change
goes through the importer, is versioned and audited, and the Open Referral API publishes it."""

import pytest
from django.urls import reverse

from thrive.accounts.models import Role
from thrive.conftest import make_user
from thrive.core.models import AuditEvent
from thrive.directory.models import Postcode, Service
from thrive.history.models import FieldChange

pytestmark = pytest.mark.django_db


@pytest.fixture
def editor(client):
    client.force_login(make_user("eddie.editor", None, role=Role.DIRECTORY_EDITOR))
    return client


@pytest.fixture
def hub_service(demo_directory):
    """A demo service with one place and times at that place."""
    return Service.objects.filter(service_at_locations__isnull=False,
                                  schedules__service_at_location__isnull=False).distinct().first()


def place_form(**changes):
    data = {"name": "Westfield Library", "address_1": "2 Mill Road", "address_2": "",
            "city": "Northvale", "county": "North Yorkshire", "postcode": "nv1 1aa", "days": ["TU", "TH"],
            "opens_at": "16:00", "closes_at": "18:30"}
    data.update(changes)
    return data


def published(client, service):
    return client.get(f"/openreferral/services/{service.oruk_id}").json()


def test_an_editor_adds_a_place_placed_from_its_postcode_with_its_own_times(editor, hub_service):
    before = published(editor, hub_service)
    old_times = [(s["byday"], s["opens_at"]) for s in before["schedules"]]
    url = reverse("directory:manage-place-add", args=[hub_service.oruk_id])
    assert editor.get(url).status_code == 200
    response = editor.post(url, place_form())
    assert response.status_code == 302
    record = published(editor, hub_service)
    place = next(s for s in record["service_at_locations"]
                 if s["location"].get("name") == "Westfield Library")
    centroid = Postcode.objects.get(postcode="NV1 1AA")
    assert (place["location"]["latitude"], place["location"]["longitude"]) == (
        round(centroid.latitude, 6), round(centroid.longitude, 6))
    assert place["location"]["addresses"][0]["postal_code"] == "NV1 1AA"
    here = [s for s in record["schedules"] if s.get("service_at_location_id") == place["id"]]
    assert [(s["byday"], s["opens_at"], s["closes_at"]) for s in here] == [
        ("TU,TH", "16:00", "18:30")]
    # The other place's times are kept.
    assert [(s["byday"], s["opens_at"]) for s in record["schedules"]
            if s.get("service_at_location_id") != place["id"]] == old_times
    changes = {c.field_label: c.new_value for c in FieldChange.objects.filter(
        object_type="Service", object_id=str(hub_service.pk))}
    assert "Westfield Library, 2 Mill Road, Northvale, NV1 1AA" in changes["Places"]
    assert "Tuesdays and Thursdays" in changes["Opening times"]
    event = AuditEvent.objects.filter(object_type="Service", action="change").last()
    assert event.detail.startswith("directory place added") and "Mill Road" not in event.detail
    # Near that postcode, the service is found by distance.
    found = editor.get(reverse("directory:search"),
                       {"postcode": "NV1 1AA", "distance": "1", "q": hub_service.name})
    assert hub_service.name in found.content.decode()


def test_a_postcode_not_in_the_table_is_kept_but_not_placed_and_the_editor_is_told(
        editor, hub_service):
    sal = hub_service.service_at_locations.get()
    url = reverse("directory:manage-place", args=[hub_service.oruk_id, sal.oruk_id])
    initial = editor.get(url).content.decode()
    assert sal.location.name in initial
    response = editor.post(url, place_form(name=sal.location.name, postcode="NV9 9ZZ"),
                           follow=True)
    assert "not in the loaded postcode table" in response.content.decode()
    location = published(editor, hub_service)["service_at_locations"][0]["location"]
    assert location["addresses"][0]["postal_code"] == "NV9 9ZZ"
    assert "latitude" not in location and "longitude" not in location
    sal = hub_service.service_at_locations.get()
    assert sal.location.latitude is None and sal.location.postcode == "NV9 9ZZ"


def test_bad_place_input_gets_clear_errors_and_changes_nothing(editor, hub_service):
    sal = hub_service.service_at_locations.get()
    before = published(editor, hub_service)
    url = reverse("directory:manage-place", args=[hub_service.oruk_id, sal.oruk_id])
    response = editor.post(url, place_form(address_1="", postcode="not a postcode"))
    assert response.status_code == 422
    text = response.content.decode()
    assert "There is a problem" in text and "Enter address line 1" in text
    response = editor.post(url, place_form(postcode="hello"))
    assert "Enter a full postcode, like NV1 2AB" in response.content.decode()
    response = editor.post(url, place_form(opens_at="16:00", closes_at="", days=["MO"]))
    assert "Enter both the opening and closing time" in response.content.decode()
    response = editor.post(url, place_form(name="x" * 301))
    assert response.status_code == 422
    assert published(editor, hub_service) == before
    assert not FieldChange.objects.exists()


def test_removing_a_place_takes_its_times_with_it(editor, hub_service):
    sal = hub_service.service_at_locations.get()
    editor.post(reverse("directory:manage-place-remove", args=[hub_service.oruk_id, sal.oruk_id]))
    record = published(editor, hub_service)
    assert record["service_at_locations"] == []
    assert all(s.get("service_at_location_id") != str(sal.oruk_id) for s in record["schedules"])
    change = FieldChange.objects.get(field_label="Places")
    assert sal.location.name in change.old_value and sal.location.name not in change.new_value


def test_only_editors_may_change_places(client, practitioner, hub_service):
    client.force_login(practitioner)
    sal = hub_service.service_at_locations.get()
    assert client.post(reverse("directory:manage-place", args=[hub_service.oruk_id, sal.oruk_id]),
                       place_form()).status_code == 403
    assert client.post(reverse("directory:manage-place-remove",
                               args=[hub_service.oruk_id, sal.oruk_id])).status_code == 403
    assert hub_service.service_at_locations.count() == 1
