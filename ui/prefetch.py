"""The sample data's slowest analyses, computed once per server in the background.

On a fresh server, the first visit to Story, Journey, Churn or Community computed their analyses
while the visitor waited (0.8–2.1 s against 0.2–0.6 s for every later click). :func:`start_prefetch`,
called by the router after the first page of the server's first session is drawn, computes them in
one background thread, in that session's language first, through the same shared caches with the
same arguments as the pages' first run. A page opened meanwhile waits for the result being computed
(Streamlit's caches compute each entry once) instead of computing it a second time.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from datetime import date

from cs_models.datasets import Datasets
from cs_models.errors import CSLensError
from ui.caching import cached, latest_date, shared
from ui.i18n import LANGUAGES
from ui.state import sample_datasets

_LOG = logging.getLogger(__name__)
_STARTED = threading.Event()
_START_LOCK = threading.Lock()
#: Name of the background thread.
THREAD_NAME = "cs-lens-prefetch"
#: Name of Streamlit's threads that run a session's script (``ScriptRunner``).
SCRIPT_THREAD = "ScriptRunner.scriptThread"
#: Streamlit's logger that warns of every cache call outside a session's script thread.
CONTEXT_LOGGER = "streamlit.runtime.scriptrunner_utils.script_run_context"
#: Longest wait (s) for visitors' script runs to end before a task starts anyway (a busy server).
MAX_WAIT_SECONDS = 10.0


# the analyses' modules are imported in the background thread: the router's start stays light
def _story(datasets: Datasets, as_of: date, lang: str) -> None:
    from cs_models.story import build_story

    cached(build_story)(datasets, as_of=as_of, lang=lang)


def _journey(datasets: Datasets, as_of: date, lang: str) -> None:
    from cs_models import journey

    history, _ = cached(journey.journey_history)(datasets)
    if history is None or datasets.customers is None:
        return
    default = cached(journey.default_order)(history, datasets.customers)
    shared(journey.analyse_journey)(history, datasets.customers, as_of, order=journey.complete_order(default, default),
                                    discount_rate=journey.DISCOUNT_RATE)


def _churn(datasets: Datasets, as_of: date, lang: str) -> None:
    from cs_models import survival as sv
    from ui import churn_view

    customers = datasets.customers
    if customers is None:
        return
    segments = churn_view.segment_choices(customers)
    shared(sv.analyse)(customers, as_of, segments[0] if segments else None, horizon_months=churn_view.HORIZON,
                       annual_discount=sv.ANNUAL_DISCOUNT)
    covariates = sv.default_covariates(customers)
    if covariates:
        shared(churn_view.fit_cox)(customers, as_of, tuple(covariates))


def _community(datasets: Datasets, as_of: date, lang: str) -> None:
    from cs_models import community

    log, rule = datasets.community, community.RoleRule()
    if log is None:
        return
    roles = shared(community.community_roles)(log, as_of, window_days=rule.window_days,
                                              leader_posts=rule.leader_posts, follower_actions=rule.follower_actions)
    shared(community.leader_candidates)(roles, events=datasets.events, customers=datasets.customers,
                                        gaps=datasets.gaps)
    shared(community.event_effect)(log, as_of, weeks=community.WEEKS)
    if datasets.customers is not None:
        shared(community.participation_churn)(log, datasets.customers, as_of)


#: What is computed, slowest first visit first (``bench.clicks``: Story 2.1 s, Journey 1.1 s, Churn 0.9 s,
#: Community 0.8 s on a fresh server).
TASKS: tuple[Callable[[Datasets, date, str], None], ...] = (_story, _journey, _churn, _community)


def visitors_running() -> bool:
    """Whether a session's script is running now (other than the calling thread)."""
    me = threading.current_thread()
    return any(thread.name == SCRIPT_THREAD and thread is not me and thread.is_alive()
               for thread in threading.enumerate())


def _give_way() -> None:
    """Wait until no visitor's script runs (at most :data:`MAX_WAIT_SECONDS`): on two cores a task
    computed during a visitor's run made that run up to twice as slow."""
    deadline = time.monotonic() + MAX_WAIT_SECONDS
    while visitors_running() and time.monotonic() < deadline:
        time.sleep(0.05)


def run(first_lang: str) -> None:
    """Compute :data:`TASKS` on the sample data in ``first_lang``, then in the other languages.

    Each task waits for visitors' script runs to end first (:func:`_give_way`). A task whose analysis
    cannot run on the data is passed over: its page shows why when visited.
    """
    for lang in sorted(LANGUAGES, key=lambda code: code != first_lang):
        datasets = sample_datasets(lang)
        as_of = latest_date(datasets) or date.today()
        for task in TASKS:
            _give_way()
            try:
                task(datasets, as_of, lang)
            except CSLensError:
                _LOG.debug("prefetch: %s skipped on the %s sample", task.__name__, lang, exc_info=True)


def _not_prefetch(record: logging.LogRecord) -> bool:
    """A log filter: drop the records of the prefetch thread (its missing context is expected)."""
    return record.threadName != THREAD_NAME


def start_prefetch(first_lang: str) -> None:
    """Start :func:`run` in a background thread, once per server process (later calls return at once)."""
    if _STARTED.is_set():
        return
    with _START_LOCK:
        if _STARTED.is_set():
            return
        _STARTED.set()
    logging.getLogger(CONTEXT_LOGGER).addFilter(_not_prefetch)
    threading.Thread(target=run, args=(first_lang,), name=THREAD_NAME, daemon=True).start()
