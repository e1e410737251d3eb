"""What every analysis returns: a frozen result that describes itself as JSON.

:class:`Result` is the one base of all result classes: the significance level
``alpha`` used, ``notes`` (codes the UI translates, e.g. ``"small_base"``) and
:meth:`Result.to_dict`, which turns *every* field into JSON-ready data, so the
``report`` command is assembled from results rather than hand-picked fields.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Mapping
from datetime import date, datetime
from typing import Any

import numpy as np
import pandas as pd

from cs_models.stats import ALPHA


def json_number(value: Any, digits: int | None = None) -> float | None:
    """A finite float (rounded to ``digits`` when given), or ``None`` for missing/NaN/inf.

    Parameters
    ----------
    value : number or None
        Any numeric scalar (numpy included).
    digits : int, optional
        Decimal places to round to.

    Returns
    -------
    float or None
        JSON-safe number.
    """
    if value is None or value is pd.NA or value is pd.NaT:
        return None
    number = float(value)
    if not math.isfinite(number):
        return None
    return round(number, digits) if digits is not None else number


def frame_records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    """A frame as JSON records; a meaningful index (named or not a plain range) becomes columns.

    Parameters
    ----------
    frame : DataFrame
        Any result table.

    Returns
    -------
    list of dict
        One JSON-ready dict per row.
    """
    plain = isinstance(frame.index, pd.RangeIndex) and frame.index.name is None
    table = frame if plain else frame.reset_index()
    table = table.set_axis([str(c) for c in table.columns], axis=1)
    return [jsonable(r) for r in table.to_dict(orient="records")]


def _is_midnight(value: date) -> bool:
    return not isinstance(value, datetime) or (value.hour, value.minute, value.second) == (0, 0, 0)


def jsonable(value: Any) -> Any:
    """``value`` made JSON-safe: results and dataclasses as dicts, frames as records, NaN as null.

    Parameters
    ----------
    value : object
        Nested data from a result.

    Returns
    -------
    object
        Built of dict, list, str, int, float, bool and None only.
    """
    if isinstance(value, Result):
        return value.to_dict()
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: jsonable(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, Mapping):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, pd.DataFrame):
        return frame_records(value)
    if isinstance(value, pd.Series):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset | np.ndarray):
        return [jsonable(v) for v in value]
    if isinstance(value, pd.Timestamp | datetime | date):
        if pd.isna(value):
            return None
        return value.isoformat()[:10] if _is_midnight(value) else value.isoformat()
    if isinstance(value, np.bool_ | bool):
        return bool(value)
    if isinstance(value, np.integer):
        return int(value)
    if isinstance(value, np.floating | float):
        return json_number(value)
    if value is None or value is pd.NaT or value is pd.NA:
        return None
    if isinstance(value, int | str):
        return value
    return str(value)


@dataclasses.dataclass(frozen=True, kw_only=True)
class Result:
    """Base of every analysis result.

    Attributes
    ----------
    alpha : float
        ``1 - confidence level`` of the intervals and tests in the result.
    notes : tuple of str
        Codes of caveats the page states (translated as ``<section>.note_<code>``).
    """

    alpha: float = ALPHA
    notes: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        """Every field as JSON-ready data (frames as records, NaN as ``None``).

        Returns
        -------
        dict
            ``{field: value}`` for all dataclass fields.
        """
        return {f.name: jsonable(getattr(self, f.name)) for f in dataclasses.fields(self)}
