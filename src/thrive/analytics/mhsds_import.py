"""Read an MHSDS-style CSV extract (docs/specs/standards/mhsds-extract.md), validate all of it, and turn it
into the canonical tables (schema.py).

Reading is pyarrow's multi-threaded streaming CSV reader (every column as text), a block at a
time into a DuckDB database file in a working directory (so memory stays bounded at any size);
every check is a DuckDB query over those tables that returns the offending rows with their line
numbers, so the cost is a few column scans, not Python per row. Every problem is collected
(file, line, column, message) before anything is written; one problem means nothing is written.
"""

import csv
import difflib
import os
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import numpy as np
import pyarrow as pa
import pyarrow.csv as pacsv

from thrive.care.groupings import ALIASES, Grouping
from thrive.core import progress

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
    # Optional columns the national CYP outcomes metric reads: the header must have them (a value
    # may be blank), so a misspelt or missing one is an error, never a silently empty column.
    metric: tuple[str, ...] = ()
    unique: str | None = None  # an id that must not repeat (the metric orders by it)

    @property
    def columns(self) -> tuple[str, ...]:
        return self.required + self.optional


FILES = (
    FileSpec("MHS001MPI.csv", "mpi", ("Person_ID",),
             ("Gender", "GenderIDCode", "EthnicCategory", "LSOA2011", "IMD_Decile", "LADistrictAuth"),
             metric=("Gender", "LADistrictAuth")),
    FileSpec("MHS101Referral.csv", "referral", ("Person_ID", "UniqServReqID", "ReferralRequestReceivedDate"),
             ("OrgIDProv", "AgeServReferRecDate", "SourceOfReferralMH", "PrimReasonReferralMH",
              "ServTeamTypeRefToMH", "UniqCareProfTeamID", "ReferRejectionDate", "ServDischDate"),
             dates=("ReferralRequestReceivedDate", "ReferRejectionDate", "ServDischDate"),
             metric=("AgeServReferRecDate", "ServTeamTypeRefToMH", "ReferRejectionDate", "ServDischDate")),
    FileSpec("MHS201CareContact.csv", "contact", ("Person_ID", "UniqServReqID", "UniqCareContID"),
             ("CareContDate", "CareContTime", "AttendStatus", "ConsMechanismMH"),
             dates=("CareContDate",), times=("CareContTime",),
             metric=("CareContDate", "AttendStatus", "ConsMechanismMH"), unique="UniqCareContID"),
    FileSpec("MHS204IndirectActivity.csv", "indirect", ("Person_ID", "UniqServReqID", "MHS204UniqID"),
             ("IndirectActDate", "IndirectActTime"), dates=("IndirectActDate",), times=("IndirectActTime",),
             file_required=False, metric=("IndirectActDate",), unique="MHS204UniqID"),
    FileSpec("MHS606CodedScoreAssessmentRefer.csv", "score", ("Person_ID", "UniqServReqID", "MHS606UniqID"),
             ("CodedAssToolType", "PersScore", "AssToolCompDate"), dates=("AssToolCompDate",),
             metric=("CodedAssToolType", "PersScore", "AssToolCompDate"), unique="MHS606UniqID"),
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
    rows_read: dict[str, int] = field(default_factory=dict)  # file -> data rows read
    absent_files: list[str] = field(default_factory=list)  # optional files not given: empty
    set_aside: dict[str, int] = field(default_factory=dict)  # reason -> score rows the metric skips

    def summary_lines(self) -> list[str]:
        lines = [f"{name}: {n} row{'s' if n != 1 else ''} read" for name, n in self.rows_read.items()]
        lines += [f"{name}: not given, loaded as an empty table" for name in self.absent_files]
        loaded = ", ".join(f"{n} {name}" for name, n in self.manifest["rows"].items())
        lines.append(f"Loaded: {loaded}.")
        if self.skipped_groupings:
            lines.append(f"Set aside: {self.skipped_groupings} THRIVEGrouping row(s) with "
                         "NO_INTERVENTION (not a needs-based grouping).")
        for reason, n in self.set_aside.items():
            lines.append(f"Set aside by the outcomes metric: {n} score row(s), {reason}.")
        return lines


IMPORT_MEMORY_LIMIT = "2GB"


def import_mhsds(source_dir: str | os.PathLike, out_dir: str | os.PathLike) -> ImportResult:
    """Validate everything; raise ImportRejected with every problem, or write the extract."""
    # The files stream into a DuckDB database file (a block of CSV at a time), DuckDB's working
    # memory for the checks is capped (it spills to a temporary directory beyond it) and the
    # canonical tables stream from DuckDB to Parquet: the peak is bounded whatever the size.
    # The spill directory holds person-level rows too: it lives beside the output, and goes
    # however the import ends (workdirs.py).
    out_dir = Path(out_dir)
    with (work_dir(out_dir.parent, "import-spill") as spill,
          duckdb.connect(str(spill / "import.duckdb"),
                         config={"memory_limit": IMPORT_MEMORY_LIMIT,
                                 "temp_directory": str(spill)}) as con):
        problems, present = read_files(con, Path(source_dir))
        problems += validate(con, present)
        if problems:
            raise ImportRejected(sorted(problems, key=_problem_order))
        rows_read = {SPEC[a].filename: con.execute(f"SELECT count(*) FROM {a}").fetchall()[0][0]
                     for a in present}
        set_aside = scores_set_aside(con) if "score" in present else {}
        tables, skipped = to_canonical(con, present)
        expected = {"people": rows_read.get("MHS001MPI.csv"),
                    "referrals": rows_read.get("MHS101Referral.csv"),
                    "contacts": rows_read.get("MHS201CareContact.csv", 0)
                    + rows_read.get("MHS204IndirectActivity.csv", 0),
                    "scores": rows_read.get("MHS606CodedScoreAssessmentRefer.csv"),
                    "groupings": rows_read.get("THRIVEGrouping.csv")}
        manifest = write_extract(out_dir, tables, source=f"mhsds:{Path(source_dir).resolve()}",
                                 expected=expected)
    absent = [f.filename for f in FILES if not f.file_required and f.alias not in present]
    return ImportResult(manifest, skipped, rows_read, absent, set_aside)


def scores_set_aside(con) -> dict[str, int]:
    """Score rows the national metric will not use, by reason (they are loaded as given)."""
    from . import reference

    rows = reference.scale_rows()
    con.register("__score_ranges", pa.table({
        "concept_id": [str(r["concept_id"]) for r in rows],
        "lower": [float(r["lower"]) for r in rows], "upper": [float(r["upper"]) for r in rows]}))
    unknown, invalid, out_of_range = con.execute(
        "SELECT count(*) FILTER (WHERE k.concept_id IS NULL), "
        "count(*) FILTER (WHERE k.concept_id IS NOT NULL AND try_cast(trim(s.PersScore) AS DOUBLE) IS NULL), "
        "count(*) FILTER (WHERE k.concept_id IS NOT NULL AND NOT try_cast(trim(s.PersScore) AS DOUBLE) "
        "BETWEEN k.lower AND k.upper) "
        "FROM score s LEFT JOIN (SELECT concept_id, min(lower) AS lower, max(upper) AS upper "
        "FROM __score_ranges GROUP BY concept_id) k ON k.concept_id = trim(s.CodedAssToolType)"
    ).fetchall()[0]
    con.unregister("__score_ranges")
    return {reason: n for reason, n in (
        ("unknown code (not a scale of the national metric)", unknown),
        ("invalid score (not a number)", invalid), ("out of range", out_of_range)) if n}


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
        with progress.stage(f"reading {spec.filename}") as bar:
            loaded, header, file_problems = _load_csv(con, path, spec, bar)
        problems += file_problems
        if loaded:
            present[spec.alias] = set(header)
    return problems, present


# Bytes of CSV parsed at a time: each block becomes one batch of Arrow (about half a million rows
# of a score file) that goes into DuckDB's own storage before the next is read.
BLOCK_BYTES = 1 << 25


def _load_csv(con, path: Path, spec: FileSpec, bar) -> tuple[bool, list[str], list[Problem]]:
    """Read one CSV (every column as text) into a DuckDB table named after the file's alias,
    with each row's physical line (LINE). Returns whether it loaded, its header and problems.

    The file streams through: pyarrow parses a block, DuckDB stores it (in the database file
    beside the output, spilling past its memory limit), and the block is dropped. So a file is
    never held whole in Python's memory, however large (9 GiB for the demo's 4.4 GiB of CSV
    when it was)."""
    name = spec.filename
    try:
        with open(path, encoding="utf-8-sig", newline="") as fh:
            header = next(csv.reader(fh), None)
    except (OSError, UnicodeDecodeError) as exc:
        line = _first_non_utf8_line(path) if isinstance(exc, UnicodeDecodeError) else None
        if line is not None:
            return False, [], [Problem(name, line, None, NOT_UTF8)]
        return False, [], [Problem(name, None, None,
                                   f"cannot be read as UTF-8 CSV ({exc.__class__.__name__})")]
    if not header:
        return False, [], [Problem(name, 1, None, "the file is empty: no header row")]
    header = [h.strip() for h in header]
    problems = [Problem(name, 1, col, "required column is missing" + _did_you_mean(col, header))
                for col in spec.required if col not in header]
    problems += [Problem(name, 1, col, "column is missing: the national outcomes metric reads it "
                                       "(a value may be blank, the column may not be absent)"
                         + _did_you_mean(col, header))
                 for col in spec.metric if col not in header]
    wanted = [c for c in spec.columns if c in header]
    # The physical line each record starts on (header first): errors and checks name lines.
    starts = _record_start_lines(path)
    try:
        skipped = _stream_into(con, path, spec, header, wanted, starts, use_threads=True, bar=bar)
        if any(line is None for line, _ in skipped):
            # the slower serial reader knows the line numbers of malformed rows
            skipped = _stream_into(con, path, spec, header, wanted, starts, use_threads=False,
                                   bar=None)
    except (pa.ArrowInvalid, OSError, UnicodeDecodeError) as exc:
        con.execute(f"DROP TABLE IF EXISTS {spec.alias}")
        line = _first_non_utf8_line(path)
        if line is not None:
            return False, header, problems + [Problem(name, line, None, NOT_UTF8)]
        return False, header, problems + [Problem(name, None, None, f"cannot be read as CSV: {exc}")]
    n_rows = con.execute(f"SELECT count(*) FROM {spec.alias}").fetchall()[0][0]
    numbers = [n for n, _ in skipped]
    if starts is not None and len(starts) - 1 - len(numbers) == n_rows and all(
            1 < n <= len(starts) for n in numbers):
        problems += [Problem(name, int(starts[n - 1]), None, message) for n, message in skipped]
    else:
        # The scan for physical lines disagrees with the parser (or could not read the file):
        # fall back to record numbers, as pyarrow counts them.
        con.execute(f"UPDATE {spec.alias} SET {LINE} = {RECORD}")
        problems += [Problem(name, n, None, message) for n, message in skipped]
    return True, header, problems


RECORD = "__record"  # the record's number as the parser counts it (header = 1)


def _stream_into(con, path: Path, spec: FileSpec, header: list[str], wanted: list[str],
                 starts: np.ndarray | None, *, use_threads: bool, bar) -> list[tuple[int | None, str]]:
    """(Re)create the file's table from a streaming parse; returns the malformed rows it skipped
    as (record number or None, message)."""
    bad: list[tuple[int | None, str]] = []

    def on_invalid_row(row):
        bad.append((row.number, f"has {row.actual_columns} fields; the header has {row.expected_columns}"))
        return "skip"

    columns = ", ".join(f"{_q(c)} VARCHAR" for c in spec.columns)
    con.execute(f"CREATE OR REPLACE TABLE {spec.alias} ({columns}, {LINE} BIGINT, {RECORD} BIGINT)")
    reader = pacsv.open_csv(
        path,
        read_options=pacsv.ReadOptions(column_names=header, skip_rows=1, encoding="utf8",
                                       use_threads=use_threads, block_size=BLOCK_BYTES),
        parse_options=pacsv.ParseOptions(invalid_row_handler=on_invalid_row),
        convert_options=pacsv.ConvertOptions(
            include_columns=wanted, column_types={c: pa.string() for c in wanted},
            strings_can_be_null=True, quoted_strings_can_be_null=True),
    )
    record = 2  # the next record's number (the header is record 1)
    for batch in reader:
        n = batch.num_rows
        if not n:
            continue
        # This batch's rows are the next n records the parser kept; any it skipped in between
        # were reported (with their numbers) while the block was parsed, before it came out.
        skipped = np.array(sorted(k for k, _ in bad if k is not None and k >= record), np.int64)
        end = record + n
        while end - record - int(np.count_nonzero(skipped < end)) < n:
            end = record + n + int(np.count_nonzero(skipped < end))
        numbers = np.arange(record, end, dtype=np.int64)
        if len(skipped):
            numbers = numbers[~np.isin(numbers, skipped)]
        record = end
        lines = (starts[numbers - 1] if starts is not None and len(starts) >= end - 1
                 else numbers)
        data = {c: (batch.column(c) if c in wanted else pa.nulls(n, pa.string()))
                for c in spec.columns}
        data[LINE] = pa.array(lines, pa.int64())
        data[RECORD] = pa.array(numbers, pa.int64())
        con.register("__block", pa.table(data))
        con.execute(f"INSERT INTO {spec.alias} SELECT * FROM __block")
        con.unregister("__block")
        if bar is not None:
            bar.update(n)
    return bad


def _did_you_mean(col: str, header: list[str]) -> str:
    close = difflib.get_close_matches(col.lower(), [h.lower() for h in header], n=1, cutoff=0.75)
    if not close:
        return ""
    found = next(h for h in header if h.lower() == close[0])
    return f" (the header has {found!r}: is it misspelt?)"


READ_CHUNK = 1 << 24
LINE_TYPE = np.int32  # a file of more than 2,147,483,647 lines is not an MHSDS extract
NOT_UTF8 = "is not UTF-8 text: save the file as UTF-8 and import it again"


def _record_start_lines(path: Path) -> np.ndarray | None:
    """The physical line (1-based) on which each non-blank CSV record starts, header first.

    A newline inside a quoted field (an odd number of quotes before it) does not end a record; a
    blank line is not a record (pyarrow skips it). NumPy over 16 MB chunks: a couple of byte scans."""
    ends, blank = [], []  # per chunk: physical line of each record-ending newline; its record blank?
    carry_quotes = 0
    lines_before = 0
    prev_end = -1  # byte offset of the previous record-ending newline
    offset = 0
    last_byte = b""
    try:
        with open(path, "rb") as fh:
            while chunk := fh.read(READ_CHUNK):
                b = np.frombuffer(chunk, dtype=np.uint8)
                nl = np.flatnonzero(b == 10)
                quotes = np.flatnonzero(b == 34)
                inside = (carry_quotes + np.searchsorted(quotes, nl)) % 2 == 1
                carry_quotes = (carry_quotes + len(quotes)) % 2
                line_of = lines_before + np.arange(1, len(nl) + 1)
                lines_before += len(nl)
                end_pos = nl[~inside] + offset
                if len(end_pos):
                    starts = np.concatenate(([prev_end + 1], end_pos[:-1] + 1))
                    length = end_pos - starts
                    is_blank = length == 0
                    # "\r\n" on its own is blank too
                    one = np.flatnonzero(length == 1)
                    if len(one):
                        local = end_pos[one] - 1 - offset
                        ok = local >= 0
                        cr = np.zeros(len(one), dtype=bool)
                        cr[ok] = b[local[ok]] == 13
                        if (~ok).any():
                            cr[~ok] = last_byte == b"\r"
                        is_blank[one] |= cr
                    ends.append(line_of[~inside].astype(LINE_TYPE))
                    blank.append(is_blank)
                    prev_end = int(end_pos[-1])
                last_byte = chunk[-1:]
                offset += len(chunk)
    except OSError:
        return None
    # 32-bit line numbers, and each temporary dropped when done: at 50 M records this array
    # and its intermediates are most of what the import holds besides DuckDB's own memory.
    end_lines = np.concatenate(ends) if ends else np.zeros(0, dtype=LINE_TYPE)
    del ends
    is_blank = np.concatenate(blank) if blank else np.zeros(0, dtype=bool)
    del blank
    start_lines = np.empty(len(end_lines), dtype=LINE_TYPE)
    if len(end_lines):
        start_lines[0] = 1
        np.add(end_lines[:-1], 1, out=start_lines[1:])
    del end_lines
    starts = start_lines[~is_blank]
    del start_lines
    if offset > prev_end + 1:  # a last record with no newline after it
        tail_blank = offset - (prev_end + 1) == 1 and last_byte == b"\r"
        if not tail_blank:
            starts = np.append(starts, np.array([lines_before + 1], dtype=LINE_TYPE))
    return starts


def _first_non_utf8_line(path: Path) -> int | None:
    """The first physical line that is not UTF-8 (only read when the file was refused)."""
    try:
        with open(path, "rb") as fh:
            for number, raw in enumerate(fh, start=1):
                try:
                    raw.decode("utf-8")
                except UnicodeDecodeError:
                    return number
    except OSError:
        return None
    return None


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
    for alias in present:
        unique = SPEC[alias].unique
        if unique and unique in present[alias]:
            add(alias, _duplicates(alias, unique))
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
    with progress.stage("checking the extract", total=len(checks), unit="checks") as bar:
        for filename, sql in checks:
            for line, column, message in con.execute(sql).fetchall():
                problems.append(Problem(filename, int(line), column, message))
            bar.update(1)
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
            "JOIN __grouping_keys k ON k.key = lower(trim(g.Grouping)) WHERE k.code IS NOT NULL "
            f"ORDER BY g.{LINE}")  # the file's order (a join's order is not fixed)
        skipped = con.execute("SELECT count(*) FROM grouping g JOIN __grouping_keys k "
                              "ON k.key = lower(trim(g.Grouping)) WHERE k.code IS NULL").fetchall()[0][0]
    # No MHSDS table carries goals, Risk Support plans, CollaboRATE responses or the options of a
    # grouping decision (goals, risk_plans, collaborate, decision_options): left out here, so
    # write_extract lists them as absent and the pages say "not available from this source".
    return tables, skipped
