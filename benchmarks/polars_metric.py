"""The national CYP outcomes metric in lazy Polars: the benchmark's strongest peer to the project's
DuckDB SQL (metrics.CYP_OUTCOMES_SQL), written as well as we can write it.

The plan a Polars expert would choose: collect the cohort first (about 10 % of the referrals for
one year), then scan contacts and scores with only the columns needed and filter them to the
cohort's referrals while scanning, so only the cohort's rows ever reach a join or a sort. Same
steps and tie-breaks as the SQL (outcome-measures.md section 8): its CSV must be byte for byte
the same as DuckDB's, which the benchmark checks, and a test checks it flag for flag against the
engine on the metric tests' seeded data (analytics/tests/test_polars_baseline.py).
"""

from pathlib import Path

# Values and thresholds as exact decimals, as the SQL compares them (never floats at the
# reliable-change boundary).
SCALE = 6


def polars_metric(extract_dir, period, out_csv) -> dict:
    import polars as pl

    from thrive.analytics.metrics import (
        ATTENDED,
        EARLIEST_RECEIVED,
        EXCLUDED_TEAM_TYPES,
        OUTPUT_COLUMNS,
        QUALIFYING_MECHANISMS,
        RATERS,
    )
    from thrive.analytics.reference import scale_rows
    from thrive.measures.engine import reference_tables as ref

    x = Path(extract_dir)
    dec = pl.Decimal(18, SCALE)
    lo, hi = period

    # Step 1. The cohort, collected first: every later scan is filtered to its referrals.
    people = pl.scan_parquet(x / "people.parquet").select("person_id", "sex", "la_code")
    cohort = (
        pl.scan_parquet(x / "referrals.parquet")
        .select("referral_id", "person_id", "received_on", "age_at_referral", "team_type",
                "rejected_on", "discharged_on")
        .filter(pl.col("discharged_on").is_between(lo, hi),
                pl.col("received_on") >= EARLIEST_RECEIVED,
                pl.col("age_at_referral").is_between(0, 17),
                pl.col("rejected_on").is_null(),
                pl.col("team_type").is_null() | ~pl.col("team_type").is_in(EXCLUDED_TEAM_TYPES))
        .join(people, on="person_id", how="left")
        .filter(pl.col("la_code").is_null() | pl.col("la_code").str.starts_with("E"))
        .select("referral_id", "person_id", "discharged_on", "age_at_referral",
                pl.col("sex").replace_strict({"1": "M", "2": "F"}, default=None).alias("norm_sex"))
        .collect()
    )
    ids = cohort.get_column("referral_id").implode()

    # Step 2. Contact1 and Contact2: the two earliest dates among qualifying contacts on or
    # before discharge (only the dates are output, so time and id cannot change them).
    contacts = (
        pl.scan_parquet(x / "contacts.parquet")
        .select("referral_id", "kind", "attend_status", "mechanism", "contact_date")
        .filter(pl.col("referral_id").is_in(ids),
                (pl.col("kind") == "indirect")
                | (pl.col("attend_status").is_in(ATTENDED)
                   & pl.col("mechanism").is_in(QUALIFYING_MECHANISMS)))
        .join(cohort.lazy().select("referral_id", "discharged_on"), on="referral_id")
        .filter(pl.col("contact_date") <= pl.col("discharged_on"))
        .group_by("referral_id")
        .agg(pl.col("contact_date").bottom_k(2).sort().alias("two"))
        .select("referral_id", pl.col("two").list.get(0, null_on_oob=True).alias("contact1"),
                pl.col("two").list.get(1, null_on_oob=True).alias("contact2"))
    )
    spine = cohort.lazy().join(contacts, on="referral_id", how="left").collect()

    # Step 3. In-scope, valid scores (numeric and within range). Step 4. Eligible: dated on or
    # after Contact1 and on or before discharge.
    rows = scale_rows()
    scales = pl.DataFrame({
        "concept_id": [r["concept_id"] for r in rows],
        "identity": [r["identity"] for r in rows],
        "rater": [r["rater"] for r in rows],
        "lower": pl.Series([r["lower"] for r in rows], dtype=dec),
        "upper": pl.Series([r["upper"] for r in rows], dtype=dec),
    }).lazy()
    eligible = (
        pl.scan_parquet(x / "scores.parquet")
        .select("score_id", "referral_id", "concept_id", "score", "completed_on")
        .filter(pl.col("referral_id").is_in(ids))
        .join(scales, on="concept_id")
        .with_columns(pl.col("score").cast(dec, strict=False).alias("value"))
        .filter(pl.col("value").is_between(pl.col("lower"), pl.col("upper")))
        .join(spine.lazy().select("referral_id", "contact1", "contact2", "discharged_on"),
              on="referral_id")
        .filter(pl.col("completed_on").is_between(pl.col("contact1"), pl.col("discharged_on")))
    )
    # Identical duplicates (scale, date, value) count once, the lowest id kept. First: earliest
    # (date, id). Last: latest (date, id) when two or more remain and it is on/after Contact2.
    ends = (
        eligible
        .group_by("referral_id", "identity", "completed_on", "value")
        .agg(pl.col("score_id").min(), pl.col("rater").first(), pl.col("contact2").first())
        .group_by("referral_id", "identity")
        .agg(pl.col("rater").first(), pl.col("contact2").first(),
             pl.col("value").sort_by("completed_on", "score_id").first().alias("first_value"),
             pl.col("value").sort_by("completed_on", "score_id").last().alias("latest_value"),
             pl.col("completed_on").max().alias("latest_on"),
             pl.len().alias("n"))
        .with_columns(pl.when((pl.col("n") > 1) & pl.col("contact2").is_not_null()
                              & (pl.col("latest_on") >= pl.col("contact2")))
                      .then(pl.col("latest_value")).alias("last_value"))
    )

    # Steps 5 and 6. Reliable change per scale (RCADS by T-score with the norms for sex and age
    # at referral: |10 (last - first)| >= threshold x sd), then roll up per rater.
    info = pl.DataFrame({
        "identity": [r["identity"] for r in rows],
        "threshold": pl.Series([r["threshold"] for r in rows], dtype=dec),
        "direction": [r["direction"] for r in rows],
        "rcads": [r["rcads"] for r in rows],
    }).unique("identity").lazy()
    norms = ref.rcads_norms()
    norm_table = pl.DataFrame({
        "identity": [k[0] for k in norms], "norm_sex": [k[1] for k in norms],
        "age_at_referral": pl.Series([k[2] for k in norms], dtype=pl.Int16),
        "sd": pl.Series([v.sd for v in norms.values()], dtype=dec),
    }).lazy()
    change = pl.col("last_value") - pl.col("first_value")
    use_t = pl.col("rcads") & pl.col("sd").is_not_null()
    scaled_change = pl.when(use_t).then(change * 10).otherwise(change)
    scaled_threshold = pl.when(use_t).then(pl.col("threshold") * pl.col("sd")).otherwise(pl.col("threshold"))
    paired = pl.col("contact2").is_not_null() & pl.col("last_value").is_not_null()
    classified = (
        ends
        .join(info, on="identity", how="left")
        .join(spine.lazy().select("referral_id", "norm_sex", "age_at_referral"), on="referral_id")
        .join(norm_table, on=["identity", "norm_sex", "age_at_referral"], how="left")
        .with_columns(pl.col("contact2").is_not_null().alias("assessed"), paired.alias("paired"),
                      scaled_change.alias("sc"), scaled_threshold.alias("st"))
        .with_columns(
            pl.when(~pl.col("paired") | pl.col("st").is_null() | pl.col("direction").is_null())
            .then(None)
            .when(pl.col("sc").abs() < pl.col("st")).then(pl.lit("no_change"))
            .when((pl.col("sc") < 0) == (pl.col("direction") == "higher_is_worse"))
            .then(pl.lit("improvement"))
            .otherwise(pl.lit("deterioration")).alias("outcome"))
    )
    outcome = pl.col("outcome")
    per_rater = (
        classified.group_by("referral_id", "rater")
        .agg(pl.col("assessed").any(), pl.col("paired").any(),
             (outcome == "deterioration").any().alias("det"),
             (outcome == "improvement").any().alias("imp"),
             (outcome == "no_change").any().alias("noc"))
        .with_columns((pl.col("imp") & ~pl.col("det")).alias("improvement"),
                      (pl.col("noc") & ~pl.col("imp") & ~pl.col("det")).alias("no_change"))
        .collect()
    )

    out = spine.lazy().select(
        pl.col("referral_id").alias("UniqServReqID"), pl.col("person_id").alias("Person_ID"),
        pl.col("contact1").dt.strftime("%Y-%m-%d").alias("Contact1"),
        pl.col("contact2").dt.strftime("%Y-%m-%d").alias("Contact2"))
    flag_names = (("Assessment", "assessed"), ("Paired", "paired"), ("Improvement", "improvement"),
                  ("NoChange", "no_change"), ("Deter", "det"))
    for code, rater in RATERS:
        r = per_rater.lazy().filter(pl.col("rater") == rater).select(
            pl.col("referral_id").alias("UniqServReqID"),
            *(pl.col(src).alias(f"{col}_{code}") for col, src in flag_names))
        out = out.join(r, on="UniqServReqID", how="left")
    flags = [f"{col}_{code}" for code, _ in RATERS for col, _ in flag_names]
    out = (
        out.with_columns(pl.col(f).fill_null(False) for f in flags)
        .with_columns(
            pl.any_horizontal(*(f"Assessment_{c}" for c, _ in RATERS)).alias("Assessment_ANY"),
            pl.any_horizontal(*(f"Paired_{c}" for c, _ in RATERS)).alias("Paired_ANY"))
        .with_columns(pl.col(f).cast(pl.Int8) for f in (*flags, "Assessment_ANY", "Paired_ANY"))
        .select(OUTPUT_COLUMNS)
        .sort("UniqServReqID")
        .collect()
    )
    out.write_csv(out_csv, null_value="")
    return {"MHS110": out.filter(pl.col("Contact2").is_not_null()).height}
