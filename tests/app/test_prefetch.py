"""The background prefetch (``ui.prefetch``) computes exactly what the slowest pages' first visit
needs: after it, a first visit to any page it serves, in either language, computes nothing the
prefetch computed (issue 15: a sidebar click to charts drawn < 800 ms on the sample)."""

from __future__ import annotations

import logging
import threading
from collections import Counter

import pytest
from streamlit.runtime.caching.cache_metrics import get_cache_metrics

from tests.app.util import LANGS, assert_clean, run_app
from ui import prefetch

PAGES = ("pages/story.py", "pages/journey.py", "pages/churn.py", "pages/community.py", "pages/support.py",
         "pages/adoption.py", "pages/gaps.py", "pages/forecast.py")


def misses() -> Counter[str]:
    """Cache misses so far (each one a computation), by cached function."""
    stats = get_cache_metrics().get_stats(["cache_lookups"]).get("cache_lookups", [])
    return Counter({stat.labels["cache"]: stat.value for stat in stats if stat.labels.get("result") == "miss"})


@pytest.mark.parametrize("page", PAGES)
def test_a_first_visit_after_the_prefetch_computes_nothing_again(page: str) -> None:
    """The prefetch's arguments are the page's defaults: a changed default would fail here."""
    for lang in LANGS:
        before = misses()
        prefetch.run(lang)
        filled = {name for name, n in misses().items() if n > before[name]}
        assert filled, "the prefetch computed nothing"
        seen = misses()
        assert_clean(run_app(page, lang=lang))
        again = {name for name, n in misses().items() if name in filled and n > seen[name]}
        assert not again, (lang, again)


def test_the_prefetch_runs_once_per_server_and_language_in_the_background(monkeypatch: pytest.MonkeyPatch) -> None:
    """``start_prefetch`` returns at once; one thread computes each language once, when first asked
    for, however many sessions ask."""
    ran: list[tuple[str, threading.Thread]] = []
    done = threading.Event()

    def run(lang: str) -> None:
        ran.append((lang, threading.current_thread()))
        if len(ran) == 2:
            done.set()

    monkeypatch.setattr(prefetch, "_STARTED", threading.Event())
    monkeypatch.setattr(prefetch, "_ASKED", set())
    monkeypatch.setattr(prefetch, "_WAITING", prefetch.queue.SimpleQueue())  # not another test's thread's
    monkeypatch.setattr(prefetch, "run", run)
    for lang in ("en", "en", "ja", "en", "ja"):
        prefetch.start_prefetch(lang)
    assert done.wait(30)
    assert [lang for lang, _ in ran] == ["en", "ja"]
    assert ran[0][1] is ran[1][1] is not threading.current_thread()
    assert ran[0][1].name == prefetch.THREAD_NAME
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
    assert done == ["en"]


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


def test_a_task_waits_for_a_quiet_moment_after_a_visitors_run(monkeypatch: pytest.MonkeyPatch) -> None:
    """After a visitor's run (marked by ``start_prefetch`` at its end), the next task starts only once no
    run has been seen for ``QUIET_SECONDS``. On a fake clock: no real waiting, no timing."""
    clock = [1000.0]
    running = [False]

    def sleep(seconds: float) -> None:
        clock[0] += seconds
        running[0] = clock[0] < busy_until

    monkeypatch.setattr(prefetch.time, "monotonic", lambda: clock[0])
    monkeypatch.setattr(prefetch.time, "sleep", sleep)
    monkeypatch.setattr(prefetch, "visitors_running", lambda: running[0])
    monkeypatch.setattr(prefetch, "_LAST_RUN", [float("-inf")])
    monkeypatch.setattr(prefetch, "QUIET_SECONDS", 1.0)
    busy_until = 0.0
    prefetch._give_way()
    assert clock[0] == 1000.0  # nobody came: at once

    prefetch.start_prefetch("en")  # a run ends now (the fixture marked the thread started: no new one)
    prefetch._give_way()
    assert clock[0] == pytest.approx(1001.0, abs=0.06)

    busy_until, running[0] = clock[0] + 30, True  # a visitor's run of 30 s, then 1 s quiet
    prefetch._give_way()
    assert clock[0] == pytest.approx(1001.0 + 30 + 1, abs=0.11)


def test_a_language_that_fails_does_not_stop_the_next(monkeypatch: pytest.MonkeyPatch,
                                                      caplog: pytest.LogCaptureFixture) -> None:
    """An unexpected error in one language's prefetch is logged; the thread computes the next."""
    done = threading.Event()

    def run(lang: str) -> None:
        if lang == "en":
            raise RuntimeError("boom")
        done.set()

    monkeypatch.setattr(prefetch, "_STARTED", threading.Event())
    monkeypatch.setattr(prefetch, "_ASKED", set())
    monkeypatch.setattr(prefetch, "_WAITING", prefetch.queue.SimpleQueue())
    monkeypatch.setattr(prefetch, "run", run)
    with caplog.at_level(logging.ERROR, logger=prefetch.__name__):
        prefetch.start_prefetch("en")
        prefetch.start_prefetch("ja")
        assert done.wait(30)
    assert any("prefetch of the en sample failed" in r.getMessage() for r in caplog.records)
