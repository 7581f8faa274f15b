"""import_mhsds: every problem reported with file, line and column; nothing written on any."""

import json
from datetime import date

import pyarrow.parquet as pq
import pytest
from django.core.management import CommandError, call_command

from thrive.analytics import metrics
from thrive.analytics.engine import connect
from thrive.analytics.mhsds_import import ImportRejected, import_mhsds

GOOD = {
    "MHS001MPI.csv": "Person_ID,Gender,EthnicCategory,IMD_Decile,LADistrictAuth,Unknown\n"
                     "P1,1,A,3,E06000001,ignored\nP2,2,99,,,\n",
    "MHS101Referral.csv": "Person_ID,UniqServReqID,OrgIDProv,ReferralRequestReceivedDate,AgeServReferRecDate,"
                          "ServTeamTypeRefToMH,ReferRejectionDate,ServDischDate\n"
                          "P1,R1,RXX,2023-11-01,12,C05,,2024-04-30\nP2,R2,RXX,2024-01-01,16,,,\n",
    "MHS201CareContact.csv": "Person_ID,UniqServReqID,UniqCareContID,CareContDate,CareContTime,AttendStatus,"
                             "ConsMechanismMH\nP1,R1,C1,2024-01-10,09:00:00,5,1\nP1,R1,C2,2024-01-24,,6,11\n"
                             "P2,R2,C3,2024-01-10,10:00:00,3,01\n",
    "MHS204IndirectActivity.csv": "Person_ID,UniqServReqID,MHS204UniqID,IndirectActDate,IndirectActTime\n"
                                  "P2,R2,I1,2024-01-11,\n",
    "MHS606CodedScoreAssessmentRefer.csv": "Person_ID,UniqServReqID,MHS606UniqID,CodedAssToolType,PersScore,"
                                           "AssToolCompDate\nP1,R1,S1,445455005,12,2024-01-10\n"
                                           "P1,R1,S2,445455005,7,2024-03-20\nP1,R1,S3,445455005,n/a,2024-03-21\n",
    "THRIVEGrouping.csv": "Person_ID,UniqServReqID,Grouping,StartDate,EndDate,SharedDecision\n"
                          "P1,R1,Getting Advice,2023-11-10,2024-01-09,Y\nP1,R1,GETTING_HELP,2024-01-10,,N\n"
                          "P2,R2,NO_INTERVENTION,2024-01-10,,\n",
}


def write(tmp_path, files, **changes):
    src = tmp_path / "csv"
    src.mkdir(exist_ok=True)
    for name, text in {**files, **changes}.items():
        if text is None:
            continue
        if isinstance(text, str):
            (src / name).write_text(text, encoding="utf-8")
        else:
            (src / name).write_bytes(text)
    return src


def problems(tmp_path, **changes):
    out = tmp_path / "out"
    with pytest.raises(ImportRejected) as caught:
        import_mhsds(write(tmp_path, GOOD, **changes), out)
    assert not out.exists()
    return [str(p) for p in caught.value.problems]


def test_good_extract_round_trip(tmp_path):
    result = import_mhsds(write(tmp_path, GOOD), tmp_path / "out")
    assert result.manifest["rows"] == dict(people=2, referrals=2, contacts=4, scores=3, groupings=2,
                                           goals=0, risk_plans=0, collaborate=0, decision_options=0)
    # MHSDS has no such tables
    assert result.manifest["absent"] == ["goals", "risk_plans", "collaborate", "decision_options"]
    assert result.skipped_groupings == 1
    contacts = pq.read_table(tmp_path / "out" / "contacts.parquet").to_pylist()
    assert [c["mechanism"] for c in contacts[:3]] == ["01", "11", "01"]  # '1' read as '01'
    assert contacts[3]["kind"] == "indirect"
    groupings = pq.read_table(tmp_path / "out" / "groupings.parquet").to_pylist()
    assert [g["grouping"] for g in groupings] == ["getting_advice", "getting_help"]
    assert json.loads((tmp_path / "out" / "manifest.json").read_text())["schema_version"] == 4
    con = connect(tmp_path / "out")
    row = metrics.cyp_outcomes_rows(con, date(2024, 4, 1), date(2024, 4, 30))[0]
    assert (row["UniqServReqID"], row["Contact2"], row["Improvement_SR"]) == ("R1", "2024-01-24", 1)


