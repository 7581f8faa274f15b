"""Full-text search over services, one interface on both databases.

PostgreSQL: a stored, generated `search_vector` column (English stemming; the name weighted A,
taxonomy terms and organisation B, everything else C) with a GIN index, ranked by `ts_rank`.
SQLite: an FTS5 table (`directory_service_fts`, Porter stemming) kept in step with the service
table by triggers, ranked by `bm25` with the same column weights. Both are created by migration
0002; if neither is there (another database, or SQLite built without FTS5) a plain substring
match stands in, so search still works, only less forgivingly.

`ranks(qs, alternatives)` answers: which services in `qs` match any alternative (each a tuple
of words that must all appear), and how well (a number, higher is better, on the backend's own
scale: callers compare ranks only within one call).
"""

from __future__ import annotations

import re

from django.db import connection
from django.db.models import Q

FTS_TABLE = "directory_service_fts"
# Column weights: name, terms and organisation, everything else.
WEIGHTS = (10.0, 4.0, 1.0)

SQLITE_CREATE = [
    f"""CREATE VIRTUAL TABLE IF NOT EXISTS {FTS_TABLE} USING fts5(
        search_name, search_terms, search_body, content='directory_service',
        content_rowid='id', tokenize='porter unicode61 remove_diacritics 2')""",
    f"""CREATE TRIGGER IF NOT EXISTS {FTS_TABLE}_ai AFTER INSERT ON directory_service BEGIN
        INSERT INTO {FTS_TABLE}(rowid, search_name, search_terms, search_body)
        VALUES (new.id, new.search_name, new.search_terms, new.search_body); END""",
    f"""CREATE TRIGGER IF NOT EXISTS {FTS_TABLE}_ad AFTER DELETE ON directory_service BEGIN
        INSERT INTO {FTS_TABLE}({FTS_TABLE}, rowid, search_name, search_terms, search_body)
        VALUES ('delete', old.id, old.search_name, old.search_terms, old.search_body); END""",
    f"""CREATE TRIGGER IF NOT EXISTS {FTS_TABLE}_au AFTER UPDATE OF search_name, search_terms,
        search_body ON directory_service BEGIN
        INSERT INTO {FTS_TABLE}({FTS_TABLE}, rowid, search_name, search_terms, search_body)
        VALUES ('delete', old.id, old.search_name, old.search_terms, old.search_body);
        INSERT INTO {FTS_TABLE}(rowid, search_name, search_terms, search_body)
        VALUES (new.id, new.search_name, new.search_terms, new.search_body); END""",
    f"INSERT INTO {FTS_TABLE}({FTS_TABLE}) VALUES ('rebuild')",
]
SQLITE_DROP = [f"DROP TRIGGER IF EXISTS {FTS_TABLE}_{t}" for t in ("ai", "ad", "au")] + [
    f"DROP TABLE IF EXISTS {FTS_TABLE}"]
POSTGRES_CREATE = [
    """ALTER TABLE directory_service ADD COLUMN IF NOT EXISTS search_vector tsvector
       GENERATED ALWAYS AS (
         setweight(to_tsvector('english'::regconfig, coalesce(search_name, '')), 'A') ||
         setweight(to_tsvector('english'::regconfig, coalesce(search_terms, '')), 'B') ||
         setweight(to_tsvector('english'::regconfig, coalesce(search_body, '')), 'C')
       ) STORED""",
    """CREATE INDEX IF NOT EXISTS directory_service_search_vector
       ON directory_service USING gin (search_vector)""",
]
POSTGRES_DROP = ["DROP INDEX IF EXISTS directory_service_search_vector",
                 "ALTER TABLE directory_service DROP COLUMN IF EXISTS search_vector"]


def create(schema_editor) -> None:
    """Build the index for the database in use (called from the migration)."""
    vendor = schema_editor.connection.vendor
    statements = {"sqlite": SQLITE_CREATE, "postgresql": POSTGRES_CREATE}.get(vendor, [])
    for sql in statements:
        try:
            schema_editor.execute(sql)
        except Exception:  # noqa: BLE001 - SQLite built without FTS5: plain matching instead
            if vendor != "sqlite":
                raise
            return


def ensure(using: str = "default") -> None:
    """Put back what a table rebuild lost: SQLite drops a table's triggers when Django rebuilds
    the table to alter it, so after every migrate the FTS triggers are checked and, if any is
    missing, recreated and the index rebuilt (run from the app's post_migrate signal)."""
    from django.db import connections

    conn = connections[using]
    if conn.vendor != "sqlite":
        return
    with conn.cursor() as cursor:
        cursor.execute("SELECT name FROM sqlite_master WHERE name LIKE %s", [f"{FTS_TABLE}%"])
        names = {row[0] for row in cursor.fetchall()}
        if FTS_TABLE not in names or {f"{FTS_TABLE}_{t}" for t in ("ai", "ad", "au")} <= names:
            return
        for sql in SQLITE_CREATE:
            cursor.execute(sql)


def drop(schema_editor) -> None:
    vendor = schema_editor.connection.vendor
    for sql in {"sqlite": SQLITE_DROP, "postgresql": POSTGRES_DROP}.get(vendor, []):
        schema_editor.execute(sql)


