"""What support looks like in numbers: volume, answer rate, first reply and resolution as survival.

Resolution time is a Kaplan–Meier estimate with open tickets censored at the as-of date:
the median of solved tickets alone is biased low (the slow tickets are the open ones), and
:attr:`SupportAnalysis.naive_median_hours` is kept only to show by how much.
"""

from __future__ import annotations

import math
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date

import pandas as pd

from cs_models.results import Result
from cs_models.stats import ALPHA, check_alpha
from cs_models.support.tickets import HOURS_PER_DAY, reply_frame, share_by, ticket_times
from cs_models.survey.intervals import Rate, rate
from cs_models.survival import ALL, KMResult, LogRankResult, kaplan_meier, logrank

#: Hours at which the share solved is read off the curve (24 h, 3 days).
WITHIN_HOURS: tuple[float, ...] = (24.0, 72.0)
#: Columns a resolution time can be compared by.
GROUPS: tuple[str, ...] = ("priority", "channel")
#: Volume periods.
PERIODS: Mapping[str, str] = {"month": "M", "week": "W-MON"}
#: Ratings that mean a satisfied customer (Zendesk good/bad, ja words); numbers: 4–5 of 5.
GOOD = frozenset({"good", "satisfied", "positive", "良い", "満足", "good, i'm satisfied", "はい"})
BAD = frozenset({"bad", "unsatisfied", "negative", "悪い", "不満", "bad, i'm unsatisfied", "いいえ"})
SATISFIED_FROM = 4


#: Default SLA targets (hours to solve) by priority as the exports write it; others get :data:`DEFAULT_TARGET`.
PRIORITY_TARGETS: Mapping[str, float] = {
    **dict.fromkeys(("urgent", "緊急", "critical", "最優先"), 24.0), **dict.fromkeys(("high", "高", "高い"), 48.0),
    **dict.fromkeys(("normal", "medium", "普通", "中", "通常"), 72.0), **dict.fromkeys(("low", "低", "低い"), 120.0),
}
DEFAULT_TARGET = 72.0


def default_targets(priorities: Iterable[object]) -> dict[str, float]:
    """Starting SLA targets for the priorities found (the user edits them).

    Parameters
    ----------
    priorities : iterable
        The priority values of the tickets.

    Returns
    -------
    dict
        ``{priority: hours}``, from :data:`PRIORITY_TARGETS` (case-insensitive) or :data:`DEFAULT_TARGET`.
    """
    return {str(p): PRIORITY_TARGETS.get(unicodedata.normalize("NFKC", str(p)).strip().lower(), DEFAULT_TARGET)
            for p in priorities}


@dataclass(frozen=True, kw_only=True)
class SupportAnalysis(Result):
    """The support numbers of one as-of date.

    Attributes
    ----------
    as_of : date
    tickets, open, untimed : int
        Tickets created by the as-of date; still open then; solved by status but without a
        solved time (left out of the resolution times).
    answer : Rate or None
        Share of tickets with a first reply (Wilson CI); ``None`` without ``first_reply_at``.
    reply : KMResult or None
        Time to first reply (unanswered tickets censored).
    resolution : KMResult
        Time to solve, overall.
    by_group : Mapping[str, KMResult]
        Time to solve per ``priority`` / ``channel`` (those present).
    logrank : Mapping[str, LogRankResult]
        Log-rank test of each of ``by_group``.
    within : DataFrame
        ``group_column, group, hours, share, low, high``: share solved within
        :data:`WITHIN_HOURS` from the curves (overall: ``group_column`` ``""``).
    naive_median_hours : float
        Median over solved tickets only (biased low; shown for contrast).
    sla : DataFrame
        ``priority, target_hours, n, attained, low, high`` for the targets given.
    csat : Rate or None
        Share of rated tickets rated good (4–5 of 5); ``None`` without ratings.
    volume : DataFrame
        Tickets per period (rows) and priority or channel (columns).
    per_customer : Mapping[str, float] or None
        ``customers, mean, median, most``: tickets per customer who opened any (``None``
        without ``customer_id``).
    """

    as_of: date
    tickets: int
    open: int
    untimed: int
    answer: Rate | None
    reply: KMResult | None
    resolution: KMResult
    by_group: Mapping[str, KMResult]
    logrank: Mapping[str, LogRankResult]
    within: pd.DataFrame
    naive_median_hours: float
    sla: pd.DataFrame
    csat: Rate | None
    volume: pd.DataFrame
    per_customer: Mapping[str, float] | None

    def median_hours(self, km: KMResult | None = None, group: str = ALL) -> tuple[float, float, float]:
        """Median hours (and its CI) of a curve: the overall resolution by default.

        Parameters
        ----------
        km : KMResult, optional
            A curve of this analysis (default :attr:`resolution`).
        group : str
            The group of ``km`` to read.

        Returns
        -------
        tuple of float
            ``(median, low, high)`` in hours (``inf``: not reached).
        """
        row = (km or self.resolution).summary.loc[group]
        median, low, high = (float(row[c]) * HOURS_PER_DAY for c in ("median_days", "median_lower", "median_upper"))
        return median, low, high


