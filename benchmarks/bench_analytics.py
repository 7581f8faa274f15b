"""Analytics benchmark: a synthetic MHSDS-style extract written by the demo generator
(thrive.demo.mhsds_extract, in parallel processes), then the import (validate + Parquet), the CYP
outcomes metric, every dashboard aggregate in metrics.AGGREGATES_SQL one by one, and refresh_analytics.

The metric is compared with its peers (compare_metric): the project's DuckDB SQL, the whole
`thrive cyp-outcomes --source extract:DIR` command, a lazy Polars implementation with the cohort
filtered first (polars_metric.py) and a plain pandas one, each in a fresh process, interleaved
run by run (--runs, default 3), with each engine's median, peak memory and ratio to DuckDB and the
machine's load average. Every engine's CSV must equal DuckDB's byte for byte: if one differs the
benchmark says so and exits with an error.

    flock /tmp/heavy.lock .venv/bin/python benchmarks/bench_analytics.py --people 1000000 --numpy \
        --workdir var/bench-np --metric-only     # the engines only

    .venv/bin/python benchmarks/bench_analytics.py --people 100000
    .venv/bin/python benchmarks/bench_analytics.py --people 1000000 --workdir /var/tmp/bench-1m
    .venv/bin/python benchmarks/bench_analytics.py --people 100000 --numpy   # the old NumPy data

--workdir DIR keeps everything there; run again with the same --people/--seed (and source) and the
CSVs generated last time are reused (DIR/generated.json says what they are; --regenerate makes
them again). --numpy writes the extract directly with NumPy/pyarrow instead: not realistic
histories, but it has what the demo has not (indirect activity, invalid scores, excluded team types).

Each stage runs in a fresh child process so its peak memory (resource.getrusage ru_maxrss, the
largest of the process and its own children) is its own. Results print as a Markdown table (and
--json FILE).
"""

import argparse
import json
import multiprocessing as mp
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import date
from pathlib import Path
from queue import Empty

import numpy as np
import pyarrow as pa
import pyarrow.csv as pacsv

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "thrive.config.settings.test")
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

EPOCH = np.datetime64("2019-01-01")
PERIOD = (date(2024, 1, 1), date(2024, 12, 31))
# The demo's four years of history end here (fixed, so runs on different days compare).
DEMO_TODAY = date(2026, 3, 2)
DEMO_SEED = 2026
NUMPY_SEED = 7


def generate_demo(out: Path, people: int, seed: int, workers: int) -> dict:
    """The demo generator's histories as MHSDS-style CSVs (thrive demo_mhsds_extract)."""
    import django
    django.setup()
    from thrive.demo.mhsds_extract import write_extract
    return write_extract(out, people=people, seed=seed, today=DEMO_TODAY, workers=workers)


def _dates(days: np.ndarray) -> pa.Array:
    return pa.array((EPOCH + days.astype("timedelta64[D]")).astype("datetime64[D]").astype(str))


def _text_dates(days: np.ndarray) -> np.ndarray:
    return _dates(days).to_numpy(zero_copy_only=False)