def test_every_problem_with_file_line_and_column(tmp_path):
    found = problems(
        tmp_path,
        **{"MHS001MPI.csv": GOOD["MHS001MPI.csv"] + "P1,2,A,,,\n",
           "MHS101Referral.csv": GOOD["MHS101Referral.csv"] + "P9,R1,RXX,2024-13-01,x,,,01/05/2024\n",
           "MHS201CareContact.csv": "Person_ID,UniqServReqID,CareContDate\nP1,R1,2024-01-10\n",
           "MHS606CodedScoreAssessmentRefer.csv": GOOD["MHS606CodedScoreAssessmentRefer.csv"]
           + "P2,R1,S4,445455005,3,2024-02-01\nP1,R7,S5,445455005,3,2024-02-01\n,R1,S6,445455005,3,\n",
           "THRIVEGrouping.csv": GOOD["THRIVEGrouping.csv"] + "P1,R1,Doing fine,2024-02-01,,\n"})
    expected = [
        "MHS001MPI.csv, line 4, column Person_ID: Person_ID P1 repeats line 2",
        "MHS101Referral.csv, line 4, column AgeServReferRecDate: is not a whole number of years: x",
        "MHS101Referral.csv, line 4, column Person_ID: unknown Person_ID P9 (not in MHS001MPI.csv)",
        "MHS101Referral.csv, line 4, column ReferralRequestReceivedDate: is not a date (YYYY-MM-DD): "
        "2024-13-01",
        "MHS101Referral.csv, line 4, column ServDischDate: is not a date (YYYY-MM-DD): 01/05/2024",
        "MHS101Referral.csv, line 4, column UniqServReqID: UniqServReqID R1 repeats line 2",
        "MHS201CareContact.csv, line 1, column AttendStatus: column is missing: the national outcomes "
        "metric reads it (a value may be blank, the column may not be absent)",
        "MHS201CareContact.csv, line 1, column ConsMechanismMH: column is missing: the national outcomes "
        "metric reads it (a value may be blank, the column may not be absent)",
        "MHS201CareContact.csv, line 1, column UniqCareContID: required column is missing",
        "MHS606CodedScoreAssessmentRefer.csv, line 5, column Person_ID: Person_ID P2 is not the person "
        "of referral R1 (P1)",
        "MHS606CodedScoreAssessmentRefer.csv, line 6, column UniqServReqID: unknown UniqServReqID R7 "
        "(not in MHS101Referral.csv)",
        "MHS606CodedScoreAssessmentRefer.csv, line 7, column Person_ID: is empty: a value is required",
        "THRIVEGrouping.csv, line 5, column Grouping: is not a THRIVE needs-based grouping: Doing fine",
    ]
    assert found == expected


def test_missing_file_unreadable_file_and_ragged_row(tmp_path):
    found = problems(tmp_path, **{
        "MHS204IndirectActivity.csv": None,
        "MHS001MPI.csv": b"Person_ID,Gender\nP1,\xff\xfe\n",
        "MHS201CareContact.csv": GOOD["MHS201CareContact.csv"] + "P1,R1\n"})
    assert "MHS001MPI.csv, line 2: is not UTF-8 text: save the file as UTF-8 and import it again" in found
    assert "MHS201CareContact.csv, line 5: has 2 fields; the header has 7" in found
    assert not any(f.startswith("MHS204IndirectActivity.csv") for f in found)  # optional: empty


def test_optional_grouping_file_may_be_absent(tmp_path):
    result = import_mhsds(write(tmp_path, {k: v for k, v in GOOD.items() if k != "THRIVEGrouping.csv"}),
                          tmp_path / "out")
    assert result.manifest["rows"]["groupings"] == 0


def test_command(tmp_path, capsys):
    call_command("import_mhsds", str(write(tmp_path, GOOD)), "--out", str(tmp_path / "out"))
    assert "2 people, 2 referrals" in capsys.readouterr().out
    bad = write(tmp_path, GOOD, **{"MHS101Referral.csv": "Person_ID\nP1\n"})
    with pytest.raises(CommandError, match="nothing was written"):
        call_command("import_mhsds", str(bad), "--out", str(tmp_path / "out2"))
    assert "column UniqServReqID: required column is missing" in capsys.readouterr().err
    assert not (tmp_path / "out2").exists()


def test_cyp_outcomes_command_from_mhsds(tmp_path, capsys):
    out = tmp_path / "cyp.csv"
    call_command("cyp_outcomes", "--source", f"mhsds:{write(tmp_path, GOOD)}", "--from", "2024-04-01",
                 "--to", "2024-04-30", "--out", str(out))
    text = capsys.readouterr().out
    assert "MHS110 closed referrals with two or more contacts: 1" in text
    assert "MHS113 self-rated, 1 paired: improvement 100.0%" in text
    assert out.read_text().splitlines()[1].startswith("R1,P1,2024-01-10,2024-01-24,1,1,1,0,0,")


def test_team_from_the_optional_team_id_else_the_team_type(tmp_path):
    referrals = ("Person_ID,UniqServReqID,ReferralRequestReceivedDate,ServTeamTypeRefToMH,"
                 "UniqCareProfTeamID,AgeServReferRecDate,ReferRejectionDate,ServDischDate\n"
                 "P1,R1,2023-11-01,C05,North CAMHS,,,\nP2,R2,2024-01-01,c01,,,,\n")
    import_mhsds(write(tmp_path, GOOD, **{"MHS101Referral.csv": referrals}), tmp_path / "out")
    rows = pq.read_table(tmp_path / "out" / "referrals.parquet", columns=["referral_id", "team_type", "team"])
    assert sorted(zip(*rows.to_pydict().values(), strict=True)) == [("R1", "C05", "North CAMHS"),
                                                                     ("R2", "C01", None)]
    con = connect(tmp_path / "out")
    metrics.prepare_dimensions(con)
    teams = dict(con.execute("SELECT referral_id, team FROM referral_dims").fetchall())
    assert teams == {"R1": "North CAMHS", "R2": "Team type C01"}  # the filter's value
