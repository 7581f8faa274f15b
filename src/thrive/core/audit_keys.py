"""The audit log's keys: kept in a file outside the database and the settings, never in either.

The file's path comes from the environment variable THRIVE_AUDIT_KEY_FILE; without it (local use
and the demo) it is var/audit-keys.json, generated on first use with owner-only permissions. The
file holds every key the log has been chained with, by id, and which one is current, so a key can
be rotated: new entries use the new key, and verification still knows the old ones.
"""

import json
import os
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from django.conf import settings

ENV_VAR = "THRIVE_AUDIT_KEY_FILE"


class AuditKeyError(RuntimeError):
    """The key file is missing, unreadable or names a key it does not hold."""


@dataclass(frozen=True)
class Keyring:
    current_id: str
    keys: dict  # key id → bytes

    @property
    def current(self) -> bytes:
        return self.keys[self.current_id]

    def key(self, key_id: str) -> bytes:
        try:
            return self.keys[key_id]
        except KeyError:
            raise AuditKeyError(f"The audit key file has no key {key_id!r}.") from None


def key_file() -> Path:
    configured = os.environ.get(ENV_VAR, "").strip()
    if configured:
        return Path(configured)
    return Path(settings.VAR_DIR) / "audit-keys.json"


def _new_key_id() -> str:
    return datetime.now(UTC).strftime("%Y%m%d%H%M%S-") + secrets.token_hex(3)


def _write(path: Path, current_id: str, keys: dict) -> None:
    """Write the whole file under a temporary name, owner-only, then rename it over the old one."""
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.name}.{secrets.token_hex(4)}.tmp")
    body = json.dumps({"current": current_id,
                       "keys": {k: v.hex() for k, v in keys.items()}}, indent=1)
    descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(descriptor, "w") as handle:
            handle.write(body)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temporary, path)
    finally:
        if temporary.exists():
            temporary.unlink()


_cache: dict = {}


def load(*, create: bool = True) -> Keyring:
    """The keyring, read from the key file (cached until the file changes). Generated on first
    use when `create` (the default) and the file does not exist yet."""
    path = key_file()
    try:
        stamp = path.stat().st_mtime_ns
    except FileNotFoundError:
        if not create:
            raise AuditKeyError(f"No audit key file at {path} (set {ENV_VAR}).") from None
        try:
            _write_new(path)
        except FileExistsError:  # another process made it first
            pass
        stamp = path.stat().st_mtime_ns
    cached = _cache.get(path)
    if cached and cached[0] == stamp:
        return cached[1]
    try:
        data = json.loads(path.read_text())
        keys = {str(k): bytes.fromhex(v) for k, v in data["keys"].items()}
        ring = Keyring(str(data["current"]), keys)
    except (OSError, ValueError, KeyError, TypeError) as error:
        raise AuditKeyError(f"The audit key file {path} cannot be read: {error}") from None
    if ring.current_id not in keys or any(len(k) < 32 for k in keys.values()):
        raise AuditKeyError(f"The audit key file {path} is not valid.")
    _cache[path] = (stamp, ring)
    return ring


def _write_new(path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    # O_EXCL on the real name: two processes starting together must not make two keys.
    key_id = _new_key_id()
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "w") as handle:
        handle.write(json.dumps({"current": key_id,
                                 "keys": {key_id: secrets.token_bytes(32).hex()}}, indent=1))
        handle.flush()
        os.fsync(handle.fileno())


def rotate() -> str:
    """Add a new key and make it current; the old keys stay for verification. Returns its id."""
    ring = load()
    key_id = _new_key_id()
    while key_id in ring.keys:
        key_id = _new_key_id()
    _write(key_file(), key_id, {**ring.keys, key_id: secrets.token_bytes(32)})
    _cache.clear()
    return key_id
