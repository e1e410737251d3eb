"""Overview: what is loaded and where to go next."""

import streamlit as st

from ui.components import page_header
from ui.i18n import t
from ui.navigation import PAGES
from ui.state import as_of, current_datasets

page_header("overview")
datasets = current_datasets()
st.caption(t("overview.as_of", date=as_of().isoformat(), source=t(f"common.source_{datasets.source}")))

st.subheader(t("overview.datasets_heading"))
counts = datasets.row_counts()
for column, kind in zip(st.columns(len(counts) or 1), counts):
    column.metric(t(f"common.dataset_{kind}"), t("common.rows", n=counts[kind]), border=True)

analyses = [spec for spec in PAGES if spec.namespace not in ("overview", "data")]
if analyses:
    st.subheader(t("overview.analyses_heading"))
    for spec in analyses:
        st.page_link(spec.path, label=t(f"{spec.namespace}.page_title"), icon=spec.icon)
        st.caption(t(f"{spec.namespace}.intro"))
st.page_link("pages/data.py", label=t("overview.go_data"), icon=":material/upload_file:")
