"""Read an MHSDS-style CSV extract (docs/specs/standards/mhsds-extract.md), validate all of it, and turn it
into the canonical tables (schema.py).

Reading is pyarrow's multi-threaded CSV reader (every column as text); every check is a DuckDB
query over those Arrow tables that returns the offending rows with their line numbers, so the
cost is a few column scans, not Python per row. Every problem is collected (file, line, column,
message) before anything is written; one problem means nothing is written.
"""

import csv
import os
from dataclasses import dataclass
from pathlib import Path

import duckdb
import numpy as np
import pyarrow as pa
import pyarrow.csv as pacsv

from thrive.care.groupings import ALIASES, Grouping

from .schema import ROW_GROUP_ROWS, TableSource, write_extract
from .workdirs import work_dir


@dataclass(frozen=True)
class Problem:
    file: str
    line: int | None
    column: str | None
    message: str

    def __str__(self) -> str:
        where = self.file
        if self.line is not None:
            where += f", line {self.line}"
        if self.column:
            where += f", column {self.column}"
        return f"{where}: {self.message}"


class ImportRejected(Exception):
    def __init__(self, problems: list[Problem]):
        super().__init__(f"{len(problems)} problem(s)")
        self.problems = problems


@dataclass(frozen=True)
class FileSpec:
    filename: str
    alias: str
    required: tuple[str, ...]
    optional: tuple[str, ...] = ()
    dates: tuple[str, ...] = ()
    times: tuple[str, ...] = ()
    file_required: bool = True

    @property
    def columns(self) -> tuple[str, ...]:
        return self.required + self.optional


FILES = (
    FileSpec("MHS001MPI.csv", "mpi", ("Person_ID",),
             ("Gender", "GenderIDCode", "EthnicCategory", "LSOA2011", "IMD_Decile", "LADistrictAuth")),
    FileSpec("MHS101Referral.csv", "referral", ("Person_ID", "UniqServReqID", "ReferralRequestReceivedDate"),
             ("OrgIDProv", "AgeServReferRecDate", "SourceOfReferralMH", "PrimReasonReferralMH",
              "ServTeamTypeRefToMH", "UniqCareProfTeamID", "ReferRejectionDate", "ServDischDate"),
             dates=("ReferralRequestReceivedDate", "ReferRejectionDate", "ServDischDate")),
    FileSpec("MHS201CareContact.csv", "contact", ("Person_ID", "UniqServReqID", "UniqCareContID"),
             ("CareContDate", "CareContTime", "AttendStatus", "ConsMechanismMH"),
             dates=("CareContDate",), times=("CareContTime",)),
    FileSpec("MHS204IndirectActivity.csv", "indirect", ("Person_ID", "UniqServReqID", "MHS204UniqID"),
             ("IndirectActDate", "IndirectActTime"), dates=("IndirectActDate",), times=("IndirectActTime",)),
    FileSpec("MHS606CodedScoreAssessmentRefer.csv", "score", ("Person_ID", "UniqServReqID", "MHS606UniqID"),
             ("CodedAssToolType", "PersScore", "AssToolCompDate"), dates=("AssToolCompDate",)),
    FileSpec("THRIVEGrouping.csv", "grouping", ("Person_ID", "UniqServReqID", "Grouping"),
             ("StartDate", "EndDate", "SharedDecision"), dates=("StartDate", "EndDate"),
             file_required=False),
)
SPEC = {f.alias: f for f in FILES}
LINE = "__line"
# Values met in real data that are not a grouping (Youth Justice Board's NO_INTERVENTION): skipped
# and counted, never guessed.
NOT_A_GROUPING = {"no_intervention"}


def grouping_keys() -> dict[str, str]:
    keys = {}
    for g in Grouping:
        keys[g.value] = g.value
        keys[g.label.lower()] = g.value
    keys.update({k: v.value for k, v in ALIASES.items()})
    return keys


@dataclass
class ImportResult:
    manifest: dict
    skipped_groupings: int


IMPORT_MEMORY_LIMIT = "2GB"


def import_mhsds(source_dir: str | os.PathLike, out_dir: str | os.PathLike) -> ImportResult:
    """Validate everything; raise ImportRejected with every problem, or write the extract."""
    # The files' text is held in Arrow; DuckDB's own working memory for the checks is capped (it
    # spills to a temporary directory beyond it) and the canonical tables stream from DuckDB to
    # Parquet, so the peak is little more than the text of the files.
    # The spill directory holds person-level rows too: it lives beside the output, and goes
    # however the import ends (workdirs.py).
    out_dir = Path(out_dir)
    with (work_dir(out_dir.parent, "import-spill") as spill,
          duckdb.connect(config={"memory_limit": IMPORT_MEMORY_LIMIT,
                                 "temp_directory": str(spill)}) as con):
        problems, present = read_files(con, Path(source_dir))
        problems += validate(con, present)
        if problems:
            raise ImportRejected(sorted(problems, key=_problem_order))
        tables, skipped = to_canonical(con, present)
        manifest = write_extract(out_dir, tables, source=f"mhsds:{Path(source_dir).resolve()}")
    return ImportResult(manifest, skipped)


