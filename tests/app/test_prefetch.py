"""The background prefetch (``ui.prefetch``) computes exactly what the slowest pages' first visit
needs: after it, a first visit to Story, Journey, Churn or Community, in either language, computes
nothing the prefetch computed (issue 15: a sidebar click to charts drawn < 800 ms on the sample)."""

from __future__ import annotations

import logging
import threading
from collections import Counter

import pytest
from streamlit.runtime.caching.cache_metrics import get_cache_metrics

from tests.app.util import LANGS, assert_clean, run_app
from ui import prefetch

PAGES = ("pages/story.py", "pages/journey.py", "pages/churn.py", "pages/community.py")


def misses() -> Counter[str]:
    """Cache misses so far (each one a computation), by cached function."""
    stats = get_cache_metrics().get_stats(["cache_lookups"]).get("cache_lookups", [])
    return Counter({stat.labels["cache"]: stat.value for stat in stats if stat.labels.get("result") == "miss"})


@pytest.mark.parametrize("page", PAGES)
def test_a_first_visit_after_the_prefetch_computes_nothing_again(page: str) -> None:
    """The prefetch's arguments are the page's defaults: a changed default would fail here."""
    before = misses()
    prefetch.run("ja")
    filled = {name for name, n in misses().items() if n > before[name]}
    assert filled, "the prefetch computed nothing"
    for lang in LANGS:
        seen = misses()
        assert_clean(run_app(page, lang=lang))
        again = {name for name, n in misses().items() if name in filled and n > seen[name]}
        assert not again, (lang, again)


def test_the_prefetch_runs_once_per_server_in_the_background(monkeypatch: pytest.MonkeyPatch) -> None:
    """``start_prefetch`` returns at once and starts one thread, however many sessions call it."""
    ran: list[tuple[str, str]] = []
    done = threading.Event()

    def run(lang: str) -> None:
        ran.append((lang, threading.current_thread().name))
        done.set()

    monkeypatch.setattr(prefetch, "_STARTED", threading.Event())
    monkeypatch.setattr(prefetch, "run", run)
    for lang in ("en", "ja", "en"):
        prefetch.start_prefetch(lang)
    assert done.wait(30)
    assert ran == [("en", prefetch.THREAD_NAME)]
    # Streamlit's warning of a missing script context, expected in this thread, is not logged
    record = logging.LogRecord(prefetch.CONTEXT_LOGGER, logging.WARNING, __file__, 1, "missing", None, None)
    record.threadName = prefetch.THREAD_NAME
    assert not logging.getLogger(prefetch.CONTEXT_LOGGER).filter(record)
    record.threadName = "ScriptRunner.scriptThread"
    assert logging.getLogger(prefetch.CONTEXT_LOGGER).filter(record)


def test_a_task_that_cannot_run_is_passed_over(monkeypatch: pytest.MonkeyPatch) -> None:
    """An analysis that fails on the data (the page explains it when visited) does not stop the others."""
    from cs_models.errors import DataError

    done: list[str] = []

    def fails(datasets, as_of, lang):
        raise DataError("too_few", "too few customers")

    monkeypatch.setattr(prefetch, "TASKS", (fails, lambda datasets, as_of, lang: done.append(lang)))
    prefetch.run("en")
    assert done == ["en", "ja"]


def test_a_visitors_script_run_is_seen() -> None:
    """The prefetch gives way while a thread of Streamlit's script runner is alive."""
    release = threading.Event()
    visitor = threading.Thread(target=release.wait, name=prefetch.SCRIPT_THREAD, daemon=True)
    assert not prefetch.visitors_running()
    visitor.start()
    try:
        assert prefetch.visitors_running()
    finally:
        release.set()
        visitor.join()
    assert not prefetch.visitors_running()
