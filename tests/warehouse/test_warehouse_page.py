"""The Data page's Warehouse section against the real PostgreSQL of ``conftest.postgres`` (AppTest, ja and en)."""

from __future__ import annotations

import pytest
from streamlit.testing.v1 import AppTest

from tests.app.util import APP, LANGS, assert_clean


def _page(url: str | None, lang: str) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=120)
    at.query_params["lang"] = lang
    if url is not None:
        at.secrets["connections"] = {"warehouse": {"url": url}}
    at.switch_page("pages/data.py")
    at.run()
    return at


def test_no_section_without_a_configured_warehouse():
    at = _page(None, "en")
    assert_clean(at)
    assert "Warehouse" not in [h.value for h in at.header]


@pytest.mark.parametrize("lang", LANGS)
def test_tables_are_listed_mapped_and_loaded(postgres, lang):
    marker = "pw-never-shown"
    at = _page(postgres.url_with_password(marker), lang)
    assert_clean(at)
    text = " ".join(str(c.value) for c in at.caption)
    assert marker not in text
    assert "***" in text
    boxes = {box.key: box for box in at.selectbox}
    assert {"warehouse_events", "warehouse_customers", "warehouse_tickets"} <= boxes.keys()
    assert boxes["warehouse_events"].value == "events"  # a table named like the kind is preselected
    mapping = at.dataframe[-1].value
    assert "start_date" in mapping.iloc[:, 1].tolist()
    at.button(key="warehouse_load").click().run()
    assert_clean(at)
    metrics = {m.label: m.value for m in at.metric}
    assert any(value == "23,816" for value in metrics.values()), metrics
    assert at.session_state["uploaded_datasets"].customers is not None
    assert at.session_state["uploaded_datasets"].source == "warehouse"