_ORDER = {f.filename: i for i, f in enumerate(FILES)}


def _problem_order(p: Problem):
    return (_ORDER.get(p.file, 99), p.line or 0, p.column or "", p.message)


def read_files(con, source_dir: Path) -> tuple[list[Problem], dict[str, set[str]]]:
    """Read each CSV as text columns and register it in DuckDB with its line numbers.

    Returns the problems and, for each file read, the known columns its header has."""
    problems: list[Problem] = []
    present: dict[str, set[str]] = {}
    for spec in FILES:
        path = source_dir / spec.filename
        if not path.exists():
            if spec.file_required:
                problems.append(Problem(spec.filename, None, None, "file not found"))
            continue
        table, header, file_problems = _read_csv(path, spec)
        problems += file_problems
        if table is not None:
            con.register(spec.alias, table)
            present[spec.alias] = set(header)
    return problems, present


def _read_csv(path: Path, spec: FileSpec):
    name = spec.filename
    try:
        with open(path, encoding="utf-8-sig", newline="") as fh:
            header = next(csv.reader(fh), None)
    except (OSError, UnicodeDecodeError) as exc:
        return None, (), [Problem(name, None, None,
                                  f"cannot be read as UTF-8 CSV ({exc.__class__.__name__})")]
    if not header:
        return None, (), [Problem(name, 1, None, "the file is empty: no header row")]
    header = [h.strip() for h in header]
    problems = [Problem(name, 1, col, "required column is missing")
                for col in spec.required if col not in header]
    wanted = [c for c in spec.columns if c in header]
    bad_rows: list[Problem] = []

    def on_invalid_row(row):
        bad_rows.append(Problem(name, row.number, None,
                                f"has {row.actual_columns} fields; the header has {row.expected_columns}"))
        return "skip"

    def read(use_threads: bool):
        bad_rows.clear()
        return pacsv.read_csv(
            path,
            read_options=pacsv.ReadOptions(column_names=header, skip_rows=1, encoding="utf8",
                                           use_threads=use_threads),
            parse_options=pacsv.ParseOptions(invalid_row_handler=on_invalid_row),
            convert_options=pacsv.ConvertOptions(
                include_columns=wanted,
                column_types={c: pa.string() for c in wanted},
                strings_can_be_null=True, quoted_strings_can_be_null=True,
            ),
        )

    try:
        table = read(use_threads=True)
        if any(p.line is None for p in bad_rows):
            table = read(use_threads=False)  # the slower serial reader knows the line numbers
    except (pa.ArrowInvalid, OSError, UnicodeDecodeError) as exc:
        return None, header, problems + [Problem(name, None, None, f"cannot be read as CSV: {exc}")]
    problems += bad_rows
    lines = _line_numbers(table.num_rows, [p.line for p in bad_rows])
    columns = {c: table.column(c) for c in wanted}
    for col in spec.columns:  # absent optional columns read as empty
        columns.setdefault(col, pa.nulls(table.num_rows, pa.string()))
    columns[LINE] = pa.array(lines)
    return pa.table(columns), header, problems


def _line_numbers(n_rows: int, skipped: list[int | None]) -> np.ndarray:
    """File line of each kept row (header = line 1), allowing for skipped malformed rows."""
    lines = np.arange(2, n_rows + 2, dtype=np.int64)
    for line in sorted(x for x in skipped if x is not None):
        lines[lines >= line] += 1
    return lines


def _q(col: str) -> str:
    return '"' + col.replace('"', '""') + '"'


