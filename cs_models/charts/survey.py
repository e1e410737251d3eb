"""Survey figures: shares with interval whiskers, diverging Likert bars, funnels, crosstabs, NPS.

Builders take result objects from :mod:`cs_models.survey` and a ``labels`` mapping of
already-translated text; they add no text of their own.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from cs_models.charts.theme import NEGATIVE, NEUTRAL, PALETTE, POSITIVE, SEQUENTIAL, plot_text
from cs_models.format import pct as _pct
from cs_models.survey import NPS, Crosstab, Funnel, Likert, Shares

BAR_HEIGHT = 44
#: Segments of the Likert bar narrower than this share carry no label (hover still tells).
MIN_LABEL_SHARE = 0.06
#: Diverging colours from most positive to most negative (blue = agree, vermillion = disagree).
LIKERT_COLOURS = ("#0072B2", "#56B4E9", "#BDBDBD", "#F4A582", "#D55E00")


def _axis_max(highs) -> float:
    """Upper end of a percentage axis: room for the highest whisker, at most 100%."""
    top = float(highs.max()) if len(highs) and highs.notna().any() else 1.0
    return min(100.0, max(10.0, 100 * top * 1.12))


def shares_bar(result: Shares, labels: Mapping[str, str]) -> go.Figure:
    """Horizontal bars of each option's share with interval whiskers and the base in the hover.

    ``labels``: ``x_title``, ``hover`` (a template with ``{count}``, ``{n}``, ``{low}`` and
    ``{high}``), optional ``title``.

    Parameters
    ----------
    result : Shares
        Share of each option with its interval and the base ``n``.
    labels : Mapping[str, str]
        Translated axis title, hover template and optional title (keys above).

    Returns
    -------
    plotly.graph_objects.Figure
        One bar per option, the first option at the top.
    """
    table = result.table.iloc[::-1]
    hover = [
        labels["hover"].format(count=int(r.count), n=result.n, low=_pct(r.ci_low), high=_pct(r.ci_high))
        for r in table.itertuples(index=False)
    ]
    fig = go.Figure(
        go.Bar(
            x=100 * table["share"],
            y=[plot_text(o) for o in table["option"]],
            orientation="h",
            marker_color=PALETTE[0],
            error_x={
                "type": "data",
                "symmetric": False,
                "array": 100 * (table["ci_high"] - table["share"]),
                "arrayminus": 100 * (table["share"] - table["ci_low"]),
                "color": "#333333",
                "thickness": 1.5,
                "width": 6,
            },
            text=[_pct(s) for s in table["share"]],
            textposition="inside",
            insidetextanchor="start",
            textfont={"color": "white"},
            customdata=hover,
            hovertemplate="<b>%{y}</b><br>%{customdata}<extra></extra>",
        )
    )
    fig.update_layout(
        title=labels.get("title"),
        xaxis={"title": labels["x_title"], "range": [0, _axis_max(table["ci_high"])], "ticksuffix": "%"},
        yaxis={"automargin": True},
        height=max(220, 110 + BAR_HEIGHT * len(table)),
        showlegend=False,
    )
    return fig


def likert_bar(result: Likert, labels: Mapping[str, str]) -> go.Figure:
    """One diverging stacked bar: agreeing levels to the right, disagreeing to the left.

    A middle (neutral) level is split half on each side. ``labels``: ``x_title``, ``y_label``
    (the bar's name, e.g. the base), ``hover`` (template with ``{count}`` and ``{n}``).

    Parameters
    ----------
    result : Likert
        Shares of a Likert question whose scores order the levels from positive to negative.
    labels : Mapping[str, str]
        Translated axis title, bar name and per-level hover template (keys above).

    Returns
    -------
    plotly.graph_objects.Figure
        A single relative bar from −100 % to 100 % with one segment (two for the neutral level) per level.
    """
    fig = go.Figure()
    _add_likert_segments(fig, result, labels)
    fig.add_vline(x=0, line_color="#333333", line_width=1)
    fig.update_layout(
        barmode="relative",
        xaxis={"title": labels["x_title"], "ticksuffix": "%", "range": [-100, 100], "zeroline": False},
        legend={"orientation": "h", "yanchor": "bottom", "y": 1.02, "x": 0, "traceorder": "normal"},
        height=260,
    )
    return fig


def _add_likert_segments(fig: go.Figure, result: Likert, labels: Mapping[str, str]) -> None:
    """One bar trace per level on its side of zero, the neutral level split in two halves."""
    question = result.shares.question
    table = result.shares.table.set_index("option")
    points = question.points or tuple(float(k) for k in range(question.levels, 0, -1))
    middle = (points[0] + points[-1]) / 2
    colours = _likert_colours(question.scores, points)
    # relative bars stack outwards from zero in trace order: neutral half first, then away from it
    by_distance = sorted(range(len(question.options)), key=lambda i: abs(question.scores[i] - middle))
    negative = [i for i in by_distance if question.scores[i] <= middle]
    positive = [i for i in by_distance if question.scores[i] >= middle]

    def shown_on(side: int, i: int, width: float) -> bool:
        """Label a segment once (the neutral level on its right half) and only when it is wide enough."""
        neutral = question.scores[i] == middle
        return (side == 1 or not neutral) and (share_of(i) if neutral else width) >= MIN_LABEL_SHARE

    def share_of(i: int) -> float:
        return float(table.loc[question.options[i], "share"])

    for side, indices in ((-1, negative), (1, positive)):
        for i in indices:
            option = question.options[i]
            share = float(table.loc[option, "share"])
            name = plot_text(option)
            width = share / 2 if question.scores[i] == middle else share
            fig.add_bar(
                x=[side * 100 * width],
                y=[labels["y_label"]],
                orientation="h",
                name=name,
                marker_color=colours[i],
                text=[_pct(share) if shown_on(side, i, width) else ""],
                textposition="inside",
                textangle=0,
                customdata=[labels["hover"].format(count=int(table.loc[option, "count"]), n=result.n)],
                hovertemplate=f"<b>{name}</b>: {_pct(share)}<br>%{{customdata}}<extra></extra>",
                showlegend=side == 1 or question.scores[i] != middle,
                legendrank=i,
            )


def _likert_colours(scores: Sequence[float], points: Sequence[float]) -> list[str]:
    colours = []
    for score in scores:
        position = (points[0] - score) / ((points[0] - points[-1]) or 1)  # 0 = most positive, 1 = most negative
        colours.append(LIKERT_COLOURS[round(position * (len(LIKERT_COLOURS) - 1))])
    return colours


#: Right margin (px) of the funnel, where "107 (28.6% of all)" is written beside the narrow bars.
FUNNEL_TEXT_MARGIN = 190


def funnel_chart(result: Funnel, labels: Mapping[str, str], step_names: Sequence[str]) -> go.Figure:
    """Respondents remaining after each step, with overall and step-to-step rates.

    ``step_names``: one translated name per step. ``labels``: ``base`` (first bar's name),
    ``text`` (template with ``{count}``, ``{overall}`` and ``{conditional}``), ``hover``
    (template with ``{count}``, ``{overall}``, ``{low}``, ``{high}``, ``{conditional}``,
    ``{cond_low}``, ``{cond_high}``, ``{eligible}``).

    Parameters
    ----------
    result : Funnel
        The funnel whose table holds per-step reached counts and overall/conditional rates.
    labels : Mapping[str, str]
        Translated name of the base bar and the text and hover templates (keys above).
    step_names : Sequence[str]
        Display name of each step, in step order.

    Returns
    -------
    plotly.graph_objects.Figure
        A funnel whose first (grey) bar is everyone who answered.
    """
    table = result.table
    base = int(table["answered"].iloc[0])
    names = [plot_text(name) for name in (labels["base"], *step_names)]
    counts = [base, *table["reached"].astype(int)]
    text = [f"{base:,}"]
    hover = [f"n={base:,}"]
    for r in table.itertuples(index=False):
        values = {
            "count": f"{int(r.reached):,}",
            "overall": _pct(r.overall),
            "conditional": _pct(r.conditional),
            "low": _pct(r.overall_low),
            "high": _pct(r.overall_high),
            "cond_low": _pct(r.cond_low),
            "cond_high": _pct(r.cond_high),
            "eligible": f"{int(r.eligible):,}",
        }
        text.append(labels["text"].format(**values))
        hover.append(labels["hover"].format(**values))
    fig = go.Figure(
        go.Funnel(
            y=names,
            x=counts,
            text=text,
            textinfo="text",
            textposition=["inside", *["outside"] * len(table)],
            cliponaxis=False,
            marker={"color": [NEUTRAL, *[PALETTE[0]] * len(table)]},
            connector={"line": {"color": "#BDBDBD"}},
            customdata=hover,
            hovertemplate="<b>%{y}</b><br>%{customdata}<extra></extra>",
        )
    )
    fig.update_layout(yaxis={"automargin": True}, height=max(260, 120 + 70 * len(names)), showlegend=False,
                      margin={"r": FUNNEL_TEXT_MARGIN})  # the counts are written outside the bars
    return fig


def crosstab_heatmap(result: Crosstab, labels: Mapping[str, str]) -> go.Figure:
    """Column percentages by segment with ▲/▼ where a cell differs significantly.

    ``labels``: ``x_title``, optional ``y_title``, ``colour_title``, ``hover`` (template with
    ``{count}``, ``{n}`` and ``{p}``), optional ``row_names`` (mapping of row code to label,
    used for NPS groups).

    Parameters
    ----------
    result : Crosstab
        Column shares, counts, bases, adjusted p-values and ▲/▼ marks of a crosstab.
    labels : Mapping[str, str]
        Translated titles, the per-cell hover template and optional row names (keys above).

    Returns
    -------
    plotly.graph_objects.Figure
        A heatmap of answers (rows) by segment (columns, with their base), segments along the top.
    """
    share = result.column_share
    row_names: Mapping[str, str] | object = labels.get("row_names") or {}
    y = [plot_text(row_names.get(str(r), r)) if isinstance(row_names, Mapping) else plot_text(r) for r in share.index]
    x = [f"{plot_text(c)}<br>(n={int(result.bases[c]):,})" for c in share.columns]
    text, hover = _crosstab_cells(result, labels)
    fig = go.Figure(
        go.Heatmap(
            z=100 * share.to_numpy(dtype=float),
            x=x,
            y=y,
            text=text,
            texttemplate="%{text}",
            customdata=hover,
            hovertemplate="<b>%{y}</b> × %{x}<br>%{customdata}<extra></extra>",
            colorscale=SEQUENTIAL,
            zmin=0,
            zmax=100,
            colorbar={"title": {"text": labels["colour_title"]}, "ticksuffix": "%"},
            xgap=2,
            ygap=2,
        )
    )
    fig.update_layout(
        xaxis={"title": plot_text(labels["x_title"]), "side": "top"},
        yaxis={
            "title": None if labels.get("y_title") is None else plot_text(labels["y_title"]),
            "autorange": "reversed",
            "automargin": True,
        },
        height=max(260, 140 + 48 * len(y)),
    )
    return fig


def _crosstab_cells(result: Crosstab, labels: Mapping[str, str]) -> tuple[np.ndarray, np.ndarray]:
    """Each cell's text (column percentage and its ▲/▼ mark) and hover (count, base, adjusted p)."""
    share = result.column_share
    text = np.array(
        [
            [f"{_pct(share.iloc[i, j])} {result.marks.iloc[i, j]}".strip() for j in range(share.shape[1])]
            for i in range(share.shape[0])
        ]
    )
    hover = np.array(
        [
            [
                labels["hover"].format(
                    count=int(result.counts.iloc[i, j]),
                    n=int(result.bases.iloc[j]),
                    p=f"{result.p_adjusted.iloc[i, j]:.3f}",
                )
                for j in range(share.shape[1])
            ]
            for i in range(share.shape[0])
        ]
    )
    return text, hover


def nps_figure(result: NPS, labels: Mapping[str, str]) -> go.Figure:
    """A gauge of the NPS (−100 to 100, the interval shaded) above the promoter/passive/detractor split.

    ``labels``: ``title`` (gauge caption), ``promoter``, ``passive``, ``detractor``,
    ``x_title``, ``hover`` (template with ``{count}`` and ``{n}``).

    Parameters
    ----------
    result : NPS
        The score, its interval and the share and count of each group.
    labels : Mapping[str, str]
        Translated gauge caption, group names, axis title and hover template (keys above).

    Returns
    -------
    plotly.graph_objects.Figure
        Two rows: the gauge, and a 100 % stacked bar of the groups.
    """
    fig = make_subplots(
        rows=2,
        cols=1,
        specs=[[{"type": "indicator"}], [{"type": "xy"}]],
        row_heights=[0.68, 0.32],
        vertical_spacing=0.08,
    )
    fig.add_trace(_nps_gauge(result, labels["title"]), row=1, col=1)
    colours = {"detractor": NEGATIVE, "passive": NEUTRAL, "promoter": POSITIVE}
    for row in result.table.itertuples(index=False):
        fig.add_trace(
            go.Bar(
                x=[100 * row.share],
                y=[""],
                orientation="h",
                name=labels[row.group],
                marker_color=colours[row.group],
                text=[f"{labels[row.group]} {_pct(row.share)}"],
                textposition="inside",
                insidetextanchor="middle",
                customdata=[labels["hover"].format(count=int(row.count), n=result.n)],
                hovertemplate=f"<b>{labels[row.group]}</b><br>%{{customdata}}<extra></extra>",
            ),
            row=2,
            col=1,
        )
    fig.update_layout(barmode="stack", showlegend=False, height=420)
    fig.update_xaxes(range=[0, 100], ticksuffix="%", title_text=labels["x_title"], row=2, col=1)
    return fig


def _nps_gauge(result: NPS, title: str) -> go.Indicator:
    """The −100 to 100 gauge: the score as a black line over its shaded interval, the number below."""
    return go.Indicator(
        mode="gauge+number",
        value=result.nps,
        number={"valueformat": "+.0f"},
        title={"text": title},
        gauge={
            "axis": {"range": [-100, 100], "tickvals": [-100, -50, 0, 50, 100]},
            "bar": {"color": "rgba(0, 0, 0, 0)"},
            "steps": [
                {"range": [-100, 100], "color": "#F2F2F2"},
                {"range": [result.ci_low, result.ci_high], "color": "#9ECAE1"},
            ],
            "threshold": {"line": {"color": "#000000", "width": 5}, "value": result.nps, "thickness": 1.0},
        },
    )
