"""Data: which datasets are loaded, from where, their size and a preview."""

import streamlit as st

from ui.components import page_header
from ui.i18n import t
from ui.state import as_of, current_datasets

PREVIEW_ROWS = 200

page_header("data")
datasets = current_datasets()
st.markdown(t("data.summary", source=t(f"common.source_{datasets.source}"), date=as_of().isoformat()))
for kind in datasets.available():
    frame = datasets.get(kind)
    with st.expander(f"{t(f'common.dataset_{kind}')} — {t('common.rows', n=len(frame))}", expanded=False):
        st.caption(t("data.origin", file=datasets.origins.get(kind, "-"), columns=len(frame.columns)))
        st.dataframe(frame.head(PREVIEW_ROWS), hide_index=True, width="stretch")
        if len(frame) > PREVIEW_ROWS:
            st.caption(t("data.preview_note", n=PREVIEW_ROWS))