def generate(out: Path, people: int, seed: int = NUMPY_SEED) -> dict:
    """Write the six MHSDS-style CSVs; about 1.5 referrals, 13 contacts per referral, 3.3 scores."""
    from thrive.analytics.reference import scale_rows

    rng = np.random.default_rng(seed)
    out.mkdir(parents=True, exist_ok=True)
    opts = pacsv.WriteOptions(include_header=True, quoting_style="none")
    pid = pa.array(np.char.add("P", np.arange(people).astype(str)))
    la = np.where(rng.random(people) < 0.97, "E06000001", "W06000001")
    mpi = pa.table({
        "Person_ID": pid,
        "Gender": pa.array(rng.choice(["1", "2", "9", "X"], people, p=[.48, .48, .02, .02])),
        "EthnicCategory": pa.array(rng.choice(list("ABCDEFGHJKLMNPRSZ"), people)),
        "IMD_Decile": pa.array(rng.integers(1, 11, people).astype(str)),
        "LADistrictAuth": pa.array(la),
    })
    pacsv.write_csv(mpi, out / "MHS001MPI.csv", opts)

    n_ref = int(people * 1.5)
    person_of = rng.integers(0, people, n_ref)
    received = rng.integers(0, 6 * 365, n_ref)
    length = rng.integers(14, 420, n_ref)
    discharged = received + length
    open_ = (rng.random(n_ref) < 0.2) | (discharged > 6 * 365)
    rejected = rng.random(n_ref) < 0.08
    rid = np.char.add("R", np.arange(n_ref).astype(str))
    team = rng.choice(["C05", "C01", "", "B02", "E01", "A14"], n_ref, p=[.45, .3, .2, .02, .02, .01])
    referral = pa.table({
        "Person_ID": pid.take(pa.array(person_of)),
        "UniqServReqID": pa.array(rid),
        "OrgIDProv": pa.array(rng.choice(["RX1", "RX2", "RX3", "RX4", "RX5"], n_ref)),
        "ReferralRequestReceivedDate": _dates(received),
        "AgeServReferRecDate": pa.array(rng.integers(2, 20, n_ref).astype(str)),
        "ServTeamTypeRefToMH": pa.array(team),
        "ReferRejectionDate": pa.array(np.where(rejected, _text_dates(received + 3), "")),
        "ServDischDate": pa.array(np.where(open_ | rejected, "", _text_dates(discharged))),
    })
    pacsv.write_csv(referral, out / "MHS101Referral.csv", opts)

    def per_referral(mean):
        k = rng.poisson(mean, n_ref)
        idx = np.repeat(np.arange(n_ref), k)
        offset = (rng.random(idx.size) * (length[idx] + 20)).astype(np.int64) - 5
        return idx, received[idx] + offset

    idx, on = per_referral(13.3)
    n = idx.size
    contact = pa.table({
        "Person_ID": pid.take(pa.array(person_of[idx])),
        "UniqServReqID": pa.array(rid[idx]),
        "UniqCareContID": pa.array(np.char.add("C", np.arange(n).astype(str))),
        "CareContDate": _dates(on),
        "CareContTime": pa.array(np.char.add(np.char.zfill(rng.integers(8, 18, n).astype(str), 2), ":00:00")),
        "AttendStatus": pa.array(rng.choice(["5", "6", "7", "3", "2", "4"], n,
                                            p=[.78, .04, .01, .09, .04, .04])),
        "ConsMechanismMH": pa.array(rng.choice(["01", "02", "11", "98", "05"], n, p=[.6, .2, .15, .03, .02])),
    })
    pacsv.write_csv(contact, out / "MHS201CareContact.csv", opts)
    counts = {"people": people, "referrals": n_ref, "contacts": n}
    del contact

    idx, on = per_referral(0.7)
    indirect = pa.table({
        "Person_ID": pid.take(pa.array(person_of[idx])), "UniqServReqID": pa.array(rid[idx]),
        "MHS204UniqID": pa.array(np.char.add("I", np.arange(idx.size).astype(str))),
        "IndirectActDate": _dates(on), "IndirectActTime": pa.array(np.full(idx.size, "12:00:00")),
    })
    pacsv.write_csv(indirect, out / "MHS204IndirectActivity.csv", opts)
    counts["indirect"] = idx.size

    scales = scale_rows()
    concepts = np.array([s["concept_id"] for s in scales] + ["718490000"])
    lower = np.array([float(s["lower"]) for s in scales] + [0.0])
    upper = np.array([float(s["upper"]) for s in scales] + [48.0])
    # Most referrals use a few common scales: weight GAD-7, PHQ-9, RCADS, SDQ, GBO, CGAS up.
    weights = np.ones(concepts.size)
    common = ("445455005", "720433000", "718655001", "718656000", "986071000000101", "1034351000000101",
              "860591000000104", "718145004", "986111000000107")
    weights[np.isin(concepts, common)] = 40
    weights /= weights.sum()
    idx, on = per_referral(3.3)
    n = idx.size
    scale_of = rng.choice(concepts.size, n, p=weights)
    value = np.floor(lower[scale_of] + rng.random(n) * (upper[scale_of] - lower[scale_of] + 1)).astype(int)
    text = value.astype(str)
    bad = rng.random(n)
    text[bad < 0.005] = "n/a"
    text[(bad >= 0.005) & (bad < 0.01)] = "999"
    score = pa.table({
        "Person_ID": pid.take(pa.array(person_of[idx])), "UniqServReqID": pa.array(rid[idx]),
        "MHS606UniqID": pa.array(np.char.add("S", np.arange(n).astype(str))),
        "CodedAssToolType": pa.array(concepts[scale_of]), "PersScore": pa.array(text),
        "AssToolCompDate": _dates(on),
    })
    pacsv.write_csv(score, out / "MHS606CodedScoreAssessmentRefer.csv", opts)
    counts["scores"] = n

    k = rng.integers(1, 4, n_ref)
    idx = np.repeat(np.arange(n_ref), k)
    step = np.arange(idx.size) - np.repeat(np.cumsum(k) - k, k)
    start = received[idx] + 7 + step * 60
    nxt = np.append(start[1:], 0)
    last = np.append(idx[1:] != idx[:-1], True)
    groupings = np.array(["thriving", "getting_advice", "getting_help", "getting_more_help",
                          "getting_risk_support"])
    end_text = np.where(last, "", _dates(nxt).to_numpy(zero_copy_only=False))
    grouping = pa.table({
        "Person_ID": pid.take(pa.array(person_of[idx])), "UniqServReqID": pa.array(rid[idx]),
        "Grouping": pa.array(rng.choice(groupings, idx.size, p=[.05, .3, .4, .2, .05])),
        "StartDate": _dates(start), "EndDate": pa.array(end_text),
        "SharedDecision": pa.array(rng.choice(["Y", "N"], idx.size)),
    })
    pacsv.write_csv(grouping, out / "THRIVEGrouping.csv", opts)
    counts["groupings"] = idx.size
    return counts


