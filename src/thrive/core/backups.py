"""Backing up and restoring the whole service (decision 0023): the database and the files in
var/ that are not recomputed from it.

A backup is a directory:
  manifest.json        what is in it: when, which database engine, each file's SHA-256
  database.sqlite3     SQLite: a consistent copy taken with SQLite's online backup API
  database.pgdump      PostgreSQL: pg_dump's custom format (pg_restore reads it)
  files/<name>/...     directories that matter: the analytics figures and imported extract
                       (THRIVE_ANALYTICS_DIR) and, where configured, the audit chain's anchors
                       (THRIVE_AUDIT_ANCHOR_DIR)
Restoring checks every checksum first, refuses a database that already has tables unless told to
replace it, and puts the files back where the settings say.
"""

import hashlib
import json
import os
import shutil
import sqlite3
import subprocess
from datetime import UTC, datetime
from pathlib import Path

from django.conf import settings
from django.db import connection

FORMAT = 1


class BackupError(Exception):
    """The backup or restore cannot go ahead; the message says why."""


def file_locations() -> dict[str, Path]:
    """The directories a backup carries, by name. Working files (dot-names) are left out."""
    places = {"analytics": Path(settings.THRIVE_ANALYTICS_DIR)}
    anchors = getattr(settings, "THRIVE_AUDIT_ANCHOR_DIR", None)
    if anchors:
        places["audit-anchors"] = Path(anchors)
    return places


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _pg_env(db: dict) -> tuple[list[str], dict]:
    args = []
    if db.get("HOST"):
        args += ["--host", str(db["HOST"])]
    if db.get("PORT"):
        args += ["--port", str(db["PORT"])]
    if db.get("USER"):
        args += ["--username", str(db["USER"])]
    env = dict(os.environ)
    if db.get("PASSWORD"):
        env["PGPASSWORD"] = str(db["PASSWORD"])
    return args, env


def _copy_tree(source: Path, target: Path) -> None:
    shutil.copytree(source, target, ignore=lambda _d, names: [n for n in names if n.startswith(".")],
                    dirs_exist_ok=True)


def backup(out: Path) -> dict:
    out = Path(out)
    if out.exists() and any(out.iterdir()):
        raise BackupError(f"{out} is not empty: back up into a new directory.")
    out.mkdir(parents=True, exist_ok=True)
    connection.ensure_connection()
    vendor = connection.vendor
    if vendor == "sqlite":
        target = sqlite3.connect(out / "database.sqlite3")
        try:
            connection.connection.backup(target)  # online: writers wait, readers carry on
        finally:
            target.close()
    elif vendor == "postgresql":
        db = connection.settings_dict
        args, env = _pg_env(db)
        result = subprocess.run(["pg_dump", "--format=custom", "--no-owner", "--file",
                                 str(out / "database.pgdump"), *args, db["NAME"]],
                                env=env, capture_output=True, text=True)
        if result.returncode != 0:
            raise BackupError(f"pg_dump failed: {result.stderr.strip()}")
    else:
        raise BackupError(f"No backup for a {vendor} database.")
    for name, place in file_locations().items():
        if place.is_dir():
            _copy_tree(place, out / "files" / name)
    files = {str(p.relative_to(out)): _sha256(p) for p in sorted(out.rglob("*")) if p.is_file()}
    manifest = {"format": FORMAT, "created_at": datetime.now(UTC).isoformat(timespec="seconds"),
                "database": vendor, "files": files}
    (out / "manifest.json").write_text(json.dumps(manifest, indent=2) + "\n")
    return manifest


def read_manifest(source: Path) -> dict:
    source = Path(source)
    try:
        manifest = json.loads((source / "manifest.json").read_text())
    except (OSError, ValueError) as error:
        raise BackupError(f"{source} is not a backup (no readable manifest.json).") from error
    if manifest.get("format") != FORMAT:
        raise BackupError(f"Unknown backup format {manifest.get('format')!r}.")
    for relative, digest in manifest["files"].items():
        path = source / relative
        if not path.is_file() or _sha256(path) != digest:
            raise BackupError(f"{relative} is missing or changed since the backup: not restoring.")
    return manifest


def _has_tables() -> bool:
    return bool(connection.introspection.table_names())


def restore(source: Path, *, replace: bool = False) -> dict:
    source = Path(source)
    manifest = read_manifest(source)
    vendor = connection.vendor
    if manifest["database"] != vendor:
        raise BackupError(f"This is a {manifest['database']} backup; the configured database is {vendor}.")
    if _has_tables() and not replace:
        raise BackupError("The database already has tables: restore into a fresh database, "
                          "or pass --replace to overwrite it.")
    db = connection.settings_dict
    if vendor == "sqlite":
        name = str(db["NAME"])
        connection.close()
        backup_db = sqlite3.connect(source / "database.sqlite3")
        target = sqlite3.connect(name)
        try:
            backup_db.backup(target)  # replaces every page of the target
        finally:
            target.close()
            backup_db.close()
    else:
        args, env = _pg_env(db)
        connection.close()
        clean = ["--clean", "--if-exists"] if replace else []
        result = subprocess.run(["pg_restore", "--no-owner", "--exit-on-error", *clean, *args,
                                 "--dbname", db["NAME"], str(source / "database.pgdump")],
                                env=env, capture_output=True, text=True)
        if result.returncode != 0:
            raise BackupError(f"pg_restore failed: {result.stderr.strip()}")
    places = file_locations()
    for name, place in places.items():
        saved = source / "files" / name
        if saved.is_dir():
            if place.exists():
                shutil.rmtree(place)
            _copy_tree(saved, place)
    return manifest
