"""The canonical extract: one Parquet file per table, the same whichever source it came from.

An extract is a directory holding ``people.parquet``, ``referrals.parquet``, ``contacts.parquet``,
``scores.parquet``, ``groupings.parquet``, ``goals.parquet``, ``risk_plans.parquet``,
``collaborate.parquet``, ``decision_options.parquet`` and ``manifest.json``. Both
``import_mhsds`` (an MHSDS-style CSV extract) and ``build_extract`` (the platform's own records)
write it through ``write_extract``; everything downstream (metrics, dashboards) reads only this.
Column names are ours; each is documented with the MHSDS field it carries. Goals, Risk Support
plans, CollaboRATE responses and the options discussed in grouping decisions (and the ending's
goals-met answer) have no MHSDS table: only the platform supplies them. The manifest's
``absent`` lists the tables a source did not supply (written empty), so pages can say so rather
than show a misleading zero.
"""

import json
import os
from collections.abc import Callable, Iterable
from datetime import UTC, datetime
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from thrive.core import progress

from .workdirs import swap_in, work_dir

SCHEMA_VERSION = 4
# Version 4 added groupings.made_explicit and referrals.ending_agreed / ending_reason (the
# platform's ending): an extract written before them still attaches (LATER_COLUMNS).

TABLES: dict[str, pa.Schema] = {
    # MHS001MPI: one row per person.
    "people": pa.schema([
        ("person_id", pa.string()),          # Person_ID
        ("sex", pa.string()),                # Gender: 1 male, 2 female, 9, X
        ("gender_identity", pa.string()),    # GenderIDCode
        ("ethnic_category", pa.string()),    # EthnicCategory
        ("lsoa", pa.string()),               # LSOA2011
        ("imd_decile", pa.int8()),           # IMD_Decile 1-10
        ("la_code", pa.string()),            # LADistrictAuth
    ]),
    # MHS101Referral: one row per referral (service request).
    "referrals": pa.schema([
        ("referral_id", pa.string()),        # UniqServReqID
        ("person_id", pa.string()),          # Person_ID
        ("provider", pa.string()),           # OrgIDProv
        ("received_on", pa.date32()),        # ReferralRequestReceivedDate
        ("age_at_referral", pa.int16()),     # AgeServReferRecDate
        ("source", pa.string()),             # SourceOfReferralMH
        ("reason", pa.string()),             # PrimReasonReferralMH
        ("team_type", pa.string()),          # ServTeamTypeRefToMH
        ("team", pa.string()),               # UniqCareProfTeamID (optional) / platform: the team's name
        ("rejected_on", pa.date32()),        # ReferRejectionDate
        ("discharged_on", pa.date32()),      # ServDischDate
        ("goals_met", pa.string()),          # platform only: Ending.goals_met (met, partly, ...)
        ("ending_agreed", pa.bool_()),       # platform only: Ending.agreed_with_family
        ("ending_reason", pa.string()),      # platform only: Ending.reason (a code, never free text)
    ]),
    # MHS201CareContact (kind 'direct') and MHS204IndirectActivity (kind 'indirect').
    "contacts": pa.schema([
        ("contact_id", pa.string()),         # UniqCareContID / MHS204UniqID
        ("kind", pa.string()),               # 'direct' or 'indirect'
        ("person_id", pa.string()),
        ("referral_id", pa.string()),
        ("contact_date", pa.date32()),       # CareContDate / IndirectActDate
        ("contact_time", pa.time32("ms")),   # CareContTime / IndirectActTime
        ("attend_status", pa.string()),      # AttendStatus (direct only)
        ("mechanism", pa.string()),          # ConsMechanismMH, two digits (direct only)
    ]),
    # MHS606CodedScoreAssessmentRefer.
    "scores": pa.schema([
        ("score_id", pa.string()),           # MHS606UniqID
        ("person_id", pa.string()),
        ("referral_id", pa.string()),
        ("concept_id", pa.string()),         # CodedAssToolType (SNOMED)
        ("score", pa.string()),              # PersScore as recorded (validity is the metric's call)
        ("completed_on", pa.date32()),       # AssToolCompDate
    ]),
    # THRIVEGrouping (our extension).
    "groupings": pa.schema([
        ("person_id", pa.string()),
        ("referral_id", pa.string()),
        ("grouping", pa.string()),           # canonical code, e.g. getting_help
        ("start_on", pa.date32()),
        ("end_on", pa.date32()),
        ("shared_decision", pa.bool_()),
        ("made_explicit", pa.bool_()),       # platform only: the grouping was made explicit to the family
    ]),
    # Goal Based Outcomes agreed with the young person (platform only): one row per goal, with its
    # first and latest rating (0-10). The goal's own words never leave the platform.
    "goals": pa.schema([
        ("goal_id", pa.string()),
        ("person_id", pa.string()),
        ("referral_id", pa.string()),
        ("number", pa.int8()),
        ("agreed_on", pa.date32()),
        ("first_rating", pa.int8()),
        ("first_rated_on", pa.date32()),
        ("last_rating", pa.int8()),
        ("last_rated_on", pa.date32()),
    ]),
    # Risk Support plans (platform only): one row per plan, with how many agencies it names.
    "risk_plans": pa.schema([
        ("plan_id", pa.string()),
        ("person_id", pa.string()),
        ("agreed_on", pa.date32()),
        ("review_on", pa.date32()),
        ("status", pa.string()),             # current, superseded, ended
        ("ended_on", pa.date32()),
        ("agencies", pa.int16()),
    ]),
    # CollaboRATE (platform only): one row per completed encounter (every item answered), with
    # whether it is a top score (measures.engine.experience_measures.collaborate_top_score).
    "collaborate": pa.schema([
        ("response_id", pa.string()),
        ("person_id", pa.string()),
        ("referral_id", pa.string()),
        ("rater", pa.string()),              # self or parent
        ("completed_on", pa.date32()),
        ("top_score", pa.bool_()),
    ]),
    # Options discussed in a grouping decision (platform only): one row per option discussed,
    # with whether the young person and family preferred it. Codes: care.groupings.SupportOption.
    "decision_options": pa.schema([
        ("decision_id", pa.string()),
        ("person_id", pa.string()),
        ("referral_id", pa.string()),
        ("decided_on", pa.date32()),
        ("grouping", pa.string()),           # the grouping agreed in that decision
        ("option", pa.string()),
        ("preferred", pa.bool_()),
    ]),
}
# Tables added after the first schema: an older extract without their files still attaches
# (as empty views) and counts them as absent.
LATER_TABLES = ("goals", "risk_plans", "collaborate", "decision_options")
# Columns added after a table's first schema: an older extract's file without them is read with
# them null (unknown), never refused.
LATER_COLUMNS = {
    "referrals": ("ending_agreed", "ending_reason"),
    "groupings": ("made_explicit",),
}


