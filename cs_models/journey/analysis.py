"""One call for the journey page: stages, transitions, time in stage, churn by stage, paths, the
upgrade effect and the lifetime value by entry stage (:func:`analyse_journey`)."""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

import numpy as np
import pandas as pd

from cs_models.errors import DataError
from cs_models.journey import ltv as mk
from cs_models.journey.stages import (
    default_order,
    monthly_states,
    paths,
    spells,
    stage_hazard,
    transition_counts,
)
from cs_models.journey.upgrade import UpgradeEffect, upgrade_effect
from cs_models.results import Result
from cs_models.stats import ALPHA, check_alpha
from cs_models.survival import KMResult, kaplan_meier

#: Annual discount rate of the lifetime value by default.
DISCOUNT_RATE = 0.10
#: Fewest customers who followed a path for its LTV to be shown, and most paths shown.
MIN_PATH_CUSTOMERS = 10
MAX_PATHS = 8
#: Stages of a path at most (the Sankey's steps).
PATH_STEPS = 3


@dataclass(frozen=True, kw_only=True)
class JourneyResult(Result):
    """The customer journey through the stages.

    Attributes
    ----------
    order : tuple of str
        Stages from first to last.
    customers : int
        Customers with a plan history and a contract.
    matrix : DataFrame
        Monthly transition probabilities: rows = stage at the start of a month, columns = stages and
        :data:`cs_models.journey.stages.CHURN` a month later.
    counts : DataFrame
        The observed transitions behind ``matrix`` (same shape).
    time_in_stage : KMResult
        Kaplan–Meier of the time spent in each stage (leaving it by a move or churn is the event;
        stays still going at the as-of date are censored); column ``stage``.
    hazard : DataFrame
        :func:`cs_models.journey.stages.stage_hazard`.
    paths : DataFrame
        :func:`cs_models.journey.stages.paths`.
    upgrade : UpgradeEffect or None
        Time-varying vs naive hazard ratio of upgrading (``None`` when too few upgraders).
    ltv_by_path : DataFrame
        :func:`ltv_by_path`: the LTV from entry of customers following each typical path.
    ltv : DataFrame
        Indexed by entry stage: ``customers`` (entering there), ``ltv``, ``low``, ``high`` (bootstrap
        percentile CI), ``months`` (expected months as a customer, undiscounted).
    months_in : DataFrame
        Expected months in each stage (columns) by entry stage (rows), undiscounted.
    reach : DataFrame
        Chance of ever reaching each stage (columns) by entry stage (rows).
    mrr : Series
        Monthly revenue by stage used for the LTV.
    mrr_source : str
        ``"history"``, ``"customers"`` or ``"months"`` (no amounts: LTV in months).
    discount_rate : float
        Annual discount rate.
    """

    order: tuple[str, ...]
    customers: int
    matrix: pd.DataFrame
    counts: pd.DataFrame
    time_in_stage: KMResult
    hazard: pd.DataFrame
    paths: pd.DataFrame
    upgrade: UpgradeEffect | None
    ltv: pd.DataFrame
    ltv_by_path: pd.DataFrame
    months_in: pd.DataFrame
    reach: pd.DataFrame
    mrr: pd.Series
    mrr_source: str
    discount_rate: float


def _ltv_table(per_customer: np.ndarray, entry: pd.Series, order: Sequence[str], mrr: np.ndarray,
               discount: float, alpha: float) -> tuple[pd.DataFrame, np.ndarray]:
    matrix = mk.transition_matrix(per_customer.sum(axis=0))
    point = mk.markov_ltv(matrix, mrr, discount)
    low, high = _percentiles(mk.bootstrap_ltv(per_customer, mrr, discount), alpha, len(order))
    months = mk.fundamental(matrix).sum(axis=1)
    table = pd.DataFrame({"stage": list(order), "customers": [int((entry == s).sum()) for s in order],
                          "ltv": point, "low": low, "high": high, "months": months}).set_index("stage")
    return table, matrix


