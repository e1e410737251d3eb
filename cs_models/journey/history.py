"""Where the journey's plan history comes from: a ``plan_history`` dataset, or the plan changes derived
from events (e.g. a monthly billing export) with a plan column (:func:`plan_history_from_events`).

One row of a billing export names the plan billed that month; the journey needs the dates the plan
*changed*. :func:`plan_history_from_events` collapses each customer's consecutive rows on one plan into
one change row dated at the first row of the run; :func:`journey_history` picks the source.
"""

from __future__ import annotations

import pandas as pd

from cs_models.datasets import Datasets

#: Median days between a customer's consecutive bills that count as a monthly billing cycle.
MONTHLY_GAP_DAYS = (25.0, 35.0)
#: :func:`journey_history` sources (catalogue ``journey.history_from_<source>``).
SOURCES = ("plan_history", "events")


def _monthly(events: pd.DataFrame) -> bool:
    """The bills are monthly: the median gap between a customer's consecutive distinct bill dates
    (every dated row counts, also those with a blank plan)."""
    dates = events.loc[events["date"].notna(), ["customer_id", "date"]].drop_duplicates()
    ordered = dates.sort_values(["customer_id", "date"])
    gaps = ordered.groupby("customer_id", observed=True)["date"].diff().dt.days.dropna()
    return bool(len(gaps)) and MONTHLY_GAP_DAYS[0] <= float(gaps.median()) <= MONTHLY_GAP_DAYS[1]


def plan_history_from_events(events: pd.DataFrame) -> pd.DataFrame:
    """Plan changes from events with a plan column: one row per run of the same plan.

    Rows are sorted by customer and date (stable, so rows of one day keep their file order). Rows with
    a blank plan (or a missing date) are dropped first: a blank neither starts a run nor breaks one, so
    ``A, blank, A`` is one run on ``A`` and ``A, blank, B`` changes to ``B`` on the date of the ``B`` row.
    Each customer's consecutive rows on one plan then become one change row dated at the run's first
    row; a customer going ``A → B → A`` has three change rows.

    When the events have an ``amount`` and the bills are monthly (the median gap between a customer's
    consecutive bill dates is 25–35 days), ``mrr`` is the mean amount billed in the run, so the LTV can
    use the billed prices; otherwise no ``mrr`` column is made (the journey then takes the customers'
    MRR, see :func:`cs_models.journey.ltv.stage_mrr`).

    Parameters
    ----------
    events : DataFrame
        Canonical events with a ``plan`` column (``customer_id, date, plan``; optional ``amount``).

    Returns
    -------
    DataFrame
        Canonical plan history ``customer_id, date, plan`` (and ``mrr`` as above), sorted by customer
        and date; empty when no row names a plan.
    """
    rows = events.loc[events["plan"].notna() & events["date"].notna()]
    rows = rows.assign(plan=rows["plan"].astype(str)).sort_values(["customer_id", "date"], kind="stable")
    rows = rows.reset_index(drop=True)
    run = (rows["plan"].ne(rows["plan"].shift()) | rows["customer_id"].ne(rows["customer_id"].shift())).cumsum()
    out = rows.groupby(run, sort=False, observed=True).agg(customer_id=("customer_id", "first"), date=("date", "first"),
                                            plan=("plan", "first")).reset_index(drop=True)
    if "amount" in rows and rows["amount"].notna().any() and _monthly(events):
        out["mrr"] = rows["amount"].groupby(run, sort=False, observed=True).mean().to_numpy(float)
    return out


def has_plan(events: pd.DataFrame | None) -> bool:
    """The events name a plan on at least one row.

    Parameters
    ----------
    events : DataFrame or None
        Canonical events.

    Returns
    -------
    bool
    """
    return events is not None and "plan" in events and bool(events["plan"].notna().any())


def journey_history(datasets: Datasets) -> tuple[pd.DataFrame | None, str | None]:
    """The plan history the journey uses and where it came from.

    Parameters
    ----------
    datasets : Datasets
        The loaded data.

    Returns
    -------
    (DataFrame or None, str or None)
        The ``plan_history`` dataset (source ``"plan_history"``) when loaded, else the changes derived
        from events with a plan column (source ``"events"``), else ``(None, None)``.
    """
    if datasets.plan_history is not None:
        return datasets.plan_history, "plan_history"
    if has_plan(datasets.events):
        return plan_history_from_events(datasets.events), "events"
    return None, None