def empty_table(name: str) -> pa.Table:
    return TABLES[name].empty_table()


def conform(name: str, table: pa.Table) -> pa.Table:
    """The table with exactly the canonical columns, in order, cast to the canonical types."""
    schema = TABLES[name]
    columns = []
    for field in schema:
        if field.name in table.column_names:
            columns.append(table.column(field.name).cast(field.type))
        else:
            columns.append(pa.nulls(table.num_rows, field.type))
    return pa.Table.from_arrays(columns, schema=schema)


# A table to write: a whole Arrow table, or a function that opens a stream of record batches
# when its file is written (so a large table never has to be held whole: the import streams
# DuckDB's results through it).
TableSource = pa.Table | Callable[[], Iterable[pa.RecordBatch]]
ROW_GROUP_ROWS = 1 << 20


def write_extract(out_dir: str | os.PathLike, tables: dict[str, TableSource], *, source: str,
                  extra: dict | None = None, expected: dict[str, int] | None = None) -> dict:
    """Write every canonical table (missing ones empty, and listed as ``absent`` in the manifest)
    and a manifest, all or nothing.

    The files go to a working directory beside ``out_dir`` and are swapped into place in one
    step only when all are written (workdirs.py), so a failure or a kill never leaves a
    half-written extract, or none. ``expected`` (rows per table, when the caller knows about how
    many) lets a terminal show the time left for each table.
    """
    out = Path(out_dir)
    with work_dir(out.parent, "extract") as staging:
        counts = {}
        for name in TABLES:
            with progress.stage(f"extract: {name}", total=(expected or {}).get(name)) as bar:
                counts[name] = _write_table(staging / f"{name}.parquet", name,
                                            tables.get(name, empty_table(name)), bar)
        manifest = {
            "schema_version": SCHEMA_VERSION,
            "source": source,
            "created_at": datetime.now(UTC).isoformat(timespec="seconds"),
            "rows": counts,
            "absent": [name for name in TABLES if name not in tables],
            **(extra or {}),
        }
        (staging / "manifest.json").write_text(json.dumps(manifest, indent=2) + "\n")
        swap_in(staging, out)
        return manifest