def reply_hours(result: SupportAnalysis) -> tuple[float, float] | None:
    """Median and 90th percentile of the time to first reply, from its Kaplan–Meier curve.

    Parameters
    ----------
    result : SupportAnalysis
        An analysis with first-reply times.

    Returns
    -------
    tuple of float or None
        ``(median, p90)`` in hours (``inf`` when not reached: unanswered tickets are censored,
        not left out); ``None`` without ``first_reply_at``.
    """
    if result.reply is None:
        return None
    curve = result.reply.curves
    p90 = curve.loc[curve["survival"] <= 0.1, "time_days"]
    return result.median_hours(result.reply)[0], float(p90.iloc[0]) * HOURS_PER_DAY if len(p90) else math.inf


def satisfied(values: pd.Series) -> pd.Series:
    """Each rating as satisfied (True), not (False) or not rated (NA): good/bad words in ja/en or 1–5.

    Parameters
    ----------
    values : Series
        The ``satisfaction`` column as exported ("Good", "悪い", 4, "Offered" …).

    Returns
    -------
    Series
        Nullable boolean.
    """
    def one(value: object) -> bool | None:
        if value is None or (isinstance(value, float) and math.isnan(value)):
            return None
        text = unicodedata.normalize("NFKC", str(value)).strip().lower()
        if text in GOOD or text in BAD:
            return text in GOOD
        try:
            number = float(text)
        except ValueError:
            return None  # "offered", "unoffered", "未評価": asked, not answered
        return number >= SATISFIED_FROM if 1 <= number <= 5 else None

    return pd.Series([one(v) for v in values], index=values.index, dtype="boolean")


def _within(overall: KMResult, by_group: Mapping[str, KMResult]) -> pd.DataFrame:
    rows = [("", ALL, overall)] + [(c, g, km) for c, km in by_group.items() for g in km.groups]
    return pd.DataFrame(
        [{"group_column": column, "group": group, "hours": h, **dict(zip(("share", "low", "high"),
                                                                        share_by(km.curves, group, h), strict=True))}
         for column, group, km in rows for h in WITHIN_HOURS])


def _sla(by_group: Mapping[str, KMResult], targets: Mapping[str, float]) -> pd.DataFrame:
    km = by_group.get("priority")
    rows = []
    for priority, hours in targets.items():
        if km is None or priority not in km.groups:
            continue
        share, low, high = share_by(km.curves, priority, float(hours))
        rows.append({"priority": priority, "target_hours": float(hours), "n": int(km.summary.loc[priority, "n"]),
                     "attained": share, "low": low, "high": high})
    return pd.DataFrame(rows, columns=["priority", "target_hours", "n", "attained", "low", "high"])