# ---- stages (each in its own process) ---------------------------------------------------------

def stage_import(csv_dir, extract_dir):
    import django
    django.setup()
    from thrive.analytics.mhsds_import import import_mhsds
    return import_mhsds(csv_dir, extract_dir).manifest["rows"]


def stage_metric(extract_dir, out_csv):
    from thrive.analytics import metrics
    from thrive.analytics.engine import connect
    con = connect(extract_dir)
    table = metrics.compute_cyp_outcomes(con, *PERIOD)
    metrics.write_cyp_outcomes_csv(con, table, out_csv)
    return {k: (str(v) if not isinstance(v, dict) else {a: str(b) for a, b in v.items()})
            for k, v in metrics.published_figures(con, table).figures.items()}


def stage_dashboard(extract_dir, name, out_dir):
    """One aggregate written to Parquet as refresh_analytics writes it. Times, inside the child:
    the shared preparation every aggregate needs (open the extract, the dimension tables) and the
    aggregate's own work (for outcomes, the national metric over every discharge first)."""
    from thrive.analytics import metrics
    from thrive.analytics.engine import connect
    start = time.perf_counter()
    con = connect(extract_dir)
    metrics.prepare_dimensions(con)
    prepared = time.perf_counter()
    rel = metrics.aggregate_relations(con, [name])[name]
    target = str(Path(out_dir) / f"{name}.parquet")
    con.execute(f"COPY ({rel.sql_query()}) TO '{target}' (FORMAT parquet)")
    done = time.perf_counter()
    rows = con.execute(f"SELECT count(*) FROM read_parquet('{target}')").fetchall()[0][0]
    return {"rows": rows, "prepare": prepared - start, "own": done - prepared}


def stage_refresh(extract_dir, out_dir):
    from thrive.analytics.dashboards import refresh
    return refresh(extract_dir, out_dir)


def stage_pandas(extract_dir, out_csv):
    return pandas_metric(extract_dir, PERIOD, out_csv)


def stage_polars(extract_dir, out_csv):
    from polars_metric import polars_metric
    return polars_metric(extract_dir, PERIOD, out_csv)


