"""Figures of the revenue page: the monthly MRR movements (stacked, with the net line) and a trend line."""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from cs_models.charts.theme import NEGATIVE, PALETTE, POSITIVE, TOP_LEGEND
from cs_models.revenue import MOVEMENTS

#: Colours of the movements: growth in greens and blues, losses in vermilion shades.
COLOURS = {"new": POSITIVE, "reactivation": PALETTE[5], "expansion": PALETTE[0], "contraction": PALETTE[1],
           "churned": NEGATIVE}


def movements_bars(months: pd.DataFrame, labels: Mapping[str, str]) -> go.Figure:
    """ChartMogul-style bars: gains above zero, losses below, and the net change as a line.

    Parameters
    ----------
    months : DataFrame
        :attr:`cs_models.revenue.RevenueMovements.months`.
    labels : mapping
        A name per movement and ``net``, ``x_title``, ``y_title``, ``hover`` (``{name} {month} {value}``).

    Returns
    -------
    plotly.graph_objects.Figure
    """
    x = months["month"].dt.strftime("%Y-%m")
    fig = go.Figure()
    for movement in MOVEMENTS:
        name = labels[movement]
        fig.add_trace(go.Bar(x=x, y=months[movement], name=name, marker_color=COLOURS[movement],
                             hovertemplate=labels["hover"].format(name=name, month="%{x}", value="%{y:,.0f}")
                             + "<extra></extra>"))
    net = months["end_mrr"] - months["start_mrr"]
    fig.add_trace(go.Scatter(x=x, y=net, name=labels["net"], mode="lines+markers", line={"color": "#1f2933"},
                             hovertemplate=labels["hover"].format(name=labels["net"], month="%{x}",
                                                                  value="%{y:,.0f}") + "<extra></extra>"))
    fig.update_layout(barmode="relative", legend=TOP_LEGEND, height=460, plot_bgcolor="white")
    fig.update_xaxes(title=labels["x_title"], type="category")
    fig.update_yaxes(title=labels["y_title"], gridcolor="#e5e5e5", zerolinecolor="#52606d", tickformat=",.0f")
    return fig


def trend_line(trends: pd.DataFrame, column: str, labels: Mapping[str, str]) -> go.Figure:
    """One trend over the months, with its 95% band where it has one (the churn rate).

    Parameters
    ----------
    trends : DataFrame
        :attr:`cs_models.revenue.RevenueMovements.trends`.
    column : {"churn_rate", "grr", "nrr", "arpa", "customers"}
        The trend drawn.
    labels : mapping
        ``x_title``, ``y_title`` (the trend's name) and ``hover`` (``{month} {value}``).

    Returns
    -------
    plotly.graph_objects.Figure
    """
    x = trends["month"].dt.strftime("%Y-%m")
    share = column in ("churn_rate", "grr", "nrr")
    y = trends[column] * (100 if share else 1)
    fig = go.Figure()
    if column == "churn_rate":
        fig.add_trace(go.Scatter(x=np.concatenate([x, x[::-1]]),
                                 y=np.concatenate([trends["churn_high"], trends["churn_low"][::-1]]) * 100,
                                 fill="toself", fillcolor="rgba(0,114,178,0.15)", line={"width": 0},
                                 hoverinfo="skip", showlegend=False))
    value = "%{y:.1f}%" if share else "%{y:,.0f}"
    fig.add_trace(go.Scatter(x=x, y=y, mode="lines+markers", line={"color": PALETTE[0], "width": 2.5},
                             showlegend=False,
                             hovertemplate=labels["hover"].format(month="%{x}", value=value) + "<extra></extra>"))
    fig.update_layout(height=380, plot_bgcolor="white")
    fig.update_xaxes(title=labels["x_title"], type="category")
    fig.update_yaxes(title=labels["y_title"], gridcolor="#e5e5e5", ticksuffix="%" if share else "",
                     rangemode="tozero")
    return fig
