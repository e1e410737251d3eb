"""The story of the loaded data: one chart and its findings per step, for presenters and the report.

Steps, in order: cohorts → survival by segment → what drives churn → awareness funnel →
biggest gaps → gap → churn → time to solve tickets → retention forecast → community roles → how a tool
spreads → does upgrading keep customers (:data:`STEPS`). A step whose dataset is absent, or whose analysis cannot
run on these data, is skipped with the reason, so the story works on the sample data and on any upload. The same
figures are the charts of the offline report.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

import plotly.graph_objects as go

from cs_models import adoption, cohorts, community, forecast, gaps, journey, support, survey
from cs_models import survival as sv
from cs_models.catalogue import translate
from cs_models.charts import labels
from cs_models.charts.adoption import monthly_figure
from cs_models.charts.cohorts import retention_heatmap
from cs_models.charts.community import role_history
from cs_models.charts.forecast import retention_figure
from cs_models.charts.gaps import churn_curves, gap_bars
from cs_models.charts.journey import ltv_bars, upgrade_comparison
from cs_models.charts.support import solved_curves
from cs_models.charts.survey import funnel_chart
from cs_models.charts.survival import hazard_ratio_figure, km_figure
from cs_models.charts.theme import set_title
from cs_models.datasets import Datasets
from cs_models.errors import DataError
from cs_models.findings import Finding, ranked
from cs_models.format import p_text
from cs_models.results import Result
from cs_models.stats import segment_columns

#: Step keys in story order.
STEPS: tuple[str, ...] = ("cohorts", "survival", "drivers", "funnel", "gaps", "gap_churn", "support", "forecast",
                          "community", "adoption", "journey")
#: The report section each step's chart belongs to.
SECTION_OF: dict[str, str] = {"cohorts": "cohorts", "survival": "survival", "drivers": "survival",
                              "funnel": "survey", "gaps": "gaps", "gap_churn": "gaps", "support": "support",
                              "forecast": "forecast", "community": "community", "adoption": "adoption",
                              "journey": "journey"}
#: Datasets each step needs.
NEEDS: dict[str, tuple[str, ...]] = {"cohorts": ("customers",), "survival": ("customers",),
                                     "drivers": ("customers",), "funnel": ("survey",), "gaps": ("gaps",),
                                     "gap_churn": ("gaps", "customers"), "support": ("tickets",),
                                     "forecast": ("customers",), "community": ("community",),
                                     "adoption": ("adoption",), "journey": ("plan_history", "customers")}


#: Why a step can be skipped (catalogue ``story.reason_<reason>``).
SKIP_REASONS: tuple[str, ...] = ("missing_customers", "missing_survey", "missing_gaps", "missing_tickets",
                                 "missing_community", "missing_adoption", "missing_plan_history", "no_funnel",
                                 "no_covariates", "data")


class _SkipStepError(Exception):
    """A step that cannot be told on these data; ``code`` says why."""

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


@dataclass(frozen=True)
class StoryStep:
    """One step: its chart and its findings, most important first.

    Attributes
    ----------
    key : str
        One of :data:`STEPS`.
    title : str
        The step's heading in the story's language.
    figure : plotly.graph_objects.Figure
        The chart (labels in the story's language).
    findings : tuple of Finding
        What the chart shows; the first is the step's sentence.
    """

    key: str
    title: str
    figure: go.Figure
    findings: tuple[Finding, ...]

    def sentence(self, lang: str, *, escape: Callable[[str], str] | None = None) -> str:
        """The step's one sentence: its first finding, or what the step shows when nothing stands out.

        Parameters
        ----------
        lang : {"ja", "en"}
            Language of the sentence.
        escape : callable, optional
            Applied to the first finding's text parameters (markdown or HTML escaping of user data);
            unused for the ``story.nothing_<key>`` sentence, which has no parameters.

        Returns
        -------
        str
            The sentence, ready to show under the step's chart.
        """
        if self.findings:
            return self.findings[0].text(lang, escape=escape)
        return translate(lang, f"story.nothing_{self.key}")


@dataclass(frozen=True, kw_only=True)
class Story(Result):
    """The steps that the data can tell, and those skipped.

    Attributes
    ----------
    lang : str
        Language of titles and chart labels.
    as_of : date
        As-of date of the analyses.
    steps : tuple of StoryStep
        In :data:`STEPS` order.
    skipped : tuple of (str, str)
        ``(step key, reason)``, the reason one of :data:`SKIP_REASONS` (``missing_<kind>``
        for an absent dataset; ``data`` when the analysis raised a
        :class:`~cs_models.errors.DataError`, e.g. too few customers).
    """

    lang: str
    as_of: date
    steps: tuple[StoryStep, ...]
    skipped: tuple[tuple[str, str], ...]

    def to_dict(self) -> dict[str, Any]:
        """Steps (key, title, sentence, findings) and skipped steps, JSON-ready.

        Returns
        -------
        dict
            ``{"lang", "as_of", "steps": [{"key", "title", "sentence", "findings"}],
            "skipped": [{"key", "reason"}]}``, sentences and findings in :attr:`lang`.
        """
        return {
            "lang": self.lang, "as_of": self.as_of.isoformat(),
            "steps": [{"key": s.key, "title": s.title, "sentence": s.sentence(self.lang),
                       "findings": [f.to_dict(self.lang) for f in s.findings]} for s in self.steps],
            "skipped": [{"key": k, "reason": r} for k, r in self.skipped],
        }

    def figures_by_section(self) -> dict[str, list[go.Figure]]:
        """The steps' charts grouped by report section (what :func:`cs_models.report.render_html` draws).

        Returns
        -------
        dict[str, list[plotly.graph_objects.Figure]]
            Figures by :data:`SECTION_OF` section, in step order; sections without a step are absent.
        """
        out: dict[str, list[go.Figure]] = {}
        for step in self.steps:
            out.setdefault(SECTION_OF[step.key], []).append(step.figure)
        return out


# ------------------------------------------------------------------------------ steps
def _cohorts(datasets: Datasets, as_of: date, lang: str) -> tuple[go.Figure, list[Finding]]:
    table = cohorts.build(datasets, as_of=as_of)
    found = ranked(cohorts.findings(table))
    focus = found[0].params.get("cohort") if found else None  # the cohort the sentence names, outlined
    figure = retention_heatmap(table, labels.cohort_labels(lang, table.period, table.metric), compact=True,
                               focus=focus)
    return figure, found


def _strongest_segment(customers: Any, as_of: date) -> sv.SurvivalAnalysis:
    """The survival analysis by the segment whose curves differ most (smallest log-rank p)."""
    frame = sv.durations(customers, as_of)
    best: sv.SurvivalAnalysis | None = None
    for column in segment_columns(frame, exclude=sv.NOT_SEGMENTS):
        analysis = sv.analyse(customers, as_of, column)
        if best is None or (analysis.logrank is not None and best.logrank is not None
                            and analysis.logrank.p < best.logrank.p):
            best = analysis
    return best if best is not None else sv.analyse(customers, as_of)


def _survival(datasets: Datasets, as_of: date, lang: str) -> tuple[go.Figure, list[Finding]]:
    result = _strongest_segment(datasets.customers, as_of)
    km = result.km
    p = result.logrank.p if result.logrank is not None else float("nan")
    annotation = None if p != p else translate(lang, "churn.km_annotation", p=p_text(p))
    figure = km_figure(km, labels.km_labels(lang), labels.group_names(lang, km.summary["n"]), annotation=annotation,
                       at_risk=False)  # a slide has no room for the at-risk table (the page shows it)
    found = sv.findings(result)
    return figure, [f for f in found if f.code in ("churn.segment_lives_longer", "churn.no_segment_difference")] \
        or found


def _drivers(datasets: Datasets, as_of: date, lang: str) -> tuple[go.Figure, list[Finding]]:
    customers = datasets.customers
    frame = sv.durations(customers, as_of)
    covariates = sv.default_covariates(frame)
    if not covariates:
        raise _SkipStepError("no_covariates")
    fit = sv.cox(frame, covariates)
    names = {row["term"]: labels.term_name(lang, row) for _, row in fit.table.iterrows()}
    return hazard_ratio_figure(fit, labels.forest_labels(lang), names), sv.cox_findings(fit)


def _funnel(datasets: Datasets, as_of: date, lang: str) -> tuple[go.Figure, list[Finding]]:
    frame = datasets.survey
    questions = survey.infer_questions(frame)
    steps = survey.default_funnel(frame, questions)
    if not steps:
        raise _SkipStepError("no_funnel")
    result = survey.funnel(frame, steps, questions=questions)
    return funnel_chart(result, *labels.funnel_labels(lang, result.table)), survey.funnel_findings(result)


def _gaps(datasets: Datasets, as_of: date, lang: str) -> tuple[go.Figure, list[Finding]]:
    _, analysis, _, found = gaps.analyse_table(datasets.gaps)
    return gap_bars(analysis, labels.gaps_labels(lang)), found


def _gap_churn(datasets: Datasets, as_of: date, lang: str) -> tuple[go.Figure, list[Finding]]:
    churn, found = gaps.churn_of_table(datasets.gaps, datasets.customers, as_of=as_of)
    return churn_curves(churn, labels.gaps_labels(lang)), found


def _support(datasets: Datasets, as_of: date, lang: str) -> tuple[go.Figure, list[Finding]]:
    result = support.analyse_support(datasets.tickets, as_of)
    km = result.by_group.get("priority", result.resolution)
    names = {g: translate(lang, "support.group_with_n", name=labels.support_group_name(lang, g), n=f"{int(n):,}")
             for g, n in km.summary["n"].items()}
    return solved_curves(km, labels.support_solve_labels(lang), names), support.findings(result)


def _forecast(datasets: Datasets, as_of: date, lang: str) -> tuple[go.Figure, list[Finding]]:
    result = forecast.forecast(datasets.customers, as_of)
    if not result.fits:
        raise _SkipStepError("data")
    names = {g: labels.group_name(lang, g) for g in result.table.index}
    return retention_figure(result, labels.forecast_labels(lang, result.period), names), forecast.findings(result)


def _community(datasets: Datasets, as_of: date, lang: str) -> tuple[go.Figure, list[Finding]]:
    roles = community.community_roles(datasets.community, as_of)
    effect = community.event_effect(datasets.community, as_of)
    found = community.role_findings(roles) + community.event_findings(effect)
    return role_history(roles.history, labels.community_labels(lang)), found


def _adoption(datasets: Datasets, as_of: date, lang: str) -> tuple[go.Figure, list[Finding]]:
    result = adoption.fit_adoption(datasets.adoption, as_of)
    return monthly_figure(result, labels.adoption_labels(lang)), adoption.findings(result)
def _journey(datasets: Datasets, as_of: date, lang: str) -> tuple[go.Figure, list[Finding]]:
    history, _ = journey.journey_history(datasets)  # the plan history, or plan changes from events
    result = journey.analyse_journey(history, datasets.customers, as_of)
    chart_labels = labels.journey_labels(lang)
    if result.upgrade is None:  # no upgrade effect to show: the value of each entry stage instead
        return ltv_bars(result, chart_labels, {}, lang), journey.findings(result)
    told = [f for f in journey.findings(result) if f.code.startswith(("journey.upgrade", "journey.ltv"))]
    return upgrade_comparison(result.upgrade, chart_labels), told  # the step's question: upgrades and value


_BUILDERS: dict[str, Callable[[Datasets, date, str], tuple[go.Figure, list[Finding]]]] = {
    "cohorts": _cohorts, "survival": _survival, "drivers": _drivers, "funnel": _funnel, "gaps": _gaps,
    "gap_churn": _gap_churn, "support": _support, "forecast": _forecast, "community": _community,
    "adoption": _adoption, "journey": _journey,
}


def build_story(datasets: Datasets, *, as_of: date, lang: str, steps: Sequence[str] = STEPS) -> Story:
    """The story of ``datasets``: every step the data can tell, and why the others are skipped.

    Parameters
    ----------
    datasets : Datasets
        Loaded canonical datasets (sample or upload).
    as_of : date
        As-of date of the analyses.
    lang : {"ja", "en"}
        Language of step titles and chart labels.
    steps : sequence of str
        Which of :data:`STEPS` to build (default all, in story order).

    Returns
    -------
    Story
        The told steps in the order of ``steps`` and the skipped ones with their reason.
    """
    told: list[StoryStep] = []
    skipped: list[tuple[str, str]] = []
    available = set(datasets.available())
    if journey.has_plan(datasets.events):  # the journey derives plan changes from events with a plan column
        available.add("plan_history")
    for key in steps:
        missing = [kind for kind in NEEDS[key] if kind not in available]
        if missing:
            skipped.append((key, f"missing_{missing[0]}"))
            continue
        try:
            figure, found = _BUILDERS[key](datasets, as_of, lang)
        except _SkipStepError as skip:
            skipped.append((key, skip.code))
            continue
        except DataError:  # degenerate data (too few customers, no matched respondents, ...)
            skipped.append((key, "data"))
            continue
        title = translate(lang, f"story.step_{key}")
        set_title(figure, title)
        told.append(StoryStep(key, title, figure, tuple(ranked(found))))
    return Story(lang=lang, as_of=as_of, steps=tuple(told), skipped=tuple(skipped))
