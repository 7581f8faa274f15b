"""The directory team keeps listings current (issue 13 item 5): a directory editor edits a
service and its opening times, marks it reviewed, retires and restores it; every change is
versioned and audited and the Open Referral API publishes it; families report problems."""

import pytest
from django.core.cache import cache
from django.urls import reverse

from thrive.accounts.models import Role
from thrive.conftest import make_user
from thrive.core import dates
from thrive.core.models import AuditEvent
from thrive.directory.models import ProblemReport, Service
from thrive.history.models import FieldChange

pytestmark = pytest.mark.django_db


@pytest.fixture
def swim(demo_directory):
    return Service.objects.get(name="Family swim")


@pytest.fixture
def editor(client):
    user = make_user("eddie.editor", None, role=Role.DIRECTORY_EDITOR)
    client.force_login(user)
    return client


def edit_url(service):
    return reverse("directory:manage-service", args=[service.oruk_id])


def form_for(service, **changes):
    data = {"name": service.name, "description": service.description, "status": service.status,
            "minimum_age": "" if service.minimum_age is None else int(service.minimum_age),
            "maximum_age": "" if service.maximum_age is None else int(service.maximum_age),
            "email": service.data.get("email", ""), "url": service.data.get("url", "")}
    data.update(changes)
    return data


def api_service(client, service):
    return client.get(f"/openreferral/services/{service.oruk_id}").json()


def test_only_directory_editors_and_system_admins_may_edit(client, practitioner, swim):
    client.force_login(practitioner)
    assert client.get(reverse("directory:manage")).status_code == 403
    assert client.post(edit_url(swim), form_for(swim, name="Hacked")).status_code == 403
    retire = reverse("directory:manage-action", args=[swim.oruk_id, "retire"])
    assert client.post(retire).status_code == 403
    swim.refresh_from_db()
    assert swim.name == "Family swim" and swim.retired_at is None
    client.force_login(make_user("sam.admin", None, role=Role.SYSTEM_ADMIN))
    assert client.get(reverse("directory:manage")).status_code == 200


def test_an_editor_changes_details_and_opening_times_and_everything_publishes_it(editor, swim):
    assert "Family swim" in editor.get(reverse("directory:manage")).content.decode()
    response = editor.post(edit_url(swim), form_for(
        swim, description="Family swimming on Saturday and Sunday mornings.",
        days=["SA", "SU"], opens_at="09:30", closes_at="11:00"))
    assert response.status_code == 302
    swim.refresh_from_db()
    assert swim.description == "Family swimming on Saturday and Sunday mornings."
    public = editor.get(reverse("directory:service", args=[swim.oruk_id])).content.decode()
    assert "Saturday and Sunday mornings" in public
    assert "9:30am to 11am" in public
    published = api_service(editor, swim)
    assert published["description"] == "Family swimming on Saturday and Sunday mornings."
    assert [(s["byday"], s["opens_at"], s["closes_at"]) for s in published["schedules"]] == [
        ("SA,SU", "09:30", "11:00")]
    changes = {c.field_label: (c.old_value, c.new_value) for c in FieldChange.objects.filter(
        object_type="Service", object_id=str(swim.pk))}
    assert set(changes) == {"Description", "Opening times"}
    assert changes["Description"][1] == "Family swimming on Saturday and Sunday mornings."
    event = AuditEvent.objects.filter(action="change", object_type="Service").last()
    assert "description" in event.detail and "Family swimming" not in event.detail
    page = editor.get(edit_url(swim)).content.decode()
    assert "Opening times now: Saturdays and Sundays, 9:30am to 11am" in page


def test_a_found_search_changes_with_the_edit(editor, swim):
    editor.post(edit_url(swim), form_for(swim, description="Aquarobics for all the family"))
    results = editor.get(reverse("directory:search"), {"q": "aquarobics"}).content.decode()
    assert "Family swim" in results


def test_bad_input_shows_an_error_summary_and_saves_nothing(editor, swim):
    before = swim.description
    response = editor.post(edit_url(swim), form_for(swim, name="", minimum_age="12",
                                                    maximum_age="8", opens_at="9am"))
    assert response.status_code == 422
    text = response.content.decode()
    assert "There is a problem" in text and "Enter the service&#39;s name" in text
    response = editor.post(edit_url(swim), form_for(swim, minimum_age="12", maximum_age="8"))
    assert "Youngest age must be the same as or less than the oldest age" in \
        response.content.decode()
    response = editor.post(edit_url(swim), form_for(swim, opens_at="09:00", closes_at="10:00"))
    assert "Select the days it is open" in response.content.decode()
    swim.refresh_from_db()
    assert swim.description == before and not FieldChange.objects.exists()


