"""The fast loader (COPY on PostgreSQL, executemany on SQLite) stores exactly the rows the ORM's
bulk_create stores for the same seed, table by table."""

from datetime import date

import pytest
from django.db import connection

from thrive.conftest import make_young_person
from thrive.demo import writer
from thrive.demo.generator import generate
from thrive.people.models import YoungPerson

pytestmark = pytest.mark.django_db

# Stamped with the time of writing: the ORM takes one per row, the fast loader one per load.
WRITE_TIMES = {"created_at", "recorded_at"}


def _stored() -> dict[str, list[tuple]]:
    """Every demo table as the database holds it (raw values, not model instances)."""
    out = {}
    with connection.cursor() as cursor:
        for model in writer.MODELS:
            table = model._meta.db_table
            cursor.execute(f"SELECT * FROM {connection.ops.quote_name(table)}")
            names = [c[0] for c in cursor.description]
            rows = cursor.fetchall()
            for name in WRITE_TIMES & set(names):
                assert all(row[names.index(name)] is not None for row in rows), (table, name)
            keep = [i for i, n in enumerate(names) if n not in WRITE_TIMES
                    # the many-to-many table numbers its own rows, so compare what they link
                    and not (model is writer.Through and n == "id")]
            out[table] = sorted((tuple(row[i] for i in keep) for row in rows), key=repr)
    return out


def _delete_demo_rows() -> None:
    with connection.cursor() as cursor:
        for model in reversed(writer.MODELS):
            cursor.execute(f"DELETE FROM {connection.ops.quote_name(model._meta.db_table)}")


def test_fast_loader_stores_the_same_rows_as_bulk_create_for_a_seed():
    today = date.today()
    orm_counts = writer.write(generate(2026, 80, today=today), fast=False)
    through_orm = _stored()
    _delete_demo_rows()
    fast_counts = writer.write(generate(2026, 80, today=today), fast=True)
    through_fast = _stored()

    assert fast_counts == orm_counts
    assert set(through_fast) == set(through_orm)
    for table, rows in through_orm.items():
        assert rows, f"{table}: the demo wrote nothing, so this compares nothing"
        assert through_fast[table] == rows, f"{table} differs between the two loaders"


def test_after_a_fast_load_the_application_can_add_records():
    # PostgreSQL's sequences must have moved past the ids the loader gave out.
    writer.write(generate(2026, 20, today=date.today()))
    top = YoungPerson.objects.order_by("-pk").values_list("pk", flat=True).first()
    assert make_young_person().pk > top


def test_the_fast_load_leaves_every_foreign_key_in_place_and_satisfied():
    def foreign_keys():
        with connection.cursor() as cursor:
            return {(model._meta.db_table, name, tuple(c["columns"]), c["foreign_key"])
                    for model in writer.MODELS
                    for name, c in connection.introspection.get_constraints(
                        cursor, model._meta.db_table).items() if c["foreign_key"]}

    before = foreign_keys()
    assert before
    writer.write(generate(2026, 20, today=date.today()))
    assert foreign_keys() == before
    connection.check_constraints()  # raises if any stored row points at nothing
