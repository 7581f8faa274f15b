"""write_extract: tables given whole or as a stream of record batches give the same files."""

import pyarrow as pa
import pyarrow.parquet as pq

from thrive.analytics import schema
from thrive.analytics.schema import TABLES, table_path, write_extract


def test_streamed_batches_become_large_row_groups_and_the_same_rows(tmp_path, monkeypatch):
    monkeypatch.setattr(schema, "ROW_GROUP_ROWS", 1000)
    rows = [{"person_id": f"P{n}", "sex": "2", "imd_decile": n % 10 + 1} for n in range(2500)]
    whole = pa.Table.from_pylist(rows)

    def small_batches():  # as DuckDB streams: many small batches
        yield from whole.to_batches(max_chunksize=100)

    write_extract(tmp_path / "whole", {"people": whole}, source="test")
    manifest = write_extract(tmp_path / "streamed", {"people": small_batches, "scores": lambda: iter(())},
                             source="test")
    streamed = pq.ParquetFile(table_path(tmp_path / "streamed", "people"))
    assert manifest["rows"]["people"] == 2500 and manifest["rows"]["scores"] == 0
    groups = [streamed.metadata.row_group(i).num_rows for i in range(streamed.num_row_groups)]
    assert groups == [1000, 1000, 500]
    assert streamed.read().equals(pq.read_table(table_path(tmp_path / "whole", "people")))
    empty = pq.read_table(table_path(tmp_path / "streamed", "scores"))
    assert empty.num_rows == 0 and empty.schema.equals(TABLES["scores"])
    assert manifest["absent"] == [n for n in TABLES if n not in ("people", "scores")]
