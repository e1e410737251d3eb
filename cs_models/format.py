"""How numbers read: percentages, intervals, p-values, money, counts and months.

One implementation for pages, charts, findings and the report. Catalogue templates
use these as format specs, e.g. ``"{share:pct}"`` or ``"{p:p}"`` (see
:class:`MessageFormatter`), so a sentence formats its numbers the same way in
every place it is shown. A missing value reads as :data:`MISSING`.
"""

from __future__ import annotations

import math
import string
from collections.abc import Callable
from typing import Any

#: How a missing or undefined number is shown in a table or chart.
MISSING = "—"
DAYS_PER_MONTH = 365.25 / 12


def _finite(value: Any) -> float | None:
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return number if math.isfinite(number) else None


def pct(value: Any, digits: int = 1) -> str:
    """``0.2861`` -> ``"28.6%"`` (``digits`` decimals); missing -> :data:`MISSING`.

    Parameters
    ----------
    value : float
        A share between 0 and 1.
    digits : int
        Decimal places of the percentage.

    Returns
    -------
    str
        The percentage.
    """
    number = _finite(value)
    return MISSING if number is None else f"{100 * number:.{digits}f}%"


def points(value: Any, digits: int = 1) -> str:
    """A difference of shares in percentage points with its sign: ``-0.052`` -> ``"-5.2 pt"``.

    Parameters
    ----------
    value : float
        Difference of two shares.
    digits : int
        Decimal places.

    Returns
    -------
    str
        Signed percentage points.
    """
    number = _finite(value)
    return MISSING if number is None else f"{100 * number:+.{digits}f} pt"


def number(value: Any, digits: int = 0) -> str:
    """``12345.6`` -> ``"12,346"`` (thousands separated); missing -> :data:`MISSING`.

    Parameters
    ----------
    value : float
        Any number.
    digits : int
        Decimal places.

    Returns
    -------
    str
        The number.
    """
    numeric = _finite(value)
    return MISSING if numeric is None else f"{numeric:,.{digits}f}"


def signed(value: Any, digits: int = 2) -> str:
    """``0.5`` -> ``"+0.50"``: a difference with its sign.

    Parameters
    ----------
    value : float
        A difference (positive, negative or zero).
    digits : int
        Decimal places after the sign and the integer part.

    Returns
    -------
    str
        The signed number.
    """
    numeric = _finite(value)
    return MISSING if numeric is None else f"{numeric:+.{digits}f}"


def p_value(p: Any) -> str:
    """``0.0004`` -> ``"< 0.001"``, ``0.0123`` -> ``"0.012"``; missing -> :data:`MISSING`.

    Parameters
    ----------
    p : float
        A p-value.

    Returns
    -------
    str
        The p-value for a table cell.
    """
    numeric = _finite(p)
    if numeric is None:
        return MISSING
    return "< 0.001" if numeric < 0.001 else f"{numeric:.3f}"


def p_text(p: Any) -> str:
    """A p-value inside a sentence: ``"p < 0.001"`` or ``"p = 0.012"``.

    Parameters
    ----------
    p : float
        A p-value.

    Returns
    -------
    str
        ``p`` with its relation.
    """
    text = p_value(p)
    if text == MISSING:
        return f"p = {MISSING}"
    return f"p {text}" if text.startswith("<") else f"p = {text}"


def interval(low: Any, high: Any, fmt: Callable[[Any], str] = pct) -> str:
    """``(0.21, 0.35)`` -> ``"21.0%–35.0%"`` with ``fmt`` for each end.

    Parameters
    ----------
    low, high : float
        Interval ends.
    fmt : callable
        Formatter of one end (default :func:`pct`).

    Returns
    -------
    str
        The interval, or :data:`MISSING` when either end is missing.
    """
    if _finite(low) is None or _finite(high) is None:
        return MISSING
    return f"{fmt(low)}–{fmt(high)}"


def money(value: Any, lang: str, digits: int = 0) -> str:
    """An amount in yen: ``"¥10,640"`` (en) or ``"10,640円"`` (ja).

    Parameters
    ----------
    value : float
        Amount in yen.
    lang : {"ja", "en"}
        Language of the reader.
    digits : int
        Decimal places.

    Returns
    -------
    str
        The amount with its unit.
    """
    numeric = _finite(value)
    if numeric is None:
        return MISSING
    sign = "-" if numeric < 0 else ""
    body = f"{abs(numeric):,.{digits}f}"
    return f"{sign}{body}円" if lang == "ja" else f"{sign}¥{body}"


def money_short(value: Any, lang: str) -> str:
    """A large amount in yen, short enough for a metric tile: ``"23.7億円"`` / ``"¥2.37B"``.

    Parameters
    ----------
    value : float
        Amount in yen.
    lang : {"ja", "en"}
        Language of the reader (ja counts in 万 and 億, en in millions and billions).

    Returns
    -------
    str
        Three significant figures with the unit; amounts below 10,000 (ja) or a million (en) in full.
    """
    numeric = _finite(value)
    if numeric is None:
        return MISSING
    size, sign = abs(numeric), "-" if numeric < 0 else ""
    units = ((1e8, "億円"), (1e4, "万円")) if lang == "ja" else ((1e9, "B"), (1e6, "M"))
    for scale, unit in units:
        if size >= scale:
            scaled = size / scale
            body = f"{scaled:,.{max(0, 2 - math.floor(math.log10(scaled)))}f}"
            return f"{sign}{body}{unit}" if lang == "ja" else f"{sign}¥{body}{unit}"
    return money(numeric, lang)


def months(days: Any, digits: int = 1) -> str:
    """A duration in days as months: ``365.25`` -> ``"12.0"``.

    Parameters
    ----------
    days : float
        Duration in days.
    digits : int
        Decimal places.

    Returns
    -------
    str
        Months, without a unit (the sentence or header gives it).
    """
    numeric = _finite(days)
    return MISSING if numeric is None else f"{numeric / DAYS_PER_MONTH:.{digits}f}"


class MessageFormatter(string.Formatter):
    """``str.format`` for catalogue templates, with the specs of this module.

    Specs: ``pct`` / ``pct0`` (percentage, 1 / 0 decimals), ``pt`` (percentage points),
    ``p`` (``"p < 0.001"``), ``pv`` (``"< 0.001"``), ``int`` (``"1,234"``), ``num1``/``num2``,
    ``signed``, ``money`` (yen in the reader's language), ``months`` (days as months).
    Any other spec is Python's own; missing numbers read as :data:`MISSING`.

    Parameters
    ----------
    lang : str
        Language of the reader (for money).
    """

    def __init__(self, lang: str) -> None:
        super().__init__()
        self.lang = lang

    def format_field(self, value: Any, format_spec: str) -> str:
        """Format one ``{field:spec}``.

        Parameters
        ----------
        value : Any
            The field's value, after any attribute or index lookup.
        format_spec : str
            The text after the colon: one of this module's specs, else a Python format spec.

        Returns
        -------
        str
            The formatted value; :data:`MISSING` for a missing number under a Python spec.
        """
        specs: dict[str, Callable[[Any], str]] = {
            "pct": pct,
            "pct0": lambda v: pct(v, 0),
            "pt": points,
            "p": p_text,
            "pv": p_value,
            "int": number,
            "num1": lambda v: number(v, 1),
            "num2": lambda v: number(v, 2),
            "signed": signed,
            "money": lambda v: money(v, self.lang),
            "months": months,
        }
        if format_spec in specs:
            return specs[format_spec](value)
        if format_spec and _finite(value) is None and not isinstance(value, str):
            return MISSING
        return super().format_field(value, format_spec)
