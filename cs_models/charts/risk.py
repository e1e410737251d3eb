"""The risk page's calibration chart: predicted vs observed churn per risk decile (backtest)."""

from __future__ import annotations

from collections.abc import Mapping

import plotly.graph_objects as go

from cs_models.charts.theme import NEGATIVE, PALETTE, TOP_LEGEND
from cs_models.risk import Backtest


def calibration_chart(backtest: Backtest, labels: Mapping[str, str]) -> go.Figure:
    """Bars of the mean predicted risk and dots of the observed churn (Wilson 95% CI) per decile.

    Parameters
    ----------
    backtest : Backtest
        The backtest whose calibration table is drawn.
    labels : mapping
        ``x_title``, ``y_title``, ``predicted``, ``observed``, ``hover`` (``{decile} {value}``).

    Returns
    -------
    plotly.graph_objects.Figure
    """
    table = backtest.calibration
    deciles = table["decile"].astype(str)
    fig = go.Figure()
    fig.add_trace(go.Bar(x=deciles, y=table["predicted"] * 100, name=labels["predicted"], marker_color=PALETTE[5],
                         hovertemplate=labels["hover"].format(decile="%{x}", value="%{y:.1f}%") + "<extra></extra>"))
    fig.add_trace(go.Scatter(
        x=deciles, y=table["observed"] * 100, mode="markers", name=labels["observed"],
        marker={"color": NEGATIVE, "size": 10},
        error_y={"type": "data", "symmetric": False, "array": (table["high"] - table["observed"]) * 100,
                 "arrayminus": (table["observed"] - table["low"]) * 100, "color": NEGATIVE},
        hovertemplate=labels["hover"].format(decile="%{x}", value="%{y:.1f}%") + "<extra></extra>"))
    fig.update_layout(legend=TOP_LEGEND, height=400, plot_bgcolor="white")
    fig.update_xaxes(title=labels["x_title"], type="category")
    fig.update_yaxes(title=labels["y_title"], ticksuffix="%", rangemode="tozero", gridcolor="#e5e5e5")
    return fig
