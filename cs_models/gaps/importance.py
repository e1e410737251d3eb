"""Importance–performance map of the items."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from cs_models.gaps.reading import GapAnswers
from cs_models.results import Result


# ------------------------------------------------------- importance–performance
@dataclass(frozen=True)
class ImportancePerformance(Result):
    """Importance–performance map.

    Attributes
    ----------
    items : pandas.DataFrame
        Indexed by item: ``n``, ``importance`` (mean stated importance, or mean
        expectation), ``performance`` (mean satisfaction), ``quadrant`` (a code of
        :data:`QUADRANTS`).
    importance_source : {"importance", "expectation"}
        Where importance came from.
    importance_cut, performance_cut : float
        The quadrant lines: the means of the item means.
    """

    items: pd.DataFrame
    importance_source: str
    importance_cut: float
    performance_cut: float


def importance_performance(answers: GapAnswers) -> ImportancePerformance:
    """Place items on an importance–performance map split at the means.

    Importance is the stated importance when every item has importance answers,
    otherwise the expectation; performance is satisfaction. An item at least as
    important as average but below-average in performance is "concentrate here";
    important and performing is "keep up"; unimportant and underperforming is "low
    priority"; unimportant but performing is "possible overkill".

    Parameters
    ----------
    answers : GapAnswers
        From :func:`read_gaps`.

    Returns
    -------
    ImportancePerformance
    """
    source = "importance" if answers.has_importance else "expectation"
    frame = answers.answers
    grouped = frame.groupby("item", sort=False, observed=True)
    table = pd.DataFrame(
        {
            "n": grouped["satisfaction"].count(),
            "importance": grouped[source].mean(),
            "performance": grouped["satisfaction"].mean(),
        }
    ).reindex(list(answers.items))
    table.index.name = "item"
    imp_cut, perf_cut = float(table["importance"].mean()), float(table["performance"].mean())
    important = table["importance"] >= imp_cut
    performing = table["performance"] >= perf_cut
    table["quadrant"] = np.select(
        [important & ~performing, important & performing, ~important & ~performing],
        ["concentrate_here", "keep_up", "low_priority"],
        "possible_overkill",
    )
    return ImportancePerformance(table, source, imp_cut, perf_cut)