def validate(con, present: dict[str, set[str]]) -> list[Problem]:
    """Every check as a query that returns (line, column, message) for each bad row."""
    checks: list[tuple[str, str]] = []  # (filename, SQL returning line, col, message)

    def add(alias: str, sql: str):
        checks.append((SPEC[alias].filename, sql))

    def blank(expr):
        return f"({expr} IS NULL OR trim({expr}) = '')"

    for alias in present:
        spec = SPEC[alias]
        for col in spec.required:
            if col not in present[alias]:
                continue  # reported once, as a missing column
            add(alias, f"SELECT {LINE}, '{col}', 'is empty: a value is required' FROM {alias} "
                       f"WHERE {blank(_q(col))}")
        for col in spec.dates:
            c = _q(col)
            add(alias, f"SELECT {LINE}, '{col}', 'is not a date (YYYY-MM-DD): ' || {c} FROM {alias} "
                       f"WHERE NOT {blank(c)} "
                       f"AND (NOT regexp_full_match(trim({c}), '\\d{{4}}-\\d{{2}}-\\d{{2}}') "
                       f"OR try_strptime(trim({c}), '%Y-%m-%d') IS NULL)")
        for col in spec.times:
            c = _q(col)
            add(alias, f"SELECT {LINE}, '{col}', 'is not a time (HH:MM:SS): ' || {c} FROM {alias} "
                       f"WHERE NOT {blank(c)} "
                       f"AND (NOT regexp_full_match(trim({c}), '\\d{{2}}:\\d{{2}}:\\d{{2}}') "
                       f"OR try_strptime(trim({c}), '%H:%M:%S') IS NULL)")

    if "mpi" in present:
        add("mpi", _duplicates("mpi", "Person_ID"))
        add("mpi", f"SELECT {LINE}, 'IMD_Decile', 'is not a whole number from 1 to 10: ' || IMD_Decile "
                   f"FROM mpi WHERE NOT {blank('IMD_Decile')} "
                   "AND coalesce(try_cast(trim(IMD_Decile) AS INTEGER) NOT BETWEEN 1 AND 10, true)")
    if "referral" in present:
        add("referral", _duplicates("referral", "UniqServReqID"))
        add("referral", f"SELECT {LINE}, 'AgeServReferRecDate', 'is not a whole number of years: ' "
                        f"|| AgeServReferRecDate FROM referral WHERE NOT {blank('AgeServReferRecDate')} "
                        "AND coalesce(try_cast(trim(AgeServReferRecDate) AS INTEGER) "
                        "NOT BETWEEN 0 AND 150, true)")
        if "mpi" in present:
            add("referral", f"SELECT r.{LINE}, 'Person_ID', 'unknown Person_ID ' || r.Person_ID "
                            "|| ' (not in MHS001MPI.csv)' FROM referral r "
                            "ANTI JOIN mpi m ON trim(m.Person_ID) = trim(r.Person_ID) "
                            f"WHERE NOT {blank('r.Person_ID')}")
    for alias in ("contact", "indirect", "score", "grouping"):
        if alias not in present or "referral" not in present:
            continue
        add(alias, f"SELECT x.{LINE}, 'UniqServReqID', 'unknown UniqServReqID ' || x.UniqServReqID "
                   f"|| ' (not in MHS101Referral.csv)' FROM {alias} x "
                   "ANTI JOIN referral r ON trim(r.UniqServReqID) = trim(x.UniqServReqID) "
                   f"WHERE NOT {blank('x.UniqServReqID')}")
        add(alias, f"SELECT x.{LINE}, 'Person_ID', 'Person_ID ' || x.Person_ID || ' is not the person "
                   "of referral ' || x.UniqServReqID || ' (' || any_value(r.Person_ID) || ')' "
                   f"FROM {alias} x JOIN referral r ON trim(r.UniqServReqID) = trim(x.UniqServReqID) "
                   f"WHERE NOT {blank('x.Person_ID')} GROUP BY x.{LINE}, x.Person_ID, x.UniqServReqID "
                   "HAVING bool_and(trim(r.Person_ID) IS DISTINCT FROM trim(x.Person_ID))")
    if "grouping" in present:
        con.register("__grouping_keys", pa.table({
            "key": list(grouping_keys()) + sorted(NOT_A_GROUPING),
            "code": list(grouping_keys().values()) + [None] * len(NOT_A_GROUPING)}))
        add("grouping", f"SELECT g.{LINE}, 'Grouping', "
                        "'is not a THRIVE needs-based grouping: ' || g.Grouping "
                        "FROM grouping g ANTI JOIN __grouping_keys k ON k.key = lower(trim(g.Grouping)) "
                        f"WHERE NOT {blank('g.Grouping')}")
        add("grouping", f"SELECT {LINE}, 'SharedDecision', 'must be Y, N or empty: ' || SharedDecision "
                        f"FROM grouping WHERE NOT {blank('SharedDecision')} "
                        "AND upper(trim(SharedDecision)) NOT IN ('Y', 'N')")
        add("grouping", f"SELECT {LINE}, 'EndDate', 'is before StartDate' FROM grouping "
                        "WHERE try_strptime(trim(EndDate), '%Y-%m-%d') "
                        "< try_strptime(trim(StartDate), '%Y-%m-%d')")

    problems = []
    for filename, sql in checks:
        for line, column, message in con.execute(sql).fetchall():
            problems.append(Problem(filename, int(line), column, message))
    return problems


def _duplicates(alias: str, col: str) -> str:
    c = _q(col)
    return (f"SELECT {LINE}, '{col}', '{col} ' || {c} || ' repeats line ' || first_line FROM ("
            f"SELECT {LINE}, {c}, min({LINE}) OVER (PARTITION BY trim({c})) AS first_line FROM {alias} "
            f"WHERE {c} IS NOT NULL AND trim({c}) <> '') WHERE {LINE} > first_line")


