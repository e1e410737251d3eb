"""The Bass model fitted separately in each segment (department, team …) that has enough users."""

from __future__ import annotations

from datetime import date

import pandas as pd

from cs_models.adoption.analysis import AdoptionFit, first_use, fit_adoption
from cs_models.adoption.findings import WORD_OF_MOUTH_RATIO, reading
from cs_models.errors import DataError
from cs_models.stats import ALPHA, segment_columns

#: Fewest users a segment needs for its own curve.
MIN_SEGMENT_USERS = 40
#: Draws of each segment's band (only the coefficients are shown per segment).
SEGMENT_DRAWS = 20


def adoption_segments(frame: pd.DataFrame) -> list[str]:
    """Columns of an adoption log usable as segments (text with 2 to 12 values per user).

    Parameters
    ----------
    frame : pandas.DataFrame
        Canonical ``adoption`` rows.

    Returns
    -------
    list of str
        Column names in frame order.
    """
    return segment_columns(first_use(frame), exclude=("user_id", "first_used"))


def fit_by_segment(frame: pd.DataFrame, as_of: date, column: str, *, alpha: float = ALPHA,
                   min_users: int = MIN_SEGMENT_USERS, ratio: float = WORD_OF_MOUTH_RATIO) -> pd.DataFrame:
    """One Bass fit per value of ``column`` (each user in the segment of their first row).

    Parameters
    ----------
    frame : pandas.DataFrame
        Canonical ``adoption`` rows.
    as_of : date
        Last day of data.
    column : str
        A column of :func:`adoption_segments`.
    alpha : float
        ``1 −`` confidence of the intervals.
    min_users : int
        Segments with fewer users are listed without a fit (``status = "too_few"``).
    ratio : float
        The word-of-mouth rule of :func:`cs_models.adoption.reading`.

    Returns
    -------
    pandas.DataFrame
        ``segment, users, p, p_low, p_high, q, q_low, q_high, m, m_low, m_high, peak_month,
        imitation_share, reading, status`` (``status`` is ``"fitted"``, ``"too_few"`` or the code of
        the :class:`~cs_models.errors.DataError` that stopped the fit), largest segment first.
    """
    if column not in frame:
        raise DataError("adoption_no_segment", f"no column {column!r}", column=column)
    users = first_use(frame)
    users = users[users["first_used"] <= pd.Timestamp(as_of)]
    rows = []
    for value, part in users.groupby(column, sort=False, dropna=True, observed=True):
        row: dict[str, object] = {"segment": value, "users": len(part), "status": "too_few"}
        if len(part) >= min_users:
            try:
                fit = fit_adoption(part, as_of, alpha=alpha, draws=SEGMENT_DRAWS)
            except DataError as exc:
                row["status"] = exc.code
            else:
                row.update(_row(fit, ratio))
        rows.append(row)
    columns = ["segment", "users", "p", "p_low", "p_high", "q", "q_low", "q_high", "m", "m_low", "m_high",
               "peak_month", "imitation_share", "reading", "status"]
    out = pd.DataFrame(rows).reindex(columns=columns)
    return out.sort_values(["users", "segment"], ascending=[False, True], kind="stable", ignore_index=True)


def _row(fit: AdoptionFit, ratio: float) -> dict[str, object]:
    return {"p": fit.p, "p_low": fit.p_ci[0], "p_high": fit.p_ci[1], "q": fit.q, "q_low": fit.q_ci[0],
            "q_high": fit.q_ci[1], "m": fit.m, "m_low": fit.m_ci[0], "m_high": fit.m_ci[1],
            "peak_month": fit.peak_month, "imitation_share": fit.imitation_share,
            "reading": reading(fit, ratio=ratio), "status": "fitted"}
