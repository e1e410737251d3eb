"""Cohort retention tables that never lie about immature cohorts.

The package, by concept:

- :mod:`~cs_models.cohorts.periods`: period indices, starts and labels;
- :mod:`~cs_models.cohorts.raw`: cell sums from events or contract dates;
- :mod:`~cs_models.cohorts.table`: :func:`cohort_table` and :class:`CohortTable`;
- :mod:`~cs_models.cohorts.findings`: :func:`findings` (what the table means);
- :mod:`~cs_models.cohorts.report`: :func:`build` over datasets and :func:`report_section`.

``from cs_models.cohorts import X`` keeps working for every public name.
"""

from __future__ import annotations

from cs_models.cohorts.findings import (
    READING_HORIZON,
    TEST_HORIZON,
    cohort_tests,
    example_cohort,
    findings,
    reading_period,
    segment_extremes,
)
from cs_models.cohorts.periods import period_index, period_label, period_start
from cs_models.cohorts.raw import DENSE_CELLS
from cs_models.cohorts.report import (
    MAX_SEGMENT_LEVELS,
    NOT_SEGMENTS,
    available_metrics,
    build,
    default_source,
    report_section,
    segments,
)
from cs_models.cohorts.table import (
    METRICS,
    MIN_BASE,
    MODES,
    PERIODS,
    SOURCES,
    WEIGHTINGS,
    CohortTable,
    cohort_table,
)
from cs_models.errors import DataError  # noqa: F401 - tests and callers catch it from here

__all__ = [
    "DENSE_CELLS",
    "MAX_SEGMENT_LEVELS",
    "METRICS",
    "MIN_BASE",
    "MODES",
    "NOT_SEGMENTS",
    "PERIODS",
    "READING_HORIZON",
    "SOURCES",
    "TEST_HORIZON",
    "WEIGHTINGS",
    "CohortTable",
    "available_metrics",
    "build",
    "cohort_table",
    "cohort_tests",
    "default_source",
    "example_cohort",
    "findings",
    "period_index",
    "period_label",
    "period_start",
    "reading_period",
    "report_section",
    "segment_extremes",
    "segments",
]