def observed_paths(sp: pd.DataFrame, least: int = MIN_PATH_CUSTOMERS, most: int = MAX_PATHS) -> pd.DataFrame:
    """The typical paths: starts of the customers' stage sequences that enough customers followed.

    Parameters
    ----------
    sp : DataFrame
        Output of :func:`cs_models.journey.stages.spells`.
    least : int
        Fewest customers whose sequence begins with the path.
    most : int
        Most paths kept (the most followed).

    Returns
    -------
    DataFrame
        ``path`` (tuple of stages, 1 to :data:`PATH_STEPS` of them) and ``customers`` (whose sequence so
        far begins with it), ordered by the stages' ranks.
    """
    seq = sp.sort_values(["customer_id", "spell"]).groupby("customer_id", sort=False, observed=True)["stage"].agg(tuple)
    counts: dict[tuple[str, ...], int] = {}
    for stages_seen in seq:
        for k in range(1, min(len(stages_seen), PATH_STEPS) + 1):
            counts[stages_seen[:k]] = counts.get(stages_seen[:k], 0) + 1
    kept = sorted((p for p, n in counts.items() if n >= least), key=lambda p: (-counts[p], p))[:most]
    rank = dict(zip(sp["stage"], sp["rank"], strict=False))
    kept.sort(key=lambda p: [rank[s] for s in p])
    return pd.DataFrame({"path": kept, "customers": [counts[p] for p in kept]}, columns=["path", "customers"])


def ltv_by_path(per_customer: np.ndarray, paths_seen: pd.DataFrame, order: Sequence[str], mrr: np.ndarray,
                discount: float, alpha: float) -> pd.DataFrame:
    """The LTV of each typical path (:func:`cs_models.journey.ltv.path_ltv`) with bootstrap intervals.

    Parameters
    ----------
    per_customer : ndarray
        ``(customers, K, K + 1)`` transition counts (:func:`cs_models.journey.stages.transition_counts`).
    paths_seen : DataFrame
        :func:`observed_paths`.
    order : sequence of str
        Stages from first to last.
    mrr : ndarray
        ``(K,)`` monthly revenue by stage.
    discount : float
        Monthly discount factor.
    alpha : float
        ``1 - confidence level``.

    Returns
    -------
    DataFrame
        ``path, customers, chance`` (:func:`cs_models.journey.ltv.path_chance`), ``ltv, low, high``
        (percentile interval over the same customer resamples as the LTV by entry stage).
    """
    index = {s: i for i, s in enumerate(order)}
    coded = [[index[s] for s in p] for p in paths_seen["path"]]

    def values(matrix: np.ndarray) -> np.ndarray:
        return np.array([mk.path_ltv(matrix, p, mrr, discount) for p in coded], dtype=float)

    matrix = mk.transition_matrix(per_customer.sum(axis=0))
    low, high = _percentiles(mk.bootstrap(per_customer, values), alpha, len(coded))
    return paths_seen.assign(chance=[mk.path_chance(matrix, p) for p in coded], ltv=values(matrix), low=low,
                             high=high)


def _percentiles(boot: np.ndarray, alpha: float, width: int) -> tuple[np.ndarray, np.ndarray]:
    """Percentile interval of bootstrap replicates (NaN columns where no replicate is finite)."""
    if width == 0 or not np.isfinite(boot).any():
        return np.full(width, np.nan), np.full(width, np.nan)
    with np.errstate(invalid="ignore"), warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # all-NaN columns give NaN
        return np.nanquantile(boot, alpha / 2, axis=0), np.nanquantile(boot, 1 - alpha / 2, axis=0)


@dataclass(frozen=True, kw_only=True)
class JourneySummary(Result):
    """What the Overview card draws and what :func:`cs_models.journey.findings` reads: the parts of
    :class:`JourneyResult` made without the typical paths, their LTV and the time in stage.

    Attributes
    ----------
    order, customers, hazard, upgrade, ltv, months_in, reach, mrr_source, discount_rate
        Equal to the fields of the same name of :func:`analyse_journey`'s result on the same data.
    """

    order: tuple[str, ...]
    customers: int
    hazard: pd.DataFrame
    upgrade: UpgradeEffect | None
    ltv: pd.DataFrame
    months_in: pd.DataFrame
    reach: pd.DataFrame
    mrr_source: str
    discount_rate: float


@dataclass(frozen=True)
class _Core:
    """What the full analysis and the summary share (made once, by :func:`_core`)."""

    stages: tuple[str, ...]
    spells: pd.DataFrame
    per_customer: np.ndarray
    mrr: np.ndarray
    discount: float
    summary: JourneySummary
    matrix: np.ndarray


