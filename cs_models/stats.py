"""Statistics every analysis shares: proportion intervals, Holm's correction, segments.

Each idea is written once here and tested once against its reference
(``tests/models/test_stats.py``); the analysis modules import it from here.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import overload

import numpy as np
import numpy.typing as npt
import pandas as pd

from cs_models.errors import DataError

#: Default significance level: ``1 - confidence``.
ALPHA = 0.05
#: Interval methods for a proportion (statsmodels' names): Wilson score, Clopper–Pearson, Jeffreys.
CI_METHODS: tuple[str, ...] = ("wilson", "beta", "jeffreys")
#: Most distinct values a text column may have to count as a segment.
MAX_SEGMENT_LEVELS = 12

FloatArray = npt.NDArray[np.float64]


def check_alpha(alpha: float) -> None:
    """Raise ``bad_alpha`` unless ``0 < alpha <= 0.5`` (a confidence level of 50% to < 100%).

    Parameters
    ----------
    alpha : float
        ``1 - confidence level``.
    """
    if not (isinstance(alpha, int | float) and 0 < alpha <= 0.5):
        raise DataError("bad_alpha", f"alpha must be in (0, 0.5]: {alpha!r}", option="alpha", value=alpha)


def check_method(method: str) -> None:
    """Raise ``bad_ci_method`` unless ``method`` is one of :data:`CI_METHODS`.

    Parameters
    ----------
    method : str
        Interval method name.
    """
    if method not in CI_METHODS:
        raise DataError("bad_ci_method", f"unknown interval method {method!r}", option="method", value=method)


@overload
def proportion_interval(
    count: float, nobs: float, *, method: str = ..., alpha: float = ...
) -> tuple[float, float]:
    """Scalar form: one interval.

    Parameters
    ----------
    count : float
        Successes of the one proportion.
    nobs : float
        Its trials; ``nobs <= 0`` gives ``(nan, nan)``.
    method : str
        Interval method, one of :data:`CI_METHODS`.
    alpha : float
        ``1 - confidence level`` of the single interval.

    Returns
    -------
    tuple[float, float]
        ``(low, high)`` as floats.
    """
@overload
def proportion_interval(
    count: npt.ArrayLike, nobs: npt.ArrayLike, *, method: str = ..., alpha: float = ...
) -> tuple[FloatArray, FloatArray]:
    """Array form: one interval per element after broadcasting.

    Parameters
    ----------
    count : array-like
        Successes, broadcast against ``nobs``.
    nobs : array-like
        Trials, broadcast against ``count``.
    method : str
        Interval method applied to every element.
    alpha : float
        ``1 - confidence level`` shared by all intervals.

    Returns
    -------
    tuple[numpy.ndarray, numpy.ndarray]
        Arrays of lower and upper ends, of the broadcast shape.
    """
def proportion_interval(
    count: npt.ArrayLike, nobs: npt.ArrayLike, *, method: str = "wilson", alpha: float = ALPHA
) -> tuple[float, float] | tuple[FloatArray, FloatArray]:
    """Confidence interval of ``count / nobs`` (statsmodels ``proportion_confint``).

    Parameters
    ----------
    count, nobs : float or array-like
        Successes and trials; fractional for weighted (effective) counts. Where
        ``nobs <= 0`` the interval is ``(nan, nan)``.
    method : {"wilson", "beta", "jeffreys"}
        Wilson score (default; never the normal approximation), Clopper–Pearson, Jeffreys.
    alpha : float
        ``1 - confidence level``.

    Returns
    -------
    tuple
        ``(low, high)``, floats for scalar input, arrays otherwise, clipped to [0, 1].
    """
    check_method(method)
    check_alpha(alpha)
    scalar = np.ndim(count) == 0 and np.ndim(nobs) == 0
    c = np.atleast_1d(np.asarray(count, dtype=float))
    n = np.atleast_1d(np.asarray(nobs, dtype=float))
    c, n = np.broadcast_arrays(c, n)
    valid = n > 0
    low = np.full(c.shape, np.nan)
    high = np.full(c.shape, np.nan)
    if valid.any():
        from statsmodels.stats.proportion import proportion_confint  # lazy: 1.7 s to import

        lo, hi = proportion_confint(c[valid], n[valid], alpha=alpha, method=method)
        low[valid] = np.clip(lo, 0.0, 1.0)
        high[valid] = np.clip(hi, 0.0, 1.0)
    if scalar:
        return float(low[0]), float(high[0])
    return low, high


def holm(p: pd.Series | npt.ArrayLike) -> pd.Series | FloatArray:
    """Holm's step-down adjusted p-values; NaN entries stay NaN and are not counted.

    The same values as statsmodels ``multipletests(p, method="holm")[1]`` (the test
    compares them), without its full ``gc.collect()`` per call, which costs 0.2 s
    with a million customers in memory.

    Parameters
    ----------
    p : Series or array-like
        Raw p-values, any shape.

    Returns
    -------
    Series or ndarray
        Adjusted p-values, the shape of ``p`` (a Series keeps its index).
    """
    if isinstance(p, pd.Series):
        return pd.Series(holm(p.to_numpy(dtype=float)), index=p.index, name=p.name)
    values = np.asarray(p, dtype=float)
    flat = values.ravel()
    out = np.full(flat.shape, np.nan)
    finite = np.flatnonzero(np.isfinite(flat))
    m = finite.size
    if m:
        order = finite[np.argsort(flat[finite], kind="stable")]
        out[order] = np.maximum.accumulate(np.minimum(1.0, flat[order] * (m - np.arange(m))))
    return out.reshape(values.shape)


#: Columns of customers (canonical, or with their lifetimes) never offered as segments: pass as
#: ``exclude`` to :func:`segment_columns`. Here, not in :mod:`cs_models.survival` (which re-exports
#: it), so that the sidebar's filter can offer segments without importing the survival models.
NOT_SEGMENTS: tuple[str, ...] = ("customer_id", "start_date", "end_date", "mrr", "duration_days", "event")


def segment_columns(
    frame: pd.DataFrame | None, *, exclude: Sequence[str] = (), max_levels: int = MAX_SEGMENT_LEVELS
) -> list[str]:
    """Columns usable as segments: text (not numbers or dates) with 2 to ``max_levels`` values.

    Parameters
    ----------
    frame : DataFrame or None
        Any canonical frame; ``None`` gives no segments.
    exclude : sequence of str
        Columns never offered (ids, dates, amounts of the dataset kind).
    max_levels : int
        Most distinct non-missing values a segment may have.

    Returns
    -------
    list of str
        Column names in frame order.
    """
    if frame is None:
        return []
    out = []
    for column in frame.columns:
        if column in exclude:
            continue
        series = frame[column]
        if pd.api.types.is_numeric_dtype(series) or pd.api.types.is_datetime64_any_dtype(series):
            continue
        if pd.api.types.is_bool_dtype(series):
            continue
        if 2 <= series.nunique(dropna=True) <= max_levels:
            out.append(str(column))
    return out
