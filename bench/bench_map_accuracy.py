"""Accuracy of the cohort liquidation map on ../shared/sim, and the speed of a refit and an update.

    bench_map_accuracy.py estimate RUN_DIR OUT.json --at T_MS [T_MS ...]
    bench_map_accuracy.py [--seeds 1,2,3] [--leverage 5:0.4,10:0.4,20:0.2] [--set NAME=JSON ...]
                          [--cache DIR]

``estimate`` reads only candles.json, open_interest.json and liquidations_sampled.json of a sim run
and writes one estimate per time (long_bins / short_bins, [[lo, hi, usd], ...]). The sampled file is
the whole recording of the run, so every interval counts as heard (silence there is evidence). Without a command
it generates the seeds with sim.py into a temporary folder, estimates at the truth snapshot times,
scores with score.py and prints each figure beside the naive method's and its target (``--cache DIR``
keeps the runs in DIR/<market>/seed<N> and reuses them; a run takes ~12 s). Skips (exit 0)
when ../shared/sim is absent; always exits 0; progress goes to stderr.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import math
import re
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import numpy as np

from risk.calibration import fit_map
from risk.cohort_book import advance_book, book_map, replay_book
from risk.cohort_map import build_levels, level_log_ratios, levels_map
from risk.liquidation_sampling import LiquidationStream
from risk.market_history import MarketHistory
from risk.tiers import default_tier_table

ROOT = Path(__file__).resolve().parents[1]
SIM = ROOT.parent / "shared" / "sim"
TABLE = default_tier_table("binance", "BTC")
INTERVAL_MS = 300_000
# A sim score: side ("long"/"short") → metric name → value.
Metrics = dict[str, dict[str, float]]


def progress(text: str) -> None:
    """One progress line on stderr."""
    print(text, file=sys.stderr, flush=True)


def load_run(run: Path) -> tuple[MarketHistory, LiquidationStream]:
    """The published observables of a run, and nothing else."""
    candles = json.loads((run / "candles.json").read_text())
    oi = {r["t_ms"]: r["oi_coins"] for r in json.loads((run / "open_interest.json").read_text())}
    sampled = json.loads((run / "liquidations_sampled.json").read_text())
    end = np.array([c["t_open_ms"] + INTERVAL_MS for c in candles], dtype=np.int64)
    high = np.array([c["high"] for c in candles])
    low = np.array([c["low"] for c in candles])
    close = np.array([c["close"] for c in candles])
    coins = np.array([oi[int(t)] for t in end])
    history = MarketHistory(
        end / 1000.0, np.full(len(end), 300.0), low, high, (high + low + close) / 3, coins,
        float(coins[0]),
    )  # fmt: skip
    stream = LiquidationStream(
        np.array([e["t_ms"] for e in sampled], dtype=np.int64),
        np.array([e["usd"] for e in sampled], dtype=np.float64),
        np.array([e["side"] == "long" for e in sampled], dtype=np.bool_),
        complete=False,
    )
    return history, stream


def estimate_at(history: MarketHistory, stream: LiquidationStream, t_ms: int) -> dict[str, Any]:
    """Fit on what was published by ``t_ms``, then the map at ``t_ms``, as the sim's bins."""
    count = int(np.searchsorted(np.round(history.end_s * 1000), t_ms, side="right"))
    head = history.head(count)
    seen = stream.t_ms <= t_ms
    past = LiquidationStream(
        stream.t_ms[seen], stream.usd[seen], stream.is_long[seen], complete=False
    )
    fit = fit_map(head, [past], TABLE)
    ratios = level_log_ratios(TABLE, fit.leverages, float(np.median(head.typical)))
    liq_map = levels_map(build_levels(head, fit, ratios), head, fit)
    lo = np.exp(liq_map.bins * liq_map.log_step)
    hi = lo * (1 + liq_map.bin_width_pct / 100)

    def bins(values: np.ndarray) -> list[list[float]]:
        return [
            [float(a), float(b), float(u)] for a, b, u in zip(lo, hi, values, strict=True) if u > 0
        ]

    return {"t_ms": t_ms, "long_bins": bins(liq_map.long_usd), "short_bins": bins(liq_map.short_usd),
            "fit": json.loads(fit.to_json())}  # fmt: skip


