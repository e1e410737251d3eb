"""Figures of the customer journey: the monthly transition heatmap, the Sankey of typical paths, the
honest vs naive hazard ratio of upgrading, and the LTV by entry stage and by path. Time in stage is
:func:`cs_models.charts.survival.km_figure`. Builders hold no text of their own."""

from __future__ import annotations

import itertools
from collections.abc import Mapping

import numpy as np
import plotly.graph_objects as go

from cs_models.charts.theme import NEGATIVE, NEUTRAL, PALETTE, POSITIVE, plot_text
from cs_models.format import money, number, pct
from cs_models.journey import ACTIVE, CHURN, JourneyResult, UpgradeEffect

#: Stages of each path drawn in the Sankey.
SANKEY_STEPS = 3


def _name(names: Mapping[str, str], labels: Mapping[str, str], code: str) -> str:
    special = {CHURN: labels["churn"], ACTIVE: labels["active"]}
    return plot_text(special.get(code, names.get(code, code)))


def transition_heatmap(result: JourneyResult, labels: Mapping[str, str], names: Mapping[str, str]) -> go.Figure:
    """Monthly transition probabilities; staying in the stage (the diagonal) in grey, moves coloured.

    Parameters
    ----------
    result : JourneyResult
        Output of :func:`cs_models.journey.analyse_journey`.
    labels : mapping
        ``hm_x_title``, ``hm_y_title``, ``hm_hover`` (``{from_stage} {to_stage} {share}``), ``churn``, ``active``.
    names : mapping
        Stage -> display name.

    Returns
    -------
    plotly.graph_objects.Figure
    """
    matrix = result.matrix
    rows = [_name(names, labels, s) for s in matrix.index]
    cols = [_name(names, labels, s) for s in matrix.columns]
    values = matrix.to_numpy(float) * 100
    moves = values.copy()
    for i in range(len(rows)):
        moves[i, i] = np.nan  # staying put dwarfs every move: colour the moves only
    hover = [[labels["hm_hover"].format(from_stage=r, to_stage=c, share=pct(v / 100)) for c, v in zip(cols, row,
                                                                                                     strict=True)]
             for r, row in zip(rows, values, strict=True)]
    fig = go.Figure(go.Heatmap(z=moves, x=cols, y=rows, colorscale="Oranges", zmin=0, showscale=False,
                               customdata=hover, hovertemplate="%{customdata}<extra></extra>", xgap=2, ygap=2))
    stay = np.where(np.eye(len(rows), len(cols)) > 0, values, np.nan)
    fig.add_trace(go.Heatmap(z=stay, x=cols, y=rows, colorscale=[[0, "#e0e0e0"], [1, "#e0e0e0"]], showscale=False,
                             customdata=hover, hovertemplate="%{customdata}<extra></extra>", xgap=2, ygap=2))
    dark = np.nanmax(moves) * 0.5 if np.isfinite(moves).any() else np.inf  # white text on the darker cells
    for i, r in enumerate(rows):
        for j, c in enumerate(cols):
            if np.isfinite(values[i, j]):
                colour = "white" if i != j and values[i, j] > dark else "#222"
                fig.add_annotation(x=c, y=r, text=pct(values[i, j] / 100), showarrow=False,
                                   font={"size": 14, "color": colour})
    fig.update_layout(height=120 + 70 * len(rows), plot_bgcolor="white", margin={"l": 140})
    fig.update_xaxes(title=labels["hm_x_title"], side="bottom", type="category")
    fig.update_yaxes(title=labels["hm_y_title"], autorange="reversed", type="category")
    return fig


