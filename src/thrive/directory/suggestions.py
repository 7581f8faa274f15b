"""Providers suggest changes to their own listing; an editor approves or rejects them.

An editor invites a provider contact with a one-time link (14 days; only a hash of its token is
kept, and the link names nobody). Through it the provider proposes new values for that one
listing. Nothing in the directory changes until an editor approves: the fields the provider
changed are then applied through `editing.edit_service` (the importer, versions and audit), so an
editor's own change to another field in the meantime is not undone. A rejection keeps a reason.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import time, timedelta

from django.db import transaction
from django.utils import timezone

from thrive.core import audit
from thrive.core.models import AuditEvent
from thrive.core.rules import RuleBroken

from . import editing
from .models import ChangeSuggestion, ProviderInvite, Service

INVITE_DAYS = 14
FIELDS = ("name", "description", "status", "minimum_age", "maximum_age", "email", "url", "days",
          "opens_at", "closes_at")
LABELS = {"name": "Name", "description": "Description", "status": "Status",
          "minimum_age": "Youngest age", "maximum_age": "Oldest age", "email": "Email",
          "url": "Website", "days": "Days it is open", "opens_at": "Opens at",
          "closes_at": "Closes at"}


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


# -- Values: the listing's editable fields as JSON, and back ------------------------------------


def current_values(service: Service) -> dict:
    """The values the listing form shows (and the provider sees), as JSON."""
    days, opens_at, closes_at = editing.current_hours(service)
    return {"name": service.name, "description": service.description, "status": service.status,
            "minimum_age": _int(service.minimum_age), "maximum_age": _int(service.maximum_age),
            "email": service.data.get("email", ""), "url": service.data.get("url", ""),
            "days": days, "opens_at": _hhmm(opens_at), "closes_at": _hhmm(closes_at)}


def as_json(cleaned: dict) -> dict:
    """A cleaned `ServiceEditForm`'s data as JSON."""
    return {"name": cleaned["name"].strip(), "description": cleaned["description"].strip(),
            "status": cleaned["status"], "minimum_age": cleaned["minimum_age"],
            "maximum_age": cleaned["maximum_age"], "email": cleaned["email"],
            "url": cleaned["url"], "days": list(cleaned["days"]),
            "opens_at": _hhmm(cleaned["opens_at"]), "closes_at": _hhmm(cleaned["closes_at"])}


def form_initial(values: dict) -> dict:
    return {**values, "opens_at": _time(values["opens_at"]), "closes_at": _time(values["closes_at"])}


def _int(value):
    return None if value is None else int(value)


def _hhmm(value: time | None) -> str:
    return value.strftime("%H:%M") if value else ""


def _time(text: str) -> time | None:
    return time.fromisoformat(text) if text else None


def in_words(name: str, value) -> str:
    if name == "days":
        names = dict(editing.DAYS)
        return ", ".join(names[d] for d in value) or "None"
    if name == "status":
        return Service.Status(value).label if value in Service.Status.values else str(value)
    return "Not given" if value in (None, "", []) else str(value)


def diff(suggestion: ChangeSuggestion) -> list[dict]:
    """What the provider changed: each field they changed, with the listing's value now (which
    may have moved on since they saw it) and what they propose."""
    now = current_values(suggestion.service)
    rows = []
    for name in FIELDS:
        if suggestion.proposed.get(name) != suggestion.base.get(name):
            rows.append({"field": name, "label": LABELS[name],
                         "now": in_words(name, now[name]),
                         "proposed": in_words(name, suggestion.proposed[name]),
                         "moved_on": now[name] != suggestion.base.get(name)})
    return rows


# -- Invites -------------------------------------------------------------------------------------


