"""URL-bound widgets: values come from the link, go back to the link, and survive bad input."""

from __future__ import annotations

from streamlit.testing.v1 import AppTest


def _script():
    import streamlit as st

    from ui.url_state import url_widget

    url_widget(st.selectbox, "metric", ["logo", "nrr", "grr"], key="metric", default="logo",
               format_func=str.upper)
    url_widget(st.multiselect, "segments", ["a", "b", "c"], key="segs", default=["a"])
    url_widget(st.slider, "horizon", key="horizon", default=12, min_value=1, max_value=36)
    url_widget(st.toggle, "ci", key="ci", default=True)


def test_values_are_read_from_the_url():
    at = AppTest.from_function(_script)
    at.query_params.update({"metric": "nrr", "segs": "b,c", "horizon": "24", "ci": "0"})
    at.run()
    assert not at.exception
    assert at.selectbox(key="metric").value == "nrr"
    assert at.multiselect(key="segs").value == ["b", "c"]
    assert at.slider(key="horizon").value == 24
    assert at.toggle(key="ci").value is False


def test_changes_are_written_as_codes_not_labels():
    at = AppTest.from_function(_script).run()
    at.selectbox(key="metric").set_value("grr").run()
    assert at.query_params["metric"] in ("grr", ["grr"])  # the code, not the label "GRR"


def test_invalid_url_values_fall_back_to_defaults():
    at = AppTest.from_function(_script)
    at.query_params.update({"metric": "<script>", "segs": "zzz", "horizon": "many", "ci": "perhaps"})
    at.run()
    assert not at.exception
    assert at.selectbox(key="metric").value == "logo"
    assert at.multiselect(key="segs").value == []
    assert at.slider(key="horizon").value == 12
    assert at.toggle(key="ci").value is True