def _core(history: pd.DataFrame, customers: pd.DataFrame, as_of: date, order: Sequence[str] | None,
          discount_rate: float, alpha: float) -> _Core:
    """The spells, the transition counts, the LTV by entry stage, churn by stage and the upgrade effect."""
    check_alpha(alpha)
    if "plan" not in history or history["plan"].notna().sum() == 0:
        raise DataError("journey_no_plan", "the plan history has no plan/stage column")
    stages = tuple(order) if order else tuple(default_order(history, customers))
    sp = spells(history, customers, as_of, stages)
    states = monthly_states(sp)
    per_customer = transition_counts(states, stages)
    mrr, source = mk.stage_mrr(sp, stages, history, customers)
    entry = sp.drop_duplicates("customer_id")["entry_stage"]
    discount = mk.monthly_discount(discount_rate)
    table, matrix = _ltv_table(per_customer, entry, stages, mrr, discount, alpha)
    notes = [] if source != "months" else ["ltv_in_months"]
    effect = upgrade_effect(sp, stages, alpha)
    if effect is None:
        notes.append("too_few_upgraders")
    summary = JourneySummary(
        order=stages, customers=int(sp["customer_id"].nunique()), hazard=stage_hazard(sp, stages, alpha),
        upgrade=effect, ltv=table,
        months_in=pd.DataFrame(mk.fundamental(matrix), index=list(stages), columns=list(stages)),
        reach=pd.DataFrame(mk.reach(matrix), index=list(stages), columns=list(stages)),
        mrr_source=source, discount_rate=discount_rate, alpha=alpha, notes=tuple(notes),
    )
    return _Core(stages=stages, spells=sp, per_customer=per_customer, mrr=mrr, discount=discount, summary=summary,
                 matrix=matrix)


def card_summary(history: pd.DataFrame, customers: pd.DataFrame, as_of: date, *,
                 order: Sequence[str] | None = None, discount_rate: float = DISCOUNT_RATE,
                 alpha: float = ALPHA) -> JourneySummary:
    """What the Overview card needs, without the typical paths, their LTV and the time in stage.

    Every field equals the field of the same name of :func:`analyse_journey` on the same arguments
    (both are made by one function), so the card and the page never show different numbers; the
    findings of the two are the same.

    Parameters
    ----------
    history, customers, as_of, order, discount_rate, alpha
        As for :func:`analyse_journey`.

    Returns
    -------
    JourneySummary

    Raises
    ------
    DataError
        As :func:`analyse_journey`.
    """
    return _core(history, customers, as_of, order, discount_rate, alpha).summary


def analyse_journey(history: pd.DataFrame, customers: pd.DataFrame, as_of: date, *,
                    order: Sequence[str] | None = None, discount_rate: float = DISCOUNT_RATE,
                    alpha: float = ALPHA) -> JourneyResult:
    """Everything the journey page shows.

    Parameters
    ----------
    history : DataFrame
        Canonical plan history (``customer_id, date, plan``; optional ``mrr``).
    customers : DataFrame
        Canonical customers (``customer_id, start_date, end_date``; optional ``mrr``).
    as_of : date
        As-of date (later changes and churns unknown).
    order : sequence of str, optional
        Stages from first to last (default :func:`cs_models.journey.stages.default_order`).
    discount_rate : float
        Annual discount rate of the LTV.
    alpha : float
        ``1 - confidence level``.

    Returns
    -------
    JourneyResult

    Raises
    ------
    DataError
        ``journey_no_plan`` without a plan column, ``journey_no_match``, ``journey_bad_order``,
        ``journey_too_many_stages`` (see :func:`cs_models.journey.stages.spells`).
    """
    core = _core(history, customers, as_of, order, discount_rate, alpha)
    head, sp, stages = core.summary, core.spells, core.stages
    by_path = ltv_by_path(core.per_customer, observed_paths(sp), stages, core.mrr, core.discount, alpha)
    columns = [*stages, "__churn__"]
    km_frame = pd.DataFrame({"duration_days": (sp["stop_day"] - sp["start_day"]).to_numpy(float),
                             "event": sp["exit"].ne("censored").to_numpy(), "stage": sp["stage"].to_numpy()})
    km = kaplan_meier(km_frame.loc[km_frame["duration_days"] > 0], "stage", alpha=alpha)
    return JourneyResult(
        order=stages, customers=head.customers,
        matrix=pd.DataFrame(core.matrix, index=list(stages), columns=columns),
        counts=pd.DataFrame(core.per_customer.sum(axis=0), index=list(stages), columns=columns),
        time_in_stage=km, hazard=head.hazard, paths=paths(sp), upgrade=head.upgrade, ltv=head.ltv,
        ltv_by_path=by_path, months_in=head.months_in, reach=head.reach,
        mrr=pd.Series(core.mrr, index=list(stages)), mrr_source=head.mrr_source, discount_rate=discount_rate,
        alpha=alpha, notes=head.notes,
    )
