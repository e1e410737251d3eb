"""The sample restaurant SaaS's plan history (ライト → スタンダード → プロ), consistent with its customers.

Every history ends at the customer's plan in ``customers.csv`` (the plan it is on now), except a few
Light customers who came down from Standard. Many Standard and Pro customers started on a lower plan
and upgraded during their life. The upgrade has a real but modest protective effect: customers with
more of their life still ahead are likelier to upgrade (:data:`REMAINING_TILT`), so after the upgrade
their churn hazard is lower than that of comparable customers who have not upgraded. The end dates
are the customers' own (``customers.csv`` is not changed); a separate random stream (``SEED + 2``)
leaves the other sample files unchanged.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

import numpy as np
import pandas as pd

from cs_models.sample_files import read_localised, write_localised

#: Chance that a customer now on a plan entered on each lower plan (the rest entered on it).
ENTERED_BELOW: Mapping[str, Mapping[str, float]] = {
    "standard": {"light": 0.40},
    "pro": {"light": 0.20, "standard": 0.30},
}
#: Chance that a Light customer came down from Standard.
DOWNGRADED = 0.06
#: Odds multiplier of having upgraded per year of life still ahead at the upgrade.
REMAINING_TILT = 2.0
#: A Pro customer who entered on Light passes through Standard with this chance.
VIA_STANDARD = 0.6
HEADERS: Mapping[str, Mapping[str, str]] = {
    "ja": {"customer_id": "顧客ID", "date": "変更日", "plan": "プラン"},
    "en": {"customer_id": "customer_id", "date": "date", "plan": "plan"},
}
DATE_FORMAT = {"ja": "%Y/%-m/%-d", "en": "%Y-%m-%d"}
RANK = ("light", "standard", "pro")


def _entry(rng: np.random.Generator, plan: np.ndarray, remaining_years: np.ndarray) -> np.ndarray:
    """The plan each customer entered on: lower plans likelier for customers with long lives ahead."""
    entry = plan.copy()
    u = rng.random(len(plan))
    for now, below in ENTERED_BELOW.items():
        mask = plan == now
        base = sum(below.values())
        odds = base / (1 - base) * REMAINING_TILT ** (remaining_years[mask] - remaining_years[mask].mean())
        share = odds / (1 + odds)
        lowered = u[mask] < share
        v = rng.random(int(mask.sum()))
        pick = np.where(v < below.get("light", 0.0) / base, "light", "standard")
        entry[np.flatnonzero(mask)[lowered]] = pick[lowered]
    light = plan == "light"
    entry[light & (u < DOWNGRADED)] = "standard"
    return entry


def history(customers: pd.DataFrame, as_of: pd.Timestamp, seed: int) -> pd.DataFrame:
    """The plan history in code form: one row at the start, one per plan change.

    Parameters
    ----------
    customers : DataFrame
        The sample customers in code form (``customer_id, start_date, end_date, plan``).
    as_of : Timestamp
        The sample's as-of date (active customers' lives end there for the draw).
    seed : int
        Seed of this stream.

    Returns
    -------
    DataFrame
        ``customer_id, date, plan`` sorted by customer and date.
    """
    rng = np.random.default_rng(seed)
    start = customers["start_date"]
    life = ((customers["end_date"].fillna(as_of) - start) / pd.Timedelta(days=1)).to_numpy(float)
    plan = customers["plan"].to_numpy(object)
    change = rng.beta(1.5, 3.0, len(plan)) * 0.8 + 0.05  # share of the life before the change
    entry = _entry(rng, plan, life * (1 - change) / 365.25)
    entry = np.where(life < 60, plan, entry)  # too short a life for a change
    middle = rng.random(len(plan)) < VIA_STANDARD
    rows: list[tuple[str, pd.Timestamp, str]] = []
    for i, cid in enumerate(customers["customer_id"]):
        rows.append((cid, start.iloc[i], entry[i]))
        if entry[i] == plan[i]:
            continue
        day = max(1.0, np.floor(change[i] * life[i]))
        if entry[i] == "light" and plan[i] == "pro" and middle[i]:
            first = max(1.0, np.floor(day * rng.uniform(0.3, 0.8)))
            rows.append((cid, start.iloc[i] + pd.Timedelta(days=first), "standard"))
        rows.append((cid, start.iloc[i] + pd.Timedelta(days=day), plan[i]))
    return pd.DataFrame(rows, columns=["customer_id", "date", "plan"])


def localise(frame: pd.DataFrame, lang: str, labels: Mapping[str, str]) -> pd.DataFrame:
    """The history as a ``lang`` spreadsheet holds it: headers, plan labels, ``2024/4/1`` dates.

    Parameters
    ----------
    frame : DataFrame
        Output of :func:`history`.
    lang : {"ja", "en"}
        Language.
    labels : mapping
        Code -> label of ``lang`` (the sample's plan labels).

    Returns
    -------
    DataFrame
        Text cells, ready for CSV.
    """
    out = frame.copy()
    out["plan"] = out["plan"].map(labels)
    out["date"] = out["date"].dt.strftime(DATE_FORMAT[lang])
    return out.rename(columns=HEADERS[lang])


def write(frame: pd.DataFrame, root: Path, lang: str, labels: Mapping[str, str]) -> list[Path]:
    """Write ``<lang>/plan_history.csv`` and the blank template (not in the workbook, which stays as it was).

    Parameters
    ----------
    frame : DataFrame
        Output of :func:`history`.
    root : Path
        The sample folder.
    lang : {"ja", "en"}
        Language.
    labels : mapping
        Code -> label of ``lang``.

    Returns
    -------
    list of Path
        The two files written.
    """
    return write_localised(localise(frame, lang, labels), root, lang, "plan_history")


def read(folder: Path, lang: str) -> pd.DataFrame:
    """The bundled ``plan_history.csv`` of ``lang`` as a canonical plan history (labels stay in ``lang``).

    Parameters
    ----------
    folder : Path
        ``sample_data/<lang>``.
    lang : {"ja", "en"}
        Which localised copy it is.

    Returns
    -------
    DataFrame
        ``customer_id, date, plan``.
    """
    return read_localised(folder, "plan_history", HEADERS[lang], {"date": DATE_FORMAT[lang]})
