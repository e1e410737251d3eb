"""Session state: the current datasets, the as-of date and the presentation flag.

Pages never care where data came from: they ask :func:`current_datasets`.
Uploaded data live in this session only; the sample data are shared read-only.
"""

from __future__ import annotations

import weakref
from datetime import date

import pandas as pd
import streamlit as st

from cs_models.datasets import Datasets
from cs_models.filters import SegmentFilter
from cs_models.sample import load_sample
from cs_models.warehouse import spill
from ui.caching import SOURCE_KEY, UPLOADED_KEY, cache_resource, latest_date, remember_digests
from ui.i18n import current_lang

AS_OF_KEY = "as_of"
PRESENT_KEY = "present"
#: Session-state key of the sidebar's :class:`~cs_models.filters.SegmentFilter` (set by ``ui.filters``).
FILTER_KEY = "segment_filter"
#: Session-state key of ``(datasets, filter, filtered datasets)``: the last filtering, kept for reruns.
FILTERED_KEY = "_filtered_datasets"
#: Session-state key of ``(weak reference to the uploaded events, its Spill or None)``: the
#: :class:`~cs_models.warehouse.spill.Spill` of this session's large uploaded events (its private folder is
#: removed when the session's state is dropped), ``None`` when they are small or could not be written.
SPILL_KEY = "_spilled_events"


@cache_resource(show_spinner=False)
def sample_datasets(lang: str) -> Datasets:
    """The bundled sample data in ``lang``: one read-only object shared by every session, its
    frames hashed once (cache keys of the analyses then cost nothing on a rerun)."""
    return remember_digests(load_sample(lang))


def uploaded_datasets() -> Datasets | None:
    """The datasets this session uploaded, if any."""
    return st.session_state.get(UPLOADED_KEY)


def set_uploaded(datasets: Datasets | None) -> None:
    """Make ``datasets`` this session's current data (``None`` goes back to the sample)."""
    _drop_spill()  # the previous upload's Parquet goes with it
    if datasets is None:
        st.session_state.pop(UPLOADED_KEY, None)
        st.session_state[SOURCE_KEY] = "sample"
    else:
        st.session_state[UPLOADED_KEY] = remember_digests(datasets)
        st.session_state[SOURCE_KEY] = "upload"
    # the new data have their own latest date: forget the old as-of date (state and URL)
    st.session_state.pop(AS_OF_KEY, None)
    st.query_params.pop(AS_OF_KEY, None)


def unfiltered_datasets() -> Datasets:
    """The loaded datasets before the sidebar's filter: the upload when chosen, else the sample."""
    uploaded = uploaded_datasets()
    if uploaded is not None and st.session_state.get(SOURCE_KEY, "upload") == "upload":
        return uploaded
    return sample_datasets(current_lang())


def segment_filter() -> SegmentFilter:
    """The sidebar's segment filter (empty when none is chosen)."""
    chosen = st.session_state.get(FILTER_KEY)
    return chosen if isinstance(chosen, SegmentFilter) else SegmentFilter()


def filtered_datasets(datasets: Datasets, chosen: SegmentFilter) -> Datasets:
    """``chosen.apply(datasets)``, made once per data and filter in this session, its frames hashed
    once (so the cache keys of a rerun cost nothing), and never shared with another session."""
    memo = st.session_state.get(FILTERED_KEY)
    if memo is not None and memo[0] is datasets and memo[1] == chosen:
        return memo[2]
    filtered = remember_digests(chosen.apply(datasets))
    st.session_state[FILTERED_KEY] = (datasets, chosen, filtered)
    return filtered


def current_datasets() -> Datasets:
    """The datasets every page analyses: the upload when chosen, else the sample, with the
    sidebar's segment filter applied (so every page is filtered without knowing it)."""
    datasets, chosen = unfiltered_datasets(), segment_filter()
    return filtered_datasets(datasets, chosen) if chosen else datasets


def spilled_events() -> spill.SpilledEvents | None:
    """This session's uploaded events as Parquet when they are large and are the data shown: written
    (or found unwritable) once per upload (:func:`cs_models.warehouse.spill.spill_for` decides), in a
    folder that goes with the session."""
    uploaded = uploaded_datasets()
    if uploaded is None or unfiltered_datasets() is not uploaded or uploaded.events is None:
        return None
    known = st.session_state.get(SPILL_KEY)
    if isinstance(known, tuple) and known[0]() is uploaded.events:
        return known[1].events if known[1] is not None and known[1].holds(uploaded.events) else None
    _drop_spill()  # another upload's: its folder goes now
    owner = spill.spill_for(uploaded.events)
    st.session_state[SPILL_KEY] = (weakref.ref(uploaded.events), owner)
    return None if owner is None else owner.events


def _drop_spill() -> None:
    known = st.session_state.pop(SPILL_KEY, None)
    if isinstance(known, tuple) and isinstance(known[1], spill.Spill):
        known[1].close()


def events_engine() -> tuple[spill.SpilledEvents | None, pd.DataFrame | None]:
    """The spilled events and the customers a segment filter keeps, for
    :func:`~cs_models.warehouse.spill.cohort_table_for` and :func:`~cs_models.warehouse.spill.movements_for`."""
    chosen = segment_filter()
    return spill.route(spilled_events(), chosen, unfiltered_datasets(), current_datasets())


def as_of() -> date:
    """The as-of date: active customers are censored here; later periods are immature.
    (From the unfiltered data, so that choosing a filter never moves it.)"""
    latest = latest_date(unfiltered_datasets())
    chosen = st.session_state.get(AS_OF_KEY)
    if isinstance(chosen, date):
        return min(chosen, latest) if latest else chosen
    return latest or date.today()


def presentation() -> bool:
    """Whether presentation mode (large type for projectors) is on (session, else the link's ``?present=1``)."""
    if PRESENT_KEY in st.session_state:
        return bool(st.session_state[PRESENT_KEY])
    return st.query_params.get(PRESENT_KEY) == "1"
