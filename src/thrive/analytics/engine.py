"""The DuckDB side: open a connection over an extract with the reference tables loaded."""

import os

import duckdb

from .reference import load_reference_tables
from .schema import attach_extract


def connect(extract_dir: str | os.PathLike, *, threads: int | None = None, memory_limit: str | None = None):
    con = duckdb.connect()
    # Every reader orders what it writes (the metric's CSV by UniqServReqID); aggregates have no
    # order. Not keeping the source's row order lets DuckDB run joins and groups faster.
    con.execute("SET preserve_insertion_order = false")
    if threads:
        con.execute(f"SET threads = {int(threads)}")
    if memory_limit:
        con.execute(f"SET memory_limit = '{memory_limit}'")
    attach_extract(con, extract_dir)
    load_reference_tables(con)
    return con
