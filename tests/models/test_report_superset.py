"""The report of the sample files says at least everything it said before the refactoring.

``reference/report_sample_ja.json`` was written by the report command of commit e6605e6
(before the shared results layer) with::

    python -m cs_models report sample_data/ja/customers.csv sample_data/ja/events.csv \\
        sample_data/ja/survey.csv sample_data/ja/gaps.csv --as-of 2026-10-31 --segment プラン \\
        --format json

Every key and value there must still be in today's report (new keys may be added). The Cox
model's default columns have since grown to the segment columns as well (one default for page,
story and report: ``survival.default_covariates``), so the comparison passes the numeric columns
that were the default then.
"""

from __future__ import annotations

import json
import math
from datetime import date
from pathlib import Path
from typing import Any

from cs_models.report import build_report
from cs_models.sample import SAMPLE_DIR, load_sample
from cs_models.survival import covariate_columns

REFERENCE = Path(__file__).parent / "reference" / "report_sample_ja.json"
FILES = ("customers.csv", "events.csv", "survey.csv", "gaps.csv")


def missing(old: Any, new: Any, path: str = "$") -> list[str]:
    """Paths where ``new`` lacks or changes what ``old`` says (floats compared to 1e-9 relative)."""
    if isinstance(old, dict):
        if not isinstance(new, dict):
            return [f"{path}: not an object"]
        out = []
        for key, value in old.items():
            out += [f"{path}.{key}: missing"] if key not in new else missing(value, new[key], f"{path}.{key}")
        return out
    if isinstance(old, list):
        if not isinstance(new, list) or len(new) != len(old):
            return [f"{path}: list differs in length"]
        return [p for i, (a, b) in enumerate(zip(old, new, strict=True)) for p in missing(a, b, f"{path}[{i}]")]
    if isinstance(old, float) and isinstance(new, int | float) and not isinstance(new, bool):
        return [] if math.isclose(old, new, rel_tol=1e-9, abs_tol=1e-12) else [f"{path}: {old} -> {new}"]
    return [] if old == new else [f"{path}: {old!r} -> {new!r}"]


def test_report_of_the_sample_is_a_superset_of_the_stored_copy():
    files = [(name, (SAMPLE_DIR / "ja" / name).read_bytes()) for name in FILES]
    numeric = covariate_columns(load_sample("ja").customers)  # the default of e6605e6
    report = build_report(files, as_of=date(2026, 10, 31), segment="プラン", covariates=numeric)
    old = json.loads(REFERENCE.read_text(encoding="utf-8"))
    assert missing(old, json.loads(json.dumps(report))) == []