def pandas_metric(extract_dir, period, out_csv):
    """The same metric in plain pandas (the baseline): same steps as metrics.CYP_OUTCOMES_SQL."""
    import pandas as pd

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
    people = pd.read_parquet(x / "people.parquet", columns=["person_id", "sex", "la_code"])
    refs = pd.read_parquet(x / "referrals.parquet").merge(people, on="person_id", how="left")
    lo, hi = pd.Timestamp(period[0]), pd.Timestamp(period[1])
    for col in ("received_on", "discharged_on", "rejected_on"):
        refs[col] = pd.to_datetime(refs[col])
    m = (refs.discharged_on.between(lo, hi) & (refs.received_on >= pd.Timestamp(EARLIEST_RECEIVED))
         & refs.age_at_referral.between(0, 17) & refs.rejected_on.isna()
         & (refs.team_type.isna() | ~refs.team_type.isin(EXCLUDED_TEAM_TYPES))
         & (refs.la_code.isna() | refs.la_code.str.startswith("E")))
    cohort = refs[m].copy()
    cohort["norm_sex"] = cohort.sex.map({"1": "M", "2": "F"})

    c = pd.read_parquet(x / "contacts.parquet")
    c = c[(c.kind == "indirect") | (c.attend_status.isin(ATTENDED) & c.mechanism.isin(QUALIFYING_MECHANISMS))]
    c = c.merge(cohort[["referral_id", "discharged_on"]], on="referral_id")
    c["contact_date"] = pd.to_datetime(c.contact_date)
    c = c[c.contact_date <= c.discharged_on]
    c["t"] = c.contact_time.map(lambda t: -1 if t is None else t.hour * 3600 + t.minute * 60 + t.second)
    c = c.sort_values(["referral_id", "contact_date", "t", "contact_id", "kind"])
    c["n"] = c.groupby("referral_id").cumcount() + 1
    spine = cohort.set_index("referral_id")
    spine["contact1"] = c[c.n == 1].set_index("referral_id").contact_date
    spine["contact2"] = c[c.n == 2].set_index("referral_id").contact_date

    scales = pd.DataFrame(scale_rows())
    for col in ("lower", "upper", "threshold"):
        scales[col] = scales[col].astype(float)
    s = pd.read_parquet(x / "scores.parquet")
    s = s[s.referral_id.isin(spine.index)].merge(scales, on="concept_id")
    s["value"] = pd.to_numeric(s.score, errors="coerce")
    s = s[s.value.between(s.lower, s.upper)]
    s["completed_on"] = pd.to_datetime(s.completed_on)
    s = s.join(spine[["contact1", "contact2", "discharged_on"]], on="referral_id")
    s = s[(s.completed_on >= s.contact1) & (s.completed_on <= s.discharged_on)]
    s = (s.groupby(["referral_id", "identity", "completed_on", "value"], as_index=False)
         .agg(score_id=("score_id", "min"), rater=("rater", "first"), contact2=("contact2", "first")))
    s = s.sort_values(["referral_id", "identity", "completed_on", "score_id"])
    s["n"] = s.groupby(["referral_id", "identity"]).cumcount()
    first = s[s.n == 0].set_index(["referral_id", "identity"])
    lasts = s[(s.n > 0) & s.contact2.notna() & (s.completed_on >= s.contact2)]
    last = lasts.groupby(["referral_id", "identity"]).value.last()
    per = first[["rater", "value", "contact2"]].rename(columns={"value": "first"})
    per["last"] = last
    per = per.reset_index()
    info = scales.drop_duplicates("identity").set_index("identity")[["threshold", "direction", "rcads"]]
    per = per.join(info, on="identity")
    norms = pd.DataFrame([(k[0], k[1], k[2], float(v.sd)) for k, v in ref.rcads_norms().items()],
                         columns=["identity", "norm_sex", "age_at_referral", "sd"])
    per = per.join(spine[["norm_sex", "age_at_referral"]], on="referral_id")
    per = per.merge(norms, on=["identity", "norm_sex", "age_at_referral"], how="left")
    use_t = per.rcads & per.sd.notna()
    change = np.where(use_t, 10 * (per["last"] - per["first"]), per["last"] - per["first"])
    thr = np.where(use_t, per.threshold * per.sd, per.threshold)
    per["assessed"] = per.contact2.notna()
    per["paired"] = per.assessed & per["last"].notna()
    ok = per.paired & ~np.isnan(thr) & per.direction.notna()
    nochange = ok & (np.abs(change) < thr)
    better = (change < 0) == (per.direction == "higher_is_worse")
    per["imp"] = ok & ~nochange & better
    per["det"] = ok & ~nochange & ~better
    per["noc"] = nochange
    g = per.groupby(["referral_id", "rater"])[["assessed", "paired", "imp", "det", "noc"]].any()
    g["improvement"] = g.imp & ~g.det
    g["no_change"] = g.noc & ~g.imp & ~g.det
    out = pd.DataFrame({"UniqServReqID": spine.index, "Person_ID": spine.person_id.values})
    out["Contact1"] = spine.contact1.dt.strftime("%Y-%m-%d").values
    out["Contact2"] = spine.contact2.dt.strftime("%Y-%m-%d").values
    any_a = np.zeros(len(out), bool)
    any_p = np.zeros(len(out), bool)
    for code, rater in RATERS:
        r = g.xs(rater, level="rater") if rater in g.index.get_level_values("rater") else g.iloc[0:0]
        r = r.reindex(spine.index, fill_value=False)
        for col, src in (("Assessment", "assessed"), ("Paired", "paired"), ("Improvement", "improvement"),
                         ("NoChange", "no_change"), ("Deter", "det")):
            out[f"{col}_{code}"] = r[src].astype(bool).astype(int).values
        any_a |= r.assessed.astype(bool).values
        any_p |= r.paired.astype(bool).values
    out["Assessment_ANY"] = any_a.astype(int)
    out["Paired_ANY"] = any_p.astype(int)
    out = out.sort_values("UniqServReqID")[list(OUTPUT_COLUMNS)]
    out.to_csv(out_csv, index=False, lineterminator="\n")
    counted = out[out.Contact2.notna()]
    return {"MHS110": len(counted)}


