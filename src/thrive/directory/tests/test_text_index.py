"""The full-text index stays in step with the services, on either database."""

import pytest
from django.db import connection

from thrive.directory import text_index
from thrive.directory.importer import import_services
from thrive.directory.models import Service

from .conftest import example

pytestmark = pytest.mark.django_db


def test_a_changed_name_is_found_by_its_new_words():
    import_services([example("service_full")])
    service = Service.objects.get()
    assert service.pk in text_index.ranks([("counselling",)], name_only=True)
    Service.objects.filter(pk=service.pk).update(search_name="riverside mentoring")
    assert service.pk not in text_index.ranks([("counselling",)], name_only=True)
    assert service.pk in text_index.ranks([("mentoring",)], name_only=True)
    Service.objects.filter(pk=service.pk).delete()
    assert text_index.ranks([("mentoring",)]) == {}


def test_lost_triggers_are_put_back_after_migrate():
    if connection.vendor != "sqlite":
        # PostgreSQL keeps a generated column: nothing to put back.
        text_index.ensure()
        assert text_index.backend() == "postgresql"
        return
    with connection.cursor() as cursor:
        cursor.execute(f"DROP TRIGGER {text_index.FTS_TABLE}_au")
    text_index.ensure()
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM sqlite_master WHERE type = 'trigger' AND name LIKE %s",
                       [f"{text_index.FTS_TABLE}_%"])
        assert cursor.fetchone()[0] == 3
    import_services([example("service_full")])
    service = Service.objects.get()
    Service.objects.filter(pk=service.pk).update(search_name="riverside mentoring")
    assert service.pk in text_index.ranks([("mentoring",)], name_only=True)
