"""Benchmark: churn-risk scoring (``cs_models.risk.risk_scores``, fit + score + backtest refit) of
synthetic customers, against the straightforward lifelines path on the same data in the same run
(``CoxPHFitter().fit`` on the one-hot design, then ``predict_survival_function`` for each active
customer's conditional risk).

    .venv/bin/python bench/bench_risk.py                 # 20k and 100k active customers
    .venv/bin/python bench/bench_risk.py --sizes 20000
"""

from __future__ import annotations

import argparse
import sys
import time
from datetime import date
from functools import partial
from pathlib import Path

import numpy as np
import pandas as pd
from lifelines import CoxPHFitter

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from cs_models.risk import PENALIZER, risk_scores  # noqa: E402
from cs_models.survival import durations  # noqa: E402

AS_OF = date(2026, 10, 31)
HORIZON = 90


def synthetic_customers(n_active: int, seed: int = 11) -> pd.DataFrame:
    """About ``2 × n_active`` customers over three years, half still active, with two segments and two numbers."""
    rng = np.random.default_rng(seed)
    n = 2 * n_active
    start = pd.Timestamp("2023-11-01") + pd.to_timedelta(rng.integers(0, 1_000, n), unit="D")
    plan = rng.choice(["light", "standard", "pro"], n, p=[0.5, 0.3, 0.2])
    hazard = np.select([plan == "light", plan == "standard"], [1.6, 1.0], 0.6) / 700
    stop = start + pd.to_timedelta(rng.exponential(1 / hazard), unit="D")
    end = stop.where(stop <= pd.Timestamp(AS_OF))
    return pd.DataFrame({"customer_id": [f"C{i:07d}" for i in range(n)], "start_date": start, "end_date": end,
                         "plan": plan, "region": rng.choice(["east", "west", "north", "south"], n),
                         "stores": rng.poisson(2, n), "tickets": rng.poisson(1.5, n),
                         "mrr": rng.choice([9800.0, 19800.0, 39800.0], n)})


def lifelines_path(customers: pd.DataFrame) -> np.ndarray:
    """Fit on the one-hot design and read 1 − S(t + h)/S(t) off ``predict_survival_function``."""
    frame = durations(customers, AS_OF)
    x = pd.get_dummies(frame[["plan", "region"]], drop_first=True, dtype=float).assign(
        stores=frame["stores"], tickets=frame["tickets"])
    data = x.assign(duration_days=frame["duration_days"].clip(lower=0.5), event=frame["event"])
    fitter = CoxPHFitter(penalizer=PENALIZER).fit(data, "duration_days", "event")
    active = ~frame["event"].to_numpy(bool)
    ages = frame.loc[active, "duration_days"].to_numpy()
    times = np.unique(np.concatenate([ages, ages + HORIZON]))
    curves = fitter.predict_survival_function(x.loc[active], times=times).to_numpy()
    rows = np.arange(len(ages))
    now, later = np.searchsorted(times, ages), np.searchsorted(times, ages + HORIZON)
    return 1 - curves[later, rows] / curves[now, rows]


def timed(fn) -> float:
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", type=int, nargs="+", default=[20_000, 100_000])
    args = parser.parse_args()
    print("| active customers | cs_models risk_scores (s) | lifelines fit + predict (s) | ratio |")
    print("|---|---|---|---|")
    for n in args.sizes:
        customers = synthetic_customers(n)
        ours = timed(partial(risk_scores, customers, AS_OF, horizon_days=HORIZON))
        peer = timed(partial(lifelines_path, customers))
        print(f"| {n:,} | {ours:.2f} | {peer:.2f} | {ours / peer:.2f} |")


if __name__ == "__main__":
    main()