def _cpu_seconds() -> float:
    return sum(u.ru_utime + u.ru_stime for u in (resource.getrusage(resource.RUSAGE_SELF),
                                                   resource.getrusage(resource.RUSAGE_CHILDREN)))


def _child(fn, args, queue):
    start, cpu = time.perf_counter(), _cpu_seconds()
    result = fn(*args)
    elapsed = time.perf_counter() - start
    peak_mb = max(resource.getrusage(who).ru_maxrss
                  for who in (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN)) / 1024
    # CPU time as well as wall time: on a machine shared with other work the wall time is mostly
    # waiting for a core, the CPU time much less so.
    queue.put((elapsed, peak_mb, result, _cpu_seconds() - cpu))


def timed(fn, *args):
    elapsed, peak, result, _ = timed_with_cpu(fn, *args)
    return elapsed, peak, result


def timed_with_cpu(fn, *args):
    ctx = mp.get_context("spawn")
    queue = ctx.Queue()
    proc = ctx.Process(target=_child, args=(fn, args, queue))
    proc.start()
    while True:  # a child that dies never reports: stop rather than wait for ever
        try:
            elapsed, peak, result, cpu = queue.get(timeout=1)
            break
        except Empty:
            if not proc.is_alive():
                raise SystemExit(f"{fn.__name__} failed (exit code {proc.exitcode})") from None
    proc.join()
    return elapsed, peak, result, cpu


