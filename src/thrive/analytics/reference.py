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
  rcads      true for RCADS subscales (T-score basis, threshold in T units).
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

import pyarrow as pa

from thrive.measures.engine import reference_tables as ref
from thrive.measures.engine.catalogue_loader import get_catalogue

DIRECTIONS = {"Positive": "higher_is_better", "Negative": "higher_is_worse"}
DEC = pa.decimal128(18, 6)
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
    scales = pa.table({
        "concept_id": pa.array([r["concept_id"] for r in rows], pa.string()),
        "identity": pa.array([r["identity"] for r in rows], pa.string()),
        "rater": pa.array([r["rater"] for r in rows], pa.string()),
        "lower": pa.array([r["lower"] for r in rows], DEC),
        "upper": pa.array([r["upper"] for r in rows], DEC),
        "threshold": pa.array([r["threshold"] for r in rows], DEC),
        "direction": pa.array([r["direction"] for r in rows], pa.string()),
        "rcads": pa.array([r["rcads"] for r in rows], pa.bool_()),
    })
    norms = ref.rcads_norms()
    norm_table = pa.table({
        "identity": pa.array([k[0] for k in norms], pa.string()),
        "sex": pa.array([k[1] for k in norms], pa.string()),
        "age": pa.array([k[2] for k in norms], pa.int16()),
        "mean": pa.array([v.mean for v in norms.values()], DEC),
        "sd": pa.array([v.sd for v in norms.values()], DEC),
    })
    cv = current_view_rows()
    current_view = pa.table({
        "concept_id": pa.array([r["concept_id"] for r in cv], pa.string()),
        "item": pa.array([r["item"] for r in cv], pa.int16()),
        "problem": pa.array([r["problem"] for r in cv], pa.string()),
        "moderate_from": pa.array([r["moderate_from"] for r in cv], pa.int16()),
        "upper": pa.array([r["upper"] for r in cv], pa.int16()),
    })
    con.register("__ref_scales", scales)
    con.register("__ref_norms", norm_table)
    con.execute("CREATE OR REPLACE TEMP TABLE ref_scales AS SELECT * FROM __ref_scales")
    con.execute("CREATE OR REPLACE TEMP TABLE ref_rcads_norms AS SELECT * FROM __ref_norms")
    con.register("__ref_current_view", current_view)
    con.execute("CREATE OR REPLACE TEMP TABLE ref_current_view AS SELECT * FROM __ref_current_view")
    con.unregister("__ref_current_view")
    con.unregister("__ref_scales")
    con.unregister("__ref_norms")
