"""The DuckDB side: open a connection over an extract with the reference tables loaded."""

import os

import duckdb

from .reference import load_reference_tables
from .schema import attach_extract


def connect(extract_dir: str | os.PathLike, *, threads: int | None = None, memory_limit: str | None = None):
    con = duckdb.connect()
    if threads:
        con.execute(f"SET threads = {int(threads)}")
    if memory_limit:
        con.execute(f"SET memory_limit = '{memory_limit}'")
    attach_extract(con, extract_dir)
    load_reference_tables(con)
    return con