_WORD = re.compile(r"^[a-z0-9]+$")


def _words(alternative) -> list[str]:
    return [w for w in alternative if _WORD.match(w)]


def backend_for(alias_vendor: str, has_fts: bool) -> str:
    if alias_vendor == "postgresql":
        return "postgresql"
    if alias_vendor == "sqlite" and has_fts:
        return "sqlite"
    return "plain"


def _has_fts() -> bool:
    if connection.vendor != "sqlite":
        return connection.vendor == "postgresql"
    if getattr(connection, "_directory_fts", False):  # once found, remembered per connection
        return True
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM sqlite_master WHERE name = %s", [FTS_TABLE])
        found = cursor.fetchone() is not None
    if found:
        connection._directory_fts = True
    return found


def backend() -> str:
    """"postgresql", "sqlite" (FTS5) or "plain"."""
    return backend_for(connection.vendor, _has_fts())


def ranks(alternatives, *, name_only: bool = False) -> dict[int, float]:
    """Services matching any alternative (each a tuple of words that must all appear; in the
    name only, if asked), with the database's weighted rank (higher is better). Callers apply
    their other criteria afterwards: on SQLite, asking FTS5 with a rowid constraint makes it
    match row by row, so the index is asked first and the table second."""
    alternatives = [words for words in (_words(a) for a in alternatives) if words]
    if not alternatives:
        return {}
    which = backend()
    if which == "plain":
        return _plain(alternatives, name_only)
    if which == "postgresql":
        mark = ":A" if name_only else ""
        param = " | ".join("(" + " & ".join(w + mark for w in words) + ")"
                           for words in alternatives)
        sql = ("SELECT id, ts_rank(search_vector, q) FROM directory_service, "
               "to_tsquery('english'::regconfig, %s) q WHERE search_vector @@ q")
    else:
        param = " OR ".join("(" + " AND ".join(f'"{w}"' for w in words) + ")"
                            for words in alternatives)
        if name_only:
            param = f"search_name : ({param})"
        weights = ", ".join(str(w) for w in WEIGHTS)
        sql = (f"SELECT rowid, -bm25({FTS_TABLE}, {weights}) FROM {FTS_TABLE} "
               f"WHERE {FTS_TABLE} MATCH %s")
    with connection.cursor() as cursor:
        cursor.execute(sql, [param])
        return {sid: max(float(rank), 1e-9) for sid, rank in cursor.fetchall()}


def group_ranks(alternatives) -> tuple[dict[int, float], set[int], set[int]]:
    """For one group of words: `ranks(alternatives)`, and which of those services have the typed
    words (the first alternative) in their name, and which a synonym (the others). PostgreSQL
    answers all three in one query; elsewhere they are three."""
    words = [w for w in (_words(a) for a in alternatives)]
    if backend() != "postgresql" or not words[0]:
        found = ranks(alternatives)
        typed = set(ranks(alternatives[:1], name_only=True)) if found else set()
        synonyms = (set(ranks(alternatives[1:], name_only=True))
                    if found and len(alternatives) > 1 else set())
        return found, typed, synonyms

    def tsquery(groups, mark=""):
        return " | ".join("(" + " & ".join(w + mark for w in ws) + ")" for ws in groups if ws)

    every = tsquery(words)
    typed = tsquery(words[:1], ":A")
    synonyms = tsquery(words[1:], ":A") or typed
    sql = ("SELECT id, ts_rank(search_vector, q), search_vector @@ t, search_vector @@ s "
           "FROM directory_service, to_tsquery('english'::regconfig, %s) q, "
           "to_tsquery('english'::regconfig, %s) t, to_tsquery('english'::regconfig, %s) s "
           "WHERE search_vector @@ q")
    with connection.cursor() as cursor:
        cursor.execute(sql, [every, typed, synonyms])
        rows = cursor.fetchall()
    found = {sid: max(float(rank), 1e-9) for sid, rank, _, _ in rows}
    in_name = {sid for sid, _, t, _ in rows if t}
    has_synonyms = any(words[1:])
    return found, in_name, {sid for sid, _, _, s in rows if s and has_synonyms}


def _stem(word: str) -> str:
    for suffix in ("ings", "ing", "ies", "ed", "es", "s"):
        if len(word) > len(suffix) + 3 and word.endswith(suffix):
            return word[: -len(suffix)]
    return word


def _plain(alternatives, name_only: bool) -> dict[int, float]:
    """Substring matching with name, terms and body weighted like the real indexes."""
    from .models import Service

    any_alt = Q()
    for words in alternatives:
        every = Q()
        for word in words:
            stem = _stem(word)
            here = Q(search_name__contains=stem)
            if not name_only:
                here |= Q(search_terms__contains=stem) | Q(search_body__contains=stem)
            every &= here
        any_alt |= every
    out = {}
    for sid, name, terms, body in Service.objects.filter(any_alt).values_list(
            "id", "search_name", "search_terms", "search_body"):
        score = 0.0
        for words in alternatives:
            for word in words:
                stem = _stem(word)
                score += (WEIGHTS[0] * (stem in name) + WEIGHTS[1] * (stem in terms) +
                          WEIGHTS[2] * (stem in body))
        out[sid] = max(score, 1e-9)
    return out
