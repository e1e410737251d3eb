"""Who is likely to leave within a horizon, why, and how much revenue that puts at risk — backtested.

A penalised Cox model (lifelines' ``CoxPHFitter`` estimate, computed vectorised by
:mod:`cs_models.risk_cox`) is fitted on the customers' history up to the
as-of date; each active customer's risk is conditional on the time already survived:
``P(T ≤ t + h | T > t) = 1 − S(t + h) / S(t)``. The **backtest** refits at ``as-of − horizon``
with only what was known then (later end dates are unknown to the model) and scores the
customers active then against what happened in the following horizon: AUC (with a Hanley–McNeil
interval), Brier score, calibration by decile (Wilson intervals) and the top decile's lift.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

import numpy as np
import pandas as pd
from scipy.stats import norm, rankdata

from cs_models.datasets import Datasets
from cs_models.errors import DataError
from cs_models.findings import Finding
from cs_models.results import Result, frame_records, json_number, jsonable
from cs_models.risk_cox import CoxFit, fit_cox
from cs_models.stats import ALPHA, check_alpha, proportion_interval
from cs_models.survival import default_covariates, durations

HORIZONS: tuple[int, ...] = (30, 90, 180)
#: Ridge penalty of the Cox model: keeps many one-hot dummies from blowing up.
PENALIZER = 0.05
#: Risk deciles of the calibration table.
DECILES = 10
#: Drivers named per customer.
TOP_DRIVERS = 3
#: Fewest churn events in the backtest window for its figures to mean anything.
MIN_EVENTS = 10


@dataclass(frozen=True, kw_only=True)
class Backtest(Result):
    """The model refitted at ``as_of`` and judged on the following ``horizon_days``.

    Attributes
    ----------
    as_of : date
    customers, events : int
        Customers active then, and how many of them churned within the horizon.
    auc, auc_low, auc_high : float
        Area under the ROC curve and its Hanley–McNeil interval.
    brier : float
        Mean squared error of the predicted probabilities.
    calibration : DataFrame
        ``decile, customers, predicted, observed, low, high`` (Wilson).
    top_decile_lift : float
        Churn rate of the riskiest tenth over the overall churn rate.
    """

    as_of: date
    customers: int
    events: int
    auc: float
    auc_low: float
    auc_high: float
    brier: float
    calibration: pd.DataFrame
    top_decile_lift: float

    @property
    def informative(self) -> bool:
        """Whether the ranking beats chance: the whole AUC interval lies above 0.5."""
        return bool(self.auc_low > 0.5)


@dataclass(frozen=True, kw_only=True)
class RiskScores(Result):
    """Churn risk of every active customer at the as-of date, with drivers and the backtest.

    Attributes
    ----------
    as_of : date
    horizon_days : int
    customers : DataFrame
        One row per active customer, riskiest first: ``customer_id``, ``risk``, ``mrr``,
        ``revenue_at_risk`` (risk × MRR), ``drivers`` (the :data:`TOP_DRIVERS` columns that move
        the customer's hazard most: ``(column, the customer's value, effect)``, ``effect`` the
        relative change in hazard against an average customer), and the
        customer's segment and covariate columns.
    hazard_ratios : DataFrame
        ``term, column, level, hr`` of the fitted model.
    backtest : Backtest or None
        ``None`` when the history before ``as_of − horizon`` is too short or has too few churns.
    """

    as_of: date
    horizon_days: int
    customers: pd.DataFrame
    hazard_ratios: pd.DataFrame
    backtest: Backtest | None

    def top_decile(self) -> pd.DataFrame:
        """The riskiest tenth of :attr:`customers` (at least one customer).

        Returns
        -------
        DataFrame
            The first rows of :attr:`customers`.
        """
        return self.customers.head(max(1, len(self.customers) // DECILES))


def _design(frame: pd.DataFrame, columns: list[str], levels: dict[str, list[str]] | None = None
            ) -> tuple[pd.DataFrame, dict[str, list[str]], list[tuple[str, str, str]]]:
    """Numeric columns as they are, text columns one-hot against their most frequent level."""
    out, terms = {}, []
    levels = dict(levels or {})
    for column in columns:
        values = frame[column]
        if pd.api.types.is_numeric_dtype(values) and not pd.api.types.is_bool_dtype(values):
            out[column] = values.astype(float).fillna(values.median())
            terms.append((column, column, ""))
            continue
        text = values.astype("string").fillna("")
        if column not in levels:
            counts = text.value_counts()
            levels[column] = [str(v) for v in counts.index[1:]]  # the most frequent is the reference
        codes, uniques = pd.factorize(text)  # integer codes: one comparison of numbers per level
        code_of = {str(u): i for i, u in enumerate(uniques)}
        for level in levels[column]:
            name = f"{column}={level}"
            out[name] = (codes == code_of.get(level, -2)).astype(float)
            terms.append((name, column, level))
    return pd.DataFrame(out, index=frame.index), levels, terms


#: Above this many customers the coefficients are fitted on a random sample of them, drawn separately
#: from the churned and the other customers in proportion (the baseline hazard uses every customer).
FIT_MAX_ROWS = 100_000
FIT_SEED = 20261202


def _fit_rows(event: np.ndarray, max_rows: int = FIT_MAX_ROWS) -> np.ndarray | None:
    """A proportionally stratified sample of row indices (``None``: fit on every row)."""
    if len(event) <= max_rows:
        return None
    rng = np.random.default_rng(FIT_SEED)
    share = max_rows / len(event)
    parts = [rng.choice(rows, size=round(len(rows) * share), replace=False)
             for rows in (np.flatnonzero(event), np.flatnonzero(~event))]
    return np.sort(np.concatenate(parts))


def _fit(frame: pd.DataFrame, columns: list[str]) -> tuple[CoxFit, dict[str, list[str]],
                                                           list[tuple[str, str, str]]]:
    """The Cox model of the lifetimes ``frame`` (from :func:`durations`) on ``columns``."""
    x, levels, terms = _design(frame, columns)
    keep = [t for t in terms if x[t[0]].std() > 0]
    event = frame["event"].to_numpy(bool)
    fit = fit_cox(x[[t[0] for t in keep]].to_numpy(float), frame["duration_days"].clip(lower=0.5).to_numpy(float),
                  event, penalizer=PENALIZER, fit_rows=_fit_rows(event))
    return fit, levels, keep


#: Days at the end of the observed lifetimes whose mean baseline hazard carries the curve beyond them.
TAIL_DAYS = 180


def _conditional_risk(fit: CoxFit, x: np.ndarray, age: np.ndarray, horizon: float) -> np.ndarray:
    """``1 − S(age + h | x) / S(age | x)`` from the fitted (Breslow) baseline and each customer's hazard.

    Beyond the longest observed lifetime the baseline is unknown; it is carried on at the mean
    rate of its last :data:`TAIL_DAYS` days (a constant hazard), so the oldest customers do not
    get a risk of zero.
    """
    times, values = fit.times, fit.cumulative_hazard
    end = times[-1]
    tail = times >= end - TAIL_DAYS
    slope = (values[-1] - values[tail][0]) / max(end - times[tail][0], 1.0)

    def cumulative(t: np.ndarray) -> np.ndarray:
        i = np.searchsorted(times, t, side="right") - 1
        inside = np.where(i >= 0, values[np.clip(i, 0, None)], 0.0)
        return np.where(t > end, values[-1] + slope * (t - end), inside)

    partial = fit.partial_hazard(x)
    return 1 - np.exp(-(cumulative(age + horizon) - cumulative(age)) * partial)


def _drivers(x: np.ndarray, fit: CoxFit, terms: list[tuple[str, str, str]], active: pd.DataFrame) -> list[list[Any]]:
    """The :data:`TOP_DRIVERS` columns moving each customer's hazard most against the average customer."""
    terms_effect = (x - x.mean(axis=0)) * fit.params  # log-hazard against the average
    used = list(dict.fromkeys(column for _, column, _ in terms))
    by_column = np.column_stack([terms_effect[:, [i for i, t in enumerate(terms) if t[1] == c]].sum(axis=1)
                                 for c in used])
    order = np.argsort(-np.abs(by_column), axis=1)[:, :TOP_DRIVERS]
    effect = np.take_along_axis(by_column, order, axis=1)
    own = np.take_along_axis(active[used].astype(object).to_numpy(), order, axis=1)
    with _no_gc():
        return [[(used[k], v, e) for k, v, e, z in zip(ks, vs, es, zs, strict=True) if z]
                for ks, vs, es, zs in zip(order.tolist(), own.tolist(), np.expm1(effect).tolist(),
                                          (effect != 0).tolist(), strict=True)]