def volume(times: pd.DataFrame, *, period: str = "month", by: str = "priority") -> pd.DataFrame:
    """Tickets created per period and ``by`` value (a blank value is its own column ``""``).

    Parameters
    ----------
    times : DataFrame
        Output of :func:`cs_models.support.ticket_times`.
    period : {"month", "week"}
        Calendar period (weeks start on Monday).
    by : str
        Column that splits the counts (``priority`` or ``channel``); all tickets in one
        column ``""`` when absent.

    Returns
    -------
    DataFrame
        Index: period start dates; columns: the values of ``by``, the most frequent first.
    """
    if period not in PERIODS:
        raise ValueError(f"unknown period {period!r}")
    start = times["created_at"].dt.to_period(PERIODS[period]).dt.start_time
    split = times[by].fillna("") if by in times else pd.Series("", index=times.index)
    table = pd.crosstab(start, split).sort_index()
    table = table[table.sum().sort_values(ascending=False, kind="stable").index]  # largest first, as the curves
    table.index.name, table.columns.name = "period", by
    return table


def analyse_support(
    tickets: pd.DataFrame,
    as_of: date,
    *,
    sla_hours: Mapping[str, float] | None = None,
    period: str = "month",
    volume_by: str = "priority",
    alpha: float = ALPHA,
) -> SupportAnalysis:
    """Answer rate, first reply, resolution (Kaplan–Meier, log-rank by priority and channel),
    SLA attainment, CSAT and volume of the tickets created by ``as_of``.

    Parameters
    ----------
    tickets : DataFrame
        Canonical tickets.
    as_of : date
        Open tickets are censored at the end of this day.
    sla_hours : mapping, optional
        Priority -> target hours to solve; attainment is read off that priority's curve.
    period : {"month", "week"}
        Period of :attr:`SupportAnalysis.volume`.
    volume_by : {"priority", "channel"}
        What splits :attr:`SupportAnalysis.volume`.
    alpha : float
        ``1 - confidence level`` of every interval.

    Returns
    -------
    SupportAnalysis
    """
    check_alpha(alpha)
    times = ticket_times(tickets, as_of)
    timed = times.loc[~times["untimed"]]
    resolution = kaplan_meier(timed, alpha=alpha)
    by_group = {c: kaplan_meier(timed, c, alpha=alpha) for c in GROUPS if c in timed and timed[c].notna().any()}
    tests = {c: logrank(timed, c) for c, km in by_group.items() if len(km.groups) > 1}
    has_reply = "replied" in times
    rated = satisfied(times["satisfaction"]).dropna() if "satisfaction" in times else pd.Series(dtype="boolean")
    return SupportAnalysis(
        as_of=as_of, tickets=len(times), open=int((~times["solved"] & ~times["untimed"]).sum()),
        untimed=int(times["untimed"].sum()),
        answer=rate(times["replied"], alpha=alpha) if has_reply else None,
        reply=kaplan_meier(reply_frame(times), alpha=alpha) if has_reply else None,
        resolution=resolution, by_group=by_group, logrank=tests, within=_within(resolution, by_group),
        naive_median_hours=float(timed.loc[timed["solved"], "hours_to_solve"].median()),
        sla=_sla(by_group, sla_hours or {}),
        csat=rate(rated.astype(bool), alpha=alpha) if len(rated) else None,
        volume=volume(times, period=period, by=volume_by), per_customer=_per_customer(times), alpha=alpha,
    )


def _per_customer(times: pd.DataFrame) -> dict[str, float] | None:
    if "customer_id" not in times or times["customer_id"].isna().all():
        return None
    counts = times["customer_id"].dropna().value_counts()
    counts = counts[counts > 0]  # categorical IDs count every category, also those without a ticket
    return {"customers": len(counts), "mean": float(counts.mean()), "median": float(counts.median()),
            "most": int(counts.max())}