def _write_table(path: Path, name: str, source: TableSource, bar) -> int:
    """One table's Parquet file; returns its number of rows."""
    if isinstance(source, pa.Table):
        table = conform(name, source)
        pq.write_table(table, path, compression="zstd")
        bar.update(table.num_rows)
        return table.num_rows
    # Batches are gathered into row groups of about ROW_GROUP_ROWS: DuckDB streams results in
    # small batches, and a file of thousands of tiny row groups is slower to read.
    rows, pending = 0, []
    with pq.ParquetWriter(path, TABLES[name], compression="zstd") as writer:
        def flush():
            part = conform(name, pa.Table.from_batches(pending))
            writer.write_table(part, row_group_size=part.num_rows)  # one row group per flush
            pending.clear()
            return part.num_rows

        for batch in source():
            pending.append(batch)
            bar.update(batch.num_rows)
            if sum(b.num_rows for b in pending) >= ROW_GROUP_ROWS:
                rows += flush()
        if pending:
            rows += flush()
    return rows


def absent_tables(extract_dir: str | os.PathLike) -> list[str]:
    """Tables the extract's source did not supply (from the manifest; missing files count too)."""
    manifest = json.loads((Path(extract_dir) / "manifest.json").read_text())
    absent = set(manifest.get("absent", []))
    absent |= {name for name in TABLES if not table_path(extract_dir, name).exists()}
    return [name for name in TABLES if name in absent]


def table_path(extract_dir: str | os.PathLike, name: str) -> Path:
    return Path(extract_dir) / f"{name}.parquet"


def attach_extract(con, extract_dir: str | os.PathLike) -> None:
    """Create one DuckDB view per canonical table over the extract's Parquet files."""
    for name in TABLES:
        path = table_path(extract_dir, name)
        if not path.exists() and name in LATER_TABLES:
            con.register(f"__empty_{name}", empty_table(name))
            con.execute(f"CREATE OR REPLACE VIEW {name} AS SELECT * FROM __empty_{name}")
            continue
        if not path.exists():
            raise FileNotFoundError(f"{path} is missing: not a complete extract")
        con.execute(f"CREATE OR REPLACE VIEW {name} AS SELECT {_columns(name, path)} "
                    f"FROM read_parquet('{_sql_str(path)}')")


def _columns(name: str, path: Path) -> str:
    """``*``, plus a typed NULL for each later column an older file lacks."""
    later = LATER_COLUMNS.get(name, ())
    if not later:
        return "*"
    present = set(pq.read_schema(path).names)
    types = {pa.bool_(): "BOOLEAN", pa.string(): "VARCHAR"}
    missing = [f"NULL::{types[TABLES[name].field(c).type]} AS {c}" for c in later if c not in present]
    return ", ".join(["*", *missing])


def _sql_str(path) -> str:
    return str(path).replace("'", "''")