def invite(request, service: Service, *, contact: str) -> str:
    """A one-time link for a provider contact; returns the token (shown once, never kept)."""
    contact = contact.strip()
    if not contact:
        raise RuleBroken("Enter who you are sending the link to", "contact")
    if service.retired_at is not None:
        raise RuleBroken("Restore the listing before inviting its provider")
    token = secrets.token_urlsafe(32)
    with transaction.atomic():
        made = ProviderInvite.objects.create(
            token_hash=_hash(token), service=service, contact=contact[:200],
            created_by=request.user, expires_at=timezone.now() + timedelta(days=INVITE_DAYS))
        audit.record(request, AuditEvent.Action.CREATE, obj=made,
                     detail=f"provider invited to suggest changes to {service.name}")
    return token


def open_invite(token: str) -> ProviderInvite | None:
    """The invite if it exists, is unused, has not expired and its listing is still listed."""
    found = (ProviderInvite.objects.select_related("service")
             .filter(token_hash=_hash(token or "")).first())
    if (found is None or found.used_at is not None or found.expires_at <= timezone.now()
            or found.service.retired_at is not None):
        return None
    return found


def suggest(request, invite_: ProviderInvite, cleaned: dict) -> ChangeSuggestion:
    """The provider's proposal, kept for an editor; the link is used up. Nothing else changes."""
    editing.check_values(cleaned["minimum_age"], cleaned["maximum_age"], cleaned["days"],
                   cleaned["opens_at"], cleaned["closes_at"])
    with transaction.atomic():
        invite_ = ProviderInvite.objects.select_for_update().select_related("service").get(
            pk=invite_.pk)
        if invite_.used_at is not None or invite_.expires_at <= timezone.now():
            raise RuleBroken("This link has already been used or has expired")
        base = current_values(invite_.service)
        proposed = as_json(cleaned)
        if proposed == base:
            raise RuleBroken("You have not changed anything. Change what is wrong, then send it")
        made = ChangeSuggestion.objects.create(service=invite_.service, invite=invite_,
                                               base=base, proposed=proposed)
        invite_.used_at = timezone.now()
        invite_.save(update_fields=["used_at"])
        changed = ", ".join(n for n in FIELDS if proposed[n] != base[n])
        audit.record(request, AuditEvent.Action.CREATE, obj=made, username="provider link",
                     detail=f"changes suggested to {invite_.service.name}: {changed}")
    return made


# -- The editor's decision -------------------------------------------------------------------------


def _pending(suggestion: ChangeSuggestion) -> ChangeSuggestion:
    locked = ChangeSuggestion.objects.select_for_update().select_related("service").get(
        pk=suggestion.pk)
    if locked.status != ChangeSuggestion.Status.PENDING:
        raise RuleBroken("This suggestion has already been decided")
    return locked


def approve(request, suggestion: ChangeSuggestion) -> Service:
    """Apply the fields the provider changed to the listing as it is now, through the editor's
    own path (importer, versions, audit)."""
    with transaction.atomic():
        suggestion = _pending(suggestion)
        values = current_values(suggestion.service)
        for name in FIELDS:
            if suggestion.proposed.get(name) != suggestion.base.get(name):
                values[name] = suggestion.proposed[name]
        service = editing.edit_service(request, suggestion.service, **form_initial(values))
        suggestion.status = ChangeSuggestion.Status.APPROVED
        suggestion.decided_by, suggestion.decided_at = request.user, timezone.now()
        suggestion.save(update_fields=["status", "decided_by", "decided_at"])
        audit.record(request, AuditEvent.Action.CHANGE, obj=suggestion,
                     detail=f"provider's suggested changes approved for {service.name}")
    return service


def reject(request, suggestion: ChangeSuggestion, *, reason: str) -> ChangeSuggestion:
    reason = reason.strip()
    if not reason:
        raise RuleBroken("Enter why you are rejecting these changes", "reason")
    with transaction.atomic():
        suggestion = _pending(suggestion)
        suggestion.status = ChangeSuggestion.Status.REJECTED
        suggestion.reason = reason
        suggestion.decided_by, suggestion.decided_at = request.user, timezone.now()
        suggestion.save(update_fields=["status", "reason", "decided_by", "decided_at"])
        audit.record(request, AuditEvent.Action.CHANGE, obj=suggestion,
                     detail=f"provider's suggested changes rejected for {suggestion.service.name}")
    return suggestion
