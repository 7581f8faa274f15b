"""Writing and checking the audit log. Every read or change of personal data goes through here."""

from dataclasses import dataclass

from django.db import connection, transaction
from django.utils import timezone

from .models import AuditEvent

GENESIS = "0" * 64
_CHAIN_LOCK_KEY = 7_384_211  # PostgreSQL advisory lock that serialises appends to the chain


def client_ip(request) -> str | None:
    return request.META.get("REMOTE_ADDR") if request is not None else None


def record(request, action, *, obj=None, young_person=None, detail="", reason="", user=None,
           username=None) -> AuditEvent:
    """Append one entry. `obj` is any model instance; only its type and id are kept."""
    user = user if user is not None else getattr(request, "user", None)
    if user is not None and not user.is_authenticated:
        user = None
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
            object_type=type(obj).__name__ if obj is not None else "",
            object_id=str(getattr(obj, "public_id", None) or getattr(obj, "pk", "")) if obj else "",
            young_person_id=young_person.pk if young_person is not None else None,
            ip_address=client_ip(request),
            reason=reason,
            detail=detail[:200],
            previous_hash=last or GENESIS,
        )
        event.entry_hash = event.compute_hash()
        event.save()
    return event


@dataclass
class ChainCheck:
    entries: int
    first_broken_id: int | None

    @property
    def intact(self) -> bool:
        return self.first_broken_id is None


def verify_chain() -> ChainCheck:
    """Walk the log in order; report the first entry whose hash or link does not match."""
    previous = GENESIS
    count = 0
    for event in AuditEvent.objects.order_by("id").iterator(chunk_size=2000):
        count += 1
        if event.previous_hash != previous or event.compute_hash() != event.entry_hash:
            return ChainCheck(count, event.id)
        previous = event.entry_hash
    return ChainCheck(count, None)
