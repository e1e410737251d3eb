"""Stages of the customer journey: the order of the stages, each customer's stage spells, the monthly
stage states (the Markov chain's observations), time in stage (Kaplan–Meier) and churn by stage.

All times are counted from the customer's start (``customers.start_date``); a customer's stage at a
date is the plan of the last plan-history row on or before it (the first row's plan is taken back to
the start). Nothing after the as-of date or after the end of the contract is used.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

import numpy as np
import pandas as pd
from scipy import stats

from cs_models.errors import DataError
from cs_models.ids import lookup
from cs_models.survival import durations

#: Absorbing state of the chain.
CHURN = "__churn__"
#: A customer still active at the as-of date (the end of a path in the Sankey).
ACTIVE = "__active__"
#: Fewest customers with a plan history for the journey analysis.
MIN_JOURNEY_CUSTOMERS = 20
MAX_STAGES = 8
DAYS_PER_MONTH = 365.25 / 12


def _sample_order(stages: Sequence[str]) -> list[str] | None:
    """The sample plans' order (Light → Standard → Pro) when every stage is a sample plan label."""
    from cs_models import sample  # lazy: the sample module is large and rarely needed here

    for lang in sample.LANGS:
        codes = sample.vocabulary(lang)
        known = [s for s in stages if codes.get(s) in sample.PLANS]
        if len(known) == len(stages) and stages:
            rank = list(sample.PLANS)
            return sorted(stages, key=lambda s: rank.index(codes[s]))
    return None


def default_order(history: pd.DataFrame, customers: pd.DataFrame) -> list[str]:
    """Stages from first to last: the sample vocabulary's order, else by mean tenure at entry.

    Parameters
    ----------
    history : DataFrame
        Canonical plan history (``customer_id, date, plan``).
    customers : DataFrame
        Canonical customers (``customer_id, start_date``).

    Returns
    -------
    list of str
        Every stage in ``history``; stages customers enter earlier in their life come first
        (ties by name).
    """
    stages = sorted(str(s) for s in history["plan"].dropna().unique())
    known = _sample_order(stages)
    if known is not None:
        return known
    starts = customers.drop_duplicates("customer_id").set_index("customer_id")["start_date"]
    start = lookup(history["customer_id"], starts)
    tenure = (history["date"] - start.fillna(history.groupby("customer_id", observed=True)["date"].transform("min")))
    mean = tenure.dt.days.clip(lower=0).groupby(history["plan"].astype(str), observed=True).mean()
    return sorted(stages, key=lambda s: (float(mean.get(s, np.inf)), s))


def check_order(history: pd.DataFrame, order: Sequence[str]) -> tuple[str, ...]:
    """The stage order to use: ``order`` must name every stage of the history once.

    Parameters
    ----------
    history : DataFrame
        Canonical plan history.
    order : sequence of str
        Stages from first to last.

    Returns
    -------
    tuple of str
        ``order`` as a tuple.

    Raises
    ------
    DataError
        ``journey_bad_order`` when a stage is missing or repeated; ``journey_too_many_stages``
        beyond :data:`MAX_STAGES`.
    """
    stages = {str(s) for s in history["plan"].dropna().unique()}
    if len(order) != len(set(order)) or set(order) != stages:
        raise DataError("journey_bad_order", "the stage order must list every stage once",
                        stages=", ".join(sorted(stages)))
    if len(order) > MAX_STAGES:
        raise DataError("journey_too_many_stages", f"more than {MAX_STAGES} stages", n=len(order), most=MAX_STAGES)
    return tuple(order)


