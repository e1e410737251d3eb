"""Benchmark: the churn page's computations at 100k and 1M synthetic customers.

Times (best of ``--repeat`` warm runs) :mod:`cs_models.survival` beside plain lifelines
on the same data in the same run:

- Kaplan–Meier for every level of 5 segments (2–6 levels each);
- log-rank across the levels of 5 segments;
- the whole page for one segment (durations, overall and per-segment KM, log-rank,
  RMST/LTV, life table) plus the Kaplan–Meier figure and its JSON size;
- Cox with 6 covariates at 100k (ours includes concordance and the PH check).

    .venv/bin/python bench/bench_survival.py
    .venv/bin/python bench/bench_survival.py --sizes 100000 --repeat 2
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from cs_models import survival as sv  # noqa: E402
from cs_models.charts.survival import km_figure  # noqa: E402

AS_OF = pd.Timestamp("2026-10-31")
SEGMENTS = {f"seg{k}": k for k in (2, 3, 4, 5, 6)}  # column -> number of levels
COVARIATES = ["seg0", "seg1", "x_tickets", "x_stores", "x_usage", "x_score"]
LABELS = {key: key for key in ("x_title", "y_title", "at_risk_title", "hover_month", "hover_survival",
                               "hover_at_risk", "censored", "median", "events_so_far", "censored_so_far")}


def customers(n: int, seed: int = 1) -> pd.DataFrame:
    """``n`` customers over 4 years, Weibull lifetimes, segment effects, about 70% churned by the as-of date."""
    rng = np.random.default_rng(seed)
    start = AS_OF - pd.to_timedelta(rng.integers(0, 4 * 365, n), unit="D")
    frame = pd.DataFrame({"customer_id": np.arange(n).astype(str), "start_date": start})
    log_hr = np.zeros(n)
    for column, levels in SEGMENTS.items():
        codes = rng.integers(0, levels, n)
        frame[column] = np.array([f"L{i}" for i in range(levels)], dtype=object)[codes]
        log_hr += 0.1 * codes
    frame["seg0"] = frame["seg2"]  # Cox covariates: two categoricals ...
    frame["seg1"] = frame["seg3"]
    for column in ("x_tickets", "x_stores", "x_usage", "x_score"):  # ... and four numbers
        frame[column] = rng.poisson(2, n).astype(float)
        log_hr += 0.05 * frame[column].to_numpy()
    life = 1500 * (-np.log(rng.random(n))) ** (1 / 0.9) * np.exp(-log_hr / 0.9)
    end = start + pd.to_timedelta(np.floor(life), unit="D")
    frame["end_date"] = end.where(end <= AS_OF)
    frame["mrr"] = rng.choice([9800.0, 19800.0, 39800.0], n)
    return frame


def best(fn: Callable[[], object], repeat: int) -> float:
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        fn()
        times.append(time.perf_counter() - started)
    return min(times)


def lifelines_km(frame: pd.DataFrame) -> None:
    from lifelines import KaplanMeierFitter

    for column in SEGMENTS:
        for _, part in frame.groupby(column):
            KaplanMeierFitter().fit(part["duration_days"], part["event"])


def lifelines_logrank(frame: pd.DataFrame) -> None:
    from lifelines.statistics import multivariate_logrank_test

    for column in SEGMENTS:
        multivariate_logrank_test(frame["duration_days"], frame[column], frame["event"])


def lifelines_cox(frame: pd.DataFrame) -> None:
    from lifelines import CoxPHFitter

    design = pd.get_dummies(frame[[*COVARIATES, "duration_days", "event"]], columns=["seg0", "seg1"],
                            drop_first=True, dtype=float)
    CoxPHFitter().fit(design, "duration_days", "event")


def page(data: pd.DataFrame) -> int:
    result = sv.analyse(data, AS_OF, "seg5", horizon_months=24)
    return len(km_figure(result.km, LABELS, {g: g for g in result.km.groups}, annotation="p").to_json())


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[100_000, 1_000_000])
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args(argv)
    rows = []
    for n in args.sizes:
        data = customers(n)
        frame = sv.durations(data, AS_OF)
        events = int(frame["event"].sum())
        ours_km = best(lambda f=frame: [sv.kaplan_meier(f, c) for c in SEGMENTS], args.repeat)
        ref_km = best(lambda f=frame: lifelines_km(f), 1)
        ours_lr = best(lambda f=frame: [sv.logrank(f, c) for c in SEGMENTS], args.repeat)
        ref_lr = best(lambda f=frame: lifelines_logrank(f), 1)
        ours_page = best(lambda d=data: page(d), args.repeat)
        size_kb = page(data) / 1024
        rows.append((n, events, "KM, 5 segments (20 curves)", ours_km, ref_km, ""))
        rows.append((n, events, "log-rank, 5 segments", ours_lr, ref_lr, ""))
        rows.append((n, events, "whole page, 1 segment + KM figure", ours_page, np.nan, f"chart JSON {size_kb:.0f} KB"))
        if n <= 100_000:
            sv.cox(frame.iloc[:5000], COVARIATES)  # warm: lifelines' first import and call
            ours_cox = best(lambda f=frame: sv.cox(f, COVARIATES), args.repeat)
            ref_cox = best(lambda f=frame: lifelines_cox(f), 1)
            rows.append((n, events, "Cox, 6 covariates (+C, PH check)", ours_cox, ref_cox, "lifelines: fit only"))
    print(f"{'customers':>10} {'events':>8}  {'task':<36} {'cs_models':>10} {'lifelines':>10}  note")
    for n, events, task, ours, ref, note in rows:
        ref_text = "" if np.isnan(ref) else f"{ref:9.3f}s"
        print(f"{n:>10,} {events:>8,}  {task:<36} {ours:9.3f}s {ref_text:>10}  {note}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
