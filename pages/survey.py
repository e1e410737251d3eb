"""Survey results: one question at a time, a funnel across questions, and a crosstab by segment."""

from __future__ import annotations

import streamlit as st

from cs_models import survey as sv
from cs_models.errors import CSLensError
from ui import survey_view as view
from ui.caching import cached
from ui.components import page_header, require_dataset, show_error
from ui.i18n import t
from ui.url_state import url_widget

page_header("survey")
frame = require_dataset("survey")
method, reference = view.options_panel()

try:
    inferred = cached(sv.infer_questions)(frame)
except CSLensError as exc:
    show_error(exc)
    st.stop()
if not inferred:
    st.info(t("survey.no_questions"))
    st.stop()
if "weight" in frame:
    st.caption(t("survey.weighted_note"))
view.question_overview(frame, inferred)

# --- one question -------------------------------------------------------------------
st.header(t("survey.question_heading"))
funnel_default = cached(sv.default_funnel)(frame, inferred)
names = [q.name for q in inferred]
left, right = st.columns([3, 1])
with left:
    q_index = url_widget(
        st.selectbox,
        t("survey.question"),
        list(range(len(inferred))),
        key="survey_q",
        default=names.index(funnel_default[0].question) if funnel_default else 0,
        format_func=lambda i: names[i],
    )
with right:
    kind = url_widget(
        st.selectbox,
        t("survey.kind"),
        sv.QUESTION_KINDS,
        key=f"survey_kind_{q_index}",
        default=inferred[q_index].kind,
        format_func=lambda k: t(f"survey.kind_{k}"),
        help=t("survey.kind_help"),
    )
try:
    overrides = {names[q_index]: kind} if kind != inferred[q_index].kind else None
    questions = cached(sv.infer_questions)(frame, overrides)
except CSLensError as exc:
    show_error(exc)
    questions = inferred
question = questions[q_index]
st.caption(t("survey.kind_caption", kind=t(f"survey.kind_{question.kind}")))
view.question_block(frame, question, q_index, funnel_default, method, reference)

view.funnel_section(frame, questions, names, funnel_default, method)
view.crosstab_section(frame, questions, names, question, q_index)
st.caption(t("survey.method_note", method=t(f"survey.method_{method}"), limit=sv.SMALL_BASE))
