"""Each indicator against a hand-built extract whose counts are known by construction."""

from datetime import date

import pytest

from thrive.analytics.tests.builders import GAD7, Extract, d
from thrive.assessment import evidence

START, END = date(2024, 4, 1), date(2025, 3, 31)


def compute(tmp_path, extract: Extract, key: str, start=START, end=END):
    con = extract.connect(tmp_path / "extract")
    try:
        return next(i for i in evidence.INDICATORS if i.key == key).compute(con, start, end)
    finally:
        con.close()


def grouping(x, referral, grouping, start, end=None, shared=True, explicit=None):
    x.rows["groupings"].append(
        dict(
            person_id=x._person(referral),
            referral_id=referral,
            grouping=grouping,
            start_on=d(start),
            end_on=d(end) if end else None,
            shared_decision=shared,
            made_explicit=explicit,
        )
    )


def option(x, decision, referral, on, option, preferred):
    x.rows["decision_options"].append(
        dict(
            decision_id=decision,
            person_id=x._person(referral),
            referral_id=referral,
            decided_on=d(on),
            grouping="getting_help",
            option=option,
            preferred=preferred,
        )
    )


def side(path, name, **columns):
    """A side table written beside the extract, as sources.refresh_platform writes it."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    pq.write_table(pa.table(columns), path / f"{name}.parquet")


def attach_side(con, path, name):
    con.execute(f"CREATE VIEW {name} AS SELECT * FROM read_parquet('{path / (name + '.parquet')}')")


def test_every_indicator_names_its_principle_numerator_and_denominator():
    assert len(evidence.INDICATORS) >= 10
    for ind in evidence.INDICATORS:
        text = ind.definition
        assert text.startswith(ind.principle + " "), ind.key
        assert "Numerator:" in text and "Denominator:" in text, ind.key
    covered = {i.principle for i in evidence.INDICATORS} | set(evidence.NOT_COMPUTABLE)
    from thrive.assessment.principles import IDS

    assert covered == set(IDS)


def test_i1_shared_decisions_with_options(tmp_path):
    x = Extract()
    for r in ("R1", "R2", "R3", "R4"):
        x.referral(r, person_id="P" + r, discharged=None)
    grouping(x, "R1", "getting_help", "2024-05-01", shared=True)  # shared + options: counts
    option(x, "D1", "R1", "2024-05-01", "self_help", True)
    option(x, "D1", "R1", "2024-05-01", "group", False)  # two options, one decision
    grouping(x, "R2", "getting_help", "2024-06-01", shared=True)  # shared, no options
    grouping(x, "R3", "getting_advice", "2024-07-01", shared=False)  # options, not shared
    option(x, "D3", "R3", "2024-07-01", "self_help", True)
    grouping(x, "R4", "getting_help", "2024-01-01", shared=True)  # before the period
    assert compute(tmp_path, x, "shared_decisions") == (1, 3)


def test_i1_collaborate_top_score_needs_25_responses(tmp_path):
    x = Extract()
    x.referral("R1", discharged=None)
    for n in range(30):
        x.rows["collaborate"].append(
            dict(
                response_id=f"C{n}",
                person_id="P1",
                referral_id="R1",
                rater="self",
                completed_on=d("2024-06-01"),
                top_score=n < 12,
            )
        )
    x.rows["collaborate"].append(
        dict(
            response_id="old",
            person_id="P1",
            referral_id="R1",
            rater="self",
            completed_on=d("2023-06-01"),
            top_score=True,
        )
    )
    assert compute(tmp_path, x, "collaborate_top_score") == (12, 30)
    assert evidence.figure(12, 30, 25)["percent"] == "33.3"
    assert evidence.figure(12, 20, 25) == {
        "numerator": 10,
        "denominator": 20,
        "percent": None,
        "too_few": True,
    }


def test_i2_and_s2_open_episodes_and_their_current_grouping(tmp_path):
    x = Extract()
    x.referral("R1", person_id="P1", received="2024-01-01", discharged=None)
    grouping(x, "R1", "getting_advice", "2024-02-01", "2024-09-01", shared=False)
    grouping(x, "R1", "getting_help", "2024-09-01", shared=True)  # current, shared
    x.referral("R2", person_id="P2", received="2024-01-01", discharged=None)
    grouping(x, "R2", "getting_help", "2024-02-01", shared=False)  # current, not shared
    x.referral("R3", person_id="P3", received="2024-01-01", discharged=None)  # open, no grouping
    x.referral("R4", person_id="P4", received="2024-01-01", discharged="2025-01-01")  # closed
    grouping(x, "R4", "getting_help", "2024-02-01", "2025-01-01", shared=True)
    x.referral("R5", person_id="P5", received="2025-04-02", discharged=None)  # after the period
    assert compute(tmp_path, x, "grouping_agreed_with_family") == (1, 3)
    assert compute(tmp_path, x, "episodes_with_grouping") == (2, 3)


def test_i3_endings_with_goals_outcome(tmp_path):
    x = Extract()
    x.referral("R1", person_id="P1", discharged="2024-06-01", goals_met="met")
    x.referral("R2", person_id="P2", discharged="2024-07-01", goals_met="partly")
    x.referral("R3", person_id="P3", discharged="2024-08-01")  # nothing recorded
    x.referral("R4", person_id="P4", discharged="2024-08-01", rejected="2024-08-01")  # declined
    x.referral("R5", person_id="P5", discharged="2023-08-01", goals_met="met")  # before
    assert compute(tmp_path, x, "endings_with_goals_outcome") == (2, 3)


def test_i4_is_the_national_paired_measure(tmp_path):
    x = Extract()
    for r, paired in (("R1", True), ("R2", False)):
        x.referral(r, person_id="P" + r, received="2024-01-01", discharged="2024-12-01")
        x.contact("2024-02-01", r)
        x.contact("2024-03-01", r)
        x.score(GAD7, 15, "2024-02-01", r)
        if paired:
            x.score(GAD7, 5, "2024-06-01", r)
    x.referral("R3", person_id="P3", received="2024-01-01", discharged="2024-12-01")  # one contact
    x.contact("2024-02-01", "R3")
    assert compute(tmp_path, x, "paired_outcome_measures") == (1, 2)
    # computed once over a longer span, each period counts the same
    con = x.connect(tmp_path / "span")
    evidence.prepare_paired_outcome_measures(con, date(2023, 1, 1), END)
    assert evidence.paired_outcome_measures(con, START, END) == (1, 2)
    assert evidence.paired_outcome_measures(con, date(2024, 4, 1), date(2024, 11, 30)) == (0, 0)
    con.close()


def test_i5_goal_agreed_by_the_third_contact(tmp_path):
    x = Extract()
    for r in ("R1", "R2", "R3", "R4"):
        x.referral(r, person_id="P" + r, received="2024-01-01", discharged=None)
    for r in ("R1", "R2"):
        for day in ("2024-05-02", "2024-05-09", "2024-05-16", "2024-05-23"):
            x.contact(day, r)
        x.contact("2024-05-03", r, attend="3")  # did not attend: not counted
    goal = dict(number=1, first_rating=None, first_rated_on=None, last_rating=None, last_rated_on=None)
    grouping(x, "R1", "getting_help", "2024-05-01")
    x.rows["goals"].append(
        dict(goal_id="G1", person_id="PR1", referral_id="R1", agreed_on=d("2024-05-16"), **goal)
    )  # on the 3rd contact: counts
    grouping(x, "R2", "getting_more_help", "2024-05-01")
    x.rows["goals"].append(
        dict(goal_id="G2", person_id="PR2", referral_id="R2", agreed_on=d("2024-05-23"), **goal)
    )  # after the 3rd: not
    grouping(x, "R3", "getting_help", "2024-06-01")
    x.rows["goals"].append(
        dict(goal_id="G3", person_id="PR3", referral_id="R3", agreed_on=d("2024-07-01"), **goal)
    )  # < 3 contacts, goal in period
    grouping(x, "R4", "getting_advice", "2024-06-01")  # not Getting Help: out
    assert compute(tmp_path, x, "goals_agreed_early") == (2, 3)


def test_i6_goals_agreed_in_the_period(tmp_path):
    x = Extract()
    x.referral("R1", discharged=None)
    for n, on in enumerate(("2024-05-01", "2024-06-01", "2023-01-01"), 1):
        x.rows["goals"].append(
            dict(goal_id=f"G{n}", person_id="P1", referral_id="R1", number=n, agreed_on=d(on))
        )
    assert compute(tmp_path, x, "goals_with_plan") == (2, 2)


def test_i8_risk_support_with_multi_agency_plan(tmp_path):
    x = Extract()
    for p in ("P1", "P2", "P3", "P4"):
        x.referral("R" + p, person_id=p, received="2024-01-01", discharged=None)
        grouping(x, "R" + p, "getting_risk_support", "2024-02-01")
    plan = dict(review_on=d("2025-06-01"), ended_on=None)
    x.rows["risk_plans"] += [
        dict(plan_id="1", person_id="P1", agreed_on=d("2024-03-01"), status="current", agencies=3, **plan),
        dict(plan_id="2", person_id="P2", agreed_on=d("2024-03-01"), status="current", agencies=1, **plan),
        dict(plan_id="3", person_id="P3", agreed_on=d("2025-05-01"), status="current", agencies=2, **plan),
    ]  # P1 counts; P2 one agency; P3 agreed after the period; P4 no plan
    x.referral("R5", person_id="P5", received="2024-01-01", discharged=None)
    grouping(x, "R5", "getting_help", "2024-02-01")  # not in risk support
    assert compute(tmp_path, x, "risk_support_plans") == (1, 4)


def test_m4_preferences_and_m6_several_agencies(tmp_path):
    x = Extract()
    x.referral("R1", person_id="P1", provider="CAMHS", discharged=None)
    x.referral("R2", person_id="P1", provider="School", discharged=None)
    x.referral("R3", person_id="P2", provider="CAMHS", discharged=None)
    x.referral("R4", person_id="P3", provider="CAMHS", discharged="2024-05-01")
    option(x, "D1", "R1", "2024-05-01", "self_help", True)
    option(x, "D1", "R1", "2024-05-01", "group", False)
    option(x, "D2", "R3", "2024-05-01", "group", False)
    assert compute(tmp_path, x, "preferences_recorded") == (1, 2)
    assert compute(tmp_path, x, "open_to_several_agencies") == (1, 2)


def test_evidence_for_a_round_suppresses_and_gives_four_quarters(tmp_path):
    x = Extract()
    for n in range(7):
        x.referral(f"R{n}", person_id=f"P{n}", received="2024-01-01", discharged=None)
        grouping(x, f"R{n}", "getting_help", "2024-02-01")
    result = evidence.evidence_for(x.write(tmp_path / "e"), START, END)
    s2 = next(r for r in result["indicators"] if r["key"] == "episodes_with_grouping")
    assert s2["period"] == {"numerator": 5, "denominator": 5, "percent": "100.0", "too_few": False}
    assert [(q["from"], q["to"]) for q in s2["trend"]] == [
        ("2024-04-01", "2024-06-30"),
        ("2024-07-01", "2024-09-30"),
        ("2024-10-01", "2024-12-31"),
        ("2025-01-01", "2025-03-31"),
    ]
    # no goals table in this extract: said, not shown as zero
    i6 = next(r for r in result["indicators"] if r["key"] == "goals_with_plan")
    assert "Not available" in i6["unavailable"] and "period" not in i6


def test_platform_only_indicators_are_unavailable_from_mhsds(tmp_path):
    x = Extract()
    x.referral("R1", discharged="2024-06-01", goals_met="met")
    result = evidence.evidence_for(x.write(tmp_path / "e"), START, END, source="mhsds")
    i3 = next(r for r in result["indicators"] if r["key"] == "endings_with_goals_outcome")
    assert "unavailable" in i3


@pytest.mark.parametrize(
    "end, first", [(date(2025, 2, 28), date(2024, 3, 1)), (date(2024, 5, 15), date(2023, 5, 16))]
)
def test_quarters(end, first):
    q = evidence.quarters(end)
    assert q[-1][1] == end and q[0][0] == first and len(q) == 4


def test_i7_senior_practitioners_in_getting_advice(tmp_path):
    import pyarrow as pa
    import pyarrow.parquet as pq

    x = Extract()
    x.referral("R1", person_id="P1", received="2024-01-01", discharged=None)
    grouping(x, "R1", "getting_advice", "2024-05-01", "2024-08-01")
    grouping(x, "R1", "getting_help", "2024-08-01")
    x.referral("R2", person_id="P2", received="2024-01-01", discharged=None)
    grouping(x, "R2", "getting_advice", "2024-05-01")
    x.contact("2024-05-10", "R1", contact_id="c1")  # advice, senior: counts
    x.contact("2024-06-10", "R1", contact_id="c2")  # advice, not senior
    x.contact("2024-06-11", "R1", contact_id="c3", attend="3")  # did not attend: out
    x.contact("2024-09-10", "R1", contact_id="c4")  # Getting Help by then: out
    x.contact("2024-06-10", "R2", contact_id="c5")  # advice, senior
    x.contact("2024-06-12", "R2", contact_id="c6")  # advice, seniority unknown: out
    x.contact("2024-04-20", "R2", contact_id="c7")  # before any grouping: out
    path = x.write(tmp_path / "extract")
    staff = {
        "c1": (True, True),
        "c2": (False, True),
        "c3": (True, True),
        "c4": (True, True),
        "c5": (True, True),
        "c6": (False, False),
        "c7": (True, True),
    }
    pq.write_table(
        pa.table(
            {
                "contact_id": list(staff),
                "senior": [v[0] for v in staff.values()],
                "level_known": [v[1] for v in staff.values()],
            }
        ),
        path / "contact_staff.parquet",
    )
    result = evidence.evidence_for(path, START, END)
    i7 = next(r for r in result["indicators"] if r["key"] == "senior_in_getting_advice")
    assert i7["period"]["numerator"] == "*" and i7["period"]["denominator"] == "*"
    con = x.connect(tmp_path / "again")
    con.execute(
        f"CREATE VIEW contact_staff AS SELECT * FROM read_parquet('{path / 'contact_staff.parquet'}')"
    )
    assert evidence.senior_in_getting_advice(con, START, END) == (2, 3)
    con.close()
    # an extract without staff seniority (e.g. MHSDS) says so
    (path / "contact_staff.parquet").unlink()
    i7 = next(
        r
        for r in evidence.evidence_for(path, START, END)["indicators"]
        if r["key"] == "senior_in_getting_advice"
    )
    assert "seniority of staff" in i7["unavailable"]


def test_an_mhsds_style_extract_gives_what_it_can_and_says_what_it_cannot(tmp_path):
    """MHSDS supplies people, referrals, contacts, scores and groupings only (schema.py)."""
    x = Extract()
    for n in range(6):
        x.referral(
            f"R{n}",
            person_id=f"P{n}",
            provider="RX1" if n % 2 else "RY2",
            received="2024-01-01",
            discharged=None,
        )
        grouping(x, f"R{n}", "getting_help", "2024-02-01", shared=n < 5)
    x.referral("R9", person_id="P0", provider="RZ3", received="2024-01-01", discharged=None)
    x.contact("2024-02-01", "R9")
    x.score(GAD7, 12, "2024-02-01", "R9")
    result = evidence.evidence_for(x.write(tmp_path / "e"), START, END, source="mhsds")
    rows = {r["key"]: r for r in result["indicators"]}
    assert rows["episodes_with_grouping"]["period"]["denominator"] == 5  # 7 open, rounded
    assert rows["open_to_several_agencies"]["period"]["numerator"] == "*"  # P0 at two agencies
    assert "period" in rows["paired_outcome_measures"]
    for key in (
        "shared_decisions",
        "collaborate_top_score",
        "goals_agreed_early",
        "goals_with_plan",
        "risk_support_plans",
        "preferences_recorded",
        "endings_with_goals_outcome",
        "senior_in_getting_advice",
    ):
        assert rows[key]["unavailable"].startswith("Not available from this source"), key


def test_m2_kinds_of_agency_receiving_referrals(tmp_path):
    import pyarrow as pa
    import pyarrow.parquet as pq

    x = Extract()
    x.referral("R1", person_id="P1", provider="RX1", received="2024-05-01", discharged=None)  # NHS
    x.referral("R2", person_id="P2", provider="School A", received="2024-06-01", discharged=None)  # school
    x.referral("R3", person_id="P3", provider="School B", received="2024-07-01", discharged=None)  # school
    x.referral("R4", person_id="P4", provider="Council", received="2023-07-01", discharged=None)  # before
    path = x.write(tmp_path / "extract")
    kinds = [
        ("RX1", "nhs"),
        ("School A", "school"),
        ("School B", "school"),
        ("Council", "council"),
        (None, "nhs"),
        (None, "school"),
        (None, "council"),
        (None, "charity"),
        (None, "youth_justice"),
    ]
    pq.write_table(
        pa.table({"provider": [k[0] for k in kinds], "kind": [k[1] for k in kinds]}),
        path / "agency_kinds.parquet",
    )
    m2 = next(r for r in evidence.evidence_for(path, START, END)["indicators"] if r["principle"] == "M2")
    # counts of agencies, not people: shown as they are
    assert m2["period"] == {"numerator": 2, "denominator": 5, "percent": "40.0", "too_few": False}


def test_every_indicator_gives_the_same_counts_for_several_periods_at_once(tmp_path):
    import pyarrow as pa
    import pyarrow.parquet as pq

    x = Extract()
    for n in range(8):
        r = f"R{n}"
        x.referral(
            r,
            person_id=f"P{n % 5}",
            provider="RX1" if n % 3 else "RY2",
            received="2024-01-01",
            discharged="2025-02-01" if n % 4 == 0 else None,
            goals_met="met" if n % 2 else None,
        )
        grouping(
            x,
            r,
            ["getting_advice", "getting_help", "getting_risk_support"][n % 3],
            f"2024-0{1 + n % 9}-15",
            shared=n % 2 == 0,
        )
        option(x, f"D{n}", r, f"2024-0{1 + n % 9}-15", "self_help", n % 3 == 0)
        for day in ("2024-02-01", "2024-05-01", "2024-08-01", "2024-11-01"):
            x.contact(day, r, contact_id=f"c{n}{day}")
        x.score(GAD7, 15, "2024-02-01", r)
        x.score(GAD7, 5 + n, "2024-11-01", r)
        x.rows["goals"].append(
            dict(
                goal_id=f"G{n}",
                person_id=f"P{n % 5}",
                referral_id=r,
                number=1,
                agreed_on=d(f"2024-0{1 + n % 9}-20"),
            )
        )
        x.rows["collaborate"].append(
            dict(
                response_id=f"C{n}",
                person_id=f"P{n % 5}",
                referral_id=r,
                rater="self",
                completed_on=d("2024-06-01"),
                top_score=n % 2 == 0,
            )
        )
    x.rows["risk_plans"].append(
        dict(
            plan_id="1",
            person_id="P2",
            agreed_on=d("2024-03-01"),
            status="current",
            agencies=2,
            review_on=d("2025-06-01"),
            ended_on=None,
        )
    )
    path = x.write(tmp_path / "extract")
    contacts = [c["contact_id"] for c in x.rows["contacts"]]
    pq.write_table(
        pa.table(
            {
                "contact_id": contacts,
                "senior": [i % 2 == 0 for i in range(len(contacts))],
                "level_known": [True] * len(contacts),
            }
        ),
        path / "contact_staff.parquet",
    )
    pq.write_table(
        pa.table({"provider": ["RX1", "RY2", None], "kind": ["nhs", "school", "charity"]}),
        path / "agency_kinds.parquet",
    )
    side(path, "agency_referrals", referral_id=["A1", "A2"], sent_on=[d("2024-05-01"), d("2024-08-01")],
         status=["accepted", "sent"], decided_on=[d("2024-05-03"), None],
         answer_by=[d("2024-05-15"), d("2024-08-15")])
    side(path, "care_team_agencies", person_id=["P1", "P1", "P2"], agency=["1", "2", "1"],
         added_on=[d("2024-01-01"), d("2024-06-01"), d("2024-02-01")], removed_on=[None, None, None])
    side(path, "practitioner_days", practitioner=["1", "1", "2"], on=[d("2024-05-01")] * 3,
         kind=["contact", "chart_view", "contact"])
    side(path, "directory_coverage", need=["getting-help", "thriving"],
         need_name=["Getting Help", "Thriving"], age_band=["0 to 4", "0 to 4"], services=[1, 0])
    side(path, "directory_kinds", kind=["self-help", "group"], services=[2, 0])
    con = x.connect(tmp_path / "again")
    for name in evidence.SIDE_TABLES:
        con.execute(f"CREATE VIEW {name} AS SELECT * FROM read_parquet('{path / (name + '.parquet')}')")
    periods = [(START, END), *evidence.quarters(END)]
    for prepared in (False, True):
        if prepared:
            evidence.prepare_paired_outcome_measures(con, periods[1][0], END)
        for ind in evidence.INDICATORS:
            single = [ind.compute(con, a, b) for a, b in periods]
            assert ind.compute(con, evidence.Periods(tuple(periods)), None) == single, ind.key
    denominators = {ind.key: ind.compute(con, START, END)[1] for ind in evidence.INDICATORS}
    assert all(denominators.values()), denominators  # every indicator has something to count
    con.close()


def test_i2_open_episodes_whose_current_grouping_was_made_explicit(tmp_path):
    x = Extract()
    x.referral("R1", person_id="P1", received="2024-01-01", discharged=None)
    grouping(x, "R1", "getting_advice", "2024-02-01", "2024-09-01", explicit=False)
    grouping(x, "R1", "getting_help", "2024-09-01", explicit=True)  # current, explicit: counts
    x.referral("R2", person_id="P2", received="2024-01-01", discharged=None)
    grouping(x, "R2", "getting_help", "2024-02-01", "2024-09-01", explicit=True)
    grouping(x, "R2", "getting_more_help", "2024-09-01", explicit=False)  # current, not explicit
    x.referral("R3", person_id="P3", received="2024-01-01", discharged=None)  # open, no grouping
    x.referral("R4", person_id="P4", received="2024-01-01", discharged="2024-12-01")  # closed
    grouping(x, "R4", "getting_help", "2024-02-01", "2024-12-01", explicit=True)
    assert compute(tmp_path, x, "grouping_made_explicit") == (1, 3)


def test_i2_made_explicit_reads_an_extract_written_before_the_column(tmp_path):
    import pyarrow.parquet as pq

    x = Extract()
    x.referral("R1", person_id="P1", received="2024-01-01", discharged=None)
    grouping(x, "R1", "getting_help", "2024-02-01", explicit=True)
    path = x.write(tmp_path / "old") / "groupings.parquet"
    pq.write_table(pq.read_table(path).drop_columns(["made_explicit"]), path)  # a version 3 file
    from thrive.analytics.engine import connect

    con = connect(tmp_path / "old")
    try:  # unknown, so not counted; the episode still is
        assert evidence.grouping_made_explicit(con, START, END) == (0, 1)
        assert evidence.episodes_with_grouping(con, START, END) == (1, 1)
    finally:
        con.close()


def test_i3_endings_agreed_with_the_family_and_with_a_reason(tmp_path):
    x = Extract()
    x.referral("R1", person_id="P1", discharged="2024-06-01", ending_agreed=True, ending_reason="goals_met")
    x.referral("R2", person_id="P2", discharged="2024-07-01", ending_agreed=False, ending_reason="moved")
    x.referral("R3", person_id="P3", discharged="2024-08-01", ending_agreed=True)  # no reason
    x.referral("R4", person_id="P4", discharged="2024-08-01", rejected="2024-08-01",
               ending_agreed=True, ending_reason="declined")  # declined referral: out
    x.referral("R5", person_id="P5", discharged="2023-08-01", ending_agreed=True,
               ending_reason="goals_met")  # before the period
    x.referral("R6", person_id="P6", discharged=None)  # still open
    assert compute(tmp_path, x, "endings_agreed_with_reason") == (1, 3)


def test_working_days_skip_weekends_and_england_and_wales_bank_holidays():
    from thrive.assessment.working_days import add_working_days, is_working_day

    assert add_working_days(date(2024, 5, 1), 10) == date(2024, 5, 16)  # Wed; 6 May bank holiday
    assert add_working_days(date(2024, 12, 20), 10) == date(2025, 1, 8)  # Christmas, Boxing Day, New Year
    assert add_working_days(date(2024, 3, 28), 1) == date(2024, 4, 2)  # Good Friday, Easter Monday
    assert not is_working_day(date(2024, 8, 26)) and is_working_day(date(2024, 8, 27))


def test_m6_referrals_between_agencies_accepted_within_ten_working_days(tmp_path):
    x = Extract()
    x.referral("R1", discharged=None)
    path = x.write(tmp_path / "extract")
    rows = [  # (sent, status, decided, answer by)
        ("2024-05-01", "accepted", "2024-05-16", "2024-05-16"),  # on the tenth working day: counts
        ("2024-05-01", "accepted", "2024-05-17", "2024-05-16"),  # a day late
        ("2024-06-03", "completed", "2024-06-04", "2024-06-17"),  # accepted, since completed: counts
        ("2024-06-03", "declined", "2024-06-04", "2024-06-17"),
        ("2024-07-01", "sent", None, "2024-07-15"),  # not answered
        ("2024-07-01", "withdrawn", None, "2024-07-15"),  # withdrawn: out
        ("2024-03-01", "accepted", "2024-03-04", "2024-03-15"),  # sent before the period
    ]
    side(path, "agency_referrals", referral_id=[f"A{n}" for n in range(len(rows))],
         sent_on=[d(r[0]) for r in rows], status=[r[1] for r in rows],
         decided_on=[d(r[2]) if r[2] else None for r in rows], answer_by=[d(r[3]) for r in rows])
    found = {r["key"]: r for r in evidence.evidence_for(path, START, END)["indicators"]}
    # 2 of 5: small numbers, so shown suppressed
    assert found["referrals_accepted_in_time"]["period"]["percent"] == evidence.SUPPRESSED
    con = x.connect(tmp_path / "again")
    attach_side(con, path, "agency_referrals")
    assert evidence.referrals_accepted_in_time(con, START, END) == (2, 5)
    con.close()


def test_m6_care_teams_spanning_two_or_more_agencies(tmp_path):
    x = Extract()
    x.referral("R1", discharged=None)
    path = x.write(tmp_path / "extract")
    rows = [  # person, agency, added, removed
        ("P1", "1", "2024-01-01", None), ("P1", "2", "2024-06-01", None),  # two agencies: counts
        ("P2", "1", "2024-01-01", None), ("P2", "1", "2024-02-01", None),  # two people, one agency
        ("P3", "1", "2024-01-01", None), ("P3", "2", "2024-01-01", "2025-01-01"),  # second left
        ("P4", "1", "2025-05-01", None),  # joined after the period
    ]
    side(path, "care_team_agencies", person_id=[r[0] for r in rows], agency=[r[1] for r in rows],
         added_on=[d(r[2]) for r in rows], removed_on=[d(r[3]) if r[3] else None for r in rows])
    con = x.connect(tmp_path / "again")
    attach_side(con, path, "care_team_agencies")
    assert evidence.care_teams_across_agencies(con, START, END) == (1, 3)
    con.close()


def test_i4_practitioners_with_contacts_who_viewed_outcome_charts(tmp_path):
    x = Extract()
    x.referral("R1", discharged=None)
    path = x.write(tmp_path / "extract")
    rows = [
        ("1", "2024-05-01", "contact"), ("1", "2024-06-01", "chart_view"),  # both in the period: counts
        ("2", "2024-05-01", "contact"), ("2", "2024-06-01", "contact"),  # never viewed
        ("3", "2024-05-01", "contact"), ("3", "2024-02-01", "chart_view"),  # viewed before the period
        ("4", "2024-06-01", "chart_view"),  # viewed, no contact (not a practitioner at work): out
    ]
    side(path, "practitioner_days", practitioner=[r[0] for r in rows], on=[d(r[1]) for r in rows],
         kind=[r[2] for r in rows])
    con = x.connect(tmp_path / "again")
    attach_side(con, path, "practitioner_days")
    assert evidence.practitioners_viewing_charts(con, START, END) == (1, 3)
    con.close()


def test_m5_directory_coverage_by_kind_of_help_and_age_band(tmp_path):
    x = Extract()
    x.referral("R1", discharged=None)
    path = x.write(tmp_path / "extract")
    cells = [("getting-help", "11 to 15", 3), ("getting-help", "16 to 17", 0), ("thriving", "0 to 4", 1),
             ("thriving", "5 to 10", 0)]
    names = {"getting-help": "Getting Help", "thriving": "Thriving"}
    side(path, "directory_coverage", need=[c[0] for c in cells], need_name=[names[c[0]] for c in cells],
         age_band=[c[1] for c in cells], services=[c[2] for c in cells])
    m5 = next(r for r in evidence.evidence_for(path, START, END)["indicators"] if r["principle"] == "M5")
    # counts of services, not of people: shown as they are
    assert m5["period"] == {"numerator": 2, "denominator": 4, "percent": "50.0", "too_few": False}
    assert m5["detail"] == ["Getting Help, ages 16 to 17", "Thriving, ages 5 to 10"]
    assert "M5" not in evidence.NOT_COMPUTABLE


def test_m4_options_chosen_of_offered_and_available_in_the_directory(tmp_path):
    x = Extract()
    x.referral("R1", person_id="P1", discharged=None)
    x.referral("R2", person_id="P2", discharged=None)
    option(x, "D1", "R1", "2024-05-01", "self_help", True)  # preferred, in the directory
    option(x, "D1", "R1", "2024-05-01", "group", False)
    option(x, "D1", "R1", "2024-05-01", "one_to_one", True)  # preferred, no active service
    option(x, "D2", "R2", "2024-06-01", "medication_review", True)  # no directory kind
    option(x, "D2", "R2", "2024-06-01", "digital", False)
    option(x, "D3", "R2", "2023-06-01", "self_help", True)  # before the period
    path = x.write(tmp_path / "extract")
    side(path, "directory_kinds", kind=["self-help", "one-to-one", "group", "digital"], services=[2, 0, 1, 1])
    con = x.connect(tmp_path / "again")
    attach_side(con, path, "directory_kinds")
    assert evidence.options_chosen_of_offered(con, START, END) == (3, 5)
    assert evidence.preferred_options_available(con, START, END) == (1, 2)
    con.close()
    assert "viewed" in evidence.options_chosen_of_offered.__doc__


def test_m5_gaps_from_a_side_table_written_without_names(tmp_path):
    x = Extract()
    x.referral("R1", discharged=None)
    path = x.write(tmp_path / "extract")
    side(path, "directory_coverage", need=["thriving"], age_band=["0 to 4"], services=[0])
    m5 = next(r for r in evidence.evidence_for(path, START, END)["indicators"] if r["principle"] == "M5")
    assert m5["detail"] == ["thriving, ages 0 to 4"]
