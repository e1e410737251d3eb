"""Figures of the community page: roles month by month, the Lorenz curve of posts, leader candidates,
posting before/after the first event; churn by participation is :func:`cs_models.charts.survival.km_figure`.
Builders hold no text of their own (labels from :func:`cs_models.charts.labels.community_labels`)."""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from cs_models.charts.theme import PALETTE, TOP_LEGEND, plot_text
from cs_models.community.events import EventEffect
from cs_models.community.log import ROLES
from cs_models.format import number, pct

#: Colour of each role (leaders the strongest).
ROLE_COLOURS = {"leader": PALETTE[3], "follower": PALETTE[1], "audience": "#B8C4CE"}


def role_history(history: pd.DataFrame, labels: Mapping[str, str]) -> go.Figure:
    """Stacked bars of members per role, month by month.

    Parameters
    ----------
    history : DataFrame
        :attr:`cs_models.community.Roles.history`.
    labels : mapping
        ``history_x_title``, ``history_y_title``, ``history_hover`` (``{name} {month} {count}``),
        ``role_<role>``.

    Returns
    -------
    plotly.graph_objects.Figure
    """
    fig = go.Figure()
    months = [m.strftime("%Y-%m") for m in history["month"]]
    for role in ROLES:
        name = plot_text(labels[f"role_{role}"])
        fig.add_trace(go.Bar(
            x=months, y=history[role].to_numpy(), name=name, marker_color=ROLE_COLOURS[role],
            hovertemplate=labels["history_hover"].format(name=name, month="%{x}", count="%{y:,}") + "<extra></extra>",
        ))
    fig.update_layout(barmode="stack", legend=TOP_LEGEND, height=400, plot_bgcolor="white")
    fig.update_xaxes(title=labels["history_x_title"], type="category")
    fig.update_yaxes(title=labels["history_y_title"], gridcolor="#e5e5e5", rangemode="tozero")
    return fig


def lorenz_figure(curve: pd.DataFrame, labels: Mapping[str, str]) -> go.Figure:
    """The Lorenz curve of posts over members with the line of equal posting.

    Parameters
    ----------
    curve : DataFrame
        :attr:`cs_models.community.Roles.lorenz` (``members``, ``posts``).
    labels : mapping
        ``lorenz_x_title``, ``lorenz_y_title``, ``lorenz_curve``, ``lorenz_equal``, ``lorenz_hover``.

    Returns
    -------
    plotly.graph_objects.Figure
    """
    x, y = curve["members"].to_numpy(float) * 100, curve["posts"].to_numpy(float) * 100
    hover = [labels["lorenz_hover"].format(members=pct(a / 100, 0), posts=pct(b / 100, 0)) for a, b in zip(x, y,
                                                                                                       strict=True)]
    fig = go.Figure([
        go.Scatter(x=[0, 100], y=[0, 100], mode="lines", name=plot_text(labels["lorenz_equal"]),
                   line={"dash": "dot", "color": "#888888"}, hoverinfo="skip"),
        go.Scatter(x=x, y=y, mode="lines", name=plot_text(labels["lorenz_curve"]), fill="tonexty",
                   fillcolor="rgba(213, 94, 0, 0.12)", line={"color": PALETTE[3], "width": 3, "shape": "hv"},
                   text=[plot_text(h) for h in hover], hovertemplate="%{text}<extra></extra>"),
    ])
    inside = {"x": 0.02, "y": 0.98, "xanchor": "left", "yanchor": "top", "bgcolor": "rgba(255,255,255,0.8)"}
    fig.update_layout(legend=inside, height=400, plot_bgcolor="white")  # the top-left corner is always empty
    fig.update_xaxes(title=labels["lorenz_x_title"], range=[0, 100], ticksuffix="%", gridcolor="#e5e5e5")
    fig.update_yaxes(title=labels["lorenz_y_title"], range=[0, 101], ticksuffix="%", gridcolor="#e5e5e5")
    return fig


