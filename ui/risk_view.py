"""The Customers-at-risk page's call list: one row per active customer, its drivers in words.

The list of a result is made once per language while the (shared) result lives: at 1M customers
its three million driver texts took 17–25 s, on every rerun of the page. It is kept as an Arrow
table, which ``st.dataframe`` serialises without converting (5–8× faster than from pandas).
"""

from __future__ import annotations

import pandas as pd
import pyarrow as pa

from cs_models import risk
from ui import format as fmt
from ui.i18n import t
from ui.memo import derived

#: A call list as drawn: an Arrow table, or the frame when Arrow cannot hold a column of it.
CallList = pa.Table | pd.DataFrame
#: Rows of the call list drawn on the page (riskiest first); the download holds every customer. A
#: million rows were most of a rerun (Streamlit sends about 89 MB) and nobody reads past the top.
SHOWN_ROWS = 10_000


def _driver_texts(drivers: pd.Series, k: int) -> list[str]:
    """The ``k``-th driver of every customer in words (``""`` when it has fewer), each distinct
    driver translated once (a value is formatted by ``str``, as the catalogue formats it)."""
    texts: dict[tuple[str, str, str], str] = {}
    out = []
    for items in drivers:
        if len(items) <= k:
            out.append("")
            continue
        column, value, effect = items[k]
        key = (column, str(value), fmt.signed_pct(effect))
        text = texts.get(key)
        if text is None:
            text = texts[key] = t("risk.driver", column=key[0], value=key[1], effect=key[2])
        out.append(text)
    return out


def _build(result: risk.RiskScores) -> pd.DataFrame:
    scores = result.customers
    return pd.DataFrame({
        t("risk.col_customer"): scores["customer_id"], t("risk.col_risk"): scores["risk"] * 100,
        t("risk.col_mrr"): scores["mrr"], t("risk.col_revenue_at_risk"): scores["revenue_at_risk"],
        **{t("risk.col_driver", k=k + 1): _driver_texts(scores["drivers"], k) for k in range(risk.TOP_DRIVERS)},
    })


def _as_arrow(view: pd.DataFrame) -> CallList:
    try:
        return pa.Table.from_pandas(view, preserve_index=False)
    except (pa.ArrowInvalid, pa.ArrowTypeError, pa.ArrowNotImplementedError):  # e.g. ids of mixed types
        return view


def as_frame(view: CallList) -> pd.DataFrame:
    """The call list as a pandas frame (for its download: made on the click)."""
    return view.to_pandas() if isinstance(view, pa.Table) else view


def _call_list(result: risk.RiskScores) -> CallList:
    return _as_arrow(_build(result))


def call_list(result: risk.RiskScores) -> CallList:
    """The call list of ``result`` in the current language: customer, risk (%), MRR, revenue at
    risk and the top drivers in words, riskiest first.

    Made once per result and language in this process (:func:`ui.memo.derived`; ``result`` comes
    from :func:`ui.caching.shared`); the list is only read after it is made.

    Parameters
    ----------
    result : RiskScores
        The page's result.

    Returns
    -------
    pyarrow.Table or DataFrame
        One row per active customer (a frame only when Arrow cannot hold a column; see :func:`as_frame`).
    """
    return derived(_call_list, result)


def shown(view: CallList) -> CallList:
    """The riskiest :data:`SHOWN_ROWS` rows of a call list (all of it when shorter; a slice, not a copy).

    Parameters
    ----------
    view : pyarrow.Table or DataFrame
        The call list of :func:`call_list`.

    Returns
    -------
    pyarrow.Table or DataFrame
        Its first rows.
    """
    return view.slice(0, SHOWN_ROWS) if isinstance(view, pa.Table) else view.head(SHOWN_ROWS)
