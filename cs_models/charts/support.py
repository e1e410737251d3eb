"""Figures of the support page: ticket volume and time to solve (the share solved over time); churn by
ticket band is :func:`cs_models.charts.survival.km_figure`. Builders hold no text of their own."""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from cs_models.charts.theme import PALETTE, TOP_LEGEND, plot_text
from cs_models.support.tickets import HOURS_PER_DAY
from cs_models.survival import KMResult

#: The time axis of the resolution curves ends where this share of tickets is solved (or at the data).
AXIS_QUANTILE = 0.95


def volume_bars(volume: pd.DataFrame, labels: Mapping[str, str], names: Mapping[str, str]) -> go.Figure:
    """Stacked bars of tickets created per period, one colour per priority (or channel).

    Parameters
    ----------
    volume : DataFrame
        :func:`cs_models.support.volume`: periods (rows) by values (columns).
    labels : mapping
        ``x_title``, ``y_title``, ``hover`` (``{name} {period} {count}``).
    names : mapping
        Column value -> display name.

    Returns
    -------
    plotly.graph_objects.Figure
    """
    fig = go.Figure()
    periods = [p.strftime("%Y-%m-%d") for p in volume.index]
    for i, column in enumerate(volume.columns):
        name = plot_text(names.get(column, column))
        fig.add_trace(go.Bar(
            x=periods, y=volume[column].to_numpy(), name=name, marker_color=PALETTE[i % len(PALETTE)],
            hovertemplate=labels["hover"].format(name=name, period="%{x}", count="%{y:,}") + "<extra></extra>",
        ))
    fig.update_layout(barmode="stack", legend=TOP_LEGEND, height=420, plot_bgcolor="white")
    fig.update_xaxes(title=labels["x_title"], type="category")
    fig.update_yaxes(title=labels["y_title"], gridcolor="#e5e5e5", rangemode="tozero")
    return fig


def solved_curves(km: KMResult, labels: Mapping[str, str], names: Mapping[str, str],
                  targets: Mapping[str, float] | None = None) -> go.Figure:
    """Share of tickets solved by each hour since creation (``1 − S`` of the Kaplan–Meier curve).

    Parameters
    ----------
    km : KMResult
        Time to solve (durations in days), overall or per group.
    labels : mapping
        ``x_title``, ``y_title``, ``hover`` (``{name} {hours} {share}``), ``target`` (``{hours}``).
    names : mapping
        Group code -> display name (with n).
    targets : mapping, optional
        Group -> SLA target hours, drawn as a marker on that group's curve.

    Returns
    -------
    plotly.graph_objects.Figure
    """
    fig = go.Figure()
    curves = km.curves
    for i, group in enumerate(km.groups):
        part = curves[curves["group"] == group]
        hours = np.concatenate([[0.0], part["time_days"].to_numpy(float) * HOURS_PER_DAY])
        solved = np.concatenate([[0.0], 1 - part["survival"].to_numpy(float)]) * 100
        name = plot_text(names.get(group, group))
        colour = PALETTE[i % len(PALETTE)]
        fig.add_trace(go.Scatter(
            x=hours, y=solved, mode="lines", line={"shape": "hv", "width": 2.5, "color": colour}, name=name,
            hovertemplate=labels["hover"].format(name=name, hours="%{x:.1f}", share="%{y:.0f}%") + "<extra></extra>",
        ))
        target = (targets or {}).get(group)
        if target is not None:
            at = solved[max(int(np.searchsorted(hours, target, side="right")) - 1, 0)]
            fig.add_trace(go.Scatter(
                x=[target], y=[at], mode="markers", marker={"symbol": "diamond", "size": 12, "color": colour},
                showlegend=False, hovertemplate=labels["target"].format(hours=f"{target:g}") + "<extra></extra>",
            ))
    times = curves["time_days"].to_numpy(float) * HOURS_PER_DAY
    reach = float(np.quantile(times, AXIS_QUANTILE)) if len(times) else 1.0
    fig.update_layout(legend=TOP_LEGEND, height=440, plot_bgcolor="white", hovermode="closest")
    fig.update_xaxes(title=labels["x_title"], range=[0, reach * 1.05], gridcolor="#e5e5e5")
    fig.update_yaxes(title=labels["y_title"], range=[0, 102], ticksuffix="%", gridcolor="#e5e5e5")
    return fig