def paths_sankey(result: JourneyResult, labels: Mapping[str, str], names: Mapping[str, str]) -> go.Figure:
    """Sankey of the first :data:`SANKEY_STEPS` stages of each path and how it ends.

    Parameters
    ----------
    result : JourneyResult
        Output of :func:`cs_models.journey.analyse_journey`.
    labels : mapping
        ``step`` (``{n}``), ``churn``, ``active``, ``sankey_hover`` (``{source} {target} {n}``).
    names : mapping
        Stage -> display name.

    Returns
    -------
    plotly.graph_objects.Figure
    """
    nodes: dict[tuple[int, str], int] = {}
    links: dict[tuple[int, int], int] = {}

    def node(step: int, code: str) -> int:
        return nodes.setdefault((step, code), len(nodes))

    for row in result.paths.itertuples(index=False):
        chain = [node(k, s) for k, s in enumerate(row.path)] + [node(SANKEY_STEPS, row.end)]
        for a, b in itertools.pairwise(chain):
            links[(a, b)] = links.get((a, b), 0) + int(row.customers)
    order = {s: i for i, s in enumerate(result.order)}
    keys = sorted(nodes, key=nodes.__getitem__)
    colours = [PALETTE[order[c] % len(PALETTE)] if c in order else (NEGATIVE if c == CHURN else POSITIVE)
               for _, c in keys]
    text = [_name(names, labels, c) for _, c in keys]
    x = [0.01 + 0.98 * k / SANKEY_STEPS for k, _ in keys]
    sources, targets = [a for a, _ in links], [b for _, b in links]
    hover = [labels["sankey_hover"].format(source=text[a], target=text[b], n=number(v))
             for (a, b), v in links.items()]
    fig = go.Figure(go.Sankey(
        arrangement="snap",
        node={"label": text, "color": colours, "x": x, "pad": 18, "thickness": 16,
              "hovertemplate": "%{label}: %{value:,}<extra></extra>"},
        link={"source": sources, "target": targets, "value": list(links.values()), "customdata": hover,
              "color": "rgba(120,120,120,0.25)", "hovertemplate": "%{customdata}<extra></extra>"},
    ))
    steps = [labels["step"].format(n=k + 1) for k in range(SANKEY_STEPS)]
    for k, s in enumerate(steps):
        fig.add_annotation(x=k / SANKEY_STEPS, y=1.06, xref="paper", yref="paper", text=plot_text(s),
                           showarrow=False, xanchor="left" if k == 0 else "center")
    fig.update_layout(height=460, margin={"t": 70})
    return fig


def upgrade_comparison(effect: UpgradeEffect, labels: Mapping[str, str]) -> go.Figure:
    """The honest (time-varying) and the naive hazard ratio of upgrading, side by side, on a log axis.

    Parameters
    ----------
    effect : UpgradeEffect
        Output of :func:`cs_models.journey.upgrade_effect`.
    labels : mapping
        ``hr_x_title``, ``hr_time_varying``, ``hr_naive``, ``hr_hover`` (``{name} {hr} {low} {high}``),
        ``less``, ``more``.

    Returns
    -------
    plotly.graph_objects.Figure
    """
    rows = [(labels["hr_naive"], effect.naive_hr, effect.naive_low, effect.naive_high, NEUTRAL),
            (labels["hr_time_varying"], effect.hr, effect.hr_low, effect.hr_high, PALETTE[0])]
    fig = go.Figure()
    for name, hr, low, high, colour in rows:
        text = plot_text(name)
        fig.add_trace(go.Scatter(
            x=[hr], y=[text], mode="markers+text", marker={"size": 14, "color": colour}, showlegend=False,
            text=[number(hr, 2)], textposition="top center",
            error_x={"type": "data", "symmetric": False, "array": [high - hr], "arrayminus": [hr - low],
                     "color": colour, "thickness": 2.5},
            hovertemplate=labels["hr_hover"].format(name=text, hr=number(hr, 2), low=number(low, 2),
                                                    high=number(high, 2)) + "<extra></extra>"))
    low = min(r[2] for r in rows)
    high = max(r[3] for r in rows)
    span = [np.log10(min(low, 0.9) * 0.8), np.log10(max(high, 1.1) * 1.25)]
    fig.add_vline(x=1, line_dash="dash", line_color="#555")
    fig.add_annotation(x=span[0], y=1.0, xref="x", yref="paper", text=plot_text("← " + labels["less"]),
                       showarrow=False, xanchor="left", yanchor="bottom")
    fig.add_annotation(x=span[1], y=1.0, xref="x", yref="paper", text=plot_text(labels["more"] + " →"),
                       showarrow=False, xanchor="right", yanchor="bottom")
    fig.update_layout(height=320, plot_bgcolor="white", margin={"l": 200, "t": 90})
    ticks = [v for v in (0.1, 0.2, 0.3, 0.5, 0.7, 1, 1.5, 2, 3, 5, 10) if span[0] <= np.log10(v) <= span[1]]
    fig.update_xaxes(title=labels["hr_x_title"], type="log", range=span, gridcolor="#e5e5e5", tickvals=ticks,
                     ticktext=[f"{v:g}" for v in ticks])
    fig.update_yaxes(type="category", range=[-0.6, 1.7])
    return fig


