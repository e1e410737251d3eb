"""``ui.memo``: one view model per shared result, language and arguments; bounded; never shared
between different objects (two sessions' equal-looking uploads are different objects)."""

from __future__ import annotations

import gc

import pandas as pd
import pytest

from ui import memo


@pytest.fixture(autouse=True)
def _fresh(monkeypatch):
    memo.clear()
    monkeypatch.setattr(memo, "current_lang", lambda: "en")
    yield
    memo.clear()


class Anchor:
    """A stand-in for a shared result (weakly referenceable)."""


CALLS: list[object] = []


def view(anchor: object, *args: object) -> tuple[object, ...]:
    CALLS.append(anchor)
    return (id(anchor), args)


def test_a_second_caller_gets_the_same_object_without_recomputing():
    CALLS.clear()
    anchor = Anchor()
    first = memo.derived(view, anchor, 1)
    second = memo.derived(view, anchor, 1)
    assert second is first
    assert len(CALLS) == 1


def test_arguments_languages_and_anchors_do_not_share_entries(monkeypatch):
    CALLS.clear()
    anchor, twin = Anchor(), Anchor()  # equal in every way but identity: two sessions' uploads
    memo.derived(view, anchor, 1)
    memo.derived(view, anchor, 2)
    memo.derived(view, twin, 1)
    monkeypatch.setattr(memo, "current_lang", lambda: "ja")
    memo.derived(view, anchor, 1)
    assert len(CALLS) == 4
    assert memo.entries() == 4


def test_equal_frames_of_two_sessions_never_share_a_value():
    frame = pd.DataFrame({"a": [1, 2]})
    other = frame.copy()
    CALLS.clear()
    assert memo.derived(view, frame) != memo.derived(view, other)
    assert [id(a) for a in CALLS] == [id(frame), id(other)]


def test_an_entry_dies_with_its_anchor():
    anchor = Anchor()
    memo.derived(view, anchor)
    assert memo.entries() == 1
    CALLS.clear()
    del anchor
    gc.collect()
    assert memo.entries() == 0


def test_the_memo_is_bounded(monkeypatch):
    monkeypatch.setattr(memo, "MAX_ENTRIES", 3)
    anchors = [Anchor() for _ in range(5)]
    for anchor in anchors:
        memo.derived(view, anchor)
    assert memo.entries() == 3
    CALLS.clear()
    memo.derived(view, anchors[-1])  # the newest stayed
    memo.derived(view, anchors[0])  # the oldest went
    assert [id(a) for a in CALLS] == [id(anchors[0])]


def test_a_reused_id_is_not_mistaken_for_the_dead_anchor():
    CALLS.clear()
    memo.derived(view, Anchor())
    gc.collect()
    memo.derived(view, Anchor())  # may get the same id: computed again all the same
    assert len(CALLS) == 2


def test_leading_findings_filters_and_shares():
    class Finding:
        def __init__(self, code):
            self.code = code

    calls = []

    def findings(result):
        calls.append(result)
        return [Finding("a"), Finding("b"), Finding("c")]

    anchor = Anchor()
    first = memo.leading_findings(findings, anchor, 1)
    assert [f.code for f in first] == ["a"]
    assert [f.code for f in memo.leading_findings(findings, anchor, codes=("b", "c"))] == ["b", "c"]
    assert memo.leading_findings(findings, anchor, 1) is first
    assert len(calls) == 2


def test_the_theme_config_is_read_once_and_follows_changes():
    from streamlit import config

    memo.share_streamlit_config()
    memo.share_streamlit_config()  # idempotent
    before = config.get_options_for_section("theme")["primaryColor"]
    assert config.get_options_for_section("theme") is not config.get_options_for_section("theme")  # copies
    try:
        config.set_option("theme.primaryColor", "#123456")
        assert config.get_options_for_section("theme")["primaryColor"] == "#123456"
    finally:
        config.set_option("theme.primaryColor", before)
    assert config.get_options_for_section("theme")["primaryColor"] == before