def timed_command(argv, env):
    """A command line run as users run it, in its own process: wall time and peak RSS."""
    start = time.perf_counter()
    proc = subprocess.Popen(argv, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(proc.pid, 0)
    elapsed = time.perf_counter() - start
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode:
        raise SystemExit(f"{' '.join(argv)} failed: {proc.stderr.read().decode()}")
    return elapsed, usage.ru_maxrss / 1024, usage.ru_utime + usage.ru_stime


def load_average() -> str:
    return " ".join(Path("/proc/loadavg").read_text().split()[:3])


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--people", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=None,
                        help=f"default {DEMO_SEED} (demo) or {NUMPY_SEED} (--numpy)")
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1,
                        help="processes generating the demo (default: one per core)")
    parser.add_argument("--numpy", action="store_true", help="the old NumPy/pyarrow data, not the demo's")
    parser.add_argument("--workdir", default=None,
                        help="keep the work here; CSVs already generated there for the same "
                             "people, seed and source are reused")
    parser.add_argument("--regenerate", action="store_true", help="generate even if --workdir has the CSVs")
    parser.add_argument("--reuse-extract", action="store_true",
                        help="skip the import when --workdir already holds the extract of these CSVs")
    parser.add_argument("--no-pandas", action="store_true")
    parser.add_argument("--no-polars", action="store_true")
    parser.add_argument("--runs", type=int, default=3,
                        help="fresh-process runs of each metric engine, interleaved (default 3)")
    parser.add_argument("--metric-only", action="store_true",
                        help="compare the metric's engines only (no dashboards, no refresh)")
    parser.add_argument("--json", default=None)
    args = parser.parse_args(argv)
    from thrive.analytics.metrics import AGGREGATES_SQL

    work = Path(args.workdir or tempfile.mkdtemp(prefix="thrive-bench-"))
    work.mkdir(parents=True, exist_ok=True)
    csv_dir, extract, marker = work / "csv", work / "extract", work / "generated.json"
    source = "numpy" if args.numpy else "demo"
    seed = args.seed if args.seed is not None else (NUMPY_SEED if args.numpy else DEMO_SEED)
    wanted = {"source": source, "people": args.people, "seed": seed}
    if source == "demo":
        wanted["today"] = DEMO_TODAY.isoformat()
    rows = []

    # Every stage, generation included, runs in its own process: Linux keeps a process's peak RSS
    # across fork/exec, so the parent must stay small for the children's peaks to be their own.
    previous = json.loads(marker.read_text()) if marker.exists() else {}
    regenerated = args.regenerate or {k: previous.get(k) for k in wanted} != wanted
    if not regenerated:
        counts = previous["counts"]
        rows.append((f"generate CSV: reused {csv_dir}", 0.0, None, previous.get("note", "")))
    else:
        marker.unlink(missing_ok=True)
        if source == "demo":
            t, peak, counts = timed(generate_demo, csv_dir, args.people, seed, args.workers)
            label = f"generate CSV (demo generator, {args.workers} worker(s))"
            note = f"{args.people / t:,.0f} young people/s"
        else:
            t, peak, counts = timed(generate, csv_dir, args.people, seed)
            label, note = "generate CSV (NumPy/pyarrow)", ""
        rows.append((label, t, peak, note))
        marker.write_text(json.dumps({**wanted, "counts": counts, "seconds": round(t, 2),
                                      "note": f"{label} took {t:,.1f}s"}, indent=2) + "\n")
    total_rows = sum(v for k, v in counts.items())
    csv_mb = sum(f.stat().st_size for f in csv_dir.glob("*.csv")) / 2**20

    if args.reuse_extract and (extract / "manifest.json").exists() and not regenerated:
        rows.append(("import_mhsds: reused the extract already in the work directory", 0.0, None, ""))
    else:
        t, peak, _ = timed(stage_import, csv_dir, extract)
        rows.append(("import_mhsds (validate + Parquet)", t, peak,
                     f"{total_rows:,} rows, {csv_mb:,.0f} MiB CSV: {total_rows / t:,.0f} rows/s"))
    loads = [load_average()]
    figures, comparison = compare_metric(args, extract, work)
    loads.append(load_average())
    if not args.metric_only:
        dash_total, dash_peak = 0.0, 0.0
        for name in AGGREGATES_SQL:  # every aggregate the dashboards read, each in its own process
            (work / "one-by-one").mkdir(exist_ok=True)
            t, peak, res = timed(stage_dashboard, extract, name, work / "one-by-one")
            dash_total += t
            dash_peak = max(dash_peak, peak)
            rows.append((f"dashboard aggregate: {name}", t, peak,
                         f"{res['rows']:,} aggregate rows; own query {res['own']:.2f} s after "
                         f"{res['prepare']:.2f} s opening the extract and preparing the dimensions"))
        rows.append((f"all {len(AGGREGATES_SQL)} dashboard aggregates, one by one", dash_total, dash_peak,
                     "sum of the above (peak: the largest)"))
        for run in range(args.runs):
            t_all, peak_all, _ = timed(stage_refresh, extract, work / "aggregates")
            rows.append((f"refresh_analytics (all aggregates, to Parquet), run {run + 1}", t_all, peak_all,
                         "one connection, shared preparation once"))
        loads.append(load_average())

    print(f"\n{args.people:,} people ({source} data, seed {seed}): "
          + ", ".join(f"{v:,} {k}" for k, v in counts.items()))
    print(f"machine: {os.cpu_count()} cores; work directory {work}\n")
    print(f"load average (1, 5, 15 min): {' -> '.join(loads)}\n")
    print(f"CYP outcomes metric for {PERIOD[0].year}, each engine in a fresh process, "
          f"{args.runs} runs interleaved:\n")
    print("| engine | median s | runs (s) | ratio to DuckDB | median CPU s | CPU ratio | peak RSS (MiB) "
          "| CSV |\n|---|---:|---|---:|---:|---:|---:|---|")
    duck = statistics.median(comparison["duckdb"]["times"])
    duck_cpu = statistics.median(comparison["duckdb"]["cpu"])
    for engine, res in comparison.items():
        med, cpu = statistics.median(res["times"]), statistics.median(res["cpu"])
        print(f"| {ENGINE_LABELS[engine]} | {med:.2f} | {', '.join(f'{t:.2f}' for t in res['times'])} "
              f"| {med / duck:.2f} | {cpu:.2f} | {cpu / duck_cpu:.2f} | {max(res['peaks']):,.0f} "
              f"| {res['csv']} |")
    print()
    if rows:
        print("| stage | seconds | peak RSS (MiB) | notes |\n|---|---:|---:|---|")
    for name, t, peak, note in rows:
        print(f"| {name} | {t:.2f} | {'' if peak is None else f'{peak:,.0f}'} | {note} |")
    print("\nPublished figures:", json.dumps(figures))
    if args.json:
        Path(args.json).write_text(json.dumps({"counts": counts, "rows": rows, "figures": figures,
                                               "metric": comparison, "load_average": loads}, indent=2))
    differ = [ENGINE_LABELS[e] for e, res in comparison.items() if res["csv"] != "identical"]
    if differ:
        raise SystemExit(f"FAILED: the per-referral CSV of {', '.join(differ)} differs from DuckDB's "
                         f"(files in {work})")


