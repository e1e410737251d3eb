"""The sample restaurant SaaS's internal-tool adoption log: who started using the company chat, and when.

As in the source article (seeds/002: a chat tool handed only to those who asked for it, which
spread by word of mouth from a few dozen users to a few hundred), accounts open on 2025-09-01 and
the employees who will ever use the tool (:data:`ADOPTERS` of :data:`EMPLOYEES`) start at times
drawn from the Bass model with innovation :data:`P` and imitation :data:`Q` per month: a few
innovators first, then colleagues following colleagues. First uses after the sample's as-of
date are not in the log yet. A separate random stream (``SEED + 2``) leaves the other sample
datasets unchanged; the file is not added to the sample workbook, which stays as it was.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

import numpy as np
import pandas as pd

from cs_models.sample_files import read_localised, write_localised

LAUNCH = pd.Timestamp("2025-09-01")
EMPLOYEES = 420
ADOPTERS = 380
P, Q = 0.01, 0.4
DAYS_PER_MONTH = 365.25 / 12
DEPARTMENTS = {"sales": 0.30, "success": 0.25, "engineering": 0.25, "marketing": 0.10, "admin": 0.10}

LABELS: Mapping[str, Mapping[str, str]] = {
    "ja": {"sales": "営業部", "success": "カスタマーサクセス部", "engineering": "開発部",
           "marketing": "マーケティング部", "admin": "管理部"},
    "en": {"sales": "Sales", "success": "Customer Success", "engineering": "Engineering", "marketing": "Marketing",
           "admin": "Administration"},
}
HEADERS: Mapping[str, Mapping[str, str]] = {
    "ja": {"user_id": "社員番号", "department": "部署", "first_used": "利用開始日"},
    "en": {"user_id": "employee_id", "department": "department", "first_used": "first_used"},
}
DATE_FORMAT = {"ja": "%Y/%-m/%-d", "en": "%Y-%m-%d"}


def adoption(as_of: pd.Timestamp, seed: int) -> pd.DataFrame:
    """The adoption log in code form: one row per employee who has started, by first use.

    Parameters
    ----------
    as_of : Timestamp
        The sample's as-of date: later first uses are not in the log.
    seed : int
        Seed of this stream.

    Returns
    -------
    DataFrame
        ``user_id, department, first_used`` sorted by ``first_used``.
    """
    rng = np.random.default_rng(seed)
    department = rng.choice(list(DEPARTMENTS), size=EMPLOYEES, p=list(DEPARTMENTS.values()))
    adopters = np.sort(rng.choice(EMPLOYEES, size=ADOPTERS, replace=False))
    u = rng.random(ADOPTERS)
    months = -np.log((1 - u) / (1 + (Q / P) * u)) / (P + Q)  # the Bass distribution's inverse
    first = LAUNCH + pd.to_timedelta(np.floor(months * DAYS_PER_MONTH), unit="D")
    frame = pd.DataFrame({"user_id": [f"E{i + 1:04d}" for i in adopters], "department": department[adopters],
                          "first_used": first})
    frame = frame[frame["first_used"] <= as_of]
    return frame.sort_values(["first_used", "user_id"], kind="stable").reset_index(drop=True)


def localise(frame: pd.DataFrame, lang: str) -> pd.DataFrame:
    """The log as the ``lang`` admin console exports it: its headers, department names and dates.

    Parameters
    ----------
    frame : DataFrame
        Output of :func:`adoption`.
    lang : {"ja", "en"}
        Language of headers and labels.

    Returns
    -------
    DataFrame
        Text cells, ready for CSV.
    """
    out = frame.copy()
    out["department"] = out["department"].map(LABELS[lang])
    out["first_used"] = out["first_used"].dt.strftime(DATE_FORMAT[lang])
    return out.rename(columns=HEADERS[lang])


def write(root: Path, lang: str, as_of: pd.Timestamp, seed: int) -> list[Path]:
    """Write ``<root>/<lang>/adoption.csv`` and its blank template ``<root>/templates/adoption_<lang>.csv``.

    Parameters
    ----------
    root : Path
        ``sample_data``.
    lang : {"ja", "en"}
        Language of the file.
    as_of : Timestamp
        The sample's as-of date.
    seed : int
        Seed of this stream.

    Returns
    -------
    list of Path
        The two files written.
    """
    return write_localised(localise(adoption(as_of, seed), lang), root, lang, "adoption")


def read(folder: Path, lang: str) -> pd.DataFrame:
    """The bundled ``adoption.csv`` of ``lang`` as canonical adoption rows.

    Parameters
    ----------
    folder : Path
        ``sample_data/<lang>``.
    lang : {"ja", "en"}
        Which localised copy it is.

    Returns
    -------
    DataFrame
        ``user_id``, the department under its ``lang`` header, ``first_used``.
    """
    headers = {k: HEADERS[lang][k] for k in ("user_id", "first_used")}  # the department keeps its own header
    return read_localised(folder, "adoption", headers, {"first_used": DATE_FORMAT[lang]})
