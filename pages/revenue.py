"""Revenue movements: what moved MRR each month, and how churn and retention trend."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from cs_models import revenue
from cs_models.charts import labels
from cs_models.charts.revenue import movements_bars, trend_line
from cs_models.errors import CSLensError
from cs_models.warehouse.spill import movements_for
from ui import format as fmt
from ui.caching import shared
from ui.components import (
    download_table,
    money_column,
    page_header,
    require_dataset,
    show_error,
    show_findings,
    show_shared_chart,
)
from ui.i18n import current_lang, t
from ui.state import as_of, events_engine
from ui.url_state import url_widget

TRENDS = ("churn_rate", "nrr", "grr", "arpa", "customers")

page_header("revenue")
events = require_dataset("events")
try:
    spilled, kept = events_engine()  # large uploads: SQL over their Parquet
    result = shared(movements_for)(events, spilled, as_of(), kept=kept)  # one object: its charts are made once
except CSLensError as exc:
    show_error(exc)
    st.stop()

months, trends = result.months, result.trends
last, trend = months.iloc[-1], trends.iloc[-1]
month = last["month"].strftime("%Y-%m")
columns = st.columns(4)
net = last["end_mrr"] - last["start_mrr"]  # short amounts in the tiles, the full ones on hover and in the reading
columns[0].metric(t("revenue.metric_mrr", month=month), fmt.money_short(last["end_mrr"]), border=True,
                  help=fmt.money(last["end_mrr"]))
columns[1].metric(t("revenue.metric_net", month=month), fmt.money_short(net), border=True, help=fmt.money(net))
columns[2].metric(t("revenue.metric_nrr"), fmt.pct(trend["nrr"]), border=True)
columns[3].metric(t("revenue.metric_churn", month=month), fmt.pct(trend["churn_rate"]), border=True,
                  help=t("revenue.churn_help", low=trend["churn_low"], high=trend["churn_high"]))
show_findings(revenue.findings(result))

lang = current_lang()
show_shared_chart(movements_bars, months, labels.revenue_labels(lang), key="revenue_movements",
                  title=t("revenue.movements_heading"))
st.caption(t("revenue.movements_caption"))

st.subheader(t("revenue.trends_heading"))
choice = url_widget(st.segmented_control, t("revenue.trend_label"), list(TRENDS), key="revenue_trend",
                    default="churn_rate", required=True, format_func=lambda c: t(f"revenue.trend_{c}"))
column = choice if choice in TRENDS else "churn_rate"
show_shared_chart(trend_line, trends, column, labels.trend_labels(lang, column), key="revenue_trend_chart",
                  title=t(f"revenue.trend_{column}"))
st.caption(t("revenue.trends_caption"))

table = months.assign(month=months["month"].dt.strftime("%Y-%m")).set_index("month")
table.index.name = t("revenue.col_month")
names = {m: t(f"revenue.movement_{m}") for m in revenue.MOVEMENTS}
names |= {c: t(f"revenue.col_{c}") for c in table.columns if c not in names}
table = table.rename(columns=names)
money = [names[c] for c in ("start_mrr", *revenue.MOVEMENTS, "end_mrr")]
# two tables that fit the page: the yen, then the customers moving the same way (the download holds both)
st.dataframe(table[money], width="stretch", column_config={c: money_column() for c in money})
st.dataframe(table[[c for c in table.columns if c not in money]], width="stretch")
st.caption(t("revenue.download_caption"))
download_table(pd.DataFrame(table), "revenue_movements")
