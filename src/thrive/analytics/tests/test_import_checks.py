"""import_mhsds checks what the national metric needs: its columns, physical line numbers, unique
ids, UTF-8, an absent optional table, and a summary of rows read, loaded and set aside."""

import pytest
from django.core.management import CommandError, call_command

from thrive.analytics.mhsds_import import import_mhsds

from .test_import_mhsds import GOOD, problems, write

REFERRAL = GOOD["MHS101Referral.csv"]
CONTACT = GOOD["MHS201CareContact.csv"]
SCORE = GOOD["MHS606CodedScoreAssessmentRefer.csv"]


@pytest.mark.parametrize("filename, column", [
    ("MHS101Referral.csv", "ServDischDate"), ("MHS201CareContact.csv", "AttendStatus"),
    ("MHS606CodedScoreAssessmentRefer.csv", "PersScore"), ("MHS101Referral.csv", "ReferRejectionDate"),
])
def test_a_misspelt_metric_column_is_an_error_naming_file_and_column(tmp_path, filename, column):
    text = GOOD[filename].replace(column, column + "X", 1)
    found = problems(tmp_path, **{filename: text})
    assert any(f.startswith(f"{filename}, line 1, column {column}: column is missing") for f in found)
    assert any("is it misspelt?" in f for f in found)


def test_the_command_exits_non_zero_and_writes_nothing(tmp_path, capsys):
    bad = write(tmp_path, GOOD, **{"MHS101Referral.csv": REFERRAL.replace("ServDischDate", "ServDisch")})
    with pytest.raises(CommandError, match="nothing was written"):
        call_command("import_mhsds", str(bad), "--out", str(tmp_path / "out"))
    assert "MHS101Referral.csv, line 1, column ServDischDate" in capsys.readouterr().err
    assert not (tmp_path / "out").exists()


def test_errors_name_physical_lines_after_blank_lines_and_quoted_newlines(tmp_path):
    contact = (CONTACT.replace("\nP1,R1,C2,", "\n\n\nP1,R1,C2,")
               + 'P1,R1,"C\n4",2024-01-30,,5,01\nP1,R1,C5,not-a-date,,5,01\n')
    found = problems(tmp_path, **{"MHS201CareContact.csv": contact})
    # header 1, C1 2, blanks 3-4, C2 5, C3 6, "C\n4" 7-8, C5 9
    assert ("MHS201CareContact.csv, line 9, column CareContDate: is not a date (YYYY-MM-DD): "
            "not-a-date") in found


def test_ragged_row_after_a_blank_line_names_its_physical_line(tmp_path):
    found = problems(tmp_path, **{"MHS201CareContact.csv": CONTACT + "\nP1,R1\n"})
    assert "MHS201CareContact.csv, line 6: has 2 fields; the header has 7" in found


@pytest.mark.parametrize("filename, text, column", [
    ("MHS201CareContact.csv", CONTACT + "P1,R1,C1,2024-02-10,,5,01\n", "UniqCareContID"),
    ("MHS606CodedScoreAssessmentRefer.csv", SCORE + "P1,R1,S2,445455005,9,2024-03-22\n", "MHS606UniqID"),
])
def test_duplicate_contact_and_score_ids_are_refused(tmp_path, filename, text, column):
    found = problems(tmp_path, **{filename: text})
    assert any(f.startswith(f"{filename}, line 5, column {column}: ") and "repeats line" in f for f in found)


def test_non_utf8_is_refused_with_its_line(tmp_path):
    latin1 = ((CONTACT + "P1,R1,C9,2024-02-01,,5,01\n").encode("utf-8")
              + "P1,R1,Cé,2024-02-02,,5,01\n".encode("latin-1"))
    found = problems(tmp_path, **{"MHS201CareContact.csv": latin1})
    assert ("MHS201CareContact.csv, line 6: is not UTF-8 text: save the file as UTF-8 and import "
            "it again") in found


