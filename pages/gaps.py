"""Expectation vs satisfaction: where customers are delighted or disappointed, and whether it drives churn."""

from __future__ import annotations

import streamlit as st

from cs_models import gaps
from cs_models.charts.gaps import dumbbell, gap_bars, importance_performance_map, share_bars
from cs_models.errors import CSLensError
from ui import gaps_view as view
from ui.caching import shared
from ui.components import download_table, page_header, require_dataset, show_error, show_shared_chart
from ui.i18n import t
from ui.url_state import url_widget

page_header("gaps")
frame = require_dataset("gaps")

settings = st.expander(t("gaps.settings"), icon=":material/tune:")
left, middle, right = settings.columns(3)
with left:
    layout = url_widget(
        st.selectbox, t("gaps.layout_label"), gaps.LAYOUTS, key="gaps_layout", default=view.LAYOUT,
        format_func=lambda code: t(f"gaps.layout_{code}"), help=t("gaps.layout_help"),
    )
with middle:
    scale = url_widget(
        st.selectbox, t("gaps.scale_label"), ("auto", *gaps.SCALES), key="gaps_scale", default=view.SCALE,
        format_func=lambda code: t(f"gaps.scale_{code.replace('-', '_')}"), help=t("gaps.scale_help"),
    )
with right:
    zero_method = url_widget(
        st.selectbox, t("gaps.zero_label"), gaps.ZERO_METHODS, key="gaps_zero", default=view.ZERO_METHOD,
        format_func=lambda code: t(f"gaps.zero_{code}"), help=t("gaps.zero_help"),
    )

try:
    answers, analysis, ipa, found = shared(gaps.analyse_table)(
        frame, layout=layout, scale=scale, zero_method=zero_method
    )
except CSLensError as exc:
    show_error(exc)
    st.stop()

view.show_answers(answers)
labels = view.chart_labels()
show_shared_chart(dumbbell, analysis, labels, scale=answers.scale, key="gaps_dumbbell",
                  title=t("gaps.overview_heading"))
view.show_of(found, "most_disappointing", "most_delighting", "no_clear_gap")
view.show_notes(analysis)

show_shared_chart(gap_bars, analysis, labels, key="gaps_bars", title=t("gaps.gaps_heading"))
st.caption(t("gaps.gaps_caption", items=len(answers.items)))

show_shared_chart(share_bars, analysis, labels, key="gaps_shares", title=t("gaps.shares_heading"))
st.caption(t("gaps.shares_caption"))

show_shared_chart(importance_performance_map, ipa, labels, key="gaps_ipa", title=t("gaps.ipa_heading"))
st.caption(t(f"gaps.ipa_caption_{ipa.importance_source}"))
view.show_of(found, "priority_item")
ipa_table = ipa.items.assign(quadrant=ipa.items["quadrant"].map(lambda q: t(f"gaps.quadrant_{q}")))
ipa_table = ipa_table.rename(columns={c: t(f"gaps.col_{c}") for c in ipa_table.columns})
ipa_table.index.name = t("gaps.col_item")
download_table(ipa_table, "gaps_importance_performance")

if answers.segments:
    view.show_segments(frame, layout, scale, analysis, answers.segments, labels)

view.show_churn(frame, answers, layout, scale, labels)

st.subheader(t("gaps.table_heading"))
view.show_items(analysis)
with st.expander(t("gaps.method_heading")):
    st.markdown(t("gaps.method", zero=t(f"gaps.zero_{zero_method}")))
