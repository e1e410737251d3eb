"""The Data page's "Warehouse" section: tables of the database configured in secrets, their column
mapping, and loading them (the per-row tables become the session's data; cohorts and revenue
movements are computed in the database and shown with the report download)."""

from __future__ import annotations

import json
from typing import Any

import pandas as pd
import streamlit as st

from cs_models.datasets import DATASET_KINDS
from cs_models.errors import CSLensError
from cs_models.schema import ColumnMapping
from ui.components import show_error
from ui.i18n import current_lang, t
from ui.state import set_uploaded

#: Dataset kinds offered for a table (the events stay in the database).
KINDS = ("events", "customers", "tickets")
RESULT_KEY = "warehouse_result"


def warehouse_url() -> str | None:
    """``[connections.warehouse] url`` from ``.streamlit/secrets.toml``, or ``None``."""
    try:
        section: Any = st.secrets.get("connections", {})
        url = section.get("warehouse", {}).get("url")
    except (FileNotFoundError, KeyError, AttributeError, st.errors.StreamlitSecretNotFoundError):
        return None
    return str(url) if url else None


def _choose_tables(tables: list[str]) -> dict[str, str]:
    """A select box per dataset kind; the kinds given a table."""
    none = t("warehouse.no_table")
    columns = st.columns(len(KINDS))
    chosen = {}
    for column, kind in zip(columns, KINDS, strict=True):
        default = tables.index(kind) + 1 if kind in tables else 0
        ref = column.selectbox(t(f"warehouse.kind_{kind}"), [none, *tables], index=default, key=f"warehouse_{kind}")
        if ref != none:
            chosen[kind] = ref
    return chosen


def _mapping_frame(mappings: dict[str, ColumnMapping]) -> pd.DataFrame:
    rows = [{t("warehouse.col_kind"): t(f"warehouse.kind_{kind}"), t("warehouse.col_field"): field,
             t("warehouse.col_column"): column}
            for kind, mapping in mappings.items() for field, column in mapping.fields.items()]
    return pd.DataFrame(rows)


def _load(url: str, chosen: dict[str, str]) -> None:
    from cs_models.warehouse.report import run

    report, datasets, _ = run(url, [f"{k}={v}" for k, v in chosen.items()], lang=current_lang())
    if datasets.available():
        set_uploaded(datasets)
    st.session_state[RESULT_KEY] = report


def _show_result(report: dict[str, Any]) -> None:
    cohorts, revenue = report.get("cohorts") or {}, report.get("revenue") or {}
    cols = st.columns(3)
    cols[0].metric(t("warehouse.metric_events"), f"{report['datasets'].get('events', 0):,}")
    cols[1].metric(t("warehouse.metric_cohort_customers"), f"{sum((cohorts.get('sizes') or {}).values()):,}")
    months = revenue.get("months") or []
    cols[2].metric(t("warehouse.metric_mrr"), f"{months[-1]['end_mrr']:,.0f}" if months else "—")
    st.download_button(t("warehouse.download"), json.dumps(report, ensure_ascii=False, indent=2),
                       file_name="cs_lens_warehouse_report.json", mime="application/json", key="warehouse_download")


def render_warehouse() -> None:
    """The section (nothing when no warehouse is configured)."""
    url = warehouse_url()
    if url is None:
        return
    from cs_models.warehouse.connection import connect, redact
    from cs_models.warehouse.mapping import suggest

    st.divider()
    st.header(t("warehouse.title"), anchor=False)
    st.caption(t("warehouse.help", source=redact(url)))
    try:
        with connect(url) as wh:
            tables = wh.list_tables()
        chosen = _choose_tables(tables)
        if not chosen:
            return
        with connect(url, tables=chosen) as wh:
            mappings = {kind: suggest(wh, kind) for kind in chosen if kind in DATASET_KINDS}
        st.dataframe(_mapping_frame(mappings), hide_index=True)
        if st.button(t("warehouse.load"), key="warehouse_load", type="primary"):
            with st.spinner(t("warehouse.loading")):
                _load(url, chosen)
    except CSLensError as exc:
        show_error(exc)
        return
    if RESULT_KEY in st.session_state:
        _show_result(st.session_state[RESULT_KEY])
