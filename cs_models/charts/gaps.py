"""Figures of the expectation vs satisfaction page.

Builders take results of :mod:`cs_models.gaps` and a mapping of already translated
labels; they hold no text of their own. Item names and segment values are data, shown as they
are (HTML-escaped, so Plotly renders no markup of theirs).

Labels used (``{placeholders}`` are filled here):

- dumbbell: ``score_title``, ``expectation``, ``satisfaction_above``,
  ``satisfaction_below``, ``hover_dumbbell`` (``{item} {expectation} {satisfaction} {gap} {n}``);
- gap bars: ``gap_title``, ``verdict_delights``, ``verdict_disappoints``,
  ``verdict_no_clear_gap``, ``hover_gap`` (``{item} {gap} {low} {high} {p} {n}``);
- shares: ``share_title``, ``delighted``, ``met``, ``disappointed``,
  ``hover_share`` (``{item} {outcome} {share} {low} {high} {count} {n}``);
- importance–performance: ``performance_title``, ``importance_title``,
  ``quadrant_<code>`` for each quadrant code, ``hover_ipa`` (``{item} {importance}
  {performance} {n}``);
- segments: ``gap_title``, ``hover_segment`` (``{item} {segment} {gap} {low} {high} {n}``);
- churn curves: ``months_title``, ``survival_title``, ``group_negative_gap``,
  ``group_non_negative_gap``, ``hover_km`` (``{group} {months} {survival} {at_risk}``).
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from cs_models import format as fmt
from cs_models.charts.theme import NEGATIVE, NEUTRAL, PALETTE, POSITIVE, TOP_LEGEND, plot_text
from cs_models.gaps import (
    NEGATIVE_GAP,
    QUADRANTS,
    SCALES,
    GapAnalysis,
    GapChurn,
    ImportancePerformance,
    SegmentComparison,
)

DAYS_PER_MONTH = 365.25 / 12
VERDICT_COLOURS = {"delights": POSITIVE, "disappoints": NEGATIVE, "no_clear_gap": NEUTRAL}
QUADRANT_COLOURS = dict(zip(QUADRANTS, (NEGATIVE, PALETTE[0], NEUTRAL, PALETTE[1]), strict=True))


def _signed(value: float) -> str:
    """A signed difference (``+0.39`` / ``−0.49``, typographic minus); a dash when missing."""
    return fmt.signed(value).replace("-", "−")


def _by_gap(analysis: GapAnalysis) -> pd.DataFrame:
    """Items sorted so the largest gap is drawn at the top of a horizontal chart."""
    return analysis.items.sort_values("mean_gap", ascending=True)


def _item_axis(fig: go.Figure, items: list[str]) -> None:
    fig.update_yaxes(categoryorder="array", categoryarray=[plot_text(i) for i in items], title=None, automargin=True)


def dumbbell(analysis: GapAnalysis, labels: Mapping[str, str], *, scale: str) -> go.Figure:
    """Mean expectation → mean satisfaction per item, the bar coloured by the sign of the gap.

    Parameters
    ----------
    analysis : GapAnalysis
        The gap analysis whose per-item means are drawn, largest gap at the top.
    labels : Mapping[str, str]
        Translated dumbbell labels: ``score_title``, ``expectation``, ``satisfaction_above``,
        ``satisfaction_below`` and the ``hover_dumbbell`` template.
    scale : {"1-5", "1-7", "0-10"}
        Answer scale (a key of :data:`cs_models.gaps.SCALES`); it sets the x range.

    Returns
    -------
    plotly.graph_objects.Figure
        One row per item: a hollow expectation dot joined to a coloured satisfaction dot.
    """
    table = _by_gap(analysis)
    items = [str(i) for i in table.index]
    fig = go.Figure()
    above = table["mean_gap"] >= 0
    sides = ((above, POSITIVE, "satisfaction_above"), (~above, NEGATIVE, "satisfaction_below"))
    for mask, colour, name in sides:
        part = table[mask]
        if part.empty:
            continue
        xs: list[float | None] = []
        ys: list[str | None] = []
        for item, row in part.iterrows():
            xs += [row["mean_expectation"], row["mean_satisfaction"], None]
            ys += [plot_text(item), plot_text(item), None]
        fig.add_trace(go.Scatter(x=xs, y=ys, mode="lines", line={"color": colour, "width": 6},
                                 hoverinfo="skip", showlegend=False))
        fig.add_trace(
            go.Scatter(
                x=part["mean_satisfaction"], y=[plot_text(i) for i in part.index], mode="markers",
                marker={"color": colour, "size": 18, "line": {"color": "white", "width": 1}},
                name=labels[name], hovertext=_dumbbell_hover(part, labels), hoverinfo="text",
            )
        )
    fig.add_trace(
        go.Scatter(
            x=table["mean_expectation"], y=[plot_text(i) for i in items], mode="markers", name=labels["expectation"],
            marker={"color": "white", "size": 16, "line": {"color": "#424242", "width": 3}},
            hoverinfo="skip",
        )
    )
    low, high = SCALES[scale]
    _item_axis(fig, items)
    fig.update_xaxes(title=labels["score_title"], range=[low - 0.2, high + 0.2], dtick=1)
    fig.update_layout(legend=TOP_LEGEND, height=120 + 60 * len(items))
    return fig


def _dumbbell_hover(part: pd.DataFrame, labels: Mapping[str, str]) -> list[str]:
    """Hover text of each item's satisfaction dot: both means, the signed gap and the base."""
    return [
        labels["hover_dumbbell"].format(
            item=plot_text(item), expectation=f"{r['mean_expectation']:.2f}",
            satisfaction=f"{r['mean_satisfaction']:.2f}", gap=f"{r['mean_gap']:+.2f}",
            n=f"{int(r['n']):,}",
        )
        for item, r in part.iterrows()
    ]


