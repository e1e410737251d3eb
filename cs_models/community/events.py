"""Do events make people post? Posting before vs after a member's first event, and against non-attendees.

- **Paired test**: each attendee's posts + comments per week in the ``weeks`` weeks before their
  first event (``[e − 7w, e)``) and after it (``[e, e + 7w)``), Wilcoxon signed-rank test
  (``scipy.stats.wilcoxon``, zero differences dropped), with the **Hodges–Lehmann** estimate
  (median of the Walsh averages of the non-zero differences) and its distribution-free
  confidence interval — the Walsh averages at the signed-rank critical values, exact for up to
  50 untied differences, normal approximation otherwise (as R's ``wilcox.test(conf.int=TRUE)``).
- **Difference in differences**: each attendee's change minus the mean change of the members
  who had not attended an event by the end of that attendee's after-window, over the *same
  calendar days*, so a general upward trend is not credited to the event. Its interval is a
  percentile bootstrap resampling attendees and comparison members (seeded, reproducible).

Only attendees whose two windows lie inside the log (membership start … as-of day) are used.
A member's membership starts at their ``join`` row when the log has one, else at the log's
first day.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date

import numpy as np
import pandas as pd
from scipy import stats

from cs_models.community.log import prepared
from cs_models.results import Result
from cs_models.stats import ALPHA, check_alpha

#: Weeks before and after the first event.
WEEKS = 8
#: Fewest attendees the tests need.
MIN_ATTENDEES = 5
#: Bootstrap resamples of the difference in differences.
BOOTSTRAP = 2000
#: Largest number of untied differences for which the Hodges–Lehmann interval is exact.
EXACT_UP_TO = 50


def signed_rank_cdf(n: int) -> np.ndarray:
    """The exact null distribution of the signed-rank statistic ``T+`` for ``n`` untied differences.

    Parameters
    ----------
    n : int
        Number of non-zero differences.

    Returns
    -------
    ndarray
        ``P(T+ ≤ t)`` for ``t = 0 … n(n+1)/2`` (counts of subsets of ``1…n`` by sum, over ``2^n``).
    """
    ways = np.zeros(n * (n + 1) // 2 + 1)
    ways[0] = 1.0
    for k in range(1, n + 1):
        ways[k:] = ways[k:] + ways[:-k].copy()
    return np.cumsum(ways) / 2.0**n


def hodges_lehmann(differences: np.ndarray, alpha: float = ALPHA) -> tuple[float, float, float]:
    """Hodges–Lehmann estimate of the median difference and its distribution-free interval.

    Parameters
    ----------
    differences : ndarray
        Paired differences (zeros are dropped, as in the Wilcoxon test).
    alpha : float
        ``1 - confidence level``.

    Returns
    -------
    tuple of float
        ``(estimate, low, high)``: the median of the Walsh averages ``(d_i + d_j) / 2, i ≤ j`` and
        the averages of rank ``C`` and ``M + 1 − C`` where ``M = n(n+1)/2`` and ``C`` is the largest
        integer with ``P(T+ ≤ C − 1) ≤ alpha / 2`` (exact null distribution for up to
        :data:`EXACT_UP_TO` untied differences, else the normal approximation). NaN when empty.
    """
    d = np.asarray(differences, float)
    d = d[d != 0]
    n = len(d)
    if n == 0:
        return math.nan, math.nan, math.nan
    i, j = np.triu_indices(n)
    walsh = np.sort((d[i] + d[j]) / 2)
    m = len(walsh)
    if n <= EXACT_UP_TO and len(np.unique(np.abs(d))) == n:
        cdf = signed_rank_cdf(n)
        c = int(np.searchsorted(cdf, alpha / 2, side="right"))  # P(T+ <= c - 1) <= alpha/2
    else:
        z = stats.norm.ppf(1 - alpha / 2)
        c = math.floor(m / 2 - z * math.sqrt(n * (n + 1) * (2 * n + 1) / 24))
    if c < 1:
        return float(np.median(walsh)), math.nan, math.nan
    return float(np.median(walsh)), float(walsh[c - 1]), float(walsh[m - c])


@dataclass(frozen=True, kw_only=True)
class EventEffect(Result):
    """Posting before vs after the first event (see the module docstring).

    Attributes
    ----------
    weeks : int
    attendees : int
        Members who attended an event by the as-of day.
    pairs : DataFrame
        Per eligible attendee: ``member_id, first_event, before, after`` (posts + comments per
        week), ``change``, ``control_before``, ``control_after``, ``control_change`` (means of the
        comparison members over the same days; NaN without any), ``controls`` (how many).
    before_mean, after_mean : float
    wilcoxon_stat, wilcoxon_p : float
        ``scipy.stats.wilcoxon(after, before)`` (two-sided).
    hl, hl_low, hl_high : float
        Hodges–Lehmann shift (posts per week) and its interval.
    did, did_low, did_high : float
        Difference in differences (posts per week) and its bootstrap interval.
    """

    weeks: int
    attendees: int
    pairs: pd.DataFrame
    before_mean: float
    after_mean: float
    wilcoxon_stat: float
    wilcoxon_p: float
    hl: float
    hl_low: float
    hl_high: float
    did: float
    did_low: float
    did_high: float


def _window_counts(times: dict[str, np.ndarray], members: list[str], start: np.ndarray, end: np.ndarray) -> np.ndarray:
    """Posts of each member (rows) in each window ``[start_k, end_k)`` (columns)."""
    out = np.zeros((len(members), len(start)))
    for r, member in enumerate(members):
        t = times.get(member, np.array([], dtype="datetime64[ns]"))
        out[r] = np.searchsorted(t, end) - np.searchsorted(t, start)
    return out


def _did_interval(change: np.ndarray, control: np.ndarray, alpha: float, seed: int) -> tuple[float, float]:
    """Percentile bootstrap of ``mean(change − mean over controls)``, resampling both groups."""
    rng = np.random.default_rng(seed)
    n, k = control.shape[1], control.shape[0]
    draws = np.empty(BOOTSTRAP)
    for b in range(BOOTSTRAP):
        cols, rows = rng.integers(0, n, n), rng.integers(0, k, k)
        diff = change[cols] - _column_means(control[np.ix_(rows, cols)])
        draws[b] = np.nanmean(diff) if np.isfinite(diff).any() else np.nan
    draws = draws[np.isfinite(draws)]
    if not len(draws):
        return math.nan, math.nan
    return float(np.quantile(draws, alpha / 2)), float(np.quantile(draws, 1 - alpha / 2))


def event_effect(log: pd.DataFrame, as_of: date, *, weeks: int = WEEKS, alpha: float = ALPHA,
                 seed: int = 0) -> EventEffect:
    """Members' posting in the ``weeks`` weeks before vs after their first event, and against non-attendees.

    Parameters
    ----------
    log : DataFrame
        Canonical community log.
    as_of : date
        Nothing later is used; after-windows must end by this day.
    weeks : int
        Length of each window in weeks.
    alpha : float
        ``1 - confidence level``.
    seed : int
        Seed of the bootstrap.

    Returns
    -------
    EventEffect
        Notes: ``no_events`` (nobody attended), ``too_few_attendees`` (fewer than
        :data:`MIN_ATTENDEES` eligible), ``no_controls`` (no comparison member).
    """
    check_alpha(alpha)
    frame = prepared(log, as_of)
    span = pd.Timedelta(days=7 * weeks)
    end_of_log = pd.Timestamp(as_of) + pd.Timedelta(days=1)
    joined = frame.loc[frame["action"] == "join"].groupby("member_id", observed=True)["date"].min()
    members = list(frame["member_id"].unique())
    start = pd.Series(frame["date"].min(), index=members).where(~pd.Index(members).isin(joined.index),
                                                                 joined.reindex(members))
    first_event = frame.loc[frame["action"] == "event"].groupby("member_id", observed=True)["date"].min().dt.normalize()
    posting = frame.loc[frame["action"].isin(("post", "comment"))]
    times = {m: g["date"].to_numpy("datetime64[ns]") for m, g in posting.groupby("member_id", observed=True)}
    inside = (first_event - span >= start.reindex(first_event.index)) & (first_event + span <= end_of_log)
    eligible = first_event[inside]
    ids = list(eligible.index)
    e = eligible.to_numpy("datetime64[ns]")
    span64 = np.timedelta64(span.value, "ns")
    before = _window_counts(times, ids, e - span64, e).diagonal() / weeks if ids else np.array([])
    after = _window_counts(times, ids, e, e + span64).diagonal() / weeks if ids else np.array([])
    levels = _controls(times, members, start, first_event, e, span64, weeks)
    return _effect(ids, eligible, before, after, levels, len(first_event), weeks, alpha, seed)


def _controls(times: dict[str, np.ndarray], members: list[str], start: pd.Series, first_event: pd.Series,
              e: np.ndarray, span: np.timedelta64, weeks: int) -> tuple[np.ndarray, np.ndarray]:
    """Posts per week of every member (rows) before and after each attendee's first event (columns);
    NaN when that member was not yet a member or had attended an event by the window's end."""
    if not len(e):
        return np.empty((len(members), 0)), np.empty((len(members), 0))
    before = _window_counts(times, members, e - span, e) / weeks
    after = _window_counts(times, members, e, e + span) / weeks
    member_start = start.reindex(members).to_numpy("datetime64[ns]")[:, None]
    attended = first_event.reindex(members).to_numpy("datetime64[ns]")[:, None]
    ok = (member_start <= (e - span)[None, :]) & (np.isnat(attended) | (attended >= (e + span)[None, :]))
    return np.where(ok, before, np.nan), np.where(ok, after, np.nan)


