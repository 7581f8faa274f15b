"""The benchmark's Polars baseline (benchmarks/polars_metric.py) computes the same metric as the
DuckDB SQL: the same CSV byte for byte, and every referral's flags as the measures engine's own.
Without this the benchmark's speed comparison could be against a metric that is not the same."""

import importlib.util
from pathlib import Path

from thrive.analytics import metrics

from .builders import GAD7, PHQ9, Extract
from .test_cyp_metric import APRIL, _engine_row, mixed_referrals, same_day_scores, two_contacts

BENCHMARKS = Path(__file__).resolve().parents[4] / "benchmarks"


def polars_metric():
    spec = importlib.util.spec_from_file_location("polars_metric", BENCHMARKS / "polars_metric.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.polars_metric


def with_cohort_edges(x: Extract) -> Extract:
    """Referrals the cohort leaves out, and contacts that do or do not count, beside x's."""
    for n, change in enumerate((
            {"rejected": "2023-11-05"}, {"team_type": "B02"}, {"team_type": "E03"},
            {"received": "2015-12-31"}, {"age": 18}, {"discharged": "2024-05-01"}, {"discharged": None},
            {}, {"team_type": "C05"}, {}, {})):
        person = x.person(f"Q{n}", sex="2", la_code={9: "W06000001", 10: "E06000001"}.get(n))
        referral = x.referral(f"X{n}", person, **change)
        two_contacts(x, referral, "2024-01-08", "2024-02-02")
        x.score(GAD7, 15, "2024-01-08", referral)
        x.score(GAD7, 5, "2024-03-01", referral)
    for n, (attend, mechanism, kind, on) in enumerate((
            ("7", "01", "direct", "2024-01-03"), ("3", "01", "direct", "2024-01-04"),
            ("5", "05", "direct", "2024-01-05"), ("5", "98", "direct", "2024-01-05"),
            (None, None, "indirect", "2024-01-20"), ("5", "04", "direct", "2024-05-20"),
            ("6", "11", "direct", "2024-01-22"))):
        referral = x.referral(f"Y{n}", x.person(f"Z{n}", sex="1"), age=10)
        x.contact("2024-01-02", referral)
        x.contact(on, referral, attend=attend, mechanism=mechanism, kind=kind)
        x.score(PHQ9, 20, "2024-01-02", referral)
        x.score(PHQ9, 4, "2024-04-20", referral)
    return x


def check_against_duckdb_and_engine(x: Extract, tmp_path):
    extract = x.write(tmp_path / "extract")
    con = metrics_connection(extract)
    table = metrics.compute_cyp_outcomes(con, *APRIL)
    metrics.write_cyp_outcomes_csv(con, table, tmp_path / "duckdb.csv")
    result = polars_metric()(extract, APRIL, tmp_path / "polars.csv")

    assert (tmp_path / "polars.csv").read_bytes() == (tmp_path / "duckdb.csv").read_bytes()
    rows = {r["UniqServReqID"]: r for r in metrics.cyp_outcomes_rows(con, *APRIL)}
    assert result["MHS110"] == sum(r["Contact2"] is not None for r in rows.values())
    for referral_id, row in rows.items():
        referral = next(r for r in x.rows["referrals"] if r["referral_id"] == referral_id)
        expected = _engine_row(x, referral)
        assert {k: v for k, v in row.items() if k in expected} == expected, referral_id
    return rows


def metrics_connection(extract):
    from thrive.analytics.engine import connect
    return connect(extract)


def test_polars_baseline_matches_on_mixed_referrals_and_cohort_edges(tmp_path):
    rows = check_against_duckdb_and_engine(with_cohort_edges(mixed_referrals()), tmp_path)
    # The cohort rules were exercised: only the referrals they keep are in the output.
    assert {r for r in rows if r.startswith("X")} == {"X7", "X8", "X10"}
    assert {r: rows[r]["Contact2"] for r in rows if r.startswith("Y")} == {
        "Y0": None, "Y1": None, "Y2": None, "Y3": None, "Y4": "2024-01-20", "Y5": None,
        "Y6": "2024-01-22"}


def test_polars_baseline_matches_on_same_day_scores(tmp_path):
    rows = check_against_duckdb_and_engine(same_day_scores(), tmp_path)
    assert len(rows) == 250
    assert sum(r["Paired_ANY"] for r in rows.values()) > 100