def spells(history: pd.DataFrame, customers: pd.DataFrame, as_of: date, order: Sequence[str]) -> pd.DataFrame:
    """Each customer's consecutive stays in one stage, from the start to churn or the as-of date.

    Parameters
    ----------
    history : DataFrame
        Canonical plan history (``customer_id, date, plan``).
    customers : DataFrame
        Canonical customers (``customer_id, start_date, end_date``).
    as_of : date
        Changes after it are not yet known; active customers are censored there.
    order : sequence of str
        Stages from first to last (:func:`check_order`).

    Returns
    -------
    DataFrame
        ``customer_id, spell, stage, rank, start_day, stop_day, exit, next_stage, entry_stage, tenure_days,
        churned`` where ``exit`` is ``"move"``, ``"churn"`` or ``"censored"``, days count from the
        customer's start, and ``rank`` is the stage's position in ``order``.

    Raises
    ------
    DataError
        ``journey_no_match`` with fewer than :data:`MIN_JOURNEY_CUSTOMERS` customers in both tables.
    """
    order = check_order(history, order)
    life = durations(customers.drop_duplicates("customer_id"), as_of)[["customer_id", "start_date", "duration_days",
                                                                      "event"]]
    rows = history.loc[history["plan"].notna() & (history["date"] <= pd.Timestamp(as_of)),
                       ["customer_id", "date", "plan"]].merge(life, on="customer_id")
    rows["day"] = ((rows["date"] - rows["start_date"]) / pd.Timedelta(days=1)).clip(lower=0)
    rows = rows.loc[rows["day"] < rows["duration_days"]].sort_values(["customer_id", "day"], kind="stable")
    rows = rows.drop_duplicates(["customer_id", "day"], keep="last")
    if rows["customer_id"].nunique() < MIN_JOURNEY_CUSTOMERS:
        raise DataError("journey_no_match", "too few customers have both a plan history and a contract",
                        n=int(rows["customer_id"].nunique()), least=MIN_JOURNEY_CUSTOMERS)
    rows["plan"] = rows["plan"].astype(str)
    changed = rows["plan"].ne(rows.groupby("customer_id", observed=True)["plan"].shift())
    rows = rows.loc[changed].copy()
    rows.loc[~rows["customer_id"].duplicated(), "day"] = 0.0  # the first plan holds from the start
    nxt = rows.groupby("customer_id", observed=True)
    rows["stop_day"] = nxt["day"].shift(-1).fillna(rows["duration_days"])
    rows["next_stage"] = nxt["plan"].shift(-1)
    last = rows["next_stage"].isna()
    rows["exit"] = np.where(~last, "move", np.where(rows["event"], "churn", "censored"))
    rows["spell"] = nxt.cumcount()
    rows["entry_stage"] = nxt["plan"].transform("first")
    rank = {s: i for i, s in enumerate(order)}
    out = pd.DataFrame({
        "customer_id": rows["customer_id"], "spell": rows["spell"], "stage": rows["plan"],
        "rank": rows["plan"].map(rank).astype(int), "start_day": rows["day"], "stop_day": rows["stop_day"],
        "exit": rows["exit"], "next_stage": rows["next_stage"], "entry_stage": rows["entry_stage"],
        "tenure_days": rows["duration_days"], "churned": rows["event"].astype(bool),
    })
    return out.reset_index(drop=True)


def monthly_states(sp: pd.DataFrame) -> pd.DataFrame:
    """The stage each customer is in at the start of each month of their life (the chain's steps).

    Month ``k`` begins on day ``k × 365.25/12``; a customer occupies it when still a customer then
    (strictly before the end for churned customers). A churned customer's last occupied month is
    followed by :data:`CHURN`; a censored customer's last month has no observed successor.

    Parameters
    ----------
    sp : DataFrame
        Output of :func:`spells`.

    Returns
    -------
    DataFrame
        ``customer_id, month, stage, next`` (``next`` is the stage a month later, :data:`CHURN`, or
        ``None`` when not yet observed).
    """
    first = sp.drop_duplicates("customer_id")
    tenure = first["tenure_days"].to_numpy(float)
    churned = first["churned"].to_numpy(bool)
    # occupied months: k*M < tenure (churned) or k*M <= tenure (censored); at least month 0
    n = np.where(churned, np.ceil(tenure / DAYS_PER_MONTH), np.floor(tenure / DAYS_PER_MONTH) + 1)
    n = np.maximum(n, 1).astype(int)
    ids = first["customer_id"].repeat(n).array  # the IDs' own dtype: merge_asof wants equal ``by`` dtypes
    month = np.concatenate([np.arange(k) for k in n])
    grid = pd.DataFrame({"customer_id": ids, "month": month, "day": month * DAYS_PER_MONTH})
    grid = pd.merge_asof(grid.sort_values("day"), sp[["customer_id", "start_day", "stage"]].sort_values("start_day"),
                         left_on="day", right_on="start_day", by="customer_id", direction="backward")
    grid = grid.sort_values(["customer_id", "month"], kind="stable").reset_index(drop=True)
    nxt = grid.groupby("customer_id", observed=True)["stage"].shift(-1)
    is_last = nxt.isna()
    churn_of = dict(zip(first["customer_id"], churned, strict=True))
    last_churn = is_last & grid["customer_id"].map(churn_of).astype(bool)
    grid["next"] = nxt.where(~last_churn, CHURN)
    return grid[["customer_id", "month", "stage", "next"]]


