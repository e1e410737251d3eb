"""A reload drops uploaded data (never kept on the server): the app says so instead of silently
showing the sample (issue 16). The marker ``?data=upload`` follows the data shown."""

from __future__ import annotations

import pandas as pd
import pytest

from cs_models.datasets import Datasets
from tests.app.util import LANGS, assert_clean, run_app

NOTICE = {"ja": "再読み込みすると保持されません", "en": "not kept after a reload"}
SIDEBAR = {"ja": "再読み込みで破棄されました", "en": "were not kept after the reload"}


def _upload() -> Datasets:
    customers = pd.DataFrame({
        "customer_id": [f"c{i}" for i in range(30)],
        "start_date": pd.to_datetime("2023-01-01") + pd.to_timedelta(range(0, 300, 10), unit="D"),
        "end_date": pd.NaT,
    })
    return Datasets(customers=customers, source="upload", origins={"customers": "mine.csv"})


def _warnings(at) -> str:
    return "\n".join(str(w.value) for w in at.warning)


def _marker(at) -> str | None:
    value = at.query_params.get("data")
    return value[0] if isinstance(value, list) else value


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("page", [None, "pages/churn.py", "pages/data.py"])
def test_a_new_session_with_the_marker_says_the_upload_was_dropped(lang, page):
    at = run_app(page, lang=lang, query={"data": "upload"})
    assert_clean(at)
    assert NOTICE[lang] in _warnings(at)
    assert any(SIDEBAR[lang] in str(c.value) for c in at.sidebar.caption)
    assert _marker(at) == "upload"  # a further reload still says so
    assert at.button(key="reload_keep_sample")


@pytest.mark.parametrize("lang", LANGS)
def test_the_notice_stays_until_the_sample_is_chosen(lang):
    at = run_app(lang=lang, query={"data": "upload"})  # (AppTest reruns ja widgets with English format_func text)
    assert NOTICE[lang] in _warnings(at)
    at.run()  # a rerun of the same session (another widget, another page) keeps it
    assert NOTICE[lang] in _warnings(at)
    at.button(key="reload_keep_sample").click().run()
    assert_clean(at)
    assert NOTICE[lang] not in _warnings(at)
    assert _marker(at) is None
    assert not any(SIDEBAR[lang] in str(c.value) for c in at.sidebar.caption)


def test_a_session_without_the_marker_shows_no_notice():
    at = run_app(lang="en")
    assert NOTICE["en"] not in _warnings(at)
    assert _marker(at) is None


def test_uploaded_data_put_the_marker_in_the_url_and_the_sample_removes_it():
    at = run_app("pages/data.py", lang="en", uploaded=_upload())
    assert_clean(at)
    assert _marker(at) == "upload"
    assert NOTICE["en"] not in _warnings(at)
    at.sidebar.radio(key="source").set_value("sample").run()
    assert _marker(at) is None
    at.sidebar.radio(key="source").set_value("upload").run()
    assert _marker(at) == "upload"
    at.button(key="data_use_sample").click().run()
    assert_clean(at)
    assert _marker(at) is None
    assert NOTICE["en"] not in _warnings(at)


def test_uploading_again_after_a_reload_ends_the_notice():
    at = run_app(lang="en", query={"data": "upload"})
    assert NOTICE["en"] in _warnings(at)
    at.session_state["uploaded_datasets"] = _upload()
    at.session_state["source"] = "upload"
    at.run()
    assert NOTICE["en"] not in _warnings(at)
    assert _marker(at) == "upload"
