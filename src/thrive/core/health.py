"""`/health`: what a load balancer or monitor asks before sending people here (decision 0023).

JSON, no personal data, no sign-in. 200 when the database answers and every migration is applied;
503 otherwise, or when the dashboards' figures are older than THRIVE_HEALTH_MAX_ANALYTICS_AGE_HOURS
(if set). The age of the figures is reported either way, so a monitor can alert on it.
"""

import json
import os
from datetime import UTC, datetime

from django.db import DatabaseError, connection
from django.db.migrations.executor import MigrationExecutor
from django.http import JsonResponse
from django.views.decorators.http import require_GET


def database_check() -> tuple[bool, str]:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError as error:
        return False, f"unreachable ({type(error).__name__})"
    return True, "reachable"


def migrations_check() -> tuple[bool, str]:
    try:
        executor = MigrationExecutor(connection)
        pending = executor.migration_plan(executor.loader.graph.leaf_nodes())
    except DatabaseError as error:
        return False, f"unknown ({type(error).__name__})"
    return (not pending), ("applied" if not pending else f"{len(pending)} not applied")


def analytics_check(now: datetime | None = None) -> tuple[bool, dict]:
    from thrive.analytics.locations import aggregates_dir

    meta_file = aggregates_dir("platform") / "meta.json"
    limit = os.environ.get("THRIVE_HEALTH_MAX_ANALYTICS_AGE_HOURS", "").strip()
    try:
        refreshed = datetime.fromisoformat(json.loads(meta_file.read_text())["refreshed_at"])
    except (OSError, ValueError, KeyError):
        return (not limit), {"refreshed_at": None, "age_seconds": None}
    if refreshed.tzinfo is None:
        refreshed = refreshed.replace(tzinfo=UTC)
    age = int(((now or datetime.now(UTC)) - refreshed).total_seconds())
    fresh = not limit or age <= float(limit) * 3600
    return fresh, {"refreshed_at": refreshed.isoformat(), "age_seconds": age}


@require_GET
def health(request):
    db_ok, db = database_check()
    mig_ok, migrations = migrations_check() if db_ok else (False, "unknown (no database)")
    figures_ok, figures = analytics_check()
    ok = db_ok and mig_ok and figures_ok
    response = JsonResponse(
        {"status": "ok" if ok else "fail", "database": db, "migrations": migrations,
         "analytics": figures},
        status=200 if ok else 503)
    response["Cache-Control"] = "no-store"
    return response
