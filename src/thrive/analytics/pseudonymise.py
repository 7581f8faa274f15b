"""A pseudonymised analytical extract: the canonical extract (schema.py) with no direct identifier.

- People and referrals get stable pseudonyms: HMAC-SHA256 (hex) of the identifier with a secret
  key that is never stored in the extract. The same key gives the same pseudonyms on every run,
  so extracts made at different times link; a different key gives unrelated ones. The key comes
  from a key file or the THRIVE_PSEUDONYM_KEY environment variable; there is no default key, and
  without one nothing is written.
- Row identifiers of events (contacts, scores, goals, plans, CollaboRATE responses, grouping
  decisions) become sequence numbers in the source's own order, so the metric's tie-breaks (date,
  time, id) give the same answers and no database id leaves the platform.
- The canonical extract already holds no names, NHS numbers, dates of birth (age at referral
  only), postcodes or free text; here LSOA is dropped and the local authority is reduced to its
  country letter (E, W, S, N), which is all the national cohort rule uses. Deprivation is the
  decile only.

Every column of every table is classified in ``COLUMNS``: a column added to the schema without a
decision here makes the export fail, so nothing reaches an extract by accident.
"""

import hashlib
import hmac
import os
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from thrive.core import progress

from .schema import TABLES, conform, table_path, write_extract

ENV_VAR = "THRIVE_PSEUDONYM_KEY"
MIN_KEY_BYTES = 32

# How each column leaves: ("pseudonym", namespace), ("sequence", prefix), ("keep",),
# ("country",) or ("drop",).
KEEP, DROP, COUNTRY = ("keep",), ("drop",), ("country",)
PERSON, REFERRAL = ("pseudonym", "person"), ("pseudonym", "referral")
COLUMNS: dict[str, dict[str, tuple]] = {
    "people": {"person_id": PERSON, "sex": KEEP, "gender_identity": KEEP, "ethnic_category": KEEP,
               "lsoa": DROP, "imd_decile": KEEP, "la_code": COUNTRY},
    "referrals": {"referral_id": REFERRAL, "person_id": PERSON, "provider": KEEP, "received_on": KEEP,
                  "age_at_referral": KEEP, "source": KEEP, "reason": KEEP, "team_type": KEEP, "team": KEEP,
                  "rejected_on": KEEP, "discharged_on": KEEP, "goals_met": KEEP,
                  "ending_agreed": KEEP, "ending_reason": KEEP},
    "contacts": {"contact_id": ("sequence", "C"), "kind": KEEP, "person_id": PERSON,
                 "referral_id": REFERRAL, "contact_date": KEEP, "contact_time": KEEP,
                 "attend_status": KEEP, "mechanism": KEEP},
    "scores": {"score_id": ("sequence", "S"), "person_id": PERSON, "referral_id": REFERRAL,
               "concept_id": KEEP, "score": KEEP, "completed_on": KEEP},
    "groupings": {"person_id": PERSON, "referral_id": REFERRAL, "grouping": KEEP, "start_on": KEEP,
                  "end_on": KEEP, "shared_decision": KEEP, "made_explicit": KEEP},
    "goals": {"goal_id": ("sequence", "G"), "person_id": PERSON, "referral_id": REFERRAL,
              "number": KEEP, "agreed_on": KEEP, "first_rating": KEEP, "first_rated_on": KEEP,
              "last_rating": KEEP, "last_rated_on": KEEP},
    "risk_plans": {"plan_id": ("sequence", "P"), "person_id": PERSON, "agreed_on": KEEP,
                   "review_on": KEEP, "status": KEEP, "ended_on": KEEP, "agencies": KEEP},
    "collaborate": {"response_id": ("sequence", "E"), "person_id": PERSON, "referral_id": REFERRAL,
                    "rater": KEEP, "completed_on": KEEP, "top_score": KEEP},
    "decision_options": {"decision_id": ("sequence", "D"), "person_id": PERSON, "referral_id": REFERRAL,
                         "decided_on": KEEP, "grouping": KEEP, "option": KEEP, "preferred": KEEP},
}


class KeyMissing(Exception):
    pass


def load_key(key_file: str | os.PathLike | None = None, environ=None) -> bytes:
    """The secret key: the key file's contents (surrounding whitespace removed) if given, else
    $THRIVE_PSEUDONYM_KEY. Refuses a missing, empty or short key; there is no default."""
    environ = os.environ if environ is None else environ
    if key_file is not None:
        try:
            key = Path(key_file).read_bytes().strip()
        except OSError as exc:
            raise KeyMissing(f"Cannot read the key file {key_file}: {exc.strerror}") from None
        where = f"the key file {key_file}"
    else:
        key = environ.get(ENV_VAR, "").strip().encode()
        where = f"${ENV_VAR}"
        if not key:
            raise KeyMissing(f"No pseudonymisation key: set {ENV_VAR} or pass --key-file. Keep the key "
                             "outside the extract; make one with: python -c 'import secrets; "
                             "print(secrets.token_hex(32))'")
    if len(key) < MIN_KEY_BYTES:
        raise KeyMissing(f"The key in {where} is too short: use at least {MIN_KEY_BYTES} characters")
    return key