def estimate(run: Path, out: Path, times: list[int]) -> None:
    """The ``estimate`` command."""
    history, stream = load_run(run)
    estimates = []
    for number, t_ms in enumerate(times, 1):
        progress(f"  estimate {number}/{len(times)} at t_ms={t_ms}")
        estimates.append(estimate_at(history, stream, t_ms))
    out.write_text(json.dumps(estimates))


FIGURES = (
    ("EMD long", "long", "emd_pct", "% of price", "<=", 1.5),
    ("EMD short", "short", "emd_pct", "% of price", "<=", 1.5),
    ("abs. cumulative error at 5 % long", "long", "cum_err@5%", "%", "<=", 40.0),
    ("abs. cumulative error at 5 % short", "short", "cum_err@5%", "%", "<=", 40.0),
    ("top-5 share both sides", "both", "top5_share", "%", ">=", 25.0),
)


def report(
    figure: str, value: float, unit: str, op: str, target: float, naive: float | None
) -> None:
    """``<figure>: <value> <unit> (target <op> <value>) ok|MISSED`` (naive beside it)."""
    good = value <= target if op == "<=" else value >= target
    beside = "" if naive is None else f"  [naive {naive:.3g}]"
    verdict = "ok" if good else "MISSED"
    print(f"{figure}: {value:.3g} {unit} (target {op} {target:g}) {verdict}{beside}", flush=True)


def score_seed(run: Path) -> tuple[Metrics, Metrics]:
    """Mean metrics over the run's snapshots of the estimate and of the naive method."""
    sys.path.insert(0, str(SIM))
    # The sim's own scorer and baseline, importable only once SIM is on the path (mypy can't see them).
    import score as sc  # type: ignore[import-not-found]
    from baseline import estimates_for, mean_metrics  # type: ignore[import-not-found]

    truths = json.loads((run / "truth.json").read_text())
    out = run / "est.json"
    estimate(run, out, [s["t_ms"] for s in truths])
    ests = {e["t_ms"]: e for e in json.loads(out.read_text())}
    ours = [sc.score(t, ests[t["t_ms"]]) for t in truths]
    naive = [sc.score(t, estimates_for(run, t)["naive"]) for t in truths]
    return mean_metrics(ours), mean_metrics(naive)


def value_of(metrics: Metrics, side: str, key: str) -> float:
    """A metric in the bench's unit (shares and cum errors in percent)."""
    raw = metrics[side][key]
    return raw if key == "emd_pct" else 100 * raw


def market_key(args: argparse.Namespace) -> str:
    """A folder name for the market the options make (``default`` without options)."""
    parts = ([f"lev-{args.leverage}"] if args.leverage else []) + list(args.set)
    return re.sub(r"[^A-Za-z0-9.,=_-]+", "_", "+".join(parts)) or "default"


def accuracy(args: argparse.Namespace) -> None:
    """Generate (or reuse from ``--cache``), estimate, score; print the figures."""
    seeds = [int(s) for s in args.seeds.split(",")]
    ours, naive = [], []
    with contextlib.ExitStack() as stack:
        if args.cache:
            root = args.cache / market_key(args)
        else:
            root = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="liqguard-sim-")))
        for seed in seeds:
            run = root / f"seed{seed}"
            command = [sys.executable, str(SIM / "sim.py"), "--days", "3", "--seed", str(seed)]
            command += ["--out", str(run)]
            if args.leverage:
                command += ["--leverage", args.leverage]
            for item in args.set:
                command += ["--set", item]
            if (run / "truth.json").exists():
                progress(f"seed {seed}: reusing {run}")
            else:
                progress(f"seed {seed}: simulating ({' '.join(command[2:])}) ...")
                subprocess.run(command, check=True, capture_output=True)
            progress(f"seed {seed}: estimating and scoring ...")
            m, n = score_seed(run)
            ours.append(m)
            naive.append(n)
    label = f"seeds {args.seeds}" + (f", leverage {args.leverage}" if args.leverage else "")
    label += "".join(f", {s}" for s in args.set)
    print(f"# cohort map vs truth, mean over snapshots and {label}")
    for figure, side, key, unit, op, target in FIGURES:
        value = statistics.fmean(value_of(m, side, key) for m in ours)
        base = statistics.fmean(value_of(m, side, key) for m in naive)
        report(figure, value, unit, op, target, None if math.isnan(base) else base)


