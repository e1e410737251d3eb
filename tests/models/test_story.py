"""The story (``cs_models.story``): which steps the data can tell, their sentences and charts."""

from __future__ import annotations

import dataclasses

import pandas as pd
import pytest

from cs_models import cohorts, gaps
from cs_models import survival as sv
from cs_models.catalogue import translate
from cs_models.charts.cohorts import COMPACT_ROWS
from cs_models.datasets import Datasets
from cs_models.report import datasets_report
from cs_models.sample import load_sample
from cs_models.story import SECTION_OF, SKIP_REASONS, STEPS, build_story


@pytest.fixture(scope="module", params=["ja", "en"])
def sample_story(request):
    datasets = load_sample(request.param)
    return datasets, build_story(datasets, as_of=datasets.latest_date(), lang=request.param)


def test_sample_tells_every_step_in_order(sample_story):
    _, story = sample_story
    assert [s.key for s in story.steps] == list(STEPS)
    assert story.skipped == ()
    for step in story.steps:
        assert step.title == translate(story.lang, f"story.step_{step.key}")
        assert step.figure.layout.title.text == step.title  # drawn in the chart, so a PNG says what it is
        assert step.findings, step.key


def test_each_sentence_is_a_finding_of_the_report(sample_story):
    """A second route to the same readings: the report's findings (computed by each analysis'
    ``report_section``) hold every step's sentence, in the same language."""
    datasets, story = sample_story
    report = datasets_report(datasets, as_of=story.as_of, lang=story.lang)
    texts = {f["text"] for f in report["findings"]}
    for step in story.steps:
        assert step.sentence(story.lang) in texts, step.key


def test_sample_story_reads_the_known_facts(sample_story):
    """The sample's planted facts (cs_models/sample.py): the weak 2024-03 cohort, the 28.6% of 374
    who know what CS is, onboarding disappointing, disappointed customers churning sooner."""
    _, story = sample_story
    by_key = {s.key: s for s in story.steps}
    assert by_key["cohorts"].findings[0].code == "cohorts.weak_cohort"
    assert by_key["cohorts"].findings[0].params["cohort"] == "2024-03"
    funnel = by_key["funnel"].findings[0]
    assert funnel.params["n"] == 374
    assert round(funnel.params["share"], 3) == 0.286
    assert by_key["gaps"].findings[0].code == "gaps.most_disappointing"
    assert by_key["gap_churn"].findings[0].code == "gaps.gap_predicts_churn"
    assert by_key["survival"].findings[0].code == "churn.segment_lives_longer"


def test_survival_step_shows_the_segment_that_differs_most():
    """The chosen segment has the smallest log-rank p of all segment columns (checked by refitting each)."""
    datasets = load_sample("en")
    as_of = datasets.latest_date()
    story = build_story(datasets, as_of=as_of, lang="en", steps=("survival",))
    frame = sv.durations(datasets.customers, as_of)
    p = {c: sv.logrank(frame, c).p for c in sv.analysis._stats.segment_columns(frame, exclude=sv.NOT_SEGMENTS)}
    best = min(p, key=p.get)
    assert story.steps[0].findings[0].params["segment"] == best


def test_missing_datasets_are_skipped_with_the_reason():
    datasets = load_sample("en")
    only_survey = Datasets(survey=datasets.survey, source="upload")
    story = build_story(only_survey, as_of=datasets.latest_date(), lang="en")
    assert [s.key for s in story.steps] == ["funnel"]
    assert dict(story.skipped) == {"cohorts": "missing_customers", "survival": "missing_customers",
                                   "drivers": "missing_customers", "gaps": "missing_gaps",
                                   "gap_churn": "missing_gaps", "support": "missing_tickets",
                                   "forecast": "missing_customers", "community": "missing_community",
                                   "adoption": "missing_adoption", "journey": "missing_plan_history"}
    assert {r for _, r in story.skipped} <= set(SKIP_REASONS)
    assert story.to_dict()["skipped"][0] == {"key": "cohorts", "reason": "missing_customers"}


def test_degenerate_data_skip_the_step_instead_of_failing():
    """Three customers are too few for a survival analysis (DataError): those steps are skipped."""
    customers = pd.DataFrame({"customer_id": ["a", "b", "c"],
                              "start_date": pd.to_datetime(["2024-01-01", "2024-02-01", "2024-03-01"]),
                              "end_date": pd.to_datetime([None, "2024-06-01", None])})
    story = build_story(Datasets(customers=customers, source="upload"), as_of=pd.Timestamp("2024-12-31").date(),
                        lang="ja")
    skipped = dict(story.skipped)
    assert skipped["drivers"] in ("no_covariates", "data")
    assert all(reason in SKIP_REASONS for reason in skipped.values())
    for step in story.steps:  # whatever is told still has a sentence
        assert step.sentence("ja")


def test_story_is_frozen_and_serialisable(sample_story):
    _, story = sample_story
    with pytest.raises(dataclasses.FrozenInstanceError):
        story.lang = "xx"  # type: ignore[misc]
    data = story.to_dict()
    assert [s["key"] for s in data["steps"]] == list(STEPS)
    assert all(s["sentence"] == s["findings"][0]["text"] for s in data["steps"])
    figures = story.figures_by_section()
    assert sum(len(v) for v in figures.values()) == len(STEPS)
    assert set(figures) == set(SECTION_OF.values())


def test_compact_heatmap_has_fewer_larger_cells():
    datasets = load_sample("en")
    table = cohorts.build(datasets, as_of=datasets.latest_date())
    from cs_models.charts.cohorts import COMPACT_PERIODS, COMPACT_ROWS, heatmap_view

    shown, cut = heatmap_view(table, compact=True)
    assert len(shown) == min(COMPACT_ROWS, len(table.rates))
    assert list(shown.columns) == list(COMPACT_PERIODS["month"])  # months 0, 1, 2, 3, 6, 9, 12
    assert list(shown.index) == list(table.rates.index[-len(shown):])  # the most recent cohorts
    assert cut
    assert shown.loc[shown.index[0], 3] == table.rates.loc[shown.index[0], 3]


def test_gaps_step_uses_the_page_analysis():
    """The gaps step's chart and sentence come from the same call as the page (``analyse_table``)."""
    datasets = load_sample("ja")
    story = build_story(datasets, as_of=datasets.latest_date(), lang="ja", steps=("gaps",))
    *_, found = gaps.analyse_table(datasets.gaps)
    assert story.steps[0].findings[0] == found[0]


def test_cohorts_step_shows_and_outlines_the_cohort_its_sentence_names():
    """The weak 2024-03 cohort is older than the most recent ones: the compact view moves back to hold it."""
    datasets = load_sample("en")
    story = build_story(datasets, as_of=datasets.latest_date(), lang="en", steps=("cohorts",))
    figure = story.steps[0].figure
    rows = [str(c) for c in figure.data[0].y]
    assert "2024-03" in rows
    assert len(rows) == COMPACT_ROWS
    assert rows.index("2024-03") == COMPACT_ROWS // 3
    (outline,) = figure.layout.shapes
    assert (outline.y0, outline.y1) == (rows.index("2024-03") - 0.5, rows.index("2024-03") + 0.5)
