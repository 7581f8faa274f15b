"""Helpers for tests that post NHS-style forms."""

from contextlib import contextmanager
from datetime import date


def date_fields(name: str, value: date | None) -> dict:
    if value is None:
        return {f"{name}-day": "", f"{name}-month": "", f"{name}-year": ""}
    return {f"{name}-day": str(value.day), f"{name}-month": str(value.month),
            f"{name}-year": str(value.year)}


def form_data(**fields) -> dict:
    """Dates become day/month/year boxes; booleans become yes/no radios; lists stay lists."""
    data = {}
    for name, value in fields.items():
        if isinstance(value, date):
            data.update(date_fields(name, value))
        elif isinstance(value, bool):
            data[name] = "yes" if value else "no"
        elif value is None:
            continue
        else:
            data[name] = value
    return data


@contextmanager
def as_a_database_writer():
    """Write straight to the audit table, as someone with database access would (tests of
    tamper evidence). On PostgreSQL they must first get round the append-only trigger, as a
    superuser could, by switching triggers off for their session."""
    from django.db import connection

    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SET session_replication_role = replica")
    try:
        yield
    finally:
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SET session_replication_role = DEFAULT")
