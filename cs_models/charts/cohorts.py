"""Figures of the cohort page: retention heatmap, average curve, per-segment curves.

Builders take a :class:`~cs_models.cohorts.CohortTable` and a mapping of already
translated labels; they hold no text of their own.

Labels used (``{placeholders}`` are filled here):

- ``x_title`` (e.g. "Months since joining"), ``y_title`` ("Cohort"), ``value_title``
  ("Logo retention"), ``average`` ("Average (weighted by cohort size)"),
  ``simple`` ("Simple mean of cohorts");
- ``span_one`` / ``span_other``: the time since joining, ``{k}`` ("1 month" / "6 months");
- ``hover_cell``: ``{cohort} {span} {value} {count} {size} {low} {high}``;
- ``hover_revenue``: ``{cohort} {span} {value} {size}``;
- ``hover_low_base``: appended to logo cells whose cohort has fewer than 30 customers;
- ``hover_immature``, ``hover_partial``, ``hover_undefined``: ``{cohort} {span}``;
- ``hover_average``: ``{span} {value} {cohorts} {customers}``;
- ``hover_segment``: ``{segment} {span} {value} {size}``.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from cs_models.charts.theme import NEGATIVE, NEUTRAL, PALETTE, plot_text
from cs_models.cohorts import CohortTable
from cs_models.format import pct

#: Light-to-dark blues whose low end is clearly coloured, so 0 % never looks like a blank cell.
HEATMAP_SCALE = (
    (0.0, "#c6dbef"),
    (0.25, "#9ecae1"),
    (0.5, "#4292c6"),
    (0.75, "#2171b5"),
    (1.0, "#08306b"),
)
#: Outline of the cohort a finding names.
FOCUS_COLOUR = NEGATIVE
#: The heatmap shows at most this many (most recent) cohorts and periods.
MAX_ROWS = 60
MAX_COLUMNS = 60
#: A compact heatmap (presentation mode, story, report): 12 cohorts at a few checkpoints, large cells.
COMPACT_ROWS = 8
COMPACT_PERIODS: dict[str, tuple[int, ...]] = {"month": (0, 1, 2, 3, 6, 9, 12), "quarter": (0, 1, 2, 3, 4, 6, 8)}
#: Checkpoints of other period lengths in a compact heatmap: the first ones.
COMPACT_COLUMNS = 8
#: Size of the percentages written in compact cells (readable on a projector).
COMPACT_TEXT_SIZE = 18
#: Percentages are written in the cells up to this many periods (beyond, they would not fit).
TEXT_COLUMNS = 24


def _span(labels: Mapping[str, str], k: object) -> str:
    return labels["span_one" if k == 1 else "span_other"].format(k=k)


def heatmap_view(table: CohortTable, *, compact: bool = False, focus: object = None) -> tuple[pd.DataFrame, bool]:
    """The part of the table the heatmap shows (older cohorts and later periods cut), and whether it was cut.

    Parameters
    ----------
    table : CohortTable
        The cohort table whose :attr:`~CohortTable.rates` are windowed.
    compact : bool
        At most :data:`COMPACT_ROWS` cohorts at the checkpoints :data:`COMPACT_PERIODS` (else
        :data:`MAX_ROWS` cohorts and the first :data:`MAX_COLUMNS` periods).
    focus : cohort label, optional
        A cohort the view must hold (e.g. the one a finding names): the window of cohorts
        moves back to it when it is older than the most recent ones.

    Returns
    -------
    tuple[pandas.DataFrame, bool]
        The rates of the cohorts (rows) and periods (columns) shown, and ``True`` when some
        cohorts or periods of the table were left out.
    """
    rates = table.rates
    if compact:
        rows = COMPACT_ROWS
        wanted = COMPACT_PERIODS.get(table.period, tuple(range(COMPACT_COLUMNS)))
        periods = [k for k in rates.columns if k in wanted]
    else:
        rows, periods = MAX_ROWS, list(rates.columns[:MAX_COLUMNS])
    cut = len(rates) > rows or len(periods) < rates.shape[1]
    start = max(0, len(rates) - rows)
    names = [str(c) for c in rates.index]
    if focus is not None and str(focus) in names and names.index(str(focus)) < start:
        start = max(0, names.index(str(focus)) - rows // 3)  # an older focus: about a third down the view
    return rates.iloc[start:start + rows][periods], cut


def _cell_hover(
    table: CohortTable, rates: pd.DataFrame, labels: Mapping[str, str]
) -> tuple[np.ndarray, np.ndarray]:
    """The percentage written in each heatmap cell and its hover text (blank text where NaN)."""
    cohorts = list(rates.index)
    ks = list(rates.columns)
    sizes = table.sizes.loc[cohorts].to_numpy()
    counts = table.counts.loc[cohorts, ks].to_numpy()
    low = table.ci_low.loc[cohorts, ks].to_numpy()
    high = table.ci_high.loc[cohorts, ks].to_numpy()
    partial = table.partial.loc[cohorts, ks].to_numpy()
    mature = table.logo.loc[cohorts, ks].notna().to_numpy()  # logo retention is defined when mature
    low_base = table.low_base.loc[cohorts, ks].to_numpy()
    values = rates.to_numpy()

    text = np.full(values.shape, "", dtype=object)
    hover = np.empty(values.shape, dtype=object)
    for i, cohort in enumerate(cohorts):
        for j, k in enumerate(ks):
            value = values[i, j]
            if np.isnan(value):
                # a finished period whose revenue base is zero is undefined, not immature
                key = "hover_partial" if partial[i, j] else "hover_immature"
                key = "hover_undefined" if mature[i, j] else key
                hover[i, j] = labels[key].format(cohort=cohort, span=_span(labels, k))
                continue
            text[i, j] = pct(value, 0)
            if table.metric == "logo":
                hover[i, j] = labels["hover_cell"].format(
                    cohort=cohort, span=_span(labels, k), value=pct(value), count=f"{int(counts[i, j]):,}",
                    size=f"{int(sizes[i]):,}", low=pct(low[i, j]), high=pct(high[i, j]),
                ) + ("<br>" + labels["hover_low_base"] if low_base[i, j] else "")
            else:
                hover[i, j] = labels["hover_revenue"].format(
                    cohort=cohort, span=_span(labels, k), value=pct(value), size=f"{int(sizes[i]):,}"
                )
    return text, hover


def _outline_focus(fig: go.Figure, cohorts: list[object], columns: int, focus: object) -> None:
    """Draw a rectangle around the row of ``focus`` when it is one of the ``cohorts`` shown."""
    if focus is not None and str(focus) in map(str, cohorts):
        row = [str(c) for c in cohorts].index(str(focus))
        fig.add_shape(type="rect", xref="x", yref="y", x0=-0.5, x1=columns - 0.5, y0=row - 0.5, y1=row + 0.5,
                      line={"color": FOCUS_COLOUR, "width": 4})


def retention_heatmap(
    table: CohortTable, labels: Mapping[str, str], *, compact: bool = False, focus: object = None
) -> go.Figure:
    """Cohorts x periods heatmap: % in the cell, n in the hover, immature cells left blank.

    Immature cells are NaN, which Plotly leaves uncoloured (the white background shows
    through between cell gaps), while 0 % is the light end of a visibly coloured scale.

    Parameters
    ----------
    table : CohortTable
        The cohort table whose rates, counts and intervals fill the cells.
    labels : Mapping[str, str]
        Translated axis titles and hover templates (see the module docstring).
    compact : bool
        Fewer, larger cells with bigger percentages for a projector (see :func:`heatmap_view`).
    focus : cohort label, optional
        A cohort kept in view and outlined in :data:`FOCUS_COLOUR`.

    Returns
    -------
    plotly.graph_objects.Figure
        The heatmap, with the most recent cohort at the bottom.
    """
    rates, _ = heatmap_view(table, compact=compact, focus=focus)
    cohorts = list(rates.index)
    ks = list(rates.columns)
    values = rates.to_numpy()
    text, hover = _cell_hover(table, rates, labels)
    finite = values[np.isfinite(values)]
    zmax = max(1.0, float(finite.max())) if finite.size else 1.0
    fig = go.Figure(
        go.Heatmap(
            z=values,
            x=ks,
            y=cohorts,
            zmin=0.0,
            zmax=zmax,
            colorscale=[list(stop) for stop in HEATMAP_SCALE],
            text=text,
            texttemplate="%{text}" if len(ks) <= TEXT_COLUMNS else None,
            textfont={"size": COMPACT_TEXT_SIZE} if compact else None,
            customdata=hover,
            hovertemplate="%{customdata}<extra></extra>",
            hoverongaps=True,
            xgap=1,
            ygap=1,
            colorbar={"title": {"text": labels["value_title"]}, "tickformat": ".0%"},
        )
    )
    fig.update_layout(
        # compact: a few checkpoints, as categories; the period axis under the cells, clear of the title
        xaxis={"title": {"text": labels["x_title"]}, "side": "bottom" if compact else "top",
               "type": "category" if compact else None, "dtick": 1 if len(ks) <= 24 and not compact else None},
        yaxis={"title": {"text": labels["y_title"]}, "autorange": "reversed", "type": "category"},
        plot_bgcolor="#ffffff",
        height=max(320, min(1400, (44 if compact else 28) * len(cohorts) + 140)),
    )
    _outline_focus(fig, cohorts, len(ks), focus)
    return fig


def average_curve(table: CohortTable, labels: Mapping[str, str], *, show_simple: bool = True) -> go.Figure:
    """The average retention by period since joining, over the cohorts that reached it.

    Parameters
    ----------
    table : CohortTable
        The cohort table whose :attr:`~CohortTable.average` (weighted and simple means) is drawn.
    labels : Mapping[str, str]
        Translated axis titles, legend names and the ``hover_average`` template.
    show_simple : bool
        Also draw the unweighted mean of cohorts as a dashed grey line.

    Returns
    -------
    plotly.graph_objects.Figure
        A line chart of retention by period, its y axis in percent.
    """
    avg = table.average.dropna(subset=["weighted"])
    hover = [
        labels["hover_average"].format(
            span=_span(labels, k), value=pct(row.weighted), cohorts=int(row.cohorts),
            customers=f"{int(row.customers):,}",
        )
        for k, row in avg.iterrows()
    ]
    fig = go.Figure(
        go.Scatter(
            x=avg.index,
            y=avg["weighted"],
            mode="lines+markers",
            name=labels["average"],
            line={"color": PALETTE[0], "width": 3},
            customdata=hover,
            hovertemplate="%{customdata}<extra></extra>",
        )
    )
    if show_simple:
        fig.add_trace(
            go.Scatter(
                x=avg.index,
                y=avg["simple"],
                mode="lines",
                name=labels["simple"],
                line={"color": NEUTRAL, "width": 2, "dash": "dash"},
                hovertemplate="%{y:.1%}<extra></extra>",
            )
        )
    _rate_axes(fig, table, labels)
    return fig


def segment_curves(table: CohortTable, labels: Mapping[str, str], names: Mapping[object, str]) -> go.Figure:
    """One average retention curve per segment value.

    Parameters
    ----------
    table : CohortTable
        A table built with a segment column; without one the figure has no traces.
    labels : Mapping[str, str]
        Translated axis titles and the ``hover_segment`` template.
    names : Mapping[object, str]
        Display name of each segment value (a value missing here is shown as ``str(value)``).

    Returns
    -------
    plotly.graph_objects.Figure
        One line per segment, named with its customer count.
    """
    fig = go.Figure()
    curves = table.segment_average if table.segment_average is not None else pd.DataFrame()
    sizes = table.segment_sizes if table.segment_sizes is not None else pd.Series(dtype=int)
    for i, value in enumerate(curves.columns):
        curve = curves[value].dropna()
        name = plot_text(names.get(value, str(value)))  # user text: no markup in Plotly labels
        size = int(sizes.get(value, 0)) if value in sizes.index else 0
        hover = [
            labels["hover_segment"].format(segment=name, span=_span(labels, k), value=pct(v), size=f"{size:,}")
            for k, v in curve.items()
        ]
        fig.add_trace(
            go.Scatter(
                x=curve.index,
                y=curve.to_numpy(),
                mode="lines+markers",
                name=f"{name} (n={size:,})",
                line={"color": PALETTE[i % len(PALETTE)], "width": 3},
                customdata=hover,
                hovertemplate="%{customdata}<extra></extra>",
            )
        )
    _rate_axes(fig, table, labels)
    return fig


def _rate_axes(fig: go.Figure, table: CohortTable, labels: Mapping[str, str]) -> None:
    top = 1.05
    for trace in fig.data:
        values = np.asarray(trace.y, dtype=float)
        if values.size and np.isfinite(values).any():
            top = max(top, float(np.nanmax(values)) * 1.05)
    fig.update_layout(
        xaxis={"title": {"text": labels["x_title"]}, "rangemode": "tozero"},
        yaxis={"title": {"text": labels["value_title"]}, "tickformat": ".0%", "range": [0, top]},
        legend={"orientation": "h", "yanchor": "bottom", "y": 1.02, "x": 0},
        hovermode="closest",
        height=420,
    )
