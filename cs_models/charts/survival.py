"""Survival figures: Kaplan–Meier with at-risk table, hazard-ratio forest plot, monthly churn.

The Kaplan–Meier figure follows R survminer's ``ggsurvplot`` (step curves, CI bands,
censor marks, median lines, p-value, number-at-risk table under the x-axis) but is
interactive. Curves are drawn from their distinct steps, thinned to at most
``max_points`` per curve on an even grid (sub-pixel at dashboard widths), and sent as
float32 typed arrays, so a million customers stay far below 300 KB of chart JSON.

Builders take already-translated ``labels`` and group ``names`` from the page.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from cs_models.charts.theme import NEGATIVE, NEUTRAL, PALETTE, POSITIVE, plot_text
from cs_models.survival import DAYS_PER_MONTH, CoxResult, KMResult, LifeTableResult

#: Most points drawn per curve: about one per 1.5 px of a full-width dashboard chart.
MAX_POINTS = 600
#: Most points per edge of a CI band (a soft fill needs fewer).
MAX_BAND_POINTS = 300
#: Most censor marks drawn per curve.
MAX_CENSOR_MARKS = 250
#: Band edges stay invisible even when presentation mode thickens every line.
TRANSPARENT = "rgba(0,0,0,0)"
EDGE = {"width": 0, "color": TRANSPARENT, "shape": "hv"}
#: Months with fewer customers at risk are left out of the churn-rate chart (too noisy).
MIN_AT_RISK = 10


def _rgba(hex_colour: str, alpha: float) -> str:
    r, g, b = (int(hex_colour[i : i + 2], 16) for i in (1, 3, 5))
    return f"rgba({r},{g},{b},{alpha})"


def thin_steps(x: np.ndarray, max_points: int) -> np.ndarray:
    """Indices of a sorted step function to draw: the last step in each of ``max_points``
    equal-width bins, plus the first and last points (no step is lost, only merged
    within a bin).

    Parameters
    ----------
    x : numpy.ndarray
        Sorted step positions (e.g. months since start).
    max_points : int
        Most points to keep; at or below it every index is kept.

    Returns
    -------
    numpy.ndarray
        Sorted, unique integer indices into ``x``.
    """
    n = len(x)
    if n <= max_points:
        return np.arange(n)
    span = x[-1] - x[0]
    if span <= 0:
        return np.array([0, n - 1])
    bins = np.minimum(((x - x[0]) / span * (max_points - 2)).astype(np.int64), max_points - 3)
    last_in_bin = np.flatnonzero(np.diff(bins, append=bins[-1] + 1))
    return np.unique(np.concatenate([[0], last_in_bin, [n - 1]]))


def _f32(values: object) -> np.ndarray:
    return np.asarray(values, dtype=np.float32)


def km_figure(
    km: KMResult,
    labels: Mapping[str, str],
    names: Mapping[str, str],
    *,
    annotation: str | None = None,
    max_points: int = MAX_POINTS,
    row_names: Mapping[str, str] | None = None,
    at_risk: bool = True,
) -> go.Figure:
    """Kaplan–Meier curves with CI bands, censor marks, medians and an at-risk table.

    Parameters
    ----------
    km : KMResult
        Curves, per-group summary (size, median) and at-risk table of the fit.
    labels : mapping
        ``x_title``, ``y_title``, ``at_risk_title``, ``hover_month``, ``hover_survival``,
        ``hover_at_risk``, ``censored``, ``median``, ``events_so_far``, ``censored_so_far``
        (the at-risk table's hover shows the KMunicate counts).
    names : mapping
        Group code -> display name (with n, if wanted).
    annotation : str, optional
        Text in the top-right corner (the log-rank p-value).
    max_points : int
        Most points per curve.
    row_names : mapping, optional
        Group code -> label of its row in the at-risk table (default: ``names``).
    at_risk : bool
        Draw the at-risk table under the curves (left out on a slide, where there is no room).

    Returns
    -------
    plotly.graph_objects.Figure
        The survival curves in months, with the at-risk table as a second row when ``at_risk``.
    """
    row_names = names if row_names is None else row_names
    fig = (make_subplots(rows=2, cols=1, shared_xaxes=True, row_heights=[0.8, 0.2], vertical_spacing=0.1)
           if at_risk else make_subplots(rows=1, cols=1))
    x_max = 0.0
    for i, group in enumerate(km.groups):
        x_max = max(x_max, _add_group_curve(fig, km, i, group, labels, plot_text(names.get(group, group)),
                                            max_points))
    _add_median_guide(fig, km.summary, labels)
    if at_risk:
        _add_at_risk_rows(fig, km, labels, row_names)
    _km_layout(fig, km, labels, x_max, annotation, at_risk=at_risk)
    return fig


def _add_group_curve(
    fig: go.Figure, km: KMResult, i: int, group: str, labels: Mapping[str, str], name: str, max_points: int
) -> float:
    """Band, step curve, censor marks and median line of group ``i``; returns its last month."""
    colour = PALETTE[i % len(PALETTE)]
    curve = km.curves[km.curves["group"] == group]
    n = int(km.summary.loc[group, "n"])
    months = np.concatenate([[0.0], curve["time_days"].to_numpy() / DAYS_PER_MONTH])
    surv = np.concatenate([[1.0], curve["survival"].to_numpy()])
    lower = np.concatenate([[1.0], curve["lower"].to_numpy()])
    upper = np.concatenate([[1.0], curve["upper"].to_numpy()])
    # at risk just after each step = at risk before it minus those removed at it
    removed = curve["events"].to_numpy() + curve["censored"].to_numpy()
    after = np.concatenate([[n], curve["at_risk"].to_numpy() - removed])
    keep = thin_steps(months, max_points)
    band = thin_steps(months, min(max_points, MAX_BAND_POINTS))
    group_id = f"g{i}"
    _add_band(fig, months[band], lower[band], upper[band], colour, group_id)
    custom = np.column_stack([lower[keep], upper[keep], after[keep]]).astype(np.float32)
    fig.add_trace(
        go.Scatter(
            x=_f32(months[keep]), y=_f32(surv[keep]), mode="lines", name=name, legendgroup=group_id,
            line={"color": colour, "width": 2.5, "shape": "hv"}, customdata=custom,
            hovertemplate=(
                f"<b>{name}</b><br>{labels['hover_month']} %{{x:.1f}}<br>"
                f"{labels['hover_survival']} %{{y:.1%}} (%{{customdata[0]:.1%}}–%{{customdata[1]:.1%}})"
                f"<br>{labels['hover_at_risk']} %{{customdata[2]:,.0f}}<extra></extra>"
            ),
        ),
        row=1, col=1,
    )
    censored = curve["censored"].to_numpy() > 0
    if censored.any():
        _add_censor_marks(fig, months[1:][censored], surv[1:][censored], colour, group_id, labels["censored"])
    median = float(km.summary.loc[group, "median_days"]) / DAYS_PER_MONTH
    if np.isfinite(median):
        fig.add_shape(
            type="line", x0=median, x1=median, y0=0, y1=0.5, row=1, col=1,
            line={"color": colour, "width": 1.2, "dash": "dot"},
        )
    return float(months[-1])


def _add_band(
    fig: go.Figure, months: np.ndarray, lower: np.ndarray, upper: np.ndarray, colour: str, group_id: str
) -> None:
    """The shaded confidence band between ``lower`` and ``upper``."""
    fig.add_trace(
        go.Scatter(
            x=_f32(months), y=_f32(upper), mode="lines", line=EDGE,
            hoverinfo="skip", showlegend=False, legendgroup=group_id,
        ),
        row=1, col=1,
    )
    fig.add_trace(
        go.Scatter(
            x=_f32(months), y=_f32(lower), mode="lines", line=EDGE,
            fill="tonexty", fillcolor=_rgba(colour, 0.15), hoverinfo="skip", showlegend=False,
            legendgroup=group_id,
        ),
        row=1, col=1,
    )


def _add_censor_marks(fig: go.Figure, cx: np.ndarray, cy: np.ndarray, colour: str, group_id: str, name: str) -> None:
    """Tick marks where customers were still active on the as-of date (thinned)."""
    marks = thin_steps(cx, MAX_CENSOR_MARKS)
    fig.add_trace(
        go.Scatter(
            x=_f32(cx[marks]), y=_f32(cy[marks]), mode="markers", legendgroup=group_id,
            marker={"symbol": "line-ns-open", "size": 7, "color": colour, "line": {"width": 1.2}},
            name=name, showlegend=False, hoverinfo="skip",
        ),
        row=1, col=1,
    )


def _add_median_guide(fig: go.Figure, summary: pd.DataFrame, labels: Mapping[str, str]) -> None:
    """The dotted 50 % line up to the latest finite median, labelled."""
    medians = summary["median_days"].to_numpy(dtype=float) / DAYS_PER_MONTH
    finite = medians[np.isfinite(medians)]
    if finite.size:
        fig.add_shape(
            type="line", x0=0, x1=float(finite.max()), y0=0.5, y1=0.5, row=1, col=1,
            line={"color": NEUTRAL, "width": 1.2, "dash": "dot"},
        )
        fig.add_annotation(
            x=0, y=0.5, text=labels["median"], showarrow=False, xanchor="left",
            yanchor="bottom", font={"color": NEUTRAL}, row=1, col=1,
        )


def _add_at_risk_rows(fig: go.Figure, km: KMResult, labels: Mapping[str, str], row_names: Mapping[str, str]) -> None:
    """Number at risk under the x-axis, one row per group."""
    table = km.at_risk_table
    for i, group in enumerate(km.groups):
        rows = table[table["group"] == group]
        row_name = plot_text(row_names.get(group, group))
        fig.add_trace(
            go.Scatter(
                x=rows["months"].to_numpy(dtype=float), y=[row_name] * len(rows), mode="text",
                text=[f"{v:,}" for v in rows["at_risk"]], textfont={"color": PALETTE[i % len(PALETTE)]},
                showlegend=False, customdata=rows[["events", "censored"]].to_numpy(),
                hovertemplate=(
                    f"<b>{row_name}</b><br>{labels['hover_month']} %{{x:.0f}}<br>"
                    f"{labels['hover_at_risk']} %{{text}}<br>{labels['events_so_far']} %{{customdata[0]:,}}"
                    f"<br>{labels['censored_so_far']} %{{customdata[1]:,}}<extra></extra>"
                ),
            ),
            row=2, col=1,
        )


def _km_layout(
    fig: go.Figure, km: KMResult, labels: Mapping[str, str], x_max: float, annotation: str | None, *,
    at_risk: bool,
) -> None:
    """Axes, the corner annotation and the size of the Kaplan–Meier figure."""
    ticks = km.at_risk_table["months"].drop_duplicates().to_numpy(dtype=float)
    fig.update_xaxes(tickvals=ticks, range=[-0.02 * x_max - 0.3, x_max * 1.03 + 0.3], showgrid=False)
    fig.update_xaxes(title_text=labels["x_title"], row=2 if at_risk else 1, col=1)
    fig.update_yaxes(title_text=labels["y_title"], tickformat=".0%", range=[0, 1.03], row=1, col=1)
    if at_risk:
        fig.update_yaxes(
            title_text=labels["at_risk_title"], range=[len(km.groups) - 0.4, -0.6], showgrid=False,
            showline=False, ticks="", row=2, col=1,
        )
    if annotation:
        fig.add_annotation(
            text=annotation, xref="x domain", yref="y domain", x=0.99, y=0.98, showarrow=False,
            xanchor="right", yanchor="top", bgcolor="rgba(255,255,255,0.8)",
        )
    height = 520 + 28 * len(km.groups) if at_risk else 460
    fig.update_layout(
        height=height, hovermode="closest", plot_bgcolor="white",
        legend={"orientation": "h", "yanchor": "bottom", "y": 1.02, "x": 0},
    )
    fig.update_yaxes(gridcolor="#e5e5e5", row=1, col=1)


def hazard_ratio_figure(cox: CoxResult, labels: Mapping[str, str], names: Mapping[str, str]) -> go.Figure:
    """Forest plot of hazard ratios with CIs on a log axis (left of 1 = churn less).

    Terms whose 95% CI excludes 1 are coloured (green: less churn, vermilion: more),
    the others grey.

    Parameters
    ----------
    cox : CoxResult
        Fitted Cox model whose term table holds each hazard ratio, its CI and p-value.
    labels : mapping
        ``x_title``, ``hover_hr``, ``hover_p``, ``less``, ``more``.
    names : mapping
        Term -> display name (e.g. "Plan: Pro vs Light").

    Returns
    -------
    plotly.graph_objects.Figure
        One marker per term (the first term at the top), with a dashed line at HR = 1.
    """
    table = cox.table.iloc[::-1]
    terms = table["term"].tolist()
    y = [plot_text(names.get(term, term)) for term in terms]
    # clear effects in colour (green = less churn, vermilion = more), unclear ones (CI spans 1) grey
    colours = [
        NEUTRAL if lo <= 1 <= hi else (POSITIVE if hr < 1 else NEGATIVE)
        for hr, lo, hi in zip(table["hr"], table["hr_lower"], table["hr_upper"], strict=True)
    ]
    fig = go.Figure(
        go.Scatter(
            x=table["hr"], y=y, mode="markers",
            marker={"size": 12, "color": colours, "symbol": "square"},
            error_x={
                "type": "data", "symmetric": False, "array": table["hr_upper"] - table["hr"],
                "arrayminus": table["hr"] - table["hr_lower"], "color": NEUTRAL, "thickness": 2, "width": 6,
            },
            customdata=np.column_stack([table["hr_lower"], table["hr_upper"], table["p"]]),
            hovertemplate=(
                f"<b>%{{y}}</b><br>{labels['hover_hr']} %{{x:.2f}} (%{{customdata[0]:.2f}}–%{{customdata[1]:.2f}})"
                f"<br>{labels['hover_p']} %{{customdata[2]:.3g}}<extra></extra>"
            ),
            showlegend=False,
        )
    )
    fig.add_vline(x=1, line={"color": NEUTRAL, "dash": "dash"})
    _ratio_axis(fig, table, labels)
    fig.update_layout(height=140 + 42 * len(terms), plot_bgcolor="white", margin={"t": 40})
    fig.update_xaxes(gridcolor="#e5e5e5")
    return fig


def _ratio_axis(fig: go.Figure, table: pd.DataFrame, labels: Mapping[str, str]) -> None:
    """The log x axis of the forest plot, spanning every interval and 1, with "← less" / "more →" at its ends."""
    low = float(min(table["hr_lower"].min(), 1.0))
    high = float(max(table["hr_upper"].max(), 1.0))
    pad = (np.log10(high) - np.log10(low)) * 0.08 + 0.02
    fig.update_xaxes(
        type="log", title_text=labels["x_title"],
        range=[np.log10(low) - pad, np.log10(high) + pad],
    )
    fig.add_annotation(
        text=f"← {labels['less']}", xref="x", x=np.log10(low) - pad, yref="paper", y=1.0,
        showarrow=False, xanchor="left", yanchor="bottom", font={"color": POSITIVE},
    )
    fig.add_annotation(
        text=f"{labels['more']} →", xref="x", x=np.log10(high) + pad, yref="paper", y=1.0,
        showarrow=False, xanchor="right", yanchor="bottom", font={"color": NEGATIVE},
    )


def churn_rate_figure(
    life: LifeTableResult,
    labels: Mapping[str, str],
    names: Mapping[str, str],
    *,
    groups: tuple[str, ...] | None = None,
) -> go.Figure:
    """Monthly churn rate (life-table hazard) per group; months with few customers left out.

    Parameters
    ----------
    life : LifeTableResult
        Life table with the hazard, customers at risk and events of each group and month.
    labels : mapping
        ``x_title``, ``y_title``, ``hover_month``, ``hover_rate``, ``hover_at_risk``, ``hover_events``.
    names : mapping
        Group code -> display name.
    groups : tuple of str, optional
        Order of the groups (colours match the Kaplan–Meier figure).

    Returns
    -------
    plotly.graph_objects.Figure
        One line per group that has a month with at least :data:`MIN_AT_RISK` customers at risk.
    """
    table = life.table
    order = groups if groups is not None else tuple(pd.unique(table["group"]))
    fig = go.Figure()
    for i, group in enumerate(order):
        rows = table[(table["group"] == group) & (table["at_risk"] >= MIN_AT_RISK)]
        if rows.empty:
            continue
        name = plot_text(names.get(group, group))
        fig.add_trace(
            go.Scatter(
                x=rows["month"] + 1, y=rows["hazard"], mode="lines+markers", name=name,
                line={"color": PALETTE[i % len(PALETTE)], "width": 2}, marker={"size": 5},
                customdata=np.column_stack([rows["at_risk"], rows["events"]]),
                hovertemplate=(
                    f"<b>{name}</b><br>{labels['hover_month']} %{{x}}<br>{labels['hover_rate']} %{{y:.1%}}"
                    f"<br>{labels['hover_events']} %{{customdata[1]:,}} / {labels['hover_at_risk']} "
                    "%{customdata[0]:,}<extra></extra>"
                ),
            )
        )
    fig.update_xaxes(title_text=labels["x_title"], showgrid=False)
    fig.update_yaxes(title_text=labels["y_title"], tickformat=".0%", rangemode="tozero", gridcolor="#e5e5e5")
    fig.update_layout(
        height=380, plot_bgcolor="white", hovermode="closest",
        legend={"orientation": "h", "yanchor": "bottom", "y": 1.02, "x": 0},
    )
    return fig