ENGINE_LABELS = {
    "duckdb": "the project (DuckDB), the metric's computation",
    "command": "`thrive cyp-outcomes --source extract:DIR`, the whole command",
    "polars": "Polars, lazy, cohort first (baseline)",
    "pandas": "pandas (baseline)",
}


def compare_metric(args, extract: Path, work: Path):
    """The metric by each engine in a fresh process, the engines interleaved run by run (so a
    change in the machine's load falls on all of them), every CSV compared byte for byte with
    DuckDB's of the same run."""
    engines = ["duckdb", "command"]
    engines += [] if args.no_polars else ["polars"]
    engines += [] if args.no_pandas else ["pandas"]
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[1] / "src"),
           "DJANGO_SETTINGS_MODULE": "thrive.config.settings.local"}
    stages = {"duckdb": stage_metric, "polars": stage_polars, "pandas": stage_pandas}
    results = {e: {"times": [], "cpu": [], "peaks": [], "csv": "identical"} for e in engines}
    figures = None
    for run in range(args.runs):
        outs = {e: work / f"cyp_{e}_{run + 1}.csv" for e in engines}
        for engine in engines:
            if engine == "command":
                t, peak, cpu = timed_command(
                    [sys.executable, "-m", "thrive.cli", "cyp-outcomes", "--source", f"extract:{extract}",
                     "--from", PERIOD[0].isoformat(), "--to", PERIOD[1].isoformat(),
                     "--out", str(outs[engine])], env)
            else:
                t, peak, res, cpu = timed_with_cpu(stages[engine], extract, outs[engine])
                if engine == "duckdb":
                    figures = res
            results[engine]["times"].append(t)
            results[engine]["cpu"].append(cpu)
            results[engine]["peaks"].append(peak)
        expected = outs["duckdb"].read_bytes()
        for engine in engines:
            if outs[engine].read_bytes() != expected:
                results[engine]["csv"] = f"DIFFERS in run {run + 1}: {outs[engine]}"
            elif engine != "duckdb" and results[engine]["csv"] == "identical":
                outs[engine].unlink()  # identical: keep only DuckDB's
    return figures, results


if __name__ == "__main__":
    main()