def gap_bars(analysis: GapAnalysis, labels: Mapping[str, str]) -> go.Figure:
    """Mean gap per item with its confidence interval; colour = Holm-corrected verdict.

    Parameters
    ----------
    analysis : GapAnalysis
        The gap analysis whose mean gaps, intervals and verdicts are drawn.
    labels : Mapping[str, str]
        Translated ``gap_title``, ``verdict_<verdict>`` legend names and the ``hover_gap`` template.

    Returns
    -------
    plotly.graph_objects.Figure
        Horizontal bars around zero with error whiskers and the signed gap written beyond each.
    """
    table = _by_gap(analysis)
    items = [str(i) for i in table.index]
    fig = go.Figure()
    for verdict, colour in VERDICT_COLOURS.items():
        part = table[table["verdict"] == verdict]
        if part.empty:
            continue
        hover = [
            labels["hover_gap"].format(
                item=plot_text(item), gap=_signed(r["mean_gap"]), low=_signed(r["ci_low"]),
                high=_signed(r["ci_high"]), p=fmt.p_text(r["t_p_holm"]), n=f"{int(r['n']):,}",
            )
            for item, r in part.iterrows()
        ]
        fig.add_trace(
            go.Bar(
                x=part["mean_gap"], y=[plot_text(i) for i in part.index], orientation="h", marker_color=colour,
                name=labels[f"verdict_{verdict}"], hovertext=hover, hoverinfo="text",
                error_x={"type": "data", "symmetric": False, "array": part["ci_high"] - part["mean_gap"],
                         "arrayminus": part["mean_gap"] - part["ci_low"], "color": "#424242", "thickness": 2},
            )
        )
    # value labels just beyond the end of each interval, so they never collide with the whiskers
    ends = np.where(table["mean_gap"] >= 0, table["ci_high"], table["ci_low"])
    ends = np.where(np.isfinite(ends), ends, table["mean_gap"])
    ends_all = np.abs(table[["mean_gap", "ci_low", "ci_high"]].to_numpy(dtype=float))
    ends_all = ends_all[np.isfinite(ends_all)]
    reach = float(ends_all.max()) if ends_all.size and ends_all.max() > 0 else 1.0
    ends = ends + np.where(table["mean_gap"] >= 0, 1, -1) * reach * 0.02  # clear of the whisker caps
    fig.add_trace(
        go.Scatter(
            x=ends, y=[plot_text(i) for i in items], mode="text",
            text=[f"{v:+.2f}".replace("-", "−") for v in table["mean_gap"]],
            textposition=["middle right" if v >= 0 else "middle left" for v in table["mean_gap"]],
            hoverinfo="skip", showlegend=False, cliponaxis=False,
        )
    )
    fig.add_vline(x=0, line_color="#424242", line_width=1)
    _item_axis(fig, items)
    fig.update_xaxes(title=labels["gap_title"], range=[-reach * 1.35, reach * 1.35], zeroline=False)
    fig.update_layout(legend=TOP_LEGEND, height=120 + 60 * len(items), barmode="overlay")
    return fig


