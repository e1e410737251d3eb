"""A large events upload (the threshold lowered to 100 rows) goes to Parquet and SQL, and the Cohorts and
Revenue pages and their Overview cards show what the pandas path shows.

The same file is uploaded through the Data page twice: once over the threshold (the spilled SQL route,
checked to be taken) and once under it (pandas); every text, metric and table of the pages must agree.
Uploads run in English (AppTest formats the sidebar's source radio in the test thread's default
language); both languages are checked on datasets put in the session directly.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from cs_models.datasets import Datasets
from cs_models.sample import SAMPLE_DIR, load_sample
from cs_models.warehouse import spill, stream
from tests.app.util import LANGS, assert_clean, run_app, texts
from ui.state import SPILL_KEY

EVENTS = (SAMPLE_DIR / "en" / "events.csv").read_bytes()
CUSTOMERS = (SAMPLE_DIR / "en" / "customers.csv").read_bytes()
PAGES = ("pages/cohorts.py", "pages/revenue.py", "pages/overview.py")


def upload_and_use(lang: str, *files: tuple[str, bytes]):
    at = run_app("pages/data.py", lang=lang, timeout=300)
    for name, data in files:
        at.file_uploader[0].upload(name, data, "text/csv")
    at.run()
    assert_clean(at)
    at.button(key="data_use_files").click().run()
    assert_clean(at)
    return at


def shown(at) -> dict[str, object]:
    """What a reader sees of a page: its texts, metrics, tables and charts (the sample's amounts are whole
    yen, so sums are exact in any order and the charts' data are compared as they are)."""
    return {"texts": texts(at), "metrics": [(m.label, m.value) for m in at.metric],
            "tables": [d.value.to_dict() for d in at.dataframe],
            "charts": [chart.proto.spec for chart in at.get("plotly_chart")]}


def visit(lang: str, spill_rows: int, *files: tuple[str, bytes], segment: dict | None = None,
          uploaded: Datasets | None = None):
    """Upload ``files`` (or put ``uploaded`` in the session) with the threshold at ``spill_rows``; each
    page's view and the SQL calls made."""
    calls: list[str] = []
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(spill, "SPILL_ROWS", spill_rows)
        for name in ("cohort_table_stream", "revenue_movements_stream"):
            original = getattr(stream, name)
            patch.setattr(stream, name, lambda *a, _o=original, _n=name, **k: calls.append(_n) or _o(*a, **k))
        views = {}
        if uploaded is not None:  # a fresh session per page (no widget of the test thread's language is set)
            for page in PAGES:
                at = run_app(page, lang=lang, uploaded=uploaded)
                assert_clean(at)
                views[page] = shown(at)
            return at, views, calls
        at = upload_and_use(lang, *files)
        for column, values in (segment or {}).items():  # the sidebar's filter, as a user chooses it
            at.switch_page(PAGES[0]).run()
            box = at.sidebar.multiselect(key=f"f_{column}")
            for value in values:
                box = box.select(value)
            box.run()
            assert_clean(at)
        for page in PAGES:
            at.switch_page(page).run()
            assert_clean(at)
            views[page] = shown(at)
    return at, views, calls


def test_large_events_upload_gives_the_pandas_pages_through_sql():
    lang = "en"
    spilled, through_sql, calls = visit(lang, 100, ("events.csv", EVENTS))
    assert {"cohort_table_stream", "revenue_movements_stream"} <= set(calls)
    owner = spilled.session_state[SPILL_KEY][1]
    folder = owner.folder
    assert folder.is_dir()
    assert Path(owner.events.path).is_file()
    assert owner.events.rows == len(spilled.session_state["uploaded_datasets"].events)
    _, in_pandas, none = visit(lang, 10**9, ("events.csv", EVENTS))
    assert none == []
    assert through_sql == in_pandas
    assert len(through_sql["pages/revenue.py"]["metrics"]) == 4
    assert len(through_sql["pages/cohorts.py"]["charts"]) >= 2
    # going back to the sample drops the upload's Parquet
    spilled.switch_page("pages/data.py").run()
    spilled.button(key="data_use_sample").click().run()
    assert_clean(spilled)
    assert SPILL_KEY not in spilled.session_state
    assert not folder.exists()


def test_a_segment_filter_on_a_large_upload_gives_the_pandas_pages():
    files = (("customers.csv", CUSTOMERS), ("events.csv", EVENTS))
    segment = {"plan": ["Pro"]}
    _, through_sql, calls = visit("en", 100, *files, segment=segment)
    assert "revenue_movements_stream" in calls  # cohorts by start date keep the pandas path
    _, in_pandas, _ = visit("en", 10**9, *files, segment=segment)
    assert through_sql == in_pandas
    _, unfiltered, _ = visit("en", 100, *files)
    assert unfiltered["pages/revenue.py"]["metrics"] != through_sql["pages/revenue.py"]["metrics"]
    assert "Pro only" in through_sql["pages/revenue.py"]["texts"]


@pytest.mark.parametrize("lang", LANGS)
def test_large_events_in_the_session_give_the_pandas_pages_in_both_languages(lang):
    events = load_sample(lang).events
    uploaded = Datasets(events=events, source="upload")
    _, through_sql, calls = visit(lang, 100, uploaded=uploaded)
    assert {"cohort_table_stream", "revenue_movements_stream"} <= set(calls)
    _, in_pandas, _ = visit(lang, 10**9, uploaded=uploaded)
    assert through_sql == in_pandas