def _column_means(matrix: np.ndarray) -> np.ndarray:
    """Mean of each column over its non-missing rows (NaN for an empty column)."""
    valid = ~np.isnan(matrix)
    with np.errstate(invalid="ignore"):
        return np.where(valid.any(axis=0), np.nansum(matrix, axis=0) / np.maximum(valid.sum(axis=0), 1), np.nan)


def _effect(ids: list[str], eligible: pd.Series, before: np.ndarray, after: np.ndarray,
            levels: tuple[np.ndarray, np.ndarray], attendees: int, weeks: int, alpha: float, seed: int) -> EventEffect:
    change = after - before
    control = levels[1] - levels[0]
    control_mean = _column_means(control)
    pairs = pd.DataFrame({"member_id": ids, "first_event": eligible.to_numpy(), "before": before, "after": after,
                          "change": change, "control_before": _column_means(levels[0]),
                          "control_after": _column_means(levels[1]), "control_change": control_mean,
                          "controls": (~np.isnan(control)).sum(axis=0)})
    notes: list[str] = []
    nan = math.nan
    stat = p = nan
    hl = (nan, nan, nan)
    did, did_ci = nan, (nan, nan)
    if attendees == 0:
        notes.append("no_events")
    elif len(ids) < MIN_ATTENDEES:
        notes.append("too_few_attendees")
    else:
        if np.any(change != 0):
            test = stats.wilcoxon(after, before)
            stat, p = float(test.statistic), float(test.pvalue)
        hl = hodges_lehmann(change, alpha)
        if np.isfinite(control_mean).any():
            did = float(np.nanmean(change - control_mean))
            did_ci = _did_interval(change, control, alpha, seed)
        else:
            notes.append("no_controls")
    return EventEffect(weeks=weeks, attendees=attendees, pairs=pairs,
                       before_mean=float(before.mean()) if len(ids) else nan,
                       after_mean=float(after.mean()) if len(ids) else nan, wilcoxon_stat=stat, wilcoxon_p=p,
                       hl=hl[0], hl_low=hl[1], hl_high=hl[2], did=did, did_low=did_ci[0], did_high=did_ci[1],
                       notes=tuple(notes), alpha=alpha)
