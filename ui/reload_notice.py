"""What a reload does to uploaded data, said instead of hidden.

Uploaded files live in the browser session's server-side state only (confidential data are never
kept beyond it), so reloading the page starts a new session that has none. While a session uses
uploaded data the URL carries ``?data=upload``; a new session that finds this marker but has no
upload shows, on every page, that the uploaded data were not kept and the sample is shown, with a
link to the Data page, and the sidebar says which data are shown. Going back to the sample (the
Data page's button, the sidebar's choice, or this notice's own button) removes the marker.
"""

from __future__ import annotations

import streamlit as st

from ui.i18n import t
from ui.state import SOURCE_KEY, uploaded_datasets
from ui.url_state import write_to_url

#: URL parameter and its value while a session shows uploaded data.
PARAM = "data"
UPLOAD = "upload"
#: Session-state key: this session was opened with the marker but has no upload.
DROPPED_KEY = "_upload_dropped"


def sync_marker() -> bool:
    """Keep the URL's marker in step with the data shown; return whether the upload was dropped.

    Call once per run, before the sidebar is drawn. A session that uploaded data and shows them
    writes the marker; one that went back to the sample removes it; a new session (no upload,
    no data source chosen yet) that finds it remembers that its upload was dropped and keeps the
    marker, so a further reload still says so.

    Returns
    -------
    bool
        ``True`` while this session shows the sample in place of a dropped upload.
    """
    uploaded = uploaded_datasets() is not None
    if uploaded:
        st.session_state.pop(DROPPED_KEY, None)
        showing_upload = st.session_state.get(SOURCE_KEY, UPLOAD) == UPLOAD
        write_to_url(PARAM, UPLOAD if showing_upload else None)
        return False
    if st.session_state.get(DROPPED_KEY):
        write_to_url(PARAM, UPLOAD)
        return True
    if st.query_params.get(PARAM) == UPLOAD and SOURCE_KEY not in st.session_state:
        st.session_state[DROPPED_KEY] = True
        return True
    write_to_url(PARAM, None)
    return False


def keep_sample() -> None:
    """Button callback: carry on with the sample data (the notice and the marker go)."""
    st.session_state.pop(DROPPED_KEY, None)
    st.session_state[SOURCE_KEY] = "sample"
    st.query_params.pop(PARAM, None)


def show_notice() -> None:
    """The warning at the top of every page while the upload is dropped (see :func:`sync_marker`)."""
    if not st.session_state.get(DROPPED_KEY):
        return
    with st.container(key="reload_notice"):
        st.warning(t("reload.notice"), icon=":material/cloud_off:")
        with st.container(horizontal=True, vertical_alignment="center"):
            st.page_link("pages/data.py", label=t("reload.go_data"), icon=":material/upload_file:")
            st.button(t("reload.keep_sample"), key="reload_keep_sample", icon=":material/check:",
                      on_click=keep_sample)


def sidebar_caption() -> str:
    """The sidebar's words for the data shown when nothing is uploaded in this session."""
    return t("reload.sidebar_dropped") if st.session_state.get(DROPPED_KEY) else t("common.using_sample")
