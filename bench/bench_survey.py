"""Benchmark: survey analyses on the sample (374 respondents) and on larger resampled surveys.

Each size is the Japanese sample survey resampled with replacement (skip logic kept,
so the default funnel exists). Timings are the median of ``--repeat`` runs, in
milliseconds, of one call each: question typing, shares of the multi-select question,
the default funnel, a crosstab by company size, the Likert and NPS summaries, and the
whole ``report_section`` (every question + the funnel).

    .venv/bin/python bench/bench_survey.py                 # 374, 10k, 100k
    .venv/bin/python bench/bench_survey.py --sizes 374 --repeat 5
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from cs_models import survey as sv  # noqa: E402
from cs_models.datasets import Datasets  # noqa: E402
from cs_models.sample import load_sample  # noqa: E402


def survey_of(size: int) -> pd.DataFrame:
    """The sample survey resampled to ``size`` respondents (the sample itself at 374)."""
    sample = load_sample("ja").survey
    if size == len(sample):
        return sample
    return sample.sample(n=size, replace=True, random_state=7).reset_index(drop=True)


def median_ms(fn: Callable[[], object], repeat: int) -> float:
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        fn()
        times.append(1000 * (time.perf_counter() - started))
    return statistics.median(times)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=lambda s: [int(x) for x in s.split(",")], default=[374, 10_000, 100_000])
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args(argv)
    rows = []
    for size in args.sizes:
        frame = survey_of(size)
        questions = sv.infer_questions(frame)
        steps = sv.default_funnel(frame, questions)
        by_kind = {q.kind: q for q in questions}
        size_column = questions[1].name
        awareness = questions[2]
        cases: dict[str, Callable[[], object]] = {
            "infer_questions": lambda f=frame: sv.infer_questions(f),
            "shares (multi)": lambda f=frame, q=by_kind["multi"]: sv.shares(f, q),
            "default_funnel": lambda f=frame, q=questions: sv.default_funnel(f, q),
            "funnel (3 steps)": lambda f=frame, s=steps, q=questions: sv.funnel(f, s, questions=q),
            "crosstab": lambda f=frame, q=awareness, c=size_column, qs=questions: sv.crosstab(f, q, c, questions=qs),
            "likert": lambda f=frame, q=by_kind["likert"]: sv.likert(f, q),
            "nps": lambda f=frame, q=by_kind["nps"]: sv.nps(f, q),
            "report_section": lambda f=frame: sv.report_section(Datasets(survey=f), as_of=None),
        }
        for name, fn in cases.items():
            rows.append({"respondents": size, "analysis": name, "median_ms": median_ms(fn, args.repeat)})
    table = pd.DataFrame(rows).pivot(index="analysis", columns="respondents", values="median_ms")
    table = table.loc[list(dict.fromkeys(r["analysis"] for r in rows))]
    print(f"median of {args.repeat} runs, milliseconds")
    print(table.round(1).to_string())
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
