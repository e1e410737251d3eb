"""Benchmark: the expectation vs satisfaction page's computations on synthetic surveys.

Times (best of ``--repeat`` warm runs) each step of the page on a wide survey of N
respondents × 5 items (1–5 scale, with importance, a plan segment and customer IDs
linked to N customers): reading and validation, the per-item table (t-test,
Wilcoxon, Wilson, Holm), the importance–performance map, the segment comparison,
gap → churn (durations, KM, log-rank, Cox) and the five figures with their JSON size.

    .venv/bin/python bench/bench_gaps.py
    .venv/bin/python bench/bench_gaps.py --sizes 10000 --repeat 2
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable
from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from cs_models import gaps  # noqa: E402
from cs_models.catalogue import catalogue  # noqa: E402
from cs_models.charts import gaps as charts  # noqa: E402

AS_OF = date(2026, 10, 31)
ITEMS = ("Onboarding", "Support", "Product features", "Study sessions", "Community")


def synthetic(n: int, seed: int = 7) -> tuple[pd.DataFrame, pd.DataFrame]:
    """A wide survey of ``n`` respondents and their ``n`` customers."""
    rng = np.random.default_rng(seed)
    ids = [f"C{i:07d}" for i in range(n)]
    survey = pd.DataFrame({"respondent_id": [f"R{i}" for i in range(n)], "customer_id": ids,
                           "plan": rng.choice(["Light", "Standard", "Pro"], n)})
    latent = rng.standard_normal(n)
    for k, item in enumerate(ITEMS):
        e = np.clip(np.round(3.5 + 0.5 * latent + rng.normal(0, 0.7, n)), 1, 5)
        s = np.clip(np.round(3.5 + 0.2 * (k - 2) + rng.normal(0, 0.8, n)), 1, 5)
        survey[f"{item} (expectation)"] = e
        survey[f"{item} (satisfaction)"] = s
        survey[f"{item} (importance)"] = np.clip(np.round(4 + rng.normal(0, 0.8, n)), 1, 5)
    start = pd.Timestamp("2023-11-01") + pd.to_timedelta(rng.integers(0, 900, n), unit="D")
    life = rng.exponential(600 * np.exp(0.3 * (survey.filter(like="satisfaction").mean(axis=1) - 3.5)))
    end = start + pd.to_timedelta(np.ceil(life), unit="D")
    end = end.where(end <= pd.Timestamp(AS_OF))
    customers = pd.DataFrame({"customer_id": ids, "start_date": start, "end_date": end})
    return survey, customers


def best_of(repeat: int, fn: Callable[[], object]) -> tuple[float, object]:
    times, out = [], None
    for _ in range(repeat):
        started = time.perf_counter()
        out = fn()
        times.append(time.perf_counter() - started)
    return min(times), out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[600, 10_000, 100_000])
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args(argv)
    labels = {k[5:]: v for k, v in catalogue("en").items() if k.startswith("gaps.")}
    rows = []
    for n in args.sizes:
        survey, customers = synthetic(n)
        t_read, answers = best_of(args.repeat, lambda s=survey: gaps.read_gaps(s))
        t_items, analysis = best_of(args.repeat, lambda a=answers: gaps.analyse_gaps(a))
        t_ipa, ipa = best_of(args.repeat, lambda a=answers: gaps.importance_performance(a))
        t_seg, _ = best_of(args.repeat, lambda a=answers: gaps.compare_segments(a, "plan"))
        t_churn, churn = best_of(args.repeat, lambda a=answers, c=customers: gaps.gap_churn(a, c, as_of=AS_OF))

        def figures(analysis=analysis, ipa=ipa, churn=churn) -> int:
            figs = [charts.dumbbell(analysis, labels, scale="1-5"), charts.gap_bars(analysis, labels),
                    charts.share_bars(analysis, labels), charts.importance_performance_map(ipa, labels),
                    charts.churn_curves(churn, labels)]
            return sum(len(f.to_json()) for f in figs)

        t_fig, size = best_of(args.repeat, figures)
        total = t_read + t_items + t_ipa + t_seg + t_churn + t_fig
        rows.append((n, t_read, t_items, t_ipa, t_seg, t_churn, t_fig, total, size / 1024))
    header = ("respondents", "read+validate s", "items s", "IPA s", "segments s", "gap→churn s",
              "figures s", "page total s", "figure JSON KiB")
    print(" | ".join(header))
    print(" | ".join("---" for _ in header))
    for row in rows:
        n, *times, size = row
        print(" | ".join([f"{n:,}", *(f"{x:.3f}" for x in times), f"{size:,.0f}"]))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
