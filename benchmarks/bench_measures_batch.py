"""Benchmark: score 1,000,000 synthetic stored completions with the NumPy batch path.

Mix: 40% PHQ-9, 40% GAD-7, 20% SDQ parent (with impact supplement); about 2% of item rows
are missing. Each measure arrives as a long table (completion_id, item, response), as a
database query returns it, and is pivoted and scored. Prints elapsed seconds and peak memory.

    python benchmarks/bench_measures_batch.py [--completions N] [--seed S]
"""

import argparse
import resource
import sys
import time
import tracemalloc
from pathlib import Path

import numpy as np

try:
    from thrive.measures.engine import item_columns, score_batch, score_batch_long
except ImportError:  # running from a checkout without the package installed
    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))
    from thrive.measures.engine import item_columns, score_batch, score_batch_long

MIX = {"phq9": 0.4, "gad7": 0.4, "sdq_parent": 0.2}
MISSING_RATE = 0.02


def synthetic_long_table(measure_id: str, n: int, first_id: int, rng: np.random.Generator):
    """(completion_ids, items, responses) with random answers and ~2% of rows left out."""
    from thrive.measures.engine import get_catalogue

    measure = get_catalogue().measure(measure_id)
    numbers = np.array(item_columns(measure_id), dtype=np.int16)
    lows = np.array([measure.items[k].min for k in numbers], dtype=np.int16)
    highs = np.array([measure.items[k].max for k in numbers], dtype=np.int16)
    ids = np.repeat(np.arange(first_id, first_id + n, dtype=np.int64), len(numbers))
    items = np.tile(numbers, n)
    responses = rng.integers(np.tile(lows, n), np.tile(highs, n) + 1, dtype=np.int16)
    keep = rng.random(len(ids)) >= MISSING_RATE
    return ids[keep], items[keep], responses[keep]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--completions", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=20240601)
    args = parser.parse_args()
    rng = np.random.default_rng(args.seed)

    tables, next_id = {}, 0
    for measure_id, share in MIX.items():
        n = int(args.completions * share)
        tables[measure_id] = synthetic_long_table(measure_id, n, next_id, rng)
        next_id += n
    rows = sum(len(t[0]) for t in tables.values())
    print(f"{next_id:,} completions, {rows:,} item rows: {', '.join(tables)}")

    tracemalloc.start()
    start = time.perf_counter()
    results = {m: score_batch_long(m, *t) for m, t in tables.items()}
    long_seconds = time.perf_counter() - start
    _, long_peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()

    wide = {m: None for m in results}
    from thrive.measures.engine import long_to_wide

    for m, t in tables.items():
        wide[m] = long_to_wide(m, *t)[1]
    tracemalloc.start()
    start = time.perf_counter()
    for m, w in wide.items():
        score_batch(m, w)
    wide_seconds = time.perf_counter() - start
    _, wide_peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()

    scored = sum(len(r) for r in results.values())
    missing = {
        m: f"{100 * float(np.mean(r[s.split('/')[1]].missing)):.1f}%"
        for m, r in results.items()
        for s in [{"phq9": "phq9/total", "gad7": "gad7/total"}.get(m, f"{m}/total_difficulties")]
    }
    maxrss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"scored completions: {scored:,}; missing totals: {missing}")
    print(f"long table -> pivot -> score: {long_seconds:.2f} s, peak traced {long_peak / 2**20:.0f} MiB")
    print(f"wide arrays -> score only:    {wide_seconds:.2f} s, peak traced {wide_peak / 2**20:.0f} MiB")
    print(f"process max RSS (incl. synthetic data): {maxrss_mb:.0f} MiB")


if __name__ == "__main__":
    main()
