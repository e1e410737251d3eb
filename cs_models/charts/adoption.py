"""Figures of the word-of-mouth page: monthly adoptions against the Bass curve, and cumulative users
against the market size. Builders hold no text of their own (labels from
:func:`cs_models.charts.labels.adoption_labels`)."""

from __future__ import annotations

from collections.abc import Mapping

import pandas as pd
import plotly.graph_objects as go

from cs_models.adoption.analysis import AdoptionFit
from cs_models.charts.theme import NEUTRAL, PALETTE, TOP_LEGEND, plot_text

BAND = "rgba(230, 159, 0, 0.18)"


def _band(fig: go.Figure, x: pd.Series, low: pd.Series, high: pd.Series, name: str) -> None:
    fig.add_trace(go.Scatter(x=x, y=high, mode="lines", line={"width": 0}, hoverinfo="skip", showlegend=False))
    fig.add_trace(go.Scatter(x=x, y=low, mode="lines", line={"width": 0}, fill="tonexty", fillcolor=BAND,
                             name=plot_text(name), hoverinfo="skip"))


def _line(fig: go.Figure, curve: pd.DataFrame, column: str, name: str, hover: str, colour: str) -> None:
    """The fitted line: solid over the observed months, dashed over the projection (joined at the last month)."""
    seen = curve[~curve["projected"]]
    ahead = pd.concat([seen.tail(1), curve[curve["projected"]]])
    for part, dash, legend in ((seen, "solid", True), (ahead, "dash", False)):
        fig.add_trace(go.Scatter(
            x=part["month"], y=part[column], mode="lines", line={"color": colour, "width": 2.5, "dash": dash},
            name=plot_text(name), showlegend=legend, legendgroup=column,
            hovertemplate=hover + "<extra></extra>"))


def _projection_start(fig: go.Figure, curve: pd.DataFrame, label: str) -> None:
    ahead = curve.loc[curve["projected"], "month"]
    if len(ahead):
        x = ahead.iloc[0] - pd.Timedelta(days=15)
        fig.add_vline(x=x, line={"color": NEUTRAL, "dash": "dot", "width": 1})
        fig.add_annotation(x=x, y=1, yref="paper", text=plot_text(label), showarrow=False, xanchor="left",
                           yanchor="top", font={"color": "#555555", "size": 12})


def monthly_figure(result: AdoptionFit, labels: Mapping[str, str]) -> go.Figure:
    """New users per month (bars), the fitted and projected Bass curve with its band, and the innovators.

    Parameters
    ----------
    result : AdoptionFit
        Output of :func:`cs_models.adoption.fit_adoption`.
    labels : mapping
        ``observed``, ``fitted``, ``band``, ``innovation``, ``projection``, ``x_title``, ``y_title``,
        ``hover_observed`` and ``hover_fitted`` (``{month}``, ``{count}``).

    Returns
    -------
    plotly.graph_objects.Figure
    """
    curve = result.curve
    seen = curve[~curve["projected"]]
    fig = go.Figure()
    fig.add_trace(go.Bar(
        x=seen["month"], y=seen["observed"], name=plot_text(labels["observed"]), marker_color=PALETTE[0],
        opacity=0.75, hovertemplate=labels["hover_observed"].format(month="%{x|%Y-%m}", count="%{y:,.0f}")
        + "<extra></extra>"))
    _band(fig, curve["month"], curve["fitted_low"], curve["fitted_high"], labels["band"])
    _line(fig, curve, "fitted", labels["fitted"],
          labels["hover_fitted"].format(month="%{x|%Y-%m}", count="%{y:,.1f}"), PALETTE[1])
    fig.add_trace(go.Scatter(
        x=curve["month"], y=curve["innovation"], mode="lines", line={"color": PALETTE[2], "width": 1.5, "dash": "dot"},
        name=plot_text(labels["innovation"]),
        hovertemplate=labels["hover_fitted"].format(month="%{x|%Y-%m}", count="%{y:,.1f}") + "<extra></extra>"))
    _projection_start(fig, curve, labels["projection"])
    fig.update_layout(legend=TOP_LEGEND, height=440, plot_bgcolor="white", bargap=0.15, hovermode="x unified")
    fig.update_xaxes(title=labels["x_title"], dtick="M2", tickformat="%Y-%m")
    fig.update_yaxes(title=labels["y_title"], gridcolor="#e5e5e5", rangemode="tozero")
    return fig


def cumulative_figure(result: AdoptionFit, labels: Mapping[str, str]) -> go.Figure:
    """Users so far (markers), the fitted and projected cumulative curve with its band, and the market size.

    Parameters
    ----------
    result : AdoptionFit
        Output of :func:`cs_models.adoption.fit_adoption`.
    labels : mapping
        ``observed``, ``fitted``, ``band``, ``market`` (``{m}``), ``projection``, ``x_title``,
        ``y_title_cumulative``, ``hover_observed`` and ``hover_fitted``.

    Returns
    -------
    plotly.graph_objects.Figure
    """
    curve = result.curve
    seen = curve[~curve["projected"]]
    fig = go.Figure()
    _band(fig, curve["month"], curve["cumulative_low"], curve["cumulative_high"], labels["band"])
    _line(fig, curve, "cumulative", labels["fitted"],
          labels["hover_fitted"].format(month="%{x|%Y-%m}", count="%{y:,.0f}"), PALETTE[1])
    fig.add_trace(go.Scatter(
        x=seen["month"], y=seen["cumulative_observed"], mode="markers", marker={"color": PALETTE[0], "size": 8},
        name=plot_text(labels["observed"]),
        hovertemplate=labels["hover_observed"].format(month="%{x|%Y-%m}", count="%{y:,.0f}") + "<extra></extra>"))
    fig.add_hline(y=result.m, line={"color": PALETTE[3], "dash": "dash", "width": 1.5})
    fig.add_annotation(x=0.01, xref="paper", y=result.m, yref="y", xanchor="left", yanchor="bottom", showarrow=False,
                       text=plot_text(labels["market"].format(m=f"{result.m:,.0f}")),
                       font={"color": PALETTE[3], "size": 12})
    _projection_start(fig, curve, labels["projection"])
    fig.update_layout(legend=TOP_LEGEND, height=440, plot_bgcolor="white", hovermode="x unified")
    fig.update_xaxes(title=labels["x_title"], dtick="M2", tickformat="%Y-%m")
    fig.update_yaxes(title=labels["y_title_cumulative"], gridcolor="#e5e5e5", rangemode="tozero",
                     range=[0, max(result.m, float(curve["cumulative_high"].max())) * 1.08])
    return fig
