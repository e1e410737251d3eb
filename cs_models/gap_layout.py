"""Column naming of expectation/satisfaction surveys, shared by the schema layer and :mod:`cs_models.gaps`.

Kept apart from the analysis so that reading headers (:mod:`cs_models.schema`) does not
import statistics.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

ROLES: tuple[str, ...] = ("expectation", "satisfaction", "importance")
#: Wide naming patterns: name -> role -> regular expression whose group 1 is the item.
WIDE_PATTERNS: Mapping[str, Mapping[str, re.Pattern[str]]] = {
    "ja": {
        "expectation": re.compile(r"^(.+?)\s*[_＿]\s*期待$"),
        "satisfaction": re.compile(r"^(.+?)\s*[_＿]\s*満足$"),
        "importance": re.compile(r"^(.+?)\s*[_＿]\s*重要度$"),
    },
    "prefix": {
        "expectation": re.compile(r"^exp_(.+)$", re.IGNORECASE),
        "satisfaction": re.compile(r"^sat_(.+)$", re.IGNORECASE),
        "importance": re.compile(r"^imp_(.+)$", re.IGNORECASE),
    },
    "merged": {  # a two-row merged header flattened by the reader: 期待 / 導入支援
        "expectation": re.compile(r"^期待\s*/\s*(.+)$"),
        "satisfaction": re.compile(r"^満足\s*/\s*(.+)$"),
        "importance": re.compile(r"^重要度\s*/\s*(.+)$"),
    },
    "paren": {
        "expectation": re.compile(r"^(.+?)\s*\(\s*expectation\s*\)$", re.IGNORECASE),
        "satisfaction": re.compile(r"^(.+?)\s*\(\s*satisfaction\s*\)$", re.IGNORECASE),
        "importance": re.compile(r"^(.+?)\s*\(\s*importance\s*\)$", re.IGNORECASE),
    },
}
