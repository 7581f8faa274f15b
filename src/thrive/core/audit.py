"""Writing and checking the audit log. Every read or change of personal data, and every refused
attempt to reach a young person's record, goes through here."""

import hashlib
import hmac
import json
from dataclasses import dataclass
from pathlib import Path

from django.db import connection, transaction
from django.utils import timezone

from . import audit_keys
from .models import AuditEvent

GENESIS = "0" * 64
_CHAIN_LOCK_KEY = 7_384_211  # PostgreSQL advisory lock that serialises appends to the chain

# How a user is related to a young person: set by the sharing app (policy.access_basis), which
# knows relationships; core does not. Called only for entries about a young person.
_basis_resolver = None


def set_basis_resolver(resolver) -> None:
    global _basis_resolver
    _basis_resolver = resolver


def client_ip(request) -> str | None:
    return request.META.get("REMOTE_ADDR") if request is not None else None


def entries_written(request) -> int:
    """How many audit entries this request has written so far."""
    return getattr(request, "_audit_entries", 0) if request is not None else 0


def record(request, action, *, obj=None, young_person=None, detail="", reason="", user=None,
           username=None, outcome=AuditEvent.Outcome.ALLOWED, basis=None, object_type=None,
           object_id=None, young_person_id=None) -> AuditEvent:
    """Append one entry. `obj` is any model instance; only its type and id are kept. `basis` is
    worked out from the user's relationship with `young_person` unless given."""
    user = user if user is not None else getattr(request, "user", None)
    if user is not None and not user.is_authenticated:
        user = None
    person_pk = young_person.pk if young_person is not None else young_person_id
    if basis is None:
        basis = (_basis_resolver(user, person_pk)
                 if person_pk is not None and user is not None and _basis_resolver else "")
    keyring = audit_keys.load()
    with transaction.atomic():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_CHAIN_LOCK_KEY])
        last = AuditEvent.objects.order_by("-id").values_list("entry_hash", flat=True).first()
        event = AuditEvent(
            at=timezone.now(),
            user=user,
            username=username or (user.get_username() if user else ""),
            action=action,
            object_type=object_type if object_type is not None else (
                type(obj).__name__ if obj is not None else ""),
            object_id=object_id if object_id is not None else (
                str(getattr(obj, "public_id", None) or getattr(obj, "pk", "")) if obj else ""),
            young_person_id=person_pk,
            ip_address=client_ip(request),
            reason=reason,
            detail=detail[:200],
            outcome=outcome,
            basis=basis,
            key_id=keyring.current_id,
            previous_hash=last or GENESIS,
        )
        event.entry_hash = event.compute_hash(keyring)
        event.save()
    if request is not None:
        request._audit_entries = entries_written(request) + 1
    return event


# -- Checking the chain, and the signed head anchors kept outside the database ----------------


@dataclass
class ChainCheck:
    entries: int
    first_broken_id: int | None
    problem: str = ""

    @property
    def intact(self) -> bool:
        return not self.problem


def _sign(payload: dict, key: bytes) -> str:
    return hmac.new(key, json.dumps(payload, sort_keys=True).encode(), hashlib.sha256).hexdigest()


def head() -> dict:
    """Where the log ends now: entry count, last id and last hash."""
    count = AuditEvent.objects.count()
    last = AuditEvent.objects.order_by("-id").values("id", "entry_hash").first()
    return {"entries": count, "last_id": last["id"] if last else None,
            "last_hash": last["entry_hash"] if last else GENESIS}


def make_anchor() -> dict:
    """A signed statement of the log's head, to be kept somewhere the database's writers cannot
    reach. Signed with the current audit key."""
    keyring = audit_keys.load()
    with transaction.atomic():
        payload = {**head(), "at": timezone.now().isoformat(), "key_id": keyring.current_id}
    return {**payload, "signature": _sign(payload, keyring.current)}


def write_anchor(directory: Path) -> Path:
    """Write a new anchor file (never overwriting one) in `directory`; return its path."""
    anchor = make_anchor()
    directory.mkdir(parents=True, exist_ok=True)
    stamp = anchor["at"].replace(":", "").replace("-", "").replace("+0000", "Z")[:15]
    path = directory / f"audit-anchor-{stamp}-entry-{anchor['last_id'] or 0}.json"
    n = 1
    while True:
        try:
            with open(path, "x") as handle:
                json.dump(anchor, handle, indent=1, sort_keys=True)
            return path
        except FileExistsError:
            n += 1
            path = path.with_name(f"audit-anchor-{stamp}-entry-{anchor['last_id'] or 0}-{n}.json")


class AnchorError(ValueError):
    pass


def read_anchor(path: Path) -> dict:
    """Read an anchor file, or the newest anchor in a directory, and check its signature."""
    path = Path(path)
    if path.is_dir():
        candidates = sorted(path.glob("audit-anchor-*.json"))
        if not candidates:
            raise AnchorError(f"No audit anchor files in {path}.")
        anchors = [read_anchor(c) for c in candidates]
        return max(anchors, key=lambda a: (a["entries"], a["at"]))
    try:
        anchor = json.loads(path.read_text())
        payload = {k: anchor[k] for k in ("entries", "last_id", "last_hash", "at", "key_id")}
        signature = anchor["signature"]
    except (OSError, ValueError, KeyError, TypeError) as error:
        raise AnchorError(f"The anchor {path} cannot be read: {error}") from None
    try:
        key = audit_keys.load(create=False).key(payload["key_id"])
    except audit_keys.AuditKeyError as error:
        raise AnchorError(str(error)) from None
    if not hmac.compare_digest(_sign(payload, key), str(signature)):
        raise AnchorError(f"The anchor {path} has a wrong signature: it was not written with "
                          "the audit key.")
    return payload


def verify_chain(anchor: dict | None = None) -> ChainCheck:
    """Walk the log in order; report the first entry whose keyed hash or link does not match,
    and, given a (signature-checked) anchor, whether the log still holds the anchored head at the
    anchored position."""
    keyring = audit_keys.load(create=False) if AuditEvent.objects.exists() else None
    previous = GENESIS
    count = 0
    anchored_seen = anchor is None or anchor["entries"] == 0
    for event in AuditEvent.objects.order_by("id").iterator(chunk_size=2000):
        count += 1
        try:
            expected = event.compute_hash(keyring)
        except audit_keys.AuditKeyError:
            return ChainCheck(count, event.id, f"entry {event.id} names an unknown audit key")
        if event.previous_hash != previous or not hmac.compare_digest(expected, event.entry_hash):
            return ChainCheck(count, event.id, f"entry {event.id} does not match its keyed hash "
                                               "or the entry before it")
        if anchor is not None and count == anchor["entries"]:
            if event.id != anchor["last_id"] or event.entry_hash != anchor["last_hash"]:
                return ChainCheck(count, event.id, f"entry {count} is not the anchored head "
                                                   f"(entry {anchor['last_id']}): the log was "
                                                   "rewritten before the anchor")
            anchored_seen = True
        previous = event.entry_hash
    if not anchored_seen:
        return ChainCheck(count, None, f"the log has {count} entries but the anchor of "
                                       f"{anchor['at']} recorded {anchor['entries']}: entries "
                                       "were removed")
    return ChainCheck(count, None)
