"""Two colleagues' uploads never meet (issue 16): two sessions uploading 60,000-row files that differ
in one row each see their own data and their own results, the cached reads and analyses are keyed by
the full content (Streamlit's own hash samples frames of 50,000 rows or more), and a session that
uploaded nothing sees neither."""

from __future__ import annotations

import pandas as pd

from tests.app.util import assert_clean, run_app
from ui.caching import frame_digest

ROWS = 60_000
CHANGED = 41_234  # a row beyond Streamlit's 10,000-row hashing sample


def _file(churned: bool) -> bytes:
    """Customers who all stay, except (in one of the two files) the customer of row ``CHANGED``."""
    start = pd.Timestamp("2022-01-01") + pd.to_timedelta(pd.RangeIndex(ROWS) % 700, unit="D")
    end = pd.Series([""] * ROWS, dtype=object)
    if churned:
        end[CHANGED] = "2024-06-30"
    frame = pd.DataFrame({"customer_id": [f"c{i:05d}" for i in range(ROWS)],
                          "start_date": start.strftime("%Y-%m-%d"), "end_date": end,
                          "plan": ["a", "b", "c"] * (ROWS // 3)})
    return frame.to_csv(index=False).encode()


def _upload_and_use(data: bytes):
    at = run_app("pages/data.py", lang="en", timeout=300)
    at.file_uploader[0].upload("customers.csv", data, "text/csv")
    at.run()
    assert_clean(at)
    at.button(key="data_use_files").click().run()
    assert_clean(at)
    return at


def _churned(at) -> str:
    at.switch_page("pages/churn.py").run()
    assert_clean(at)
    return next(str(m.value) for m in at.metric if m.label.startswith("Churned"))


def test_two_sessions_with_files_differing_in_one_row_see_only_their_own():
    first, second = _upload_and_use(_file(churned=False)), _upload_and_use(_file(churned=True))
    mine, theirs = first.session_state["uploaded_datasets"], second.session_state["uploaded_datasets"]
    assert mine.customers["end_date"].isna().all()
    assert theirs.customers["end_date"].notna().sum() == 1
    assert mine.customers is not theirs.customers
    assert frame_digest(mine.customers) != frame_digest(theirs.customers)  # different cache keys
    # each session's analysis runs on its own data, although the second file's read came second
    assert _churned(first).startswith("0")
    assert _churned(second).startswith("1")
    assert _churned(first).startswith("0")  # and after the other session ran, still its own
    assert first.query_params.get("data") in ("upload", ["upload"])
    stranger = run_app("pages/churn.py", lang="en")
    assert "uploaded_datasets" not in stranger.session_state
    assert not any("customers.csv" in str(c.value) for c in stranger.caption)