@contextmanager
def _no_gc() -> Iterator[None]:
    """Pause the cyclic garbage collector while building many small lists that hold no cycle: its full
    collections, triggered by the allocations alone, took two thirds of the time for 100,000 customers."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _score(customers: pd.DataFrame, as_of: date, horizon: int, columns: list[str], *,
           drivers: bool = True) -> tuple[pd.DataFrame, Any]:
    """Fit at ``as_of`` and score the customers active then; returns the scored frame and the fit."""
    frame = durations(customers, as_of)
    fit, levels, terms = _fit(frame, columns)
    active = frame.loc[~frame["event"].to_numpy(bool)]
    design, _, _ = _design(active, columns, levels)
    x = design[[t[0] for t in terms]].to_numpy(float)
    risk = _conditional_risk(fit, x, active["duration_days"].to_numpy(float), float(horizon))
    scored = active.assign(risk=risk)
    if drivers:
        scored = scored.assign(drivers=_drivers(x, fit, terms, active))
    return scored, (fit, terms)


def _auc(y: np.ndarray, p: np.ndarray, alpha: float) -> tuple[float, float, float]:
    """AUC as the Mann–Whitney U over n1·n0, with the Hanley–McNeil (1982) standard error."""
    n1, n0 = int(y.sum()), int((~y).sum())
    ranks = rankdata(p)
    auc = (ranks[y].sum() - n1 * (n1 + 1) / 2) / (n1 * n0)
    q1, q2 = auc / (2 - auc), 2 * auc**2 / (1 + auc)
    se = np.sqrt((auc * (1 - auc) + (n1 - 1) * (q1 - auc**2) + (n0 - 1) * (q2 - auc**2)) / (n1 * n0))
    z = norm.ppf(1 - alpha / 2)
    return float(auc), float(max(auc - z * se, 0.0)), float(min(auc + z * se, 1.0))


def backtest(customers: pd.DataFrame, as_of: date, horizon: int, columns: list[str], *,
             alpha: float = ALPHA) -> Backtest | None:
    """Refit at ``as_of − horizon`` and judge the scores on the horizon that followed.

    Parameters
    ----------
    customers : DataFrame
        Canonical customers (their end dates up to ``as_of`` are the outcomes).
    as_of : date
        The real as-of date; the backtest's model sees nothing after ``as_of − horizon``.
    horizon : int
        Days.
    columns : list of str
        Model columns.
    alpha : float
        ``1 - confidence level``.

    Returns
    -------
    Backtest or None
        ``None`` when there is too little history or fewer than :data:`MIN_EVENTS` churns.
    """
    start = as_of - timedelta(days=horizon)
    try:
        scored, _ = _score(customers, start, horizon, columns, drivers=False)
    except DataError:
        return None
    ends = pd.to_datetime(customers.set_index("customer_id").loc[scored["customer_id"], "end_date"])
    churned = (ends.notna() & (ends <= pd.Timestamp(as_of))).to_numpy()
    if churned.sum() < MIN_EVENTS or (~churned).sum() < MIN_EVENTS:
        return None
    p = scored["risk"].to_numpy(float)
    auc, low, high = _auc(churned, p, alpha)
    decile = pd.qcut(rankdata(p, method="ordinal"), DECILES, labels=False) + 1
    table = pd.DataFrame({"decile": decile, "p": p, "y": churned}).groupby("decile", observed=True).agg(
        customers=("y", "size"), predicted=("p", "mean"), churned=("y", "sum")).reset_index()
    table["observed"] = table["churned"] / table["customers"]
    table["low"], table["high"] = proportion_interval(table["churned"].to_numpy(), table["customers"].to_numpy(),
                                                      alpha=alpha)
    return Backtest(as_of=start, customers=len(p), events=int(churned.sum()), auc=auc, auc_low=low, auc_high=high,
                    brier=float(np.mean((p - churned) ** 2)), calibration=table.drop(columns="churned"),
                    top_decile_lift=float(table["observed"].iloc[-1] / churned.mean()), alpha=alpha)


def risk_scores(customers: pd.DataFrame, as_of: date, *, horizon_days: int = 90,
                alpha: float = ALPHA) -> RiskScores:
    """Churn risk within ``horizon_days`` of every active customer, with its drivers and a backtest.

    Parameters
    ----------
    customers : DataFrame
        Canonical customers with segment and numeric columns.
    as_of : date
        End dates after it are unknown to the model (an earlier date is a backtest).
    horizon_days : int
        One of :data:`HORIZONS` (any positive number of days works).
    alpha : float
        ``1 - confidence level`` of the backtest's intervals.

    Returns
    -------
    RiskScores

    Raises
    ------
    DataError
        ``risk_no_covariates`` when the customers have no column to model.
    """
    check_alpha(alpha)
    if horizon_days <= 0:
        raise ValueError("horizon_days must be positive")
    lifetimes = durations(customers, as_of)
    columns = default_covariates(lifetimes)
    if not columns:
        raise DataError("risk_no_covariates", "the customers have no segment or numeric column to model")
    scored, (fit, terms) = _score(customers, as_of, horizon_days, columns)
    mrr = scored["mrr"] if "mrr" in scored else pd.Series(np.nan, index=scored.index)
    out = scored[["customer_id", "risk", *columns, "drivers"]].assign(mrr=mrr, revenue_at_risk=scored["risk"] * mrr)
    out = out.sort_values("risk", ascending=False, kind="stable").reset_index(drop=True)
    hrs = pd.DataFrame([{"term": t, "column": c, "level": lv, "hr": float(np.exp(coef))}
                        for (t, c, lv), coef in zip(terms, fit.params, strict=True)])
    # nobody has churned yet: every risk is 0, a ranking and "expected losses" would be nonsense
    notes = () if lifetimes["event"].any() else ("risk_no_events",)
    return RiskScores(as_of=as_of, horizon_days=horizon_days, customers=out, hazard_ratios=hrs,
                      backtest=backtest(customers, as_of, horizon_days, columns, alpha=alpha), alpha=alpha,
                      notes=notes)


def findings(result: RiskScores) -> list[Finding]:
    """Whether the ranking can be trusted, and how much revenue the riskiest tenth carries.

    Parameters
    ----------
    result : RiskScores
        Output of :func:`risk_scores`.

    Returns
    -------
    list of Finding
        ``risk.backtest_good`` (AUC interval above 0.5) or ``risk.backtest_chance`` (an alert: the
        page does not rank), or ``risk.no_backtest``; ``risk.revenue_at_risk`` of the top decile; only
        ``risk.no_events`` when no customer has churned by the as-of date (nothing to learn risk from).
    """
    if "risk_no_events" in result.notes:
        return [Finding("risk.no_events", "risk", "notice", {"n": len(result.customers),
                                                               "as_of": result.as_of.isoformat()})]
    bt = result.backtest
    out: list[Finding] = []
    if bt is None:
        out.append(Finding("risk.no_backtest", "risk", "notice", {"days": result.horizon_days}))
    else:
        params = {"auc": bt.auc, "low": bt.auc_low, "high": bt.auc_high, "lift": bt.top_decile_lift,
                  "days": result.horizon_days, "as_of": bt.as_of.isoformat(), "n": bt.customers}
        out.append(Finding("risk.backtest_good" if bt.informative else "risk.backtest_chance", "risk",
                           "info" if bt.informative else "alert", params))
    top = result.top_decile()
    if top["revenue_at_risk"].notna().any():
        out.append(Finding("risk.revenue_at_risk", "risk", "notice",
                           {"amount": float(top["revenue_at_risk"].sum()), "n": len(top),
                            "expected": float(top["risk"].sum()), "days": result.horizon_days}))
    return out


def report_section(
    datasets: Datasets, *, as_of: date, horizon_days: int = 90, **_options: Any
) -> dict[str, Any] | None:
    """The ``"risk"`` section of the report (``None`` without customers).

    Parameters
    ----------
    datasets : Datasets
        The loaded data.
    as_of : date
        Scoring date.
    horizon_days : int
        Risk horizon.
    **_options
        Options of other sections (ignored).

    Returns
    -------
    dict or None
        ``{"horizon_days", "customers": [{"customer_id", "risk", "revenue_at_risk", "drivers": [{"name",
        "effect"}]}], "backtest": {"as_of", "auc", "auc_ci", "brier", "calibration", "top_decile_lift"},
        "results": {"scores"} (the complete :class:`RiskScores`), "findings"}``.
    """
    if datasets.customers is None:
        return None
    result = risk_scores(datasets.customers, as_of, horizon_days=horizon_days)
    bt = result.backtest
    return {
        "horizon_days": horizon_days,
        "customers": [{"customer_id": r.customer_id, "risk": json_number(r.risk, 6),
                       "revenue_at_risk": json_number(r.revenue_at_risk, 2),
                       "drivers": [{"name": str(c), "value": jsonable(v), "effect": json_number(e, 4)}
                                   for c, v, e in r.drivers]} for r in result.customers.itertuples()],
        "backtest": None if bt is None else {
            "as_of": bt.as_of.isoformat(), "customers": bt.customers, "events": bt.events, "auc": json_number(bt.auc),
            "auc_ci": [json_number(bt.auc_low), json_number(bt.auc_high)], "brier": json_number(bt.brier),
            "calibration": frame_records(bt.calibration), "top_decile_lift": json_number(bt.top_decile_lift)},
        "results": jsonable({"scores": result}),
        "findings": findings(result),
    }