def test_an_absent_indirect_activity_file_loads_as_empty_and_says_so(tmp_path, capsys):
    files = {k: v for k, v in GOOD.items() if k != "MHS204IndirectActivity.csv"}
    result = import_mhsds(write(tmp_path, files), tmp_path / "out")
    assert result.manifest["rows"]["contacts"] == 3
    assert result.absent_files == ["MHS204IndirectActivity.csv"]
    call_command("import_mhsds", str(write(tmp_path, files)), "--out", str(tmp_path / "out2"))
    assert "MHS204IndirectActivity.csv: not given, loaded as an empty table" in capsys.readouterr().out


def test_summary_counts_rows_read_loaded_and_set_aside_by_reason(tmp_path, capsys):
    score = SCORE + "P1,R1,S4,123456,5,2024-03-22\nP1,R1,S5,445455005,99,2024-03-23\n"
    files = {**GOOD, "MHS606CodedScoreAssessmentRefer.csv": score}
    result = import_mhsds(write(tmp_path, files), tmp_path / "out")
    assert result.rows_read["MHS606CodedScoreAssessmentRefer.csv"] == 5
    assert result.set_aside == {"unknown code (not a scale of the national metric)": 1,
                                "invalid score (not a number)": 1, "out of range": 1}
    call_command("import_mhsds", str(write(tmp_path, files)), "--out", str(tmp_path / "out2"))
    out = capsys.readouterr().out
    assert "MHS606CodedScoreAssessmentRefer.csv: 5 rows read" in out
    assert "Set aside by the outcomes metric: 1 score row(s), out of range." in out
    assert "5 scores" in out


def test_files_stream_in_blocks_with_the_same_extract_and_the_same_line_numbers(tmp_path, monkeypatch):
    """The import reads each file a block at a time into DuckDB (bounded memory at any size):
    blocks of 2 KiB give the extract one block does, and the same physical lines in errors,
    even for a ragged row, blank lines and a quoted newline far into a many-block file."""
    from datetime import date

    import pyarrow.parquet as pq

    from thrive.analytics import mhsds_import
    from thrive.analytics.schema import TABLES
    from thrive.demo.mhsds_extract import write_extract

    source = tmp_path / "csv"
    write_extract(source, people=150, seed=2026, today=date(2026, 3, 2))
    contacts = source / "MHS201CareContact.csv"
    assert contacts.stat().st_size > 40 * 2048  # many blocks
    whole = import_mhsds(source, tmp_path / "whole").manifest
    monkeypatch.setattr(mhsds_import, "BLOCK_BYTES", 2048)
    streamed = import_mhsds(source, tmp_path / "streamed").manifest
    assert streamed["rows"] == whole["rows"] and whole["rows"]["contacts"] > 1000
    for name in TABLES:
        if name not in whole["absent"]:
            one, many = (pq.read_table(tmp_path / d / f"{name}.parquet") for d in ("whole", "streamed"))
            assert many.equals(one), name

    lines = contacts.read_text().splitlines(keepends=True)
    header, body = lines[0], lines[1:]
    fields = body[-1].rstrip("\n").split(",")
    broken = (header + "".join(body[:300]) + "\n\n" + "P1,R1\n" + "".join(body[300:700])
              + ",".join(fields[:2] + ['"C\nX"'] + fields[3:]) + "\n"
              + ",".join(fields[:2] + ["late", "not-a-date"] + fields[4:]) + "\n")
    contacts.write_text(broken)
    # header 1, 300 rows (2-301), blanks 302-303, ragged 304, 400 rows (305-704), quoted 705-706
    expected = {"MHS201CareContact.csv, line 304: has 2 fields; the header has 7",
                "MHS201CareContact.csv, line 707, column CareContDate: is not a date (YYYY-MM-DD): "
                "not-a-date"}
    for block in (2048, 1 << 25):
        monkeypatch.setattr(mhsds_import, "BLOCK_BYTES", block)
        with pytest.raises(mhsds_import.ImportRejected) as rejected:
            import_mhsds(source, tmp_path / "bad")
        found = {str(p) for p in rejected.value.problems}
        assert expected <= found, (block, sorted(found)[:5])