def _date(col: str) -> str:
    return f"CAST(try_strptime(nullif(trim({_q(col)}), ''), '%Y-%m-%d') AS DATE)"


def _time(col: str) -> str:
    return f"CAST(try_strptime(nullif(trim({_q(col)}), ''), '%H:%M:%S') AS TIME)"


def _text(col: str) -> str:
    return f"nullif(trim({_q(col)}), '')"


def _streamed(con, sql: str) -> TableSource:
    """The query's result, read a batch at a time when write_extract writes it (and closed once
    read, so the connection is free for the next)."""
    def batches():
        with con.sql(sql).to_arrow_reader(batch_size=ROW_GROUP_ROWS) as reader:
            yield from reader
    return batches


def to_canonical(con, present: dict[str, set[str]]) -> tuple[dict[str, TableSource], int]:
    """The validated text tables as canonical tables (schema.py), typed by DuckDB, each streamed
    from DuckDB as write_extract writes it."""
    tables = {
        "people": _streamed(con,
            f"SELECT {_text('Person_ID')} person_id, {_text('Gender')} sex, "
            f"{_text('GenderIDCode')} gender_identity, {_text('EthnicCategory')} ethnic_category, "
            f"{_text('LSOA2011')} lsoa, CAST({_text('IMD_Decile')} AS TINYINT) imd_decile, "
            f"{_text('LADistrictAuth')} la_code FROM mpi"),
        "referrals": _streamed(con,
            f"SELECT {_text('UniqServReqID')} referral_id, {_text('Person_ID')} person_id, "
            f"{_text('OrgIDProv')} provider, {_date('ReferralRequestReceivedDate')} received_on, "
            f"CAST({_text('AgeServReferRecDate')} AS SMALLINT) age_at_referral, "
            f"{_text('SourceOfReferralMH')} source, {_text('PrimReasonReferralMH')} reason, "
            f"upper({_text('ServTeamTypeRefToMH')}) team_type, {_text('UniqCareProfTeamID')} team, "
            f"{_date('ReferRejectionDate')} rejected_on, "
            f"{_date('ServDischDate')} discharged_on FROM referral"),
    }
    # Two-digit mechanism codes lose their leading zero in spreadsheets: '1' is '01'.
    mechanism = (f"CASE WHEN regexp_full_match({_text('ConsMechanismMH')}, '\\d') "
                 f"THEN '0' || {_text('ConsMechanismMH')} ELSE {_text('ConsMechanismMH')} END")
    contacts = (f"SELECT {_text('UniqCareContID')} contact_id, 'direct' kind, "
                f"{_text('Person_ID')} person_id, "
                f"{_text('UniqServReqID')} referral_id, {_date('CareContDate')} contact_date, "
                f"{_time('CareContTime')} contact_time, {_text('AttendStatus')} attend_status, "
                f"{mechanism} mechanism FROM contact")
    if "indirect" in present:
        contacts += (f" UNION ALL SELECT {_text('MHS204UniqID')}, 'indirect', {_text('Person_ID')}, "
                     f"{_text('UniqServReqID')}, {_date('IndirectActDate')}, {_time('IndirectActTime')}, "
                     "NULL, NULL FROM indirect")
    tables["contacts"] = _streamed(con, contacts)
    tables["scores"] = _streamed(con,
        f"SELECT {_text('MHS606UniqID')} score_id, {_text('Person_ID')} person_id, "
        f"{_text('UniqServReqID')} referral_id, {_text('CodedAssToolType')} concept_id, "
        f"{_text('PersScore')} score, {_date('AssToolCompDate')} completed_on FROM score")
    skipped = 0
    if "grouping" in present:
        tables["groupings"] = _streamed(con,
            f"SELECT {_text('Person_ID')} person_id, {_text('UniqServReqID')} referral_id, k.code grouping, "
            f"{_date('StartDate')} start_on, {_date('EndDate')} end_on, "
            "upper(trim(SharedDecision)) = 'Y' shared_decision FROM grouping g "
            "JOIN __grouping_keys k ON k.key = lower(trim(g.Grouping)) WHERE k.code IS NOT NULL")
        skipped = con.execute("SELECT count(*) FROM grouping g JOIN __grouping_keys k "
                              "ON k.key = lower(trim(g.Grouping)) WHERE k.code IS NULL").fetchall()[0][0]
    # No MHSDS table carries goals, Risk Support plans, CollaboRATE responses or the options of a
    # grouping decision (goals, risk_plans, collaborate, decision_options): left out here, so
    # write_extract lists them as absent and the pages say "not available from this source".
    return tables, skipped
