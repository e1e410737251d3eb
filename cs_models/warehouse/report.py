"""The report of warehouse tables: ``python -m cs_models report --db URL --table KIND=SCHEMA.TABLE ...``.

Per-customer and per-ticket tables come back as canonical frames (one row each, under the row
limit) and feed the analyses unchanged; the events never leave the database: the cohort table
and the revenue movements are computed there (:mod:`cs_models.warehouse.cohorts`,
:mod:`cs_models.warehouse.revenue`) and only their cells come back.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date
from typing import Any

import pandas as pd

from cs_models.cohorts.report import table_section
from cs_models.datasets import DATASET_KINDS, DATE_COLUMNS, Datasets
from cs_models.errors import CSLensError, DataError
from cs_models.findings import Finding, ranked
from cs_models.ids import align_ids
from cs_models.results import jsonable
from cs_models.revenue import section as revenue_section
from cs_models.schema import ColumnMapping
from cs_models.warehouse.cohorts import cohort_table_sql
from cs_models.warehouse.connection import DEFAULT_MAX_ROWS, Warehouse, connect, redact
from cs_models.warehouse.mapping import canonical_frame, column, suggest
from cs_models.warehouse.revenue import revenue_movements_sql

#: Report sections computed in the database from the events.
SQL_SECTIONS = ("cohorts", "revenue")


def parse_tables(specs: Sequence[str]) -> dict[str, str]:
    """``["events=public.events", ...]`` as ``{"events": "public.events"}``.

    Parameters
    ----------
    specs : sequence of str
        ``KIND=SCHEMA.TABLE`` items.

    Returns
    -------
    dict
        Kind -> table reference.

    Raises
    ------
    DataError
        ``warehouse_bad_table`` for an item without ``=`` or of an unknown kind.
    """
    out: dict[str, str] = {}
    for spec in specs:
        kind, eq, ref = spec.partition("=")
        if not eq or kind not in DATASET_KINDS or not ref:
            raise DataError("warehouse_bad_table", f"expected KIND=SCHEMA.TABLE with a kind of {DATASET_KINDS}: "
                            f"{spec!r}", table=spec)
        out[kind] = ref
    return out


def load(wh: Warehouse, mappings: Mapping[str, ColumnMapping] | None = None) -> tuple[Datasets, dict[str, Any]]:
    """The per-row datasets of the warehouse (every kind but events) and the mapping of each table.

    Parameters
    ----------
    wh : Warehouse
        The connection and its tables.
    mappings : mapping of kind -> ColumnMapping, optional
        Saved mappings; the others are suggested from the column names.

    Returns
    -------
    tuple
        The datasets (``source="warehouse"``, origins = table references) and ``{kind: mapping}``.
    """
    fitted = {kind: (mappings or {}).get(kind) or suggest(wh, kind) for kind in wh.tables}
    frames = {kind: canonical_frame(wh, kind, fitted[kind]) for kind in wh.tables if kind != "events"}
    # one set of customer ID categories, as an upload of the same tables gives (cs_models.ids)
    return Datasets(**align_ids(frames), source="warehouse", origins=dict(wh.tables)), fitted


def latest_date(wh: Warehouse, datasets: Datasets, events: ColumnMapping | None) -> date | None:
    """The default as-of date: the latest date of the loaded frames and of the events table.

    Parameters
    ----------
    wh : Warehouse
        The connection.
    datasets : Datasets
        The frames already loaded.
    events : ColumnMapping, optional
        The events mapping (``None`` without events).

    Returns
    -------
    date or None
        As :meth:`cs_models.datasets.Datasets.latest_date` would give with the events loaded.
    """
    dates = [d for d in [datasets.latest_date()] if d is not None]
    if events is not None and DATE_COLUMNS["events"][0] in events.fields:
        table = wh.table("events")
        value = wh.scalar(column(table, events.fields["date"], "date").max())
        if value is not None:
            dates.append(pd.Timestamp(value).date())
    return max(dates) if dates else None


def _sql_sections(wh: Warehouse, mappings: dict[str, Any], datasets: Datasets, as_of: date,
                  options: Mapping[str, Any]) -> dict[str, dict[str, Any]]:
    """The cohorts and revenue sections, computed in the database (an error section on bad data)."""
    segment = options.get("segment")
    customers = datasets.customers
    if segment is not None and (customers is None or segment not in customers.columns):
        segment = None
    builders = {
        "cohorts": lambda: table_section(cohort_table_sql(wh, as_of=as_of, segment=segment, mappings=mappings)),
        "revenue": lambda: revenue_section(revenue_movements_sql(wh, as_of, mapping=mappings["events"])),
    }
    out = {}
    for name, build in builders.items():
        try:
            out[name] = build()
        except DataError as exc:
            out[name] = {"error": exc.to_dict()}
    if "amount" not in mappings["events"].fields:
        out.pop("revenue")
    return out


def warehouse_report(wh: Warehouse, *, as_of: date | None = None, lang: str = "ja",
                     mappings: Mapping[str, ColumnMapping] | None = None, **options: Any) -> tuple[
                         dict[str, Any], Datasets, date]:
    """The report of the warehouse tables, in the shape of :func:`cs_models.report.datasets_report`.

    Parameters
    ----------
    wh : Warehouse
        The connection and its tables.
    as_of : date, optional
        As-of date; the latest date in the tables when omitted.
    lang : {"ja", "en"}
        Language of the findings' text.
    mappings : mapping of kind -> ColumnMapping, optional
        Saved column mappings.
    **options
        Analysis options (``segment``, ``covariates``, ...).

    Returns
    -------
    tuple
        The JSON-ready report, the per-row datasets and the as-of date used.
    """
    from cs_models.report import SECTION_MODULES, analysis_sections, check_columns

    datasets, fitted = load(wh, mappings)
    as_of = as_of or latest_date(wh, datasets, fitted.get("events")) or date.today()
    options = {k: v for k, v in options.items() if v is not None}
    check_columns(datasets, [options["segment"]] if "segment" in options else [])
    check_columns(datasets, options.get("covariates", []))
    sections, findings = analysis_sections(datasets, as_of=as_of, **options)
    if wh.has("events"):
        for name, section in _sql_sections(wh, fitted, datasets, as_of, options).items():
            findings.extend(section.pop("findings", None) or [])
            sections[name] = jsonable(section)
    counts = datasets.row_counts()
    if wh.has("events"):
        counts["events"] = int(wh.scalar(wh.table("events").count()))
    out: dict[str, Any] = {"as_of": as_of.isoformat(), "source": wh.name, "tables": dict(wh.tables),
                           "mappings": {k: m.to_dict() for k, m in fitted.items()}, "datasets": counts}
    if options:
        out["options"] = jsonable(options)
    out.update({name: sections[name] for name in SECTION_MODULES if name in sections})
    out["findings"] = [f.to_dict(lang) for f in ranked(_findings(findings))]
    return jsonable(out), datasets, as_of


def _findings(items: list[Any]) -> list[Finding]:
    return [f for f in items if isinstance(f, Finding)]


def run(url: str | None, tables: Sequence[str], *, max_rows: int = DEFAULT_MAX_ROWS,
        **kwargs: Any) -> tuple[dict[str, Any], Datasets, date]:
    """Connect, report and disconnect: what the command line calls.

    Parameters
    ----------
    url : str, optional
        The database URL (else the ``CS_LENS_DB_URL`` environment variable).
    tables : sequence of str
        ``KIND=SCHEMA.TABLE`` items.
    max_rows : int
        Row limit of every query.
    **kwargs
        Passed to :func:`warehouse_report`.

    Returns
    -------
    tuple
        As :func:`warehouse_report`.

    Raises
    ------
    DataError
        ``warehouse_no_tables`` without tables, ``warehouse_query_failed`` for a driver error
        (password masked), and the analyses' own errors.
    """
    refs = parse_tables(tables)
    if not refs:
        raise DataError("warehouse_no_tables", "give at least one --table KIND=SCHEMA.TABLE")
    with connect(url, tables=refs, max_rows=max_rows) as wh:
        try:
            return warehouse_report(wh, **kwargs)
        except CSLensError:
            raise
        except Exception as exc:  # noqa: BLE001 - a driver error (permissions, types) as a coded message
            raise DataError("warehouse_query_failed", redact(f"{type(exc).__name__}: {exc}", url),
                            source=wh.name) from None
