"""The sample data's slowest analyses, computed once per server and language in the background.

On a fresh server, the first visit to Story, Journey, Churn, Community, Support, Adoption, Gaps or
Forecast computed their analyses while the visitor waited (0.8–2.1 s against 0.3–0.8 s for every
later click). :func:`start_prefetch`, called by the router at the end of every script run, has
them computed in one background thread the first time a session in a language is seen, through
the same shared caches with the same arguments as the pages' first run, each task in a quiet
moment. A page opened meanwhile waits for the result being computed (Streamlit's caches compute
each entry once) instead of computing it a second time.
"""

from __future__ import annotations

import logging
import queue
import threading
import time
from collections.abc import Callable
from datetime import date

from cs_models.datasets import Datasets
from cs_models.errors import CSLensError
from ui.caching import cached, latest_date, shared
from ui.state import sample_datasets

_LOG = logging.getLogger(__name__)
_STARTED = threading.Event()
_START_LOCK = threading.Lock()
#: The languages asked for so far, and those waiting for the background thread.
_ASKED: set[str] = set()
_WAITING: queue.SimpleQueue[str] = queue.SimpleQueue()
#: Name of the background thread.
THREAD_NAME = "cs-lens-prefetch"
#: Name of Streamlit's threads that run a session's script (``ScriptRunner``).
SCRIPT_THREAD = "ScriptRunner.scriptThread"
#: Streamlit's logger that warns of every cache call outside a session's script thread.
CONTEXT_LOGGER = "streamlit.runtime.scriptrunner_utils.script_run_context"
#: A task starts only this long (s) after the last visitor's script run ended: that visitor's browser
#: is still drawing its charts (``bench.clicks`` runs the browser on the server's two cores).
QUIET_SECONDS = 1.0
#: When a visitor's script run was last seen ending (:func:`time.monotonic`).
_LAST_RUN = [float("-inf")]


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


def _adoption(datasets: Datasets, as_of: date, lang: str) -> None:
    from cs_models import adoption

    frame = datasets.adoption
    if frame is None:
        return
    shared(adoption.fit_adoption)(frame, as_of, population=None, method=adoption.METHODS[0])
    segments = adoption.adoption_segments(frame)
    if segments:
        cached(adoption.fit_by_segment)(frame, as_of, segments[0])


def _support(datasets: Datasets, as_of: date, lang: str) -> None:
    from cs_models import support
    from ui import support_view

    tickets = datasets.tickets
    if tickets is None:
        return
    shared(support.analyse_support)(tickets, as_of, sla_hours=support_view.default_sla(tickets),
                                    period=support_view.PERIOD, volume_by=support_view.splits(tickets)[0])
    if datasets.customers is not None:
        shared(support.support_churn)(tickets, datasets.customers, as_of)


def _gaps(datasets: Datasets, as_of: date, lang: str) -> None:
    from cs_models import gaps
    from ui import gaps_view as view

    frame = datasets.gaps
    if frame is None:
        return
    answers, *_ = shared(gaps.analyse_table)(frame, layout=view.LAYOUT, scale=view.SCALE, zero_method=view.ZERO_METHOD)
    if answers.segments:
        shared(gaps.segments_of_table)(frame, answers.segments[0], layout=view.LAYOUT, scale=view.SCALE)
    if datasets.customers is not None and answers.answers["customer_id"].notna().any():
        shared(gaps.churn_of_table)(frame, datasets.customers, as_of=as_of, layout=view.LAYOUT, scale=view.SCALE)


def _forecast(datasets: Datasets, as_of: date, lang: str) -> None:
    from cs_models import forecast
    from ui import forecast_view as view
    from ui.filters import segment_choices

    customers = datasets.customers
    if customers is None:
        return
    segments = list(segment_choices(customers))
    shared(forecast.forecast)(customers, as_of, segments[0] if segments else None, period=view.PERIOD,
                              margin=view.MARGIN_PERCENT / 100, annual_discount=view.DISCOUNT_PERCENT / 100)