def test_review_sets_last_checked_today(editor, swim):
    editor.post(reverse("directory:manage-action", args=[swim.oruk_id, "review"]))
    swim.refresh_from_db()
    assert swim.last_checked == dates.today()
    assert api_service(editor, swim)["assured_date"] == dates.today().isoformat()
    assert FieldChange.objects.filter(field_label="Last reviewed").exists()


def test_retire_and_restore(editor, swim):
    editor.post(reverse("directory:manage-action", args=[swim.oruk_id, "retire"]))
    swim.refresh_from_db()
    assert swim.retired_at is not None
    assert editor.get(f"/openreferral/services/{swim.oruk_id}").status_code == 404
    found = editor.get(reverse("directory:search"), {"q": "family swim"}).content.decode()
    assert reverse("directory:service", args=[swim.oruk_id]) not in found
    # Editing a retired listing keeps it retired.
    editor.post(edit_url(swim), form_for(swim, description="Still closed for repairs"))
    swim.refresh_from_db()
    assert swim.retired_at is not None and swim.description == "Still closed for repairs"
    editor.post(reverse("directory:manage-action", args=[swim.oruk_id, "restore"]))
    swim.refresh_from_db()
    assert swim.retired_at is None
    assert editor.get(f"/openreferral/services/{swim.oruk_id}").status_code == 200
    assert list(FieldChange.objects.filter(field_label="Listed").values_list(
        "old_value", "new_value").order_by("changed_at", "id")) == [("Yes", "No"), ("No", "Yes")]


def test_a_family_reports_a_problem_and_the_editor_sees_it(client, swim, settings):
    page = client.get(reverse("directory:service", args=[swim.oruk_id])).content.decode()
    url = reverse("directory:report-problem", args=[swim.oruk_id])
    assert url in page
    bad = client.post(url, {"what": ""})
    assert bad.status_code == 422 and "Select what is wrong" in bad.content.decode()
    done = client.post(url, {"what": "times", "detail": "It now opens at 10"})
    assert "Thank you for telling us" in done.content.decode()
    report = ProblemReport.objects.get()
    assert (report.service, report.what, report.detail) == (swim, "times", "It now opens at 10")
    client.force_login(make_user("eddie.editor", None, role=Role.DIRECTORY_EDITOR))
    listing = client.get(reverse("directory:manage")).content.decode()
    assert "The opening times are wrong" in listing and "It now opens at 10" in listing
    client.post(reverse("directory:manage-action", args=[swim.oruk_id, "resolve"]),
                {"report": report.pk})
    report.refresh_from_db()
    assert report.resolved_at is not None


def test_problem_reports_are_rate_limited(client, swim, settings):
    cache.clear()
    settings.THRIVE_COMMUNITY_JOIN_LIMIT = 2
    url = reverse("directory:report-problem", args=[swim.oruk_id])
    for _ in range(2):
        assert client.post(url, {"what": "closed"}).status_code == 200
    assert client.post(url, {"what": "closed"}).status_code == 429
    assert ProblemReport.objects.count() == 2


def test_an_editor_adds_a_service_that_is_listed_and_published(editor, demo_directory):
    page = editor.get(reverse("directory:manage-add"))
    assert page.status_code == 200
    response = editor.post(reverse("directory:manage-add"), {
        "name": "Northvale chess club", "description": "Chess for young people, all levels.",
        "status": "active", "minimum_age": "8", "maximum_age": "18", "email": "",
        "url": "https://chess.example.org", "days": ["WE"], "opens_at": "17:00",
        "closes_at": "18:30"})
    assert response.status_code == 302
    made = Service.objects.get(name="Northvale chess club")
    assert (made.minimum_age, made.maximum_age) == (8, 18)
    assert api_service(editor, made)["schedules"][0]["byday"] == "WE"
    found = editor.get(reverse("directory:search"), {"q": "chess"}).content.decode()
    assert reverse("directory:service", args=[made.oruk_id]) in found
    assert FieldChange.objects.filter(object_type="Service", object_id=str(made.pk),
                                      field_label="Name", new_value="Northvale chess club").exists()
    assert AuditEvent.objects.filter(action="create", object_type="Service").exists()


def test_adding_refuses_bad_input_and_saves_nothing(editor, demo_directory):
    before = Service.objects.count()
    response = editor.post(reverse("directory:manage-add"), {
        "name": "", "description": "", "status": "active", "url": "javascript:alert(1)"})
    assert response.status_code == 422
    text = response.content.decode()
    assert "Enter the service&#39;s name" in text and "Enter a website address" in text
    assert Service.objects.count() == before
