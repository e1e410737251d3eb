"""Number formatting for pages: :mod:`cs_models.format`, with money in the reader's language.

Pages format through this module only, so a percentage, an interval or a p-value
reads the same on every page, in every chart and in the report.
"""

from __future__ import annotations

from typing import Any

from cs_models import format as _fmt
from ui.i18n import current_lang

MISSING = _fmt.MISSING
pct = _fmt.pct
points = _fmt.points
number = _fmt.number
signed = _fmt.signed
p_value = _fmt.p_value
p_text = _fmt.p_text
interval = _fmt.interval
months = _fmt.months


def signed_pct(value: float) -> str:
    """A relative change: ``+26%`` / ``−12%`` (typographic minus)."""
    return f"{'+' if value > 0 else '−'}{abs(value):.0%}"


def money_short(value: Any) -> str:
    """A large yen amount for a metric tile in the current language (``"23.7億円"`` / ``"¥2.37B"``)."""
    return _fmt.money_short(value, current_lang())


def money(value: Any, digits: int = 0) -> str:
    """An amount in yen with the unit of the current language (``"¥1,000"`` / ``"1,000円"``)."""
    return _fmt.money(value, current_lang(), digits)