def _imports(datasets: Datasets, as_of: date, lang: str) -> None:
    """What a page's first run would otherwise import while its visitor waits, once per process:
    Streamlit's emoji catalogue (compiled into one pattern on import: 0.24 s, on the first button
    group with an option label that is not ASCII), and the Plotly classes of every chart's title,
    legend and hover label (imported on first use)."""
    import plotly.graph_objects as go
    import streamlit.emojis  # noqa: F401

    from cs_models.charts.theme import apply_theme, set_title

    apply_theme(set_title(go.Figure(), "title", "source", "scope"))


#: What is done, in turn: the imports, then the analyses of the pages whose first visits were slowest
#: (``bench.clicks`` on a fresh server before each was added: Story 2.1 s, Journey 1.1 s, Churn 0.9 s,
#: Community 0.8 s; then, with 5 s on the Overview first, Support 1.0 s, Adoption 1.0 s, Gaps 0.9 s,
#: Forecast 0.8 s).
TASKS: tuple[Callable[[Datasets, date, str], None], ...] = (
    _imports, _story, _journey, _churn, _community, _support, _adoption, _gaps, _forecast,
)


def visitors_running() -> bool:
    """Whether a session's script is running now (other than the calling thread)."""
    me = threading.current_thread()
    return any(thread.name == SCRIPT_THREAD and thread is not me and thread.is_alive()
               for thread in threading.enumerate())


def _give_way() -> None:
    """Wait until no visitor's script has run for :data:`QUIET_SECONDS`: on two cores a task computed
    during a visitor's run made that run up to twice as slow, and one computed just after it slowed
    the drawing of its charts. On a server never quiet, the visitors compute what they open."""
    while True:
        now = time.monotonic()
        if visitors_running():
            _LAST_RUN[0] = now
        elif now - _LAST_RUN[0] >= QUIET_SECONDS:
            return
        time.sleep(0.05)


def run(lang: str) -> None:
    """Compute :data:`TASKS` on the sample data in ``lang``.

    Each task waits for a quiet moment first (:func:`_give_way`). A task whose analysis
    cannot run on the data is passed over: its page shows why when visited.
    """
    datasets = sample_datasets(lang)
    as_of = latest_date(datasets) or date.today()
    for task in TASKS:
        _give_way()
        try:
            task(datasets, as_of, lang)
        except CSLensError:
            _LOG.debug("prefetch: %s skipped on the %s sample", task.__name__, lang, exc_info=True)


def _work() -> None:
    """The background thread: :func:`run` each language asked for, in turn (a language that fails
    is logged and left to the pages; the next is still computed)."""
    while True:
        lang = _WAITING.get()
        try:
            run(lang)
        except Exception:  # noqa: BLE001 - the thread's boundary: the pages compute what is missing
            _LOG.exception("prefetch of the %s sample failed", lang)


def _not_prefetch(record: logging.LogRecord) -> bool:
    """A log filter: drop the records of the prefetch thread (its missing context is expected)."""
    return record.threadName != THREAD_NAME


def start_prefetch(lang: str) -> None:
    """Have :func:`run` compute ``lang``'s sample in the background thread, once per server process
    and language (later calls return at once); the thread starts on the first call.

    Called at the end of every script run: each call also marks a visitor's run ending now. A
    language is computed only when a session uses it: computing the other language ahead kept
    the two cores busy while the first visitor clicked through the pages.
    """
    _LAST_RUN[0] = time.monotonic()
    if lang in _ASKED:
        return
    with _START_LOCK:
        if lang in _ASKED:
            return
        _ASKED.add(lang)
        _WAITING.put(lang)
        if _STARTED.is_set():
            return
        _STARTED.set()
    logging.getLogger(CONTEXT_LOGGER).addFilter(_not_prefetch)
    threading.Thread(target=_work, name=THREAD_NAME, daemon=True).start()