def share_bars(analysis: GapAnalysis, labels: Mapping[str, str]) -> go.Figure:
    """100 % stacked bars: disappointed | met | delighted, with Wilson intervals in the hover.

    Parameters
    ----------
    analysis : GapAnalysis
        The gap analysis whose per-item outcome shares and counts are drawn.
    labels : Mapping[str, str]
        Translated ``share_title``, outcome names and the ``hover_share`` template.

    Returns
    -------
    plotly.graph_objects.Figure
        One stacked bar per item; shares of at least 6 % are written inside their segment.
    """
    table = _by_gap(analysis)
    items = [str(i) for i in table.index]
    fig = go.Figure()
    for outcome, colour in (("disappointed", NEGATIVE), ("met", NEUTRAL), ("delighted", POSITIVE)):
        hover = [
            labels["hover_share"].format(
                item=plot_text(item), outcome=labels[outcome], share=fmt.pct(r[f"{outcome}_share"], 0),
                low=fmt.pct(r[f"{outcome}_low"], 0), high=fmt.pct(r[f"{outcome}_high"], 0),
                count=f"{int(r[f'n_{outcome}']):,}", n=f"{int(r['n']):,}",
            )
            for item, r in table.iterrows()
        ]
        fig.add_trace(
            go.Bar(
                x=table[f"{outcome}_share"] * 100, y=[plot_text(i) for i in items], orientation="h",
                marker_color=colour,
                name=labels[outcome], hovertext=hover, hoverinfo="text",
                text=[fmt.pct(v, 0) if v >= 0.06 else "" for v in table[f"{outcome}_share"]],
                textposition="inside", insidetextanchor="middle", textfont={"color": "white"},
            )
        )
    _item_axis(fig, items)
    fig.update_xaxes(title=labels["share_title"], range=[0, 100], ticksuffix="%")
    fig.update_layout(barmode="stack", legend={**TOP_LEGEND, "traceorder": "normal"},
                      height=120 + 60 * len(items))
    return fig


def importance_performance_map(ipa: ImportancePerformance, labels: Mapping[str, str]) -> go.Figure:
    """Items by performance (x) and importance (y), split into quadrants at the means.

    Parameters
    ----------
    ipa : ImportancePerformance
        Per-item importance, performance and quadrant, with the two cut points.
    labels : Mapping[str, str]
        Translated axis titles, ``quadrant_<code>`` names and the ``hover_ipa`` template.

    Returns
    -------
    plotly.graph_objects.Figure
        A labelled scatter with dashed cut lines and each quadrant named in its corner.
    """
    table = ipa.items
    fig = go.Figure()
    for quadrant in QUADRANTS:
        part = table[table["quadrant"] == quadrant]
        if part.empty:
            continue
        hover = [
            labels["hover_ipa"].format(
                item=plot_text(item), importance=f"{r['importance']:.2f}", performance=f"{r['performance']:.2f}",
                n=f"{int(r['n']):,}",
            )
            for item, r in part.iterrows()
        ]
        fig.add_trace(
            go.Scatter(
                x=part["performance"], y=part["importance"], mode="markers+text",
                text=[plot_text(i) for i in part.index], textposition="top center",
                marker={"color": QUADRANT_COLOURS[quadrant], "size": 18,
                        "line": {"color": "white", "width": 1}},
                name=labels[f"quadrant_{quadrant}"], hovertext=hover, hoverinfo="text",
            )
        )
    x_pad = max(0.3, float(table["performance"].max() - table["performance"].min()) * 0.35)
    y_pad = max(0.3, float(table["importance"].max() - table["importance"].min()) * 0.35)
    x_range = [float(table["performance"].min()) - x_pad, float(table["performance"].max()) + x_pad]
    y_range = [float(table["importance"].min()) - y_pad, float(table["importance"].max()) + y_pad]
    fig.add_vline(x=ipa.performance_cut, line_dash="dash", line_color=NEUTRAL)
    fig.add_hline(y=ipa.importance_cut, line_dash="dash", line_color=NEUTRAL)
    corners = {
        "concentrate_here": (x_range[0], y_range[1], "left", "top"),
        "keep_up": (x_range[1], y_range[1], "right", "top"),
        "low_priority": (x_range[0], y_range[0], "left", "bottom"),
        "possible_overkill": (x_range[1], y_range[0], "right", "bottom"),
    }
    for quadrant, (x, y, xanchor, yanchor) in corners.items():
        fig.add_annotation(
            x=x, y=y, text=f"<b>{labels[f'quadrant_{quadrant}']}</b>", showarrow=False, xanchor=xanchor,
            yanchor=yanchor, font={"color": QUADRANT_COLOURS[quadrant]},
        )
    fig.update_xaxes(title=labels["performance_title"], range=x_range)
    fig.update_yaxes(title=labels["importance_title"], range=y_range)
    fig.update_layout(showlegend=False, height=520)
    return fig