def pseudonym(key: bytes, namespace: str, value: str) -> str:
    """HMAC-SHA256 of "namespace:value" (namespaces keep a person and a referral apart)."""
    return hmac.new(key, f"{namespace}:{value}".encode(), hashlib.sha256).hexdigest()


# Rows per output chunk: a whole column of 64-character pseudonyms for 50 M rows would pass the
# 2 GiB limit of one Arrow string array, so results are built a slice at a time.
CHUNK_ROWS = 1 << 20


def _slices(array: pa.Array):
    for start in range(0, len(array), CHUNK_ROWS):
        yield array.slice(start, CHUNK_ROWS)


def _pseudonyms(column: pa.ChunkedArray, key: bytes, namespace: str) -> pa.ChunkedArray:
    """One HMAC per distinct value, then a vectorised lookup, slice by slice."""
    column = _whole(column)
    distinct = pc.unique(column)
    hashed = pa.array([None if v is None else pseudonym(key, namespace, v) for v in distinct.to_pylist()],
                      pa.string())
    return pa.chunked_array([hashed.take(pc.index_in(part, value_set=distinct)) for part in _slices(column)],
                            pa.string())


def _sequence(column, prefix: str) -> pa.ChunkedArray:
    """1, 2, 3... in the order of the source ids (string order, as the metric sorts them)."""
    column = _whole(column)
    if len(column) == 0:
        return pa.chunked_array([], pa.string())
    rank = pc.rank(column, sort_keys="ascending", tiebreaker="dense")
    width = max(9, len(str(len(column))))
    return pa.chunked_array([
        pc.binary_join_element_wise(pa.scalar(prefix), pc.utf8_lpad(pc.cast(part, pa.string()), width=width,
                                                                    padding="0"), "")
        for part in _slices(rank)], pa.string())


def _whole(column) -> pa.Array:
    """One array (large_string for text, so 50 M ids fit) from what Parquet gave in chunks."""
    if isinstance(column, pa.ChunkedArray):
        if pa.types.is_string(column.type):
            column = column.cast(pa.large_string())
        column = column.combine_chunks()
    return column


def _country(column) -> pa.Array:
    first = pc.utf8_slice_codeunits(pc.utf8_upper(column), 0, 1)
    return pc.if_else(pc.is_in(first, value_set=pa.array(["E", "W", "S", "N"])), first, None)


def pseudonymise_table(name: str, table: pa.Table, key: bytes) -> pa.Table:
    rules = COLUMNS[name]
    unclassified = set(TABLES[name].names) - set(rules)
    if unclassified:
        raise RuntimeError(f"{name}: columns {sorted(unclassified)} have no pseudonymisation rule")
    columns = []
    for field in TABLES[name]:
        column = table.column(field.name)
        rule = rules[field.name]
        if rule[0] == "pseudonym":
            column = _pseudonyms(column, key, rule[1])
        elif rule[0] == "sequence":
            column = _sequence(column, rule[1])
        elif rule[0] == "country":
            column = _country(column)
        elif rule[0] == "drop":
            column = pa.nulls(table.num_rows, field.type)
        columns.append(column)
    return pa.Table.from_arrays(columns, schema=TABLES[name])


def pseudonymise_extract(source_dir: str | os.PathLike, out_dir: str | os.PathLike, key: bytes) -> dict:
    """Read a canonical extract, write its pseudonymised copy (all or nothing), return the manifest."""
    import json

    source_manifest = json.loads((Path(source_dir) / "manifest.json").read_text())
    tables = {}
    for name in TABLES:
        path = table_path(source_dir, name)
        if path.exists():
            # conform: an older extract's file lacks columns added since (LATER_COLUMNS): null
            with progress.stage(f"pseudonymising {name}") as bar:
                tables[name] = pseudonymise_table(name, conform(name, pq.read_table(path)), key)
                bar.update(tables[name].num_rows)
    absent = source_manifest.get("absent", [n for n in TABLES if n not in tables])
    return write_extract(out_dir, {n: t for n, t in tables.items() if n not in absent},
                         source=source_manifest.get("source", "unknown"),
                         extra={"pseudonymised": True,
                                "method": "HMAC-SHA256 of person and referral ids; key kept outside"})
