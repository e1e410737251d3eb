"""Cohort tables over loaded datasets: what the page, the overview card and the report call."""

from __future__ import annotations

from datetime import date
from typing import Any

import pandas as pd

from cs_models.cohorts.findings import findings
from cs_models.cohorts.raw import _isna
from cs_models.cohorts.table import METRICS, CohortTable, cohort_table
from cs_models.datasets import Datasets
from cs_models.errors import DataError
from cs_models.results import json_number, jsonable
from cs_models.stats import segment_columns

#: Customers-frame columns that are never segments.
NOT_SEGMENTS: tuple[str, ...] = ("customer_id", "start_date", "end_date", "mrr")
#: Most distinct values a segment column may have.
MAX_SEGMENT_LEVELS = 30


def segments(customers: pd.DataFrame | None) -> list[str]:
    """Customers columns usable as segments (text columns other than the canonical ones).

    Parameters
    ----------
    customers : DataFrame or None
        Canonical customers.

    Returns
    -------
    list of str
        Column names with 2 to :data:`MAX_SEGMENT_LEVELS` values, in frame order.
    """
    return segment_columns(customers, exclude=NOT_SEGMENTS, max_levels=MAX_SEGMENT_LEVELS)


def default_source(datasets: Datasets) -> str | None:
    """``"events"`` when events are loaded, else ``"customers"``, else ``None``.

    Parameters
    ----------
    datasets : Datasets
        The loaded data, of which only which frames are present matters.

    Returns
    -------
    str or None
        The source a cohort table is built from by default.
    """
    if datasets.events is not None:
        return "events"
    if datasets.customers is not None:
        return "customers"
    return None


def available_metrics(datasets: Datasets, source: str) -> tuple[str, ...]:
    """Metrics that the data support for ``source`` (revenue needs event amounts).

    Parameters
    ----------
    datasets : Datasets
        The loaded data; the events frame must have an ``amount`` column for revenue metrics.
    source : {"events", "customers"}
        Where the cohort table's activity would come from.

    Returns
    -------
    tuple of str
        All of :data:`~cs_models.cohorts.table.METRICS`, or only ``("logo",)``.
    """
    events = datasets.events
    if source == "events" and events is not None and "amount" in events.columns:
        return METRICS
    return ("logo",)


def build(datasets: Datasets, *, as_of: date | pd.Timestamp | str, source: str | None = None,
          **options: Any) -> CohortTable:
    """:func:`cohort_table` over a :class:`~cs_models.datasets.Datasets` (what page and report use).

    Parameters
    ----------
    datasets : Datasets
        The loaded data: its events (when the source is events) and customers are passed on.
    as_of : date-like
        The as-of date (inclusive).
    source : {"events", "customers"}, optional
        Where activity comes from; defaults to :func:`default_source`.
    **options
        Further keyword arguments of :func:`cohort_table` (``period``, ``mode``, ``metric``,
        ``segment``...).

    Returns
    -------
    CohortTable
        The cohort retention table.

    Raises
    ------
    DataError
        ``cohorts_no_events`` when neither events nor customers are loaded.
    """
    source = source or default_source(datasets)
    if source is None:
        raise DataError("cohorts_no_events", "neither events nor customers are loaded")
    return cohort_table(
        datasets.events if source == "events" else None,
        customers=datasets.customers,
        as_of=as_of,
        source=source,
        **options,
    )


def report_section(
    datasets: Datasets,
    *,
    as_of: date | pd.Timestamp | str,
    period: str = "month",
    mode: str = "classic",
    metric: str = "logo",
    source: str | None = None,
    segment: str | None = None,
    **_other_options: Any,
) -> dict[str, Any] | None:
    """The cohort table as JSON for ``python -m cs_models report``.

    Parameters
    ----------
    datasets : Datasets
        The loaded data.
    as_of : date-like
        The as-of date.
    period, mode, metric : str
        As in :func:`cohort_table`.
    source : {"events", "customers"}, optional
        As in :func:`cohort_table` (``source`` defaults to events when loaded).
    segment : str, optional
        A customers column: adds ``"segments"`` (average curve per value) when it exists.
    **_other_options
        Options of other sections (e.g. ``covariates``), ignored.

    Returns
    -------
    dict or None
        ``{"period", "mode", "metric", "source", "as_of", "sizes": {cohort: n},
        "retention": {cohort: [r0, r1, …, None for immature]}, "average": [...],
        "notes": [...], "alpha", "results": {"table"} (the complete :class:`CohortTable`),
        "findings": [Finding, ...]}`` (plus ``"segment"``/``"segments"``);
        ``None`` when neither
        events nor customers are loaded.
    """
    if default_source(datasets) is None:
        return None
    customers = datasets.customers
    if segment is not None and (customers is None or segment not in customers.columns):
        segment = None
    table = build(datasets, as_of=as_of, source=source, period=period, mode=mode, metric=metric,
                  segment=segment)
    return _section(table)


def table_section(table: CohortTable) -> dict[str, Any]:
    """The ``"cohorts"`` report section of a built table (from a frame or from SQL).

    Parameters
    ----------
    table : CohortTable
        The table.

    Returns
    -------
    dict
        As :func:`report_section` returns it.
    """
    return _section(table)


def _section(table: CohortTable) -> dict[str, Any]:
    """The JSON report section of a built cohort table (rates rounded to 6 decimals)."""
    section: dict[str, Any] = {
        "period": table.period,
        "mode": table.mode,
        "metric": table.metric,
        "source": table.source,
        "as_of": table.as_of.date().isoformat(),
        "sizes": {str(c): int(n) for c, n in table.sizes.items()},
        "retention": {
            str(cohort): [json_number(v, 6) for v in row]
            for cohort, row in zip(table.rates.index, table.rates.to_numpy(), strict=True)
        },
        "average": [json_number(v, 6) for v in table.average["weighted"]],
        "notes": list(table.notes),
    }
    if table.segment_average is not None:
        section["segment"] = table.segment
        section["segments"] = {
            ("" if _isna(value) else str(value)): [json_number(v, 6) for v in table.segment_average[value]]
            for value in table.segment_average.columns
        }
    section["alpha"] = table.alpha
    section["results"] = jsonable({"table": table})
    section["findings"] = findings(table)
    return section