def segment_dots(comparison: SegmentComparison, labels: Mapping[str, str], order: list[str]) -> go.Figure:
    """Mean gap of each item within each segment value: one colour per value, a dot per item.

    Parameters
    ----------
    comparison : SegmentComparison
        Per-segment, per-item mean gaps; rows with no answers are left out.
    labels : Mapping[str, str]
        Translated ``gap_title`` and the ``hover_segment`` template.
    order : list[str]
        Items from the bottom of the y axis to the top.

    Returns
    -------
    plotly.graph_objects.Figure
        A dot plot around a zero line, one trace per segment value.
    """
    table = comparison.table
    fig = go.Figure()
    for k, value in enumerate(pd.unique(table["segment_value"])):
        part = table[(table["segment_value"] == value) & (table["n"] > 0)]
        hover = [
            labels["hover_segment"].format(
                item=plot_text(r["item"]), segment=plot_text(value), gap=_signed(r["mean_gap"]),
                low=_signed(r["ci_low"]), high=_signed(r["ci_high"]), n=f"{int(r['n']):,}",
            )
            for _, r in part.iterrows()
        ]
        fig.add_trace(
            go.Scatter(
                x=part["mean_gap"], y=[plot_text(i) for i in part["item"]], mode="markers", name=plot_text(value),
                marker={"color": PALETTE[k % len(PALETTE)], "size": 14, "line": {"color": "white", "width": 1}},
                hovertext=hover, hoverinfo="text",
            )
        )
    fig.add_vline(x=0, line_color="#424242", line_width=1)
    _item_axis(fig, order)
    fig.update_xaxes(title=labels["gap_title"])
    fig.update_layout(legend=TOP_LEGEND, height=120 + 60 * len(order))
    return fig


def _rgba(colour: str, alpha: float) -> str:
    """``#RRGGBB`` as a translucent ``rgba()`` (the band stays see-through in presentation mode too)."""
    red, green, blue = (int(colour[i : i + 2], 16) for i in (1, 3, 5))
    return f"rgba({red},{green},{blue},{alpha})"


def _steps(x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Corner points of a right-continuous step function, for drawing a filled band exactly."""
    xs = np.repeat(x, 2)[1:]
    ys = np.repeat(y, 2)[:-1]
    return xs, ys


def churn_curves(churn: GapChurn, labels: Mapping[str, str]) -> go.Figure:
    """Kaplan–Meier curves (with confidence bands) of customers with a negative mean gap vs the rest.

    Parameters
    ----------
    churn : GapChurn
        The survival comparison whose Kaplan–Meier curves (in days) are drawn in months.
    labels : Mapping[str, str]
        Translated axis titles, ``group_<group>`` names and the ``hover_km`` template.

    Returns
    -------
    plotly.graph_objects.Figure
        Step curves in percent starting at 100 % at month 0, each over its shaded band.
    """
    fig = go.Figure()
    curves = churn.km.curves
    for group in churn.km.groups:
        part = curves[curves["group"] == group]
        colour = NEGATIVE if group == NEGATIVE_GAP else PALETTE[0]
        months = np.concatenate([[0.0], part["time_days"].to_numpy() / DAYS_PER_MONTH])
        surv = np.concatenate([[1.0], part["survival"].to_numpy()])
        low = np.concatenate([[1.0], part["lower"].to_numpy()])
        high = np.concatenate([[1.0], part["upper"].to_numpy()])
        at_risk = np.concatenate([[part["at_risk"].iloc[0] if len(part) else 0], part["at_risk"].to_numpy()])
        name = labels[f"group_{group}"]
        band_x, band_high = _steps(months, high)
        _, band_low = _steps(months, low)
        fig.add_trace(
            go.Scatter(
                x=np.concatenate([band_x, band_x[::-1]]), y=np.concatenate([band_high, band_low[::-1]]) * 100,
                fill="toself", fillcolor=_rgba(colour, 0.15), line={"width": 0, "color": "rgba(0,0,0,0)"},
                hoverinfo="skip", showlegend=False,
            )
        )
        hover = [
            labels["hover_km"].format(group=name, months=f"{m:.1f}", survival=fmt.pct(s, 0), at_risk=f"{int(r):,}")
            for m, s, r in zip(months, surv, at_risk, strict=True)
        ]
        fig.add_trace(
            go.Scatter(x=months, y=surv * 100, mode="lines", name=name, hovertext=hover, hoverinfo="text",
                       line={"color": colour, "width": 3, "shape": "hv"})
        )
    fig.update_xaxes(title=labels["months_title"], rangemode="tozero")
    fig.update_yaxes(title=labels["survival_title"], range=[0, 102], ticksuffix="%")
    fig.update_layout(legend=TOP_LEGEND, height=460)
    return fig
