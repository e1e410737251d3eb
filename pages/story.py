"""Story: the key findings of the loaded data, one chart and one sentence per step (``/story?step=N``)."""

import streamlit as st

from cs_models.charts.theme import legend_beside
from cs_models.story import build_story
from ui.caching import cached
from ui.components import md_escape, page_header, show_chart, show_findings
from ui.i18n import current_lang, t
from ui.state import as_of, current_datasets
from ui.url_state import url_widget

STEP_KEY = "step"
#: Height (px) of a step's chart: with the page's header it fits a 720 px high projector screen.
CHART_HEIGHT = 420


def move(by: int, total: int) -> None:
    """Previous / Next: one step back or forward, kept inside the story."""
    st.session_state[STEP_KEY] = min(max(int(st.session_state.get(STEP_KEY, 1)) + by, 1), total)


page_header("story")
story = cached(build_story)(current_datasets(), as_of=as_of(), lang=current_lang())
total = len(story.steps)
if not total:
    st.info(t("story.none"))
else:
    numbers = list(range(1, total + 1))
    back, picker, forward = st.columns([1, 4, 1], vertical_alignment="center")
    # the buttons change the step before the picker below is drawn (callbacks run first)
    back.button(t("story.previous"), icon=":material/arrow_back:", key="story_previous", shortcut="ArrowLeft",
                on_click=move, args=(-1, total), width="stretch")
    forward.button(t("story.next"), icon=":material/arrow_forward:", icon_position="right", key="story_next",
                   shortcut="ArrowRight", on_click=move, args=(1, total), width="stretch")
    with picker:
        number = url_widget(st.segmented_control, t("story.picker"), numbers, key=STEP_KEY, default=1,
                            keep_default=True, label_visibility="collapsed", required=True, format_func=str)
    number = number if number in numbers else 1
    step = story.steps[number - 1]
    # the sentence beside its chart, so that a step fits one projector screen (1280×720) unscrolled
    words, picture = st.columns([1, 2])
    with words:
        st.caption(t("story.position", step=number, total=total))
        if step.findings:
            show_findings(step.findings[:1])
        else:
            st.info(step.sentence(current_lang()), icon=":material/info:")
        if len(step.findings) > 1:
            with st.expander(t("story.more_findings")):
                show_findings(step.findings[1:])
    with picture:
        legend_beside(step.figure).update_layout(height=CHART_HEIGHT)
        show_chart(step.figure, key=f"story_chart_{step.key}")

if story.skipped:
    st.subheader(t("story.skipped_heading"))
    for key, reason in story.skipped:
        st.caption(t("story.skipped_item", step=md_escape(t(f"story.step_{key}")), reason=t(f"story.reason_{reason}")))
