"""Providers suggest changes to their own listing and an editor approves or rejects them (issue 13
item 5): a one-time, expiring link that names nobody (only its hash is kept); nothing changes
until an editor approves; approval goes through the editor's own path (importer, versions,
audit) and the Open Referral API publishes it; a rejection keeps its reason."""

import re
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from thrive.accounts.models import Role
from thrive.conftest import make_user
from thrive.core.models import AuditEvent
from thrive.directory.models import ChangeSuggestion, ProviderInvite, Service
from thrive.history.models import FieldChange

pytestmark = pytest.mark.django_db


@pytest.fixture
def swim(demo_directory):
    return Service.objects.get(name="Family swim")


@pytest.fixture
def editor(client):
    client.force_login(make_user("eddie.editor", None, role=Role.DIRECTORY_EDITOR))
    return client


def invite_link(editor, service, contact="Jo Smith, pool manager") -> str:
    response = editor.post(reverse("directory:manage-invite", args=[service.oruk_id]),
                           {"contact": contact})
    assert response.status_code == 200
    return re.search(r'value="(http://testserver/directory/suggest/[^"]+)"',
                     response.content.decode())[1].removeprefix("http://testserver")


def provider_form(service, **changes):
    data = {"name": service.name, "description": service.description, "status": service.status,
            "minimum_age": "" if service.minimum_age is None else int(service.minimum_age),
            "maximum_age": "" if service.maximum_age is None else int(service.maximum_age),
            "email": service.data.get("email", ""), "url": service.data.get("url", "")}
    from thrive.directory import editing
    days, opens_at, closes_at = editing.current_hours(service)
    data.update({"days": days, "opens_at": opens_at.strftime("%H:%M") if opens_at else "",
                 "closes_at": closes_at.strftime("%H:%M") if closes_at else ""})
    data.update(changes)
    return data


def published(client, service):
    return client.get(f"/openreferral/services/{service.oruk_id}").json()


def test_a_provider_suggests_and_nothing_changes_until_an_editor_approves(
        editor, client, swim, django_user_model):
    link = invite_link(editor, swim)
    token = link.rstrip("/").rsplit("/", 1)[1]
    # The link names nobody and only its hash is kept.
    assert str(swim.oruk_id) not in link and str(swim.pk) not in token
    invite = ProviderInvite.objects.get()
    assert token not in invite.token_hash and len(invite.token_hash) == 64

    editor.logout()
    page = client.get(link)
    assert page.status_code == 200 and "Suggest changes to your listing" in page.content.decode()
    assert page["Cache-Control"] == "no-store"
    assert swim.description in page.content.decode()
    before = published(client, swim)
    response = client.post(link, provider_form(
        swim, description="Family swimming, now with a quiet session for autistic children.",
        days=["SA"], opens_at="08:00", closes_at="09:30"))
    assert response.status_code == 200
    assert "Thank you: your changes have been sent" in response.content.decode()
    assert published(client, swim) == before  # nothing changes yet
    suggestion = ChangeSuggestion.objects.get()
    assert suggestion.status == "pending"
    event = AuditEvent.objects.get(object_type="ChangeSuggestion", action="create")
    assert event.username == "provider link" and "description" in event.detail
    # The link was one-time.
    assert client.get(link).status_code == 410

    editor.force_login(django_user_model.objects.get(username="eddie.editor"))
    listing = editor.get(reverse("directory:manage")).content.decode()
    assert "Changes providers have suggested" in listing
    review = editor.get(reverse("directory:manage-suggestion", args=[suggestion.pk]))
    text = review.content.decode()
    assert "quiet session for autistic children" in text and "Days it is open" in text
    assert "Saturday" in text and "Youngest age" not in text  # only what changed

    editor.post(reverse("directory:manage-suggestion", args=[suggestion.pk]),
                {"decision": "approve"})
    record = published(editor, swim)
    assert record["description"].endswith("quiet session for autistic children.")
    assert [(s["byday"], s["opens_at"], s["closes_at"]) for s in record["schedules"]] == [
        ("SA", "08:00", "09:30")]
    suggestion.refresh_from_db()
    assert suggestion.status == "approved" and suggestion.decided_by.username == "eddie.editor"
    labels = set(FieldChange.objects.filter(object_type="Service", object_id=str(swim.pk))
                 .values_list("field_label", flat=True))
    assert labels == {"Description", "Opening times"}
    assert AuditEvent.objects.filter(object_type="ChangeSuggestion", action="change",
                                     detail__contains="approved").exists()
    # Decided once only.
    again = editor.post(reverse("directory:manage-suggestion", args=[suggestion.pk]),
                        {"decision": "approve"})
    assert "already been decided" in again.content.decode()


