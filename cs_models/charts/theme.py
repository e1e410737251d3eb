"""Shared look of every chart: palette, fonts and presentation mode."""

from __future__ import annotations

import html

import plotly.graph_objects as go

FONT_FAMILY = "Noto Sans CJK JP, Noto Sans JP, Hiragino Sans, Meiryo, sans-serif"
#: Okabe–Ito palette: distinguishable with colour-vision deficiencies and on projectors.
PALETTE = ("#0072B2", "#E69F00", "#009E73", "#D55E00", "#CC79A7", "#56B4E9", "#F0E442", "#000000")
#: For projectors: the strong Okabe–Ito colours only (no yellow or sky blue, which wash out).
PRESENTATION_PALETTE = ("#0072B2", "#D55E00", "#009E73", "#CC79A7", "#000000", "#E69F00")
POSITIVE = "#009E73"
NEGATIVE = "#D55E00"
NEUTRAL = "#9E9E9E"
#: Sequential scale for rates (light = low, dark = high), readable on a projector.
SEQUENTIAL = "Blues"
BASE_FONT_SIZE = 14
PRESENTATION_FONT_SIZE = 20
#: A horizontal legend just above the plot area, under the title (never over an axis title).
TOP_LEGEND = {"orientation": "h", "yanchor": "bottom", "y": 1.02, "x": 0}
#: Size of the data-source line under a chart's title (normal, presentation): small, yet readable
#: from the back of a room in presentation mode.
SOURCE_FONT_SIZE = {False: 12, True: 18}
#: Between a chart's title and the segment filter it shows (a line of its own: a long filter beside the
#: title would run off a narrow chart), and the filter's relative size.
SCOPE_SEPARATOR = "<br>"
SCOPE_SIZE = "75%"


def plot_text(text: object) -> str:
    """User text (a segment value, item or column header) for a Plotly label or hover: its
    markup shown literally and ``%{`` kept out of hover templates; our own ``<b>``/``<br>``
    around it stay markup.

    Parameters
    ----------
    text : object
        The user's value; anything else than text is converted with :class:`str`.

    Returns
    -------
    str
        The text with ``&``, ``<`` and ``>`` escaped and ``%{`` neutralised.
    """
    return html.escape(str(text), quote=False).replace("%{", "%&#123;")


def set_title(fig: go.Figure, title: str, source: str | None = None, scope: str | None = None) -> go.Figure:
    """Draw ``title`` (and a smaller ``source`` line under it) in the figure, so an exported PNG says
    what it shows and where the data came from. All are plain text (escaped here).

    Parameters
    ----------
    fig : plotly.graph_objects.Figure
        The figure to title, changed in place.
    title : str
        The title, left-aligned above the plot area.
    source : str, optional
        A grey subtitle naming the data source; none when empty or ``None``.
    scope : str, optional
        Which part of the data the chart shows (the segment filter, e.g. ``"地域: 関東のみ（顧客 821 / 2,000）"``),
        on a smaller line of the title under it (not in the subtitle, whose line can meet an axis title
        drawn above the plot, e.g. the cohort heatmap's); none when empty or ``None``.

    Returns
    -------
    plotly.graph_objects.Figure
        ``fig`` itself, so calls can be chained.
    """
    # above the plot area with room below it for annotations drawn just above the plot (the
    # forest plot's "← churn less"); automargin makes the top margin fit
    shown = plot_text(title)
    if scope:
        shown += f"{SCOPE_SEPARATOR}<span style='font-size:{SCOPE_SIZE}'>{plot_text(scope)}</span>"
    text = {"text": shown, "x": 0, "xanchor": "left", "yref": "paper", "y": 1, "yanchor": "bottom",
            "pad": {"b": 56}, "automargin": True}
    if source:
        text["subtitle"] = {"text": plot_text(source), "font": {"color": "#52606d"}}
    fig.update_layout(title=text)
    return fig


def legend_beside(fig: go.Figure) -> go.Figure:
    """Move a horizontal legend above the plot to a column on its right, where it can never run
    into the title or wrap over the plot (a narrow chart, or the large type of a projector).

    Parameters
    ----------
    fig : plotly.graph_objects.Figure
        The figure whose legend moves, in place; any other legend is left as it is.

    Returns
    -------
    plotly.graph_objects.Figure
        ``fig`` itself.
    """
    legend = fig.layout.legend
    if legend.orientation == "h" and (legend.y or 0) >= 1:
        fig.update_layout(legend={"orientation": "v", "x": 1.02, "xanchor": "left", "y": 1, "yanchor": "top"})
    return fig


def apply_theme(fig: go.Figure, *, presentation: bool = False) -> go.Figure:
    """Apply fonts, palette and margins in place and return ``fig``.

    Parameters
    ----------
    fig : plotly.graph_objects.Figure
        The figure to style.
    presentation : bool
        Larger fonts and thicker lines for projectors.

    Returns
    -------
    plotly.graph_objects.Figure
        ``fig`` itself, styled.
    """
    size = PRESENTATION_FONT_SIZE if presentation else BASE_FONT_SIZE
    fig.update_layout(
        font={"family": FONT_FAMILY, "size": size},
        colorway=list(PRESENTATION_PALETTE if presentation else PALETTE),
        # a builder's wider margin (room for text outside the bars) is kept
        margin={side: max(getattr(fig.layout.margin, side) or 0, least)
                for side, least in {"l": 10, "r": 10, "t": 20, "b": 10}.items()},
        hoverlabel={"font": {"family": FONT_FAMILY, "size": size}},
        legend={"font": {"size": size}},
    )
    if fig.layout.title.text:
        fig.update_layout(title_font={"family": FONT_FAMILY, "size": round(size * 1.2)},
                          title_subtitle_font={"family": FONT_FAMILY, "size": SOURCE_FONT_SIZE[presentation]})
    if presentation:
        legend_beside(fig)
        fig.update_traces(selector={"type": "scatter"}, line={"width": 4})
        axis = {"tickfont": {"size": size}, "title": {"font": {"size": size}}, "automargin": True}
        fig.update_xaxes(**axis)
        fig.update_yaxes(**axis)
        fig.update_annotations(font_size=size)
    return fig