def ltv_bars(result: JourneyResult, labels: Mapping[str, str], names: Mapping[str, str], lang: str) -> go.Figure:
    """Bars of the LTV of a customer entering each stage, with the bootstrap 95% interval.

    Parameters
    ----------
    result : JourneyResult
        Output of :func:`cs_models.journey.analyse_journey`.
    labels : mapping
        ``ltv_y_title`` / ``ltv_y_months`` (without amounts), ``ltv_hover`` (``{stage} {value} {low} {high}``).
    names : mapping
        Stage -> display name.
    lang : {"ja", "en"}
        Language of the money in the hover.

    Returns
    -------
    plotly.graph_objects.Figure
    """
    table = result.ltv
    in_months = result.mrr_source == "months"

    def fmt(v: float) -> str:
        return number(v, 1) if in_months else money(v, lang)

    x = [_name(names, labels, s) for s in table.index]
    hover = [labels["ltv_hover"].format(stage=s, value=fmt(r.ltv), low=fmt(r.low), high=fmt(r.high))
             for s, r in zip(x, table.itertuples(), strict=True)]
    fig = go.Figure(go.Bar(
        x=x, y=table["ltv"], marker_color=[PALETTE[i % len(PALETTE)] for i in range(len(x))], customdata=hover,
        hovertemplate="%{customdata}<extra></extra>", text=[fmt(v) for v in table["ltv"]], textposition="inside",
        insidetextanchor="start",
        error_y={"type": "data", "symmetric": False, "array": table["high"] - table["ltv"],
                 "arrayminus": table["ltv"] - table["low"], "color": "#333"}))
    fig.update_layout(height=400, plot_bgcolor="white", showlegend=False)
    fig.update_xaxes(type="category")
    fig.update_yaxes(title=labels["ltv_y_months" if in_months else "ltv_y_title"], rangemode="tozero",
                     gridcolor="#e5e5e5", tickformat=",")
    return fig


def path_ltv_bars(result: JourneyResult, labels: Mapping[str, str], names: Mapping[str, str], lang: str) -> go.Figure:
    """Horizontal bars of the LTV from entry of the customers following each typical path, with the
    bootstrap 95% interval; paths in the table's order, top to bottom, coloured by their entry stage.

    Parameters
    ----------
    result : JourneyResult
        Output of :func:`cs_models.journey.analyse_journey`.
    labels : mapping
        ``path_join`` (between stages), ``ltv_y_title`` / ``ltv_y_months`` (value axis), ``ltv_hover``
        (``{stage} {value} {low} {high}``; the path as ``stage``).
    names : mapping
        Stage -> display name.
    lang : {"ja", "en"}
        Language of the money on the bars.

    Returns
    -------
    plotly.graph_objects.Figure
    """
    table = result.ltv_by_path
    in_months = result.mrr_source == "months"

    def fmt(v: float) -> str:
        return number(v, 1) if in_months else money(v, lang)

    y = [labels["path_join"].join(_name(names, labels, s) for s in p) for p in table["path"]]
    entry = {s: i for i, s in enumerate(result.order)}
    hover = [labels["ltv_hover"].format(stage=p, value=fmt(r.ltv), low=fmt(r.low), high=fmt(r.high))
             for p, r in zip(y, table.itertuples(), strict=True)]
    fig = go.Figure(go.Bar(
        y=y, x=table["ltv"], orientation="h", customdata=hover, hovertemplate="%{customdata}<extra></extra>",
        marker_color=[PALETTE[entry.get(p[0], 0) % len(PALETTE)] for p in table["path"]],
        text=[fmt(v) for v in table["ltv"]], textposition="inside", insidetextanchor="start",
        error_x={"type": "data", "symmetric": False, "array": table["high"] - table["ltv"],
                 "arrayminus": table["ltv"] - table["low"], "color": "#333"}))
    fig.update_layout(height=160 + 44 * len(y), plot_bgcolor="white", showlegend=False)
    fig.update_yaxes(type="category", autorange="reversed", automargin=True)
    fig.update_xaxes(title=labels["ltv_y_months" if in_months else "ltv_y_title"], rangemode="tozero",
                     gridcolor="#e5e5e5", tickformat=",")
    return fig
