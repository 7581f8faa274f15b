"""export_pseudonymised: stable keyed pseudonyms, no direct identifier in any column, audited."""

from datetime import date

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from thrive.analytics import metrics
from thrive.analytics.engine import connect
from thrive.analytics.platform_extract import build_platform_extract
from thrive.analytics.pseudonymise import COLUMNS, ENV_VAR, KeyMissing, load_key, pseudonym
from thrive.analytics.schema import TABLES
from thrive.care.models import Goal
from thrive.core.models import AuditEvent
from thrive.people.models import YoungPerson
from thrive.risk.models import RiskSupportPlan

KEY_A = "a" * 20 + "-secret-key-one-for-tests"
KEY_B = "b" * 20 + "-secret-key-two-for-tests"


def export(tmp_path, name, key, *extra):
    key_file = tmp_path / f"{name}.key"
    key_file.write_text(key + "\n")
    call_command("export_pseudonymised", "--out", str(tmp_path / name), "--key-file", str(key_file), *extra)
    return {t: pq.read_table(tmp_path / name / f"{t}.parquet") for t in TABLES}


def ids(tables, table, column):
    return sorted(tables[table].column(column).to_pylist())


@pytest.mark.django_db
def test_same_key_same_pseudonyms_different_key_different(tmp_path, platform_records):
    first = export(tmp_path, "one", KEY_A)
    again = export(tmp_path, "two", KEY_A)
    other = export(tmp_path, "three", KEY_B)
    for table, column in (("people", "person_id"), ("referrals", "referral_id"), ("referrals", "person_id"),
                          ("contacts", "referral_id"), ("groupings", "person_id")):
        assert ids(first, table, column) == ids(again, table, column)
        assert not set(ids(first, table, column)) & set(ids(other, table, column))
    people = ids(first, "people", "person_id")
    assert len(people) == 2 and all(len(p) == 64 for p in people)  # SHA-256 hex
    expected = sorted(pseudonym(KEY_A.encode(), "person", str(p.public_id))
                      for p in YoungPerson.objects.all())
    assert people == expected
    # The links between tables survive: every referral's person is a person.
    assert set(ids(first, "referrals", "person_id")) <= set(people)


@pytest.mark.django_db
def test_the_environment_variable_is_a_key_too(tmp_path, platform_records, monkeypatch):
    monkeypatch.setenv(ENV_VAR, KEY_A)
    call_command("export_pseudonymised", "--out", str(tmp_path / "env"))
    from_file = export(tmp_path, "file", KEY_A)
    assert ids(from_file, "people", "person_id") == sorted(
        pq.read_table(tmp_path / "env" / "people.parquet").column("person_id").to_pylist())


@pytest.mark.django_db
def test_no_column_holds_an_identifier_of_the_source(tmp_path, platform_records):
    tables = export(tmp_path, "x", KEY_A)
    forbidden = set()
    for p in YoungPerson.objects.all():
        forbidden |= {p.nhs_number, p.given_name, p.family_name, p.postcode, p.postcode.replace(" ", ""),
                      p.date_of_birth, p.date_of_birth.isoformat(), str(p.public_id), p.local_authority}
    for episode in platform_records:
        forbidden |= {str(episode.public_id), episode.referral_detail}
    forbidden |= {g.description for g in Goal.objects.all()}
    forbidden |= {plan.what_helps for plan in RiskSupportPlan.objects.all()}
    forbidden |= {"Talked about sleep", "Knows how to come back"}
    forbidden.discard("")
    scanned = 0
    for name, table in tables.items():
        for column in table.column_names:
            for value in table.column(column).to_pylist():
                scanned += 1
                assert value not in forbidden, f"{name}.{column} holds {value!r}"
                if isinstance(value, str):
                    for text in forbidden:
                        if isinstance(text, str) and len(text) > 3:
                            assert text.lower() not in value.lower(), f"{name}.{column} contains {text!r}"
    assert scanned > 50
    # The date of birth is not there; age at referral is.
    assert sorted(tables["referrals"].column("age_at_referral").to_pylist()) == [12, 14]
    assert tables["people"].column("lsoa").null_count == 2
    assert sorted(tables["people"].column("la_code").to_pylist(), key=str) == ["E", None]  # country only
    # Every column of every table has a rule.
    for name, schema in TABLES.items():
        assert set(schema.names) <= set(COLUMNS[name])