def candidates_scatter(candidates: pd.DataFrame, labels: Mapping[str, str], names: Mapping[str, str]) -> go.Figure:
    """Posting (x) against fandom (y), coloured by results; members without a fandom value are left out.

    Parameters
    ----------
    candidates : DataFrame
        :func:`cs_models.community.leader_candidates`.
    labels : mapping
        ``scatter_x_title``, ``scatter_y_title``, ``scatter_hover`` (``{member} {posting} {fandom}
        {results}``), ``scatter_results``, ``source_none``.
    names : mapping
        Role code -> name (the marker symbol tells the role).

    Returns
    -------
    plotly.graph_objects.Figure
    """
    shown = candidates.loc[candidates["fandom"].notna()]
    fig = go.Figure()
    symbols = {"leader": "star", "follower": "circle", "audience": "diamond"}
    for role in ROLES:
        part = shown.loc[shown["role"] == role]
        if part.empty:
            continue
        results = part["results"].to_numpy(float)
        shown_results = [pct(r) if np.isfinite(r) else labels["source_none"] for r in results]
        text = [plot_text(labels["scatter_hover"].format(member=m, posting=number(p), fandom=number(f, 1), results=r))
                for m, p, f, r in zip(part["member_id"], part["posting"], part["fandom"], shown_results, strict=True)]
        fig.add_trace(go.Scatter(
            x=part["posting"], y=part["fandom"], mode="markers", name=plot_text(names[role]), text=text,
            hovertemplate="%{text}<extra></extra>",
            marker={"size": 13, "symbol": symbols[role], "color": np.where(np.isfinite(results), results * 100, np.nan),
                    "coloraxis": "coloraxis", "line": {"width": 1, "color": "#444444"}},
        ))
    finite = shown["results"].to_numpy(float)
    reach = float(np.nanmax(np.abs(finite[np.isfinite(finite)]))) * 100 if np.isfinite(finite).any() else 1.0
    fig.update_layout(legend=TOP_LEGEND, height=420, plot_bgcolor="white", coloraxis={
        "colorscale": "RdYlGn", "cmin": -max(reach, 1.0), "cmax": max(reach, 1.0),
        "colorbar": {"title": {"text": plot_text(labels["scatter_results"])}, "ticksuffix": "%"}})
    fig.update_xaxes(title=labels["scatter_x_title"], gridcolor="#e5e5e5", rangemode="tozero")
    fig.update_yaxes(title=labels["scatter_y_title"], gridcolor="#e5e5e5", range=[0.8, 5.2])
    return fig


def effect_figure(effect: EventEffect, labels: Mapping[str, str]) -> go.Figure:
    """Mean posts per week before and after the first event: attendees and the comparison members.

    Parameters
    ----------
    effect : EventEffect
        :func:`cs_models.community.event_effect`.
    labels : mapping
        ``effect_x_before``, ``effect_x_after`` (``{weeks}``), ``effect_y_title``, ``effect_attendees``
        (``{n}``), ``effect_comparison``, ``effect_hover`` (``{name} {value}``).

    Returns
    -------
    plotly.graph_objects.Figure
    """
    pairs = effect.pairs
    x = [labels["effect_x_before"].format(weeks=effect.weeks), labels["effect_x_after"].format(weeks=effect.weeks)]
    series = ((labels["effect_attendees"].format(n=len(pairs)), pairs["before"], pairs["after"], PALETTE[3], "solid"),
              (labels["effect_comparison"], pairs["control_before"], pairs["control_after"], PALETTE[0], "dash"))
    fig = go.Figure()
    for name, before, after, colour, dash in series:
        name = plot_text(name)
        means = [float(np.nanmean(v)) if len(v) and np.isfinite(v).any() else None for v in (before, after)]
        fig.add_trace(go.Scatter(
            x=x, y=means,
            mode="lines+markers", name=name, line={"color": colour, "width": 3, "dash": dash}, marker={"size": 12},
            hovertemplate=labels["effect_hover"].format(name=name, value="%{y:.2f}") + "<extra></extra>",
        ))
    fig.update_layout(legend=TOP_LEGEND, height=380, plot_bgcolor="white")
    fig.update_xaxes(type="category")
    fig.update_yaxes(title=labels["effect_y_title"], gridcolor="#e5e5e5", rangemode="tozero")
    return fig
