"""Leader candidates: the article's three criteria side by side, each with its source.

- **Posting** (発信力): posts + comments in the role window (source: the community log).
- **Results** (成果): the linked customer's change in monthly payment from its first to its
  latest month (−100% when it churned by the as-of day; source: the events, i.e. payments).
- **Fandom** (ファン度): the linked customer's mean satisfaction over the items it rated in the
  expectation/satisfaction survey (source: gaps, linked by ``customer_id``).

A criterion that cannot be linked stays missing (never zero). Members are ranked first by how many
criteria are known (``criteria``: a member judged on all three comes before one judged on posting
alone), then by the score: the mean of the percentile ranks of the known criteria.
"""

from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd

from cs_models.community.log import Roles
from cs_models.errors import DataError

#: Criteria in display order, and the source each comes from.
CRITERIA: tuple[str, ...] = ("posting", "results", "fandom")
SOURCES: dict[str, str] = {"posting": "community", "results": "events", "fandom": "gaps"}


def _results(events: pd.DataFrame | None, customers: pd.DataFrame | None, as_of: date) -> pd.Series:
    """Change in monthly payment, first month to latest month, per customer (−1 when churned)."""
    if events is None or "amount" not in events:
        return pd.Series(dtype=float)
    paid = events.loc[events["date"] < pd.Timestamp(as_of) + pd.Timedelta(days=1)].dropna(subset=["amount"])
    monthly = paid.groupby(["customer_id", paid["date"].dt.to_period("M")], observed=True)["amount"].sum()
    grouped = monthly.groupby(level=0, observed=True)
    first, last = grouped.first(), grouped.last()
    change = (last / first.where(first > 0)) - 1
    if customers is not None and "end_date" in customers:
        ended = customers.loc[customers["end_date"] <= pd.Timestamp(as_of), "customer_id"]
        change.loc[change.index.isin(set(ended))] = -1.0
    return change


def _fandom(gaps: pd.DataFrame | None) -> pd.Series:
    """Mean satisfaction per customer over the items answered (NaN when unreadable or unlinked)."""
    if gaps is None:
        return pd.Series(dtype=float)
    from cs_models.gaps import read_gaps  # the gaps reader is only needed with a gaps file

    try:
        answers = read_gaps(gaps).answers
    except DataError:
        return pd.Series(dtype=float)
    linked = answers.dropna(subset=["customer_id", "satisfaction"])
    return linked.groupby("customer_id", observed=True)["satisfaction"].mean()


def leader_candidates(roles: Roles, *, events: pd.DataFrame | None = None, customers: pd.DataFrame | None = None,
                      gaps: pd.DataFrame | None = None) -> pd.DataFrame:
    """Members who posted or commented in the window, ranked by the three criteria they have.

    Parameters
    ----------
    roles : Roles
        Output of :func:`cs_models.community.community_roles`.
    events : DataFrame, optional
        Canonical events (payments) for the results criterion.
    customers : DataFrame, optional
        Canonical customers (a churned customer's results are −100%).
    gaps : DataFrame, optional
        Canonical gaps with ``customer_id`` for the fandom criterion.

    Returns
    -------
    DataFrame
        ``rank, member_id, customer_id, role, posting, results, fandom, criteria, score`` and a
        ``<criterion>_source`` column each (``None`` where the value is missing), best first
        (most criteria known, then highest score).
    """
    table = roles.table
    active = table.loc[(table["post"] + table["comment"]) > 0]
    out = pd.DataFrame({"member_id": active.index.astype(str), "customer_id": active["customer_id"].to_numpy(),
                        "role": active["role"].to_numpy(),
                        "posting": (active["post"] + active["comment"]).to_numpy(float)})
    out["results"] = out["customer_id"].map(_results(events, customers, roles.as_of)).astype(float)
    out["fandom"] = out["customer_id"].map(_fandom(gaps)).astype(float)
    for criterion in CRITERIA:
        out[f"{criterion}_source"] = pd.Series(SOURCES[criterion], index=out.index, dtype=object).where(
            out[criterion].notna(), None)
    ranks = out[list(CRITERIA)].rank(pct=True)
    out["criteria"] = out[list(CRITERIA)].notna().sum(axis=1)
    out["score"] = ranks.mean(axis=1)
    out = out.sort_values(["criteria", "score", "posting"], ascending=False, kind="stable").reset_index(drop=True)
    out.insert(0, "rank", np.arange(1, len(out) + 1))
    return out