def synthetic_week(rng: np.random.Generator) -> tuple[MarketHistory, LiquidationStream]:
    """Seven days of 5-minute intervals and a sampled stream, for the speed figures."""
    n = 7 * 288
    typical = 90_000 * np.exp(np.cumsum(rng.normal(0, 0.0015, n)))
    low, high = typical * (1 - rng.uniform(0, 0.004, n)), typical * (1 + rng.uniform(0, 0.004, n))
    oi = 80_000 * np.exp(np.cumsum(rng.normal(0, 0.002, n)))
    end = 1.7e9 + 300.0 * np.arange(1, n + 1, dtype=np.float64)
    history = MarketHistory(end, np.full(n, 300.0), low, high, typical, oi, float(oi[0]))
    t_ms = np.sort(rng.integers(int(end[0] * 1000), int(end[-1] * 1000), 5_000))
    stream = LiquidationStream(
        t_ms, rng.lognormal(9, 1.5, len(t_ms)), rng.random(len(t_ms)) < 0.5, complete=False
    )
    return history, stream


def speed() -> None:
    """A refit over 7 days of 5-minute data, and one map update (one interval)."""
    history, stream = synthetic_week(np.random.default_rng(5))
    progress("speed: refit over 7 days of 5-minute intervals ...")
    start = time.perf_counter()
    fit = fit_map(history, [stream], TABLE)
    report("refit, 7 days of 5-min data", time.perf_counter() - start, "s", "<=", 5.0, None)
    ratios = level_log_ratios(TABLE, fit.leverages, float(np.median(history.typical)))
    book = replay_book(history.head(len(history) - 1), fit, ratios)
    k = len(history) - 1
    times = []
    for _ in range(20):
        start = time.perf_counter()
        book_map(advance_book(book, fit, ratios, end_s=float(history.end_s[k]), duration_s=300.0,
                              low=float(history.low[k]), high=float(history.high[k]),
                              typical=float(history.typical[k]),
                              open_interest=float(history.open_interest[k])))  # fmt: skip
        times.append(time.perf_counter() - start)
    report(
        "map update, one interval (7-day book)",
        statistics.median(times) * 1e3,
        "ms",
        "<=",
        200,
        None,
    )


def main(argv: list[str] | None = None) -> None:
    """Parse the command line and run."""
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    sub = parser.add_subparsers(dest="command")
    est = sub.add_parser("estimate", help="estimate a sim run's map at given times")
    est.add_argument("run", type=Path)
    est.add_argument("out", type=Path)
    est.add_argument("--at", type=int, nargs="+", required=True, metavar="T_MS")
    parser.add_argument("--seeds", default="1,2,3")
    parser.add_argument("--leverage")
    parser.add_argument("--set", action="append", default=[], metavar="NAME=JSON")
    parser.add_argument("--no-speed", action="store_true", help="skip the speed figures")
    parser.add_argument("--cache", type=Path, help="keep and reuse sim runs under this folder")
    args = parser.parse_args(argv)
    if args.command == "estimate":
        estimate(args.run, args.out, args.at)
        return
    if not args.no_speed:
        speed()
    if not (SIM / "sim.py").exists():
        print(f"accuracy skipped: {SIM} is absent (the simulator lives in ../shared/sim)")
        return
    accuracy(args)


if __name__ == "__main__":
    main()