def transition_counts(states: pd.DataFrame, order: Sequence[str]) -> np.ndarray:
    """Per-customer monthly transition counts, for the matrix and its bootstrap.

    Parameters
    ----------
    states : DataFrame
        Output of :func:`monthly_states`.
    order : sequence of str
        Stages from first to last.

    Returns
    -------
    ndarray
        Shape ``(customers, K, K + 1)`` in the order of the customers' first appearance in
        ``states``; the last column counts moves to churn.
    """
    customers = pd.Index(states["customer_id"].unique())
    index = {s: i for i, s in enumerate(order)}
    seen = states.loc[states["next"].notna()]
    c = customers.get_indexer(seen["customer_id"])
    i = seen["stage"].map(index).to_numpy(int)
    j = seen["next"].map(lambda s: len(order) if s == CHURN else index[s]).to_numpy(int)
    out = np.zeros((len(customers), len(order), len(order) + 1))
    np.add.at(out, (c, i, j), 1.0)
    return out


def stage_hazard(sp: pd.DataFrame, order: Sequence[str], alpha: float) -> pd.DataFrame:
    """Churn per customer-month in each stage (churns in the stage / months spent in it), exact Poisson CI.

    Parameters
    ----------
    sp : DataFrame
        Output of :func:`spells`.
    order : sequence of str
        Stages from first to last.
    alpha : float
        ``1 - confidence level``.

    Returns
    -------
    DataFrame
        Indexed by stage: ``customer_months, churned, rate, low, high`` (Garwood's interval,
        the chi-square form of the exact Poisson interval).
    """
    months = ((sp["stop_day"] - sp["start_day"]) / DAYS_PER_MONTH).groupby(sp["stage"], observed=True).sum()
    churned = sp["exit"].eq("churn").groupby(sp["stage"], observed=True).sum()
    rows = []
    for stage in order:
        m, d = float(months.get(stage, 0.0)), int(churned.get(stage, 0))
        low = stats.chi2.ppf(alpha / 2, 2 * d) / 2 / m if m > 0 and d > 0 else 0.0
        high = stats.chi2.ppf(1 - alpha / 2, 2 * d + 2) / 2 / m if m > 0 else np.nan
        rows.append({"stage": stage, "customer_months": m, "churned": d, "rate": d / m if m > 0 else np.nan,
                     "low": low, "high": high})
    return pd.DataFrame(rows).set_index("stage")


def paths(sp: pd.DataFrame, most: int = 3) -> pd.DataFrame:
    """Each customer's sequence of stages (at most ``most`` steps shown) and how it ended.

    Parameters
    ----------
    sp : DataFrame
        Output of :func:`spells`.
    most : int
        Steps kept; longer paths keep their first ``most`` stages.

    Returns
    -------
    DataFrame
        ``path`` (tuple of stages), ``end`` (:data:`CHURN` or :data:`ACTIVE`), ``customers``, ``share``,
        most frequent first.
    """
    seq = sp.groupby("customer_id", sort=False, observed=True).agg(path=("stage", lambda s: tuple(s)[:most]),
                                                    churned=("churned", "first"))
    seq["end"] = np.where(seq["churned"], CHURN, ACTIVE)
    counts = seq.groupby(["path", "end"], sort=False, observed=True).size().rename("customers").reset_index()
    counts["share"] = counts["customers"] / counts["customers"].sum()
    return counts.sort_values(["customers", "path"], ascending=[False, True], ignore_index=True)


def complete_order(chosen: Sequence[str], default: Sequence[str]) -> list[str]:
    """The stages picked first (in the order picked), then the rest in their default order.

    Parameters
    ----------
    chosen : sequence of str
        Stages in the order the user put them (unknown ones are dropped).
    default : sequence of str
        Every stage in its default order.

    Returns
    -------
    list of str
        Every stage of ``default`` once.
    """
    picked = [s for s in dict.fromkeys(chosen) if s in default]
    return picked + [s for s in default if s not in picked]
