"""The sidebar's segment filter: one multiselect per segment column of the customers, kept in the URL.

The chosen values become a :class:`cs_models.filters.SegmentFilter` in session state
(:data:`ui.state.FILTER_KEY`); :func:`ui.state.current_datasets` applies it, so every page,
card, the story and the report analyse the filtered data without knowing about it. Each
column's choice is in the URL as ``?f_<column code>=<value codes>`` (``?f_region=kanto``
for the sample), so a link reopens the filter in either language.
"""

from __future__ import annotations

import weakref

import pandas as pd
import streamlit as st

from cs_models.errors import DataError
from cs_models.filters import SegmentFilter
from cs_models.stats import NOT_SEGMENTS, segment_columns
from ui.components import md_escape, show_error
from ui.i18n import t
from ui.state import FILTER_KEY, unfiltered_datasets
from ui.url_state import url_code, url_widget

#: Prefix of the filter's URL parameters and widget keys.
PREFIX = "f_"


def filter_key(column: str) -> str:
    """Widget key and URL parameter of the filter on ``column`` (its language-neutral code)."""
    return PREFIX + url_code(column)


#: id(customers) -> (weak reference to the frame, its segment columns with their values as text).
_CHOICES: dict[int, tuple[weakref.ref[pd.DataFrame], dict[str, list[str]]]] = {}


def segment_choices(customers: pd.DataFrame | None) -> dict[str, list[str]]:
    """The segment columns of ``customers`` (as :func:`cs_models.stats.segment_columns` with
    :data:`~cs_models.stats.NOT_SEGMENTS`), each with its distinct values as sorted text.

    Found once per frame while it lives: the sidebar asks on every rerun of every page, and at
    1M customers the scan took a tenth of a second or more each time. The frames of loaded
    datasets are never modified (see :func:`ui.caching.remember_digests`).

    Parameters
    ----------
    customers : DataFrame or None
        The customers (``None``: no segments).

    Returns
    -------
    dict of str to list of str
        Column -> values, columns in frame order.
    """
    if customers is None:
        return {}
    key = id(customers)
    known = _CHOICES.get(key)
    if known is not None and known[0]() is customers:
        return known[1]
    choices = {column: sorted(customers[column].dropna().astype(str).unique())
               for column in segment_columns(customers, exclude=NOT_SEGMENTS)}
    _CHOICES[key] = (weakref.ref(customers, lambda _, key=key: _CHOICES.pop(key, None)), choices)
    return choices


def _clear(keys: list[str]) -> None:
    for key in keys:
        st.session_state[key] = []


def filter_widget() -> None:
    """Draw the filter (in the sidebar's current container) and store the chosen filter in session state."""
    datasets = unfiltered_datasets()
    customers = datasets.customers
    choices = segment_choices(customers)
    columns = list(choices)
    if customers is None or not columns:
        st.session_state[FILTER_KEY] = SegmentFilter()
        return
    keys = [filter_key(column) for column in columns]
    active = any(st.session_state.get(key) or st.query_params.get(key) for key in keys)
    with st.expander(t("filters.title"), icon=":material/filter_alt:", expanded=active):
        st.caption(t("filters.help"))
        chosen = {}
        for column, key in zip(columns, keys, strict=True):
            chosen[column] = url_widget(st.multiselect, md_escape(column), choices[column], key=key, default=[],
                                        placeholder=t("filters.placeholder"))
        segment_filter = SegmentFilter.of(chosen)
        try:
            segment_filter.validate(datasets)
        except DataError as exc:  # cannot happen with the offered values; never a traceback
            show_error(exc)
            segment_filter = SegmentFilter()
        st.session_state[FILTER_KEY] = segment_filter
        if segment_filter:
            st.button(t("filters.clear"), key="filter_clear", icon=":material/filter_alt_off:",
                      on_click=_clear, args=(keys,))
    if segment_filter:
        counts = segment_filter.counts(datasets)
        if counts is not None:
            st.caption(t("filters.kept", kept=counts[0], total=counts[1]))
        untouched = segment_filter.untouched(datasets)
        if untouched:
            st.caption(t("filters.untouched", kinds=t("filters.and").join(
                t(f"common.dataset_{kind}") for kind in untouched)))
