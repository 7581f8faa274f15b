"""Caseload by grouping (stored as monthly changes, shown as running totals) and time in grouping
(stored as a histogram, shown as exact medians and means), checked against hand-worked answers."""

from datetime import date, timedelta

import pytest

from thrive.analytics import dashboards

from .builders import Extract, d


def period(x, referral, grouping, start, end=None):
    x.rows["groupings"].append(dict(person_id=x._person(referral), referral_id=referral, grouping=grouping,
                                    start_on=d(start), end_on=d(end) if end else None, shared_decision=True))


def build(x: Extract):
    for i in range(5):
        # A: Getting Help from 10 Jan; Getting More Help agreed 5 March although the Getting Help
        # period was never closed (the later decision wins); discharged 20 May.
        x.person(f"A{i}", sex="2")
        x.referral(f"RA{i}", f"A{i}", received="2024-01-02", discharged="2024-05-20", team="North")
        period(x, f"RA{i}", "getting_help", "2024-01-10")
        period(x, f"RA{i}", "getting_more_help", "2024-03-05")
        # B: Thriving for a few days inside January: never open at a month's end.
        x.person(f"B{i}", sex="1")
        x.referral(f"RB{i}", f"B{i}", received="2024-01-02", discharged="2024-01-25", team="South")
        period(x, f"RB{i}", "thriving", "2024-01-03", "2024-01-20")
        # C: Getting Advice from 31 January (a month's last day counts), still open.
        x.person(f"C{i}", sex="1")
        x.referral(f"RC{i}", f"C{i}", received="2024-01-31", discharged=None, team="South")
        period(x, f"RC{i}", "getting_advice", "2024-01-31")
    # The extract runs to 10 June 2024 (a referral received then, with no grouping).
    x.referral("RZ", "Z", received="2024-06-10", discharged=None)
    # Completed Getting Risk Support periods of 1, 2, 3, 10, 20 and 30 days: median 6.5, mean 11.
    for n, days in enumerate((1, 2, 3, 10, 20, 30)):
        x.referral(f"RR{n}", f"R{n}", received="2023-01-01", discharged="2023-12-31")
        period(x, f"RR{n}", "getting_risk_support", "2023-03-01",
               (date(2023, 3, 1) + timedelta(days=days)).isoformat())


@pytest.fixture
def aggregates(tmp_path, settings):
    x = Extract()
    build(x)
    return x.refresh_page(tmp_path, settings)


def caseload(agg, **kwargs):
    values = {k: v for k, v in kwargs.items() if k not in ("start", "end")}
    sel = dashboards.Selection(start=kwargs.get("start"), end=kwargs.get("end"), values=values)
    return dashboards.table(agg, dashboards.CHART_BY_SLUG["caseload"], sel)


def test_caseload_counts_each_referral_once_at_each_month_end(aggregates):
    table = caseload(aggregates)
    assert table.headings == ["Month", "Getting Advice and Signposting", "Getting Help",
                              "Getting More Help"]  # B (Thriving) never spans a month's end
    assert table.rows == [
        ["2024-01", 5, 5, 0],
        ["2024-02", 5, 5, 0],
        ["2024-03", 5, 0, 5],  # the later decision ends Getting Help
        ["2024-04", 5, 0, 5],
        ["2024-05", 5, 0, 0],  # discharged 20 May
        ["2024-06", 5, 0, 0],  # still open at the extract's last month
    ]


def test_caseload_month_filter_keeps_the_running_total(aggregates):
    table = caseload(aggregates, start=date(2024, 4, 1), end=date(2024, 4, 1))
    assert table.rows == [["2024-04", 5, 5]]
    assert table.headings == ["Month", "Getting Advice and Signposting", "Getting More Help"]


def test_caseload_team_and_sex_filters(aggregates):
    assert caseload(aggregates, team="North").headings == ["Month", "Getting Help", "Getting More Help"]
    assert caseload(aggregates, sex="Male").headings == ["Month", "Getting Advice and Signposting"]
    assert caseload(aggregates, sex="Male", team="North").rows == []


def test_time_in_grouping_exact_median_and_mean_from_the_histogram(aggregates):
    table = dashboards.table(aggregates, dashboards.CHART_BY_SLUG["time-in-grouping"], dashboards.Selection())
    risk = next(r for r in table.rows if r[0] == "Getting Risk Support")
    assert risk == ["Getting Risk Support", 5, "6.5", "11.0"]  # 6 periods shown rounded to 5
    thriving = next(r for r in table.rows if r[0] == "Thriving")
    assert thriving == ["Thriving", 5, "17.0", "17.0"]  # B: 3 -> 20 January


def test_transitions_do_not_depend_on_the_order_of_the_rows(tmp_path):
    # Two groupings agreed for one referral on the same day: whichever order the extract's rows
    # come in (an import does not promise one), the move counted is the same.
    from thrive.analytics import metrics

    answers = set()
    for order in ((0, 1, 2), (0, 2, 1), (2, 1, 0)):
        x = Extract()
        x.referral("R1", "P1", received="2024-01-02", discharged=None)
        periods = [("getting_advice", "2024-01-10", "2024-02-01"), ("getting_help", "2024-02-01", None),
                   ("getting_more_help", "2024-02-01", None)]
        for i in order:
            period(x, "R1", *periods[i])
        con = x.connect(tmp_path / f"extract-{'-'.join(map(str, order))}")
        moves = metrics.compute_aggregates(con, ["transitions"])["transitions"]
        answers.add(tuple(sorted(moves.select("from_grouping", "to_grouping", "transitions").fetchall())))
    assert len(answers) == 1, answers
