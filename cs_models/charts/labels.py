"""Chart labels in a language, from the catalogue: what pages, the story and the report pass to the builders.

The builders in :mod:`cs_models.charts` hold no text; these functions give them the
translated templates (``{placeholders}`` are filled by the builders) so that a chart reads
the same on a page, in a story step and in the offline report.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import pandas as pd

from cs_models.catalogue import translate
from cs_models.survival import ALL, MISSING, OTHER

COHORT_KEYS = ("y_title", "hover_cell", "hover_low_base", "hover_revenue", "hover_immature", "hover_partial",
               "hover_undefined", "hover_average", "hover_segment")
KM_KEYS = ("x_title", "y_title", "at_risk_title", "hover_month", "hover_survival", "hover_at_risk", "censored",
           "median", "events_so_far", "censored_so_far")
FOREST_KEYS = ("hover_hr", "hover_p", "less", "more")
RATE_KEYS = ("hover_month", "hover_rate", "hover_at_risk", "hover_events")
GAPS_KEYS = (
    "score_title", "expectation", "satisfaction_above", "satisfaction_below", "hover_dumbbell", "gap_title",
    "verdict_delights", "verdict_disappoints", "verdict_no_clear_gap", "hover_gap", "share_title",
    "delighted", "met", "disappointed", "hover_share", "performance_title", "importance_title",
    "quadrant_concentrate_here", "quadrant_keep_up", "quadrant_low_priority", "quadrant_possible_overkill",
    "hover_ipa", "hover_segment", "months_title", "survival_title", "group_negative_gap",
    "group_non_negative_gap", "hover_km",
)


def _keys(lang: str, namespace: str, keys: Sequence[str]) -> dict[str, str]:
    return {key: translate(lang, f"{namespace}.{key}") for key in keys}


def cohort_labels(lang: str, period: str, metric: str) -> dict[str, str]:
    """Labels of the cohort heatmap and curves for a table of ``period`` and ``metric``.

    Parameters
    ----------
    lang : {"ja", "en"}
        Language of the heatmap and curve labels.
    period : str
        Period length of the table (``"month"``, ``"quarter"``...): picks the x-axis title and
        the "1 month" / "6 months" span templates.
    metric : str
        Retention metric of the table (``"logo"`` or a revenue metric): picks the value title.

    Returns
    -------
    dict[str, str]
        Every label :mod:`cs_models.charts.cohorts` reads, by key.
    """
    return _keys(lang, "cohorts", COHORT_KEYS) | {
        "x_title": translate(lang, f"cohorts.x_title_{period}"),
        "span_one": translate(lang, f"cohorts.span_{period}_one"),
        "span_other": translate(lang, f"cohorts.span_{period}_other"),
        "value_title": translate(lang, f"cohorts.value_{metric}"),
        "average": translate(lang, "cohorts.average_label"),
        "simple": translate(lang, "cohorts.simple_label"),
    }


def group_name(lang: str, code: object) -> str:
    """A survival group code in words (the overall, pooled and blank groups translated).

    Parameters
    ----------
    lang : {"ja", "en"}
        Language of the sentinel groups' names.
    code : object
        A group value, or one of the sentinels ``ALL``, ``OTHER`` and ``MISSING``.

    Returns
    -------
    str
        The translated name of a sentinel, else ``str(code)``.
    """
    special = {ALL: "churn.group_all", OTHER: "churn.group_other", MISSING: "churn.group_missing"}
    return translate(lang, special[code]) if code in special else str(code)


def group_names(lang: str, sizes: Mapping[Any, Any]) -> dict[Any, str]:
    """Legend names of survival groups with their size: ``{group: "Pro (n=120)"}``.

    Parameters
    ----------
    lang : {"ja", "en"}
        Language of the legend names.
    sizes : Mapping
        Number of customers of each group code.

    Returns
    -------
    dict
        The legend name of each group code, with its size written in full.
    """
    return {g: translate(lang, "churn.group_with_n", name=group_name(lang, g), n=f"{int(n):,}")
            for g, n in sizes.items()}


def term_name(lang: str, row: Mapping[str, Any] | pd.Series) -> str:
    """A Cox model term (a row of :attr:`cs_models.survival.CoxResult.table`) in words.

    Parameters
    ----------
    lang : {"ja", "en"}
        Language of the term's description.
    row : Mapping[str, Any] or pandas.Series
        The term's ``column``, and for a categorical term its ``level`` and ``reference``
        (a falsy ``level`` marks a numeric term).

    Returns
    -------
    str
        The ``churn.term_level`` text ("plan: Pro vs Basic") for a level, else the
        ``churn.term_numeric`` text (the column per one-unit increase).
    """
    if row["level"]:
        return translate(lang, "churn.term_level", column=row["column"], level=group_name(lang, row["level"]),
                         reference=group_name(lang, row["reference"]))
    return translate(lang, "churn.term_numeric", column=row["column"])


def km_labels(lang: str) -> dict[str, str]:
    """Labels of the Kaplan–Meier figure and its risk table.

    Parameters
    ----------
    lang : {"ja", "en"}
        Language of the Kaplan–Meier labels.

    Returns
    -------
    dict[str, str]
        The :data:`KM_KEYS` labels of the ``churn`` namespace.
    """
    return _keys(lang, "churn", KM_KEYS)


def forest_labels(lang: str) -> dict[str, str]:
    """Labels of the hazard-ratio (forest) figure.

    Parameters
    ----------
    lang : {"ja", "en"}
        Language of the forest-plot labels.

    Returns
    -------
    dict[str, str]
        The :data:`FOREST_KEYS` labels and the x-axis title.
    """
    return _keys(lang, "churn", FOREST_KEYS) | {"x_title": translate(lang, "churn.forest_x_title")}


def churn_rate_labels(lang: str) -> dict[str, str]:
    """Labels of the monthly churn-rate figure.

    Parameters
    ----------
    lang : {"ja", "en"}
        Language of the churn-rate labels.

    Returns
    -------
    dict[str, str]
        The :data:`RATE_KEYS` labels and both axis titles.
    """
    return _keys(lang, "churn", RATE_KEYS) | {"x_title": translate(lang, "churn.churn_x_title"),
                                               "y_title": translate(lang, "churn.churn_y_title")}


def gaps_labels(lang: str) -> dict[str, str]:
    """Labels of every expectation-vs-satisfaction figure.

    Parameters
    ----------
    lang : {"ja", "en"}
        Language of the gap-figure labels.

    Returns
    -------
    dict[str, str]
        The :data:`GAPS_KEYS` labels of the ``gaps`` namespace.
    """
    return _keys(lang, "gaps", GAPS_KEYS)


def answers_text(lang: str, answers: Sequence[str]) -> str:
    """Survey answers joined for a sentence: “A” or “B”.

    Parameters
    ----------
    lang : {"ja", "en"}
        Language of the quotation marks and the joining word.
    answers : Sequence[str]
        The answer texts, each quoted in the language's quotation marks.

    Returns
    -------
    str
        The quoted answers joined by the language's "or".
    """
    return translate(lang, "survey.answer_join").join(
        translate(lang, "survey.answer_quote", answer=a) for a in answers)


def funnel_labels(lang: str, table: pd.DataFrame) -> tuple[dict[str, str], list[str]]:
    """Labels and step names of the funnel figure of a :class:`~cs_models.survey.Funnel` table.

    Parameters
    ----------
    lang : {"ja", "en"}
        Language of the funnel labels and step names.
    table : pandas.DataFrame
        The funnel table: one row per step with its ``step`` number, ``accepted`` answers and,
        in the first row, the ``answered`` base.

    Returns
    -------
    tuple[dict[str, str], list[str]]
        The ``base``, ``text`` and ``hover`` labels, and one name per step.
    """
    labels = {"base": translate(lang, "survey.funnel_base", n=f"{int(table['answered'].iloc[0]):,}"),
              "text": translate(lang, "survey.funnel_text"), "hover": translate(lang, "survey.funnel_hover")}
    names = [translate(lang, "survey.funnel_step_name", i=r.step, answers=answers_text(lang, r.accepted))
             for r in table.itertuples()]
    return labels, names


def support_group_name(lang: str, code: object) -> str:
    """A ticket group of the resolution curves in words (all tickets, blank, pooled; else the value).

    Parameters
    ----------
    lang : {"ja", "en"}
        Language of the special groups' names.
    code : object
        A group code of a :class:`~cs_models.survival.KMResult` of tickets.

    Returns
    -------
    str
        The name shown in legends and tables.
    """
    special = {ALL: "support.group_all", OTHER: "support.group_other", MISSING: "support.group_missing"}
    return translate(lang, special[code]) if code in special else str(code)


def support_volume_labels(lang: str) -> dict[str, str]:
    """Labels of the ticket-volume bars.

    Parameters
    ----------
    lang : {"ja", "en"}
        Language of the axis titles and hover.

    Returns
    -------
    dict[str, str]
        ``x_title``, ``y_title`` and the ``hover`` template.
    """
    return {key: translate(lang, f"support.volume_{key}") for key in ("x_title", "y_title", "hover")}


def support_solve_labels(lang: str) -> dict[str, str]:
    """Labels of the share-solved-over-time curves.

    Parameters
    ----------
    lang : {"ja", "en"}
        Language of the axis titles, hover and SLA marker.

    Returns
    -------
    dict[str, str]
        ``x_title``, ``y_title``, ``hover`` and ``target``.
    """
    return {key: translate(lang, f"support.solve_{key}") for key in ("x_title", "y_title", "hover", "target")}


def revenue_labels(lang: str) -> dict[str, str]:
    """Labels of the MRR movements bars.

    Parameters
    ----------
    lang : {"ja", "en"}
        Language of the movement names, axes and hover.

    Returns
    -------
    dict[str, str]
        A name per movement and ``net``, ``x_title``, ``y_title``, ``hover``.
    """
    keys = ("new", "reactivation", "expansion", "contraction", "churned", "net", "x_title", "y_title", "hover")
    return {key: translate(lang, f"revenue.movement_{key}") for key in keys}


def trend_labels(lang: str, column: str) -> dict[str, str]:
    """Labels of one revenue trend line.

    Parameters
    ----------
    lang : {"ja", "en"}
        Language of the axes and hover.
    column : str
        The trend (``churn_rate``, ``grr``, ``nrr``, ``arpa`` or ``customers``).

    Returns
    -------
    dict[str, str]
        ``x_title``, ``y_title`` and ``hover``.
    """
    return {"x_title": translate(lang, "revenue.movement_x_title"),
            "y_title": translate(lang, f"revenue.trend_{column}"), "hover": translate(lang, "revenue.trend_hover")}


def calibration_labels(lang: str) -> dict[str, str]:
    """Labels of the risk backtest's calibration chart.

    Parameters
    ----------
    lang : {"ja", "en"}
        Language of the axes, legend and hover.

    Returns
    -------
    dict[str, str]
        ``x_title``, ``y_title``, ``predicted``, ``observed`` and ``hover``.
    """
    keys = {"x_title": "calibration_x", "y_title": "calibration_y", "predicted": "calibration_predicted",
            "observed": "calibration_observed", "hover": "calibration_hover"}
    return {name: translate(lang, f"risk.{key}") for name, key in keys.items()}


def forecast_labels(lang: str, period: str) -> dict[str, str]:
    """Labels of the retention forecast figure.

    Parameters
    ----------
    lang : {"ja", "en"}
        Language of the axis titles, legend and hover.
    period : {"month", "year"}
        Contract period (the x axis is in months either way; its title says which renewals).

    Returns
    -------
    dict[str, str]
        ``x_title``, ``y_title``, ``observed``, ``fitted``, ``projected``, ``window``, ``hover_fitted``
        and ``hover_observed``.
    """
    keys = ("y_title", "observed", "fitted", "projected", "window", "hover_fitted", "hover_observed")
    return {"x_title": translate(lang, f"forecast.x_title_{period}")} | {
        key: translate(lang, f"forecast.{key}") for key in keys}


COMMUNITY_KEYS = (
    "history_x_title", "history_y_title", "history_hover", "role_leader", "role_follower", "role_audience",
    "lorenz_x_title", "lorenz_y_title", "lorenz_curve", "lorenz_equal", "lorenz_hover", "scatter_x_title",
    "scatter_y_title", "scatter_hover", "scatter_results", "source_none", "effect_y_title", "effect_attendees",
    "effect_comparison", "effect_hover", "effect_x_before", "effect_x_after",
)


def community_labels(lang: str) -> dict[str, str]:
    """Labels of the community figures (roles, Lorenz curve, candidates, event effect).

    Parameters
    ----------
    lang : {"ja", "en"}
        Language of the labels.

    Returns
    -------
    dict[str, str]
        The :data:`COMMUNITY_KEYS` templates of the ``community`` namespace (placeholders unfilled).
    """
    return _keys(lang, "community", COMMUNITY_KEYS)


ADOPTION_KEYS = ("observed", "fitted", "band", "innovation", "projection", "market", "x_title", "y_title",
                 "y_title_cumulative", "hover_observed", "hover_fitted")


def adoption_labels(lang: str, *, cumulative: bool = False) -> dict[str, str]:
    """Labels of the adoption figures (monthly bars with the Bass curve, or cumulative users).

    Parameters
    ----------
    lang : {"ja", "en"}
        Language of the legend, axes and hover.
    cumulative : bool
        Labels of the cumulative figure (its observed series is "users so far").

    Returns
    -------
    dict[str, str]
        Every label :mod:`cs_models.charts.adoption` reads, by key.
    """
    out = _keys(lang, "adoption", ADOPTION_KEYS)
    if cumulative:
        out["observed"] = translate(lang, "adoption.observed_cumulative")
    return out


JOURNEY_KEYS = ("churn", "active", "step", "hm_x_title", "hm_y_title", "hm_hover", "sankey_hover", "hr_x_title",
                "hr_time_varying", "hr_naive", "hr_hover", "less", "more", "ltv_y_title", "ltv_y_months", "ltv_hover",
                "path_join")


def journey_labels(lang: str) -> dict[str, str]:
    """Labels of the journey figures (transition heatmap, Sankey, hazard ratios, LTV).

    Parameters
    ----------
    lang : {"ja", "en"}
        Language of the labels.

    Returns
    -------
    dict[str, str]
        The :data:`JOURNEY_KEYS` labels of the ``journey`` namespace.
    """
    return _keys(lang, "journey", JOURNEY_KEYS)


def journey_km_labels(lang: str) -> dict[str, str]:
    """Labels of the time-in-stage Kaplan–Meier figure (the churn page's, with its own time axis).

    Parameters
    ----------
    lang : {"ja", "en"}
        Language of the labels.

    Returns
    -------
    dict[str, str]
        :func:`km_labels` with the time axis, survival and censoring words of the ``journey`` namespace.
    """
    own = {key: translate(lang, f"journey.km_{key}") for key in ("y_title", "censored", "median", "events_so_far",
                                                                  "censored_so_far")}
    return {**km_labels(lang), **own, "hover_survival": own["y_title"], "x_title": translate(lang, "journey.x_title")}
