"""Figure of the retention forecast: observed retention, the fitted sBG curve inside the observed
window and its projection beyond it, with the parameter band. Builders hold no text of their own."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import plotly.graph_objects as go

from cs_models.charts.survival import _rgba
from cs_models.charts.theme import PALETTE, TOP_LEGEND, plot_text
from cs_models.forecast import ForecastResult

#: Observed points with fewer customers at risk are not drawn (too noisy to read).
MIN_AT_RISK = 10


def retention_figure(result: ForecastResult, labels: Mapping[str, str], names: Mapping[str, str],
                     groups: Sequence[str] | None = None) -> go.Figure:
    """Share still active by tenure: observed (dots), fitted and projected sBG (line, dashed beyond
    the window) and the band of the projection, one colour per group.

    Parameters
    ----------
    result : ForecastResult
        Output of :func:`cs_models.forecast.forecast`.
    labels : mapping
        ``x_title``, ``y_title``, ``observed``, ``fitted``, ``projected``, ``band``, ``window``,
        ``hover_fitted`` (``{name} {t} {share} {low} {high}``), ``hover_observed`` (``{name} {t}
        {share} {at_risk}``).
    names : mapping
        Group code -> display name.
    groups : sequence of str, optional
        Groups to draw (default: those with a fit).

    Returns
    -------
    plotly.graph_objects.Figure
    """
    fig = go.Figure()
    groups = [g for g in (groups if groups is not None else result.fits) if g in result.fits]
    months = result.period_months
    for i, group in enumerate(groups):
        curve = result.curves[result.curves["group"] == group]
        colour, name = PALETTE[i % len(PALETTE)], plot_text(names.get(group, group))
        x = curve["t"].to_numpy(float) * months
        inside = ~curve["projected"].to_numpy(bool)
        _band(fig, x, curve["lower"].to_numpy(float), curve["upper"].to_numpy(float), colour, f"g{i}")
        custom = np.column_stack([curve["lower"], curve["upper"]])
        for part, dash, label in ((inside, "solid", labels["fitted"]), (~inside, "dash", labels["projected"])):
            keep = part | (np.arange(part.size) == int(inside.sum()) - 1) if dash == "dash" else part
            fig.add_trace(go.Scatter(
                x=x[keep], y=curve["fitted"].to_numpy(float)[keep], mode="lines", legendgroup=f"g{i}",
                name=name if dash == "solid" else f"{name} · {label}",
                line={"color": colour, "width": 2.5, "dash": dash},
                customdata=custom[keep], showlegend=dash == "solid",
                hovertemplate=labels["hover_fitted"].format(
                    name=name, t="%{x}", share="%{y:.1%}", low="%{customdata[0]:.1%}", high="%{customdata[1]:.1%}")
                + "<extra></extra>",
            ))
        seen = curve["observed"].notna().to_numpy() & (curve["at_risk"].to_numpy() >= MIN_AT_RISK)
        fig.add_trace(go.Scatter(
            x=x[seen], y=curve["observed"].to_numpy(float)[seen], mode="markers", legendgroup=f"g{i}",
            name=f"{name} · {labels['observed']}", marker={"color": colour, "size": 6, "symbol": "circle-open"},
            customdata=curve["at_risk"].to_numpy(float)[seen], showlegend=False,
            hovertemplate=labels["hover_observed"].format(name=name, t="%{x}", share="%{y:.1%}",
                                                          at_risk="%{customdata:,.0f}") + "<extra></extra>",
        ))
    _window(fig, result.observed_periods * months, labels)
    fig.update_layout(legend=TOP_LEGEND, height=480, plot_bgcolor="white", hovermode="closest")
    fig.update_xaxes(title=labels["x_title"], range=[0, result.horizon * months], gridcolor="#e5e5e5",
                     dtick=12 if months == 12 else None)
    fig.update_yaxes(title=labels["y_title"], range=[0, 1.02], tickformat=".0%", gridcolor="#e5e5e5")
    return fig


def _band(fig: go.Figure, x: np.ndarray, lower: np.ndarray, upper: np.ndarray, colour: str, group_id: str) -> None:
    """The shaded band between ``lower`` and ``upper``."""
    edge = {"width": 0, "color": "rgba(0,0,0,0)"}
    fig.add_trace(go.Scatter(x=x, y=upper, mode="lines", line=edge, hoverinfo="skip", showlegend=False,
                             legendgroup=group_id))
    fig.add_trace(go.Scatter(x=x, y=lower, mode="lines", line=edge, fill="tonexty", fillcolor=_rgba(colour, 0.15),
                             hoverinfo="skip", showlegend=False, legendgroup=group_id))


def _window(fig: go.Figure, end: float, labels: Mapping[str, str]) -> None:
    """A dotted line where the observed window ends, with its label."""
    if end <= 0:
        return
    fig.add_vline(x=end, line={"color": "#616161", "width": 1.2, "dash": "dot"})
    fig.add_annotation(x=end, y=1.0, yref="y", text=plot_text(labels["window"]), showarrow=False, xanchor="left",
                       xshift=6, yanchor="top", font={"color": "#616161"})