def test_approval_keeps_an_editors_change_made_in_the_meantime(editor, client, swim):
    link = invite_link(editor, swim)
    client.post(link, provider_form(swim, email="swim@example.org"))
    editor.post(reverse("directory:manage-service", args=[swim.oruk_id]),
                provider_form(swim, name="Family swim at Northvale Pool"))
    suggestion = ChangeSuggestion.objects.get()
    editor.post(reverse("directory:manage-suggestion", args=[suggestion.pk]),
                {"decision": "approve"})
    swim.refresh_from_db()
    assert swim.name == "Family swim at Northvale Pool"
    assert swim.data["email"] == "swim@example.org"


def test_a_rejection_needs_a_reason_and_changes_nothing(editor, client, swim):
    link = invite_link(editor, swim)
    client.post(link, provider_form(swim, name="Best swim in the world"))
    suggestion = ChangeSuggestion.objects.get()
    url = reverse("directory:manage-suggestion", args=[suggestion.pk])
    response = editor.post(url, {"decision": "reject", "reason": ""})
    assert response.status_code == 422
    assert "Enter why you are rejecting these changes" in response.content.decode()
    editor.post(url, {"decision": "reject", "reason": "Names must describe the service"})
    suggestion.refresh_from_db()
    swim.refresh_from_db()
    assert (suggestion.status, suggestion.reason) == ("rejected", "Names must describe the service")
    assert swim.name == "Family swim" and not FieldChange.objects.exists()
    assert "Names must describe the service" in editor.get(url).content.decode()


def test_bad_provider_input_is_refused_clearly_and_the_link_still_works(editor, client, swim):
    link = invite_link(editor, swim)
    response = client.post(link, provider_form(swim, url="javascript:alert(1)"))
    assert response.status_code == 422
    assert "Enter a website address starting https://" in response.content.decode()
    response = client.post(link, provider_form(swim, minimum_age="16", maximum_age="11"))
    assert "Youngest age must be the same as or less than the oldest age" in \
        response.content.decode()
    response = client.post(link, provider_form(swim))
    assert "You have not changed anything" in response.content.decode()
    assert not ChangeSuggestion.objects.exists()
    assert client.get(link).status_code == 200


def test_expired_unknown_and_retired_links_are_gone(editor, client, swim):
    link = invite_link(editor, swim)
    assert client.get("/directory/suggest/not-a-real-token/").status_code == 410
    ProviderInvite.objects.update(expires_at=timezone.now() - timedelta(minutes=1))
    assert client.get(link).status_code == 410
    assert client.post(link, provider_form(swim, name="Changed")).status_code == 410
    assert not ChangeSuggestion.objects.exists()
    link = invite_link(editor, swim)
    swim.retired_at = timezone.now()
    swim.save()
    assert client.get(link).status_code == 410


def test_only_editors_invite_and_decide(client, practitioner, swim, editor):
    link = invite_link(editor, swim)
    from django.test import Client
    Client().post(link, provider_form(swim, name="Changed by provider"))
    suggestion = ChangeSuggestion.objects.get()
    client.force_login(practitioner)
    assert client.post(reverse("directory:manage-invite", args=[swim.oruk_id]),
                       {"contact": "Someone"}).status_code == 403
    assert client.post(reverse("directory:manage-suggestion", args=[suggestion.pk]),
                       {"decision": "approve"}).status_code == 403
    suggestion.refresh_from_db()
    assert suggestion.status == "pending"
