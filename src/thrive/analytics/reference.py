"""The national reference tables as DuckDB tables, loaded through the measures engine's loader
(thrive.measures.engine.reference_tables), never retyped.

``ref_scales``: one row per SNOMED concept id (v1 and v2) of every scale in the national CYP
outcomes metric (cyp_outcomes_measures.csv), with
  identity   the SNOMED preferred term: v1 and v2 codes of one scale are one scale;
  rater      'self' / 'parent' / 'clinician' as the national table says (GBO is self);
  lower, upper  the valid range (mhsds_coded_assessments.csv, inclusive);
  threshold  the reliable change threshold (reliable_change_thresholds.csv; NULL = none,
             so the scale counts for assessed/paired only);
  direction  national direction per tool (score_direction.csv): 'higher_is_worse' (Negative)
             or 'higher_is_better' (Positive). SDQ prosocial inherits Negative from SDQ;
  rcads      true for RCADS subscales (T-score basis, threshold in T units);
  scale      a small integer per identity (the metric groups by it).
``ref_rcads_norms``: preferred term, sex M/F, age 8-17, mean, sd.
``ref_current_view``: one row per Current View item MHSDS codes (the rows of
mhsds_coded_assessments.csv whose tool is Current View), with
  concept_id     the SNOMED id (any version the catalogue accepts);
  item           the item's number on the form (the catalogue's order);
  problem        how the page names it: the preferred term where the catalogue allows it to be
                 shown, else the item number and its section of the form (the Current View terms
                 contain item wording, so the catalogue flags them never-displayable);
  moderate_from, upper  the ratings that count as moderate or severe (the catalogue's options).
"""

import re

from thrive.measures.engine import reference_tables as ref
from thrive.measures.engine.catalogue_loader import get_catalogue

DIRECTIONS = {"Positive": "higher_is_better", "Negative": "higher_is_worse"}
DEC = "DECIMAL(18, 6)"
# The metric orders a scale's scores by date, then value, as one integer (metrics, "bounds"):
# the value in millionths must stay well inside 32 bits.
VALUE_LIMIT = 2000
CURRENT_VIEW = ("Current View", "current_view")  # reference table tool, catalogue measure id


def scale_rows() -> list[dict]:
    in_scope = ref.cyp_outcome_scales()
    thresholds = ref.national_rc_thresholds()
    directions = ref.national_directions()
    rows = []
    for row in ref.coded_assessments():
        rater = in_scope.get(row.preferred_term)
        if rater is None:
            continue
        rows.append({
            "concept_id": row.concept_id,
            "identity": row.preferred_term,
            "rater": rater.lower(),
            "lower": row.lower,
            "upper": row.upper,
            "threshold": thresholds.get(row.preferred_term),
            "direction": DIRECTIONS.get(directions.get(row.assessment_tool)),
            "rcads": row.preferred_term.startswith("RCADS"),
        })
    if any(not -VALUE_LIMIT <= r[end] <= VALUE_LIMIT for r in rows for end in ("lower", "upper")):
        raise ValueError(f"A scale's valid range goes beyond +/-{VALUE_LIMIT}")
    return rows


def current_view_rows() -> list[dict]:
    tool, measure_id = CURRENT_VIEW
    items = {}
    for item in get_catalogue().measure(measure_id).items.values():
        if item.snomed is not None:
            for concept_id in item.snomed.accepted_ids:
                items[concept_id] = item
    rows = []
    for row in ref.coded_assessments():
        item = items.get(row.concept_id)
        if row.assessment_tool != tool or item is None:
            continue
        # "Current View Contextual Problems score - home" -> "contextual problems"
        section = re.sub(r"^Current View |( item \d+)? score\b.*$", "", row.preferred_term)
        section = section.replace(",", ", ").lower()
        moderate = min(value for value, label in item.options.items() if label == "moderate")
        rows.append({
            "concept_id": row.concept_id,
            "item": item.number,
            "problem": item.snomed.display_term or f"Item {item.number}: {section}",
            "moderate_from": moderate,
            "upper": item.max,
        })
    if any(not 0 <= r["item"] < 64 for r in rows):  # metrics: the profile keeps items as bits
        raise ValueError("Current View items must be numbered 0-63")
    return sorted(rows, key=lambda r: (r["item"], r["concept_id"]))


def load_reference_tables(con) -> None:
    rows = scale_rows()
    # A small number per scale identity, so the metric groups a referral's scores by two
    # integers rather than by the preferred term's text.
    number = {identity: n for n, identity in enumerate(sorted({r["identity"] for r in rows}))}
    _temp_table(con, "ref_scales", (
        ("concept_id", "VARCHAR"), ("identity", "VARCHAR"), ("rater", "VARCHAR"), ("lower", DEC),
        ("upper", DEC), ("threshold", DEC), ("direction", "VARCHAR"), ("rcads", "BOOLEAN"),
        ("scale", "SMALLINT"),
    ), [(r["concept_id"], r["identity"], r["rater"], r["lower"], r["upper"], r["threshold"],
         r["direction"], r["rcads"], number[r["identity"]]) for r in rows])
    _temp_table(con, "ref_rcads_norms", (
        ("identity", "VARCHAR"), ("sex", "VARCHAR"), ("age", "SMALLINT"), ("mean", DEC), ("sd", DEC),
    ), [(*key, norm.mean, norm.sd) for key, norm in ref.rcads_norms().items()])
    _temp_table(con, "ref_current_view", (
        ("concept_id", "VARCHAR"), ("item", "SMALLINT"), ("problem", "VARCHAR"),
        ("moderate_from", "SMALLINT"), ("upper", "SMALLINT"),
    ), [(r["concept_id"], r["item"], r["problem"], r["moderate_from"], r["upper"])
        for r in current_view_rows()])


def _temp_table(con, name: str, columns, rows) -> None:
    """A temporary table of a few hundred rows, inserted as parameters in one statement: building
    it through Arrow from Python lists would make pyarrow import pandas where pandas is installed,
    which costs more start-up time than the metric's command has to spare."""
    con.execute(f"CREATE OR REPLACE TEMP TABLE {name} ("
                + ", ".join(f"{column} {kind}" for column, kind in columns) + ")")
    if rows:
        group = "(" + ", ".join("?" for _ in columns) + ")"
        con.execute(f"INSERT INTO {name} VALUES " + ", ".join(group for _ in rows),
                    [value for row in rows for value in row])
