"""Overview: the few numbers that matter, one card per analysis, then what is loaded."""

import importlib

import streamlit as st

from cs_models.errors import CSLensError
from ui.components import equal_row, page_header, show_error, show_unexpected_error
from ui.i18n import t
from ui.navigation import PAGES
from ui.report_button import report_download
from ui.state import as_of, current_datasets

page_header("overview")
datasets = current_datasets()
st.caption(t("overview.as_of", date=as_of().isoformat(), source=t(f"common.source_{datasets.source}")))
report_slot = st.container()  # filled last: the cards are drawn before the report is built
st.page_link("pages/story.py", label=t("overview.open_story"), icon=":material/slideshow:")

analyses = [spec for spec in PAGES if spec.card]
for row in range(0, len(analyses), 2):
    pair = analyses[row : row + 2]
    # two cards of equal width side by side in one layout block (st.columns(2) costs three); a lone
    # last card keeps its half in columns
    slots = [equal_row(f"cards_{row}")] * 2 if len(pair) == 2 else st.columns(2)
    for slot, spec in zip(slots, pair, strict=False):
        with slot.container(border=True):
            st.subheader(t(f"{spec.namespace}.page_title"))
            try:  # one failing card must not take the others down
                importlib.import_module(f"ui.cards.{spec.namespace}").render()
            except CSLensError as exc:
                show_error(exc)
            except Exception as exc:  # noqa: BLE001 - the card's error boundary
                show_unexpected_error(exc)
            st.page_link(spec.path, label=t("overview.open_page"), icon=":material/arrow_forward:")

st.subheader(t("overview.datasets_heading"))
counts = datasets.row_counts()
# at most four per row, so the counts are never cut off; one set of four columns for every row
# (a second st.columns row would cost five more layout blocks per session and look the same)
count_columns = st.columns(4)
for number, kind in enumerate(counts):
    count_columns[number % 4].metric(t(f"common.dataset_{kind}"), t("common.rows", n=counts[kind]))
st.page_link("pages/data.py", label=t("overview.go_data"), icon=":material/upload_file:")

with report_slot:
    report_download()