@pytest.mark.django_db
def test_the_metric_gives_the_same_answer_on_the_pseudonymised_extract(tmp_path, platform_records):
    build_platform_extract(tmp_path / "plain")
    export(tmp_path, "pseudo", KEY_A)
    period = (date(2024, 4, 1), date(2024, 4, 30))
    plain = metrics.cyp_outcomes_rows(connect(tmp_path / "plain"), *period)
    pseudo = metrics.cyp_outcomes_rows(connect(tmp_path / "pseudo"), *period)
    assert len(plain) == len(pseudo) == 1
    strip = lambda row: {k: v for k, v in row.items() if k not in ("UniqServReqID", "Person_ID")}  # noqa: E731
    assert strip(plain[0]) == strip(pseudo[0])
    assert pseudo[0]["Person_ID"] == pseudonym(KEY_A.encode(), "person", plain[0]["Person_ID"])


@pytest.mark.django_db
def test_the_export_is_audited_without_the_key(tmp_path, platform_records):
    export(tmp_path, "x", KEY_A)
    event = AuditEvent.objects.get(action=AuditEvent.Action.EXPORT)
    assert event.detail.startswith("pseudonymised analytical extract (platform): 2 people, 2 referrals")
    assert KEY_A not in event.detail and event.user is None
    manifest = (tmp_path / "x" / "manifest.json").read_text()
    assert KEY_A not in manifest and '"pseudonymised": true' in manifest


@pytest.mark.django_db
def test_refuses_without_a_key(tmp_path, platform_records, monkeypatch):
    monkeypatch.delenv(ENV_VAR, raising=False)
    with pytest.raises(CommandError, match="No pseudonymisation key"):
        call_command("export_pseudonymised", "--out", str(tmp_path / "x"))
    monkeypatch.setenv(ENV_VAR, "short")
    with pytest.raises(CommandError, match="too short"):
        call_command("export_pseudonymised", "--out", str(tmp_path / "x"))
    with pytest.raises(CommandError, match="Cannot read the key file"):
        call_command("export_pseudonymised", "--out", str(tmp_path / "x"), "--key-file", str(tmp_path / "no"))
    (tmp_path / "x").mkdir()
    (tmp_path / "x" / "k").write_text(KEY_A)
    with pytest.raises(CommandError, match="outside the extract"):
        call_command("export_pseudonymised", "--out", str(tmp_path / "x"),
                     "--key-file", str(tmp_path / "x" / "k"))
    assert not (tmp_path / "x" / "manifest.json").exists()
    assert not AuditEvent.objects.filter(action=AuditEvent.Action.EXPORT).exists()


def test_load_key():
    assert load_key(environ={ENV_VAR: f"  {KEY_A}\n"}) == KEY_A.encode()
    with pytest.raises(KeyMissing):
        load_key(environ={})
    with pytest.raises(KeyMissing):
        load_key(environ={ENV_VAR: "   "})


def test_large_columns_are_built_a_slice_at_a_time_with_the_same_result(monkeypatch):
    """Fifty million 64-character pseudonyms pass Arrow's 2 GiB limit for one string array, so
    results are built in slices; the slicing must not change a single value."""
    from thrive.analytics import pseudonymise as p

    table = pa.table({"referral_id": pa.chunked_array([["R3", "R1", "R2"], ["R1", "R5", "R4", "R3"]])})
    whole_p = p._pseudonyms(table.column("referral_id"), b"k" * 32, "referral").to_pylist()
    whole_s = p._sequence(table.column("referral_id"), "R").to_pylist()
    monkeypatch.setattr(p, "CHUNK_ROWS", 2)
    sliced = p._pseudonyms(table.column("referral_id"), b"k" * 32, "referral")
    assert sliced.num_chunks == 4 and sliced.to_pylist() == whole_p
    assert p._sequence(table.column("referral_id"), "R").to_pylist() == whole_s
    assert whole_s == ["R000000003", "R000000001", "R000000002", "R000000001", "R000000005",
                       "R000000004", "R000000003"]


def test_an_extract_written_before_the_ending_and_made_explicit_columns_is_pseudonymised(tmp_path):
    from thrive.analytics.pseudonymise import pseudonymise_extract
    from thrive.analytics.tests.builders import Extract, d

    x = Extract()
    x.referral("R1", discharged=None, ending_agreed=True)
    x.rows["groupings"].append(dict(person_id="P1", referral_id="R1", grouping="getting_help",
                                    start_on=d("2024-01-01"), shared_decision=True, made_explicit=True))
    x.write(tmp_path / "old")
    for name, column in (("referrals", "ending_agreed"), ("groupings", "made_explicit")):
        path = tmp_path / "old" / f"{name}.parquet"
        pq.write_table(pq.read_table(path).drop_columns([column]), path)  # as schema version 3 wrote it
    pseudonymise_extract(tmp_path / "old", tmp_path / "out", KEY_A.encode())
    groupings = pq.read_table(tmp_path / "out" / "groupings.parquet").to_pylist()
    assert [(g["grouping"], g["made_explicit"]) for g in groupings] == [("getting_help", None)]
    assert pq.read_table(tmp_path / "out" / "referrals.parquet").column("ending_agreed").to_pylist() == [None]
