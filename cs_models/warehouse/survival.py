"""Customer lifetimes from SQL: :func:`cs_models.survival.durations` with the engine computing them.

One row per customer comes back (its lifetime, churn flag and covariates), which the survival
analyses (:mod:`cs_models.survival`) take as they are.
"""

from __future__ import annotations

from datetime import date

import ibis
import pandas as pd

from cs_models.errors import DataError
from cs_models.schema import ColumnMapping
from cs_models.survival.frames import _check_size
from cs_models.warehouse.connection import Warehouse
from cs_models.warehouse.mapping import canonical_frame, column, suggest


def durations_sql(wh: Warehouse, as_of: date, mapping: ColumnMapping | None = None) -> pd.DataFrame:
    """Lifetimes in days up to ``as_of`` and the churn flag, computed by the engine.

    Parameters
    ----------
    wh : Warehouse
        The connection with a ``customers`` table.
    as_of : date
        Customers who started later are left out; churn after it is not yet known.
    mapping : ColumnMapping, optional
        The customers mapping; suggested when omitted.

    Returns
    -------
    DataFrame
        The canonical customers (covariates included) who started by ``as_of``, with
        ``duration_days`` and ``event``: equal to :func:`cs_models.survival.durations`.

    Raises
    ------
    DataError
        ``survival_end_before_start``, ``survival_too_few``, ``warehouse_too_many_rows``.
    """
    mapping = mapping or suggest(wh, "customers")
    table = wh.table("customers")
    fields = mapping.fields
    if "end_date" not in fields:
        raise DataError("survival_missing_dates", "missing columns: ['end_date']", column="end_date")
    cut = ibis.date(as_of)
    t = table.select(cid=column(table, fields["customer_id"], "string"),
                     start=column(table, fields["start_date"], "date"), end=column(table, fields["end_date"], "date"))
    t = t.filter(t.start <= cut)
    bad = int(wh.scalar(t.filter(t.end < t.start).count()))
    if bad:
        raise DataError("survival_end_before_start", f"{bad} contracts end before they start", column="end_date",
                        count=bad)
    event = t.end.notnull() & (t.end <= cut)
    stop = ibis.ifelse(event, t.end, cut)
    lives = wh.fetch(t.select("cid", duration_days=(stop.epoch_days() - t.start.epoch_days()).cast("float64"),
                              event=event), wh.tables["customers"])
    _check_size(len(lives))
    customers = canonical_frame(wh, "customers", mapping)
    frame = customers.merge(lives.rename(columns={"cid": "customer_id"}), on="customer_id", how="inner",
                            validate="one_to_one")
    frame["event"] = frame["event"].astype(bool)
    frame.index = customers.index[customers["customer_id"].isin(lives["cid"])]
    return frame
