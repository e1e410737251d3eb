"""``cs_models.filters.SegmentFilter``: each dataset kind filtered, validated up front, described in words.

Reference counts are hand counts: the sample CSV files read row by row with the standard
library's :mod:`csv` (no pandas, no mapping), the customers of 関東 (and of スタンダード/プロ)
collected, and the rows of the other files counted by their customer id (or, for the gap
answers, by their own プラン column).
"""

from __future__ import annotations

import csv
import json
import subprocess
import sys
from pathlib import Path

import pandas as pd
import plotly.graph_objects as go
import pytest

from cs_models.charts.theme import set_title
from cs_models.datasets import Datasets
from cs_models.errors import DataError
from cs_models.filters import SegmentFilter
from cs_models.report import datasets_report
from cs_models.risk import risk_scores
from cs_models.sample import SAMPLE_DIR, load_sample

ROOT = Path(__file__).resolve().parents[2]


def rows(name: str) -> list[dict[str, str]]:
    with (SAMPLE_DIR / "ja" / name).open(encoding="utf-8-sig", newline="") as handle:
        return list(csv.DictReader(handle))


@pytest.fixture(scope="module")
def sample() -> Datasets:
    return load_sample("ja")


def test_hand_count_of_every_kind(sample):
    """関東 × スタンダード/プロ: customers by their columns, events and tickets by customer id, gap
    answers (which have プラン but no 地域) by customer id too, the plan history by customer id (its プラン
    column is each change's plan, not the customer's segment: the customers' filter decides) and the
    community log by member id (the sample's members are customers); the survey and the employees' tool
    adoption log have neither and stay whole."""
    kept = {r["顧客ID"] for r in rows("customers.csv")
            if r["地域"] == "関東" and r["プラン"] in ("スタンダード", "プロ")}
    chosen = SegmentFilter.parse(["地域=関東", "プラン=スタンダード,プロ"])
    chosen.validate(sample)
    out = chosen.apply(sample)
    assert len(out.customers) == len(kept) == 446
    assert set(out.customers["customer_id"]) == kept
    assert len(out.events) == sum(r["顧客ID"] in kept for r in rows("events.csv"))
    assert len(out.tickets) == sum(r["組織"] in kept for r in rows("tickets.csv"))
    assert len(out.gaps) == sum(r["顧客ID"] in kept for r in rows("gaps.csv"))
    assert len(out.community) == sum(r["メンバーID"] in kept for r in rows("community.csv"))
    assert out.survey is sample.survey
    assert out.adoption is sample.adoption
    assert chosen.untouched(sample) == ["survey", "adoption"]
    assert chosen.counts(sample) == (446, 2000)
    assert sample.customers.shape[0] == 2000  # the input is not changed


def test_a_dataset_with_the_column_is_filtered_by_it(sample):
    """プラン = プロ: the gap answers keep the rows whose own プラン column says プロ (hand count)."""
    out = SegmentFilter.of({"プラン": ["プロ"]}).apply(sample)
    assert len(out.gaps) == sum(r["プラン"] == "プロ" for r in rows("gaps.csv"))
    assert set(out.gaps["プラン"]) == {"プロ"}
    assert len(out.customers) == sum(r["プラン"] == "プロ" for r in rows("customers.csv"))


def test_member_id_links_rows_when_there_is_no_customer_id():
    customers = pd.DataFrame({"customer_id": ["a", "b", "c"], "region": ["x", "y", "x"],
                              "start_date": pd.to_datetime(["2024-01-01"] * 3), "end_date": pd.NaT})
    tickets = pd.DataFrame({"ticket_id": ["1", "2", "3", "4"], "member_id": ["a", "b", None, "c"]})
    out = SegmentFilter.of({"region": ["x"]}).apply(Datasets(customers=customers, tickets=tickets))
    assert out.tickets["ticket_id"].tolist() == ["1", "4"]
    assert out.customers["customer_id"].tolist() == ["a", "c"]


def test_missing_values_meet_no_condition_and_numbers_match_as_text():
    customers = pd.DataFrame({"customer_id": ["a", "b", "c"], "tier": ["1", None, "2"]})
    out = SegmentFilter.of({"tier": [1, 2]}).apply(Datasets(customers=customers))
    assert out.customers["customer_id"].tolist() == ["a", "c"]


def test_empty_filter_changes_nothing(sample):
    empty = SegmentFilter.of({"地域": []})
    assert not empty
    assert empty.apply(sample) is sample
    assert empty.label("ja") == ""
    assert empty.untouched(sample) == []
    assert empty.counts(sample) == (2000, 2000)


@pytest.mark.parametrize(
    ("texts", "code"),
    [(["地域=北海道"], "filter_unknown_value"), (["業界=飲食"], "filter_unknown_column")],
)
def test_unknown_column_or_value_is_a_data_error(sample, texts, code):
    with pytest.raises(DataError) as info:
        SegmentFilter.parse(texts).validate(sample)
    assert info.value.code == code


@pytest.mark.parametrize("text", ["地域", "=関東", "地域=", "地域=,"])
def test_parse_refuses_a_condition_without_column_or_value(text):
    with pytest.raises(DataError) as info:
        SegmentFilter.parse([text])
    assert info.value.code == "filter_syntax"


def test_parse_merges_a_column_given_twice():
    assert SegmentFilter.parse(["プラン=スタンダード", "プラン=プロ, スタンダード"]) == SegmentFilter(
        (("プラン", ("スタンダード", "プロ")),))


def test_label_and_scope_in_both_languages(sample):
    assert SegmentFilter.of({"地域": ["関東"]}).label("ja") == "地域: 関東のみ"
    assert SegmentFilter.of({"region": ["Kanto"]}).label("en") == "region: Kanto only"
    both = SegmentFilter.of({"地域": ["関東"], "プラン": ["スタンダード", "プロ"]})
    assert both.label("ja") == "地域: 関東、プラン: スタンダード/プロのみ"
    assert both.scope("ja", sample) == "地域: 関東、プラン: スタンダード/プロのみ（顧客 446 / 2,000）"
    en = load_sample("en")
    assert SegmentFilter.of({"region": ["Kanto"]}).scope("en", en) == "region: Kanto only (821 of 2,000 customers)"


def test_chart_title_carries_the_scope_escaped():
    fig = set_title(go.Figure(), "Churn", "CS Lens · sample", "<plan>: A only")
    assert fig.layout.title.text == "Churn<br><span style='font-size:75%'>&lt;plan&gt;: A only</span>"
    assert fig.layout.title.subtitle.text == "CS Lens · sample"
    assert set_title(go.Figure(), "Churn", "src").layout.title.text == "Churn"


def test_report_of_filtered_data_equals_the_analyses_of_the_filtered_frames(sample):
    """The report's risk section is that of ``risk_scores`` on the hand-filtered customers."""
    chosen = SegmentFilter.of({"地域": ["関東"]})
    day = sample.latest_date()
    report = datasets_report(sample, as_of=day, lang="ja", segment_filter=chosen)
    assert report["filter"]["customers"] == 821
    assert report["filter"]["customers_total"] == 2000
    assert report["filter"]["label"] == "地域: 関東のみ"
    assert report["datasets"]["customers"] == 821
    kanto = sample.customers[sample.customers["地域"] == "関東"]
    direct = risk_scores(kanto, day, horizon_days=90)
    assert report["risk"]["backtest"]["auc"] == pytest.approx(direct.backtest.auc)
    assert len(report["risk"]["customers"]) == len(direct.customers)
    with pytest.raises(DataError):
        datasets_report(sample, as_of=day, segment_filter=SegmentFilter.of({"地域": ["北海道"]}))


def test_report_command_filter_in_both_languages(tmp_path):
    """The ja and en sample files hold the same numbers: the same filter in either language keeps the same n."""
    counts = {}
    conditions_by_lang = {"ja": ["地域=関東", "プラン=スタンダード,プロ"], "en": ["region=Kanto", "plan=Standard,Pro"]}
    for lang, conditions in conditions_by_lang.items():
        out = tmp_path / f"{lang}.json"
        args = [*(str(SAMPLE_DIR / lang / f) for f in ("customers.csv", "events.csv")),
                "--lang", lang, "--out", str(out)]
        for condition in conditions:
            args += ["--filter", condition]
        done = subprocess.run([sys.executable, "-m", "cs_models", "report", *args], cwd=ROOT,
                              capture_output=True, text=True, timeout=180, check=False)
        assert done.returncode == 0, done.stderr
        report = json.loads(out.read_text(encoding="utf-8"))
        counts[lang] = (report["filter"]["customers"], report["datasets"]["events"],
                        report["revenue"]["months"][-1])
    assert counts["ja"] == counts["en"]
    assert counts["ja"][0] == 446
    bad = subprocess.run([sys.executable, "-m", "cs_models", "report", str(SAMPLE_DIR / "ja" / "customers.csv"),
                          "--filter", "地域=北海道"],
                         cwd=ROOT, capture_output=True, text=True, timeout=120, check=False)
    assert bad.returncode == 2
    assert "filter_unknown_value" in bad.stderr


def test_a_plan_filter_keeps_each_chosen_customers_whole_plan_history():
    """English headers: the customers' ``plan`` and the plan history's canonical ``plan`` share a name.
    Filtering Pro customers keeps every row of their plan histories (their Light and Standard months
    too), not only the rows whose plan is Pro, so their journeys stay whole."""
    sample = load_sample("en")
    chosen = SegmentFilter.parse(["plan=Pro"])
    kept = set(sample.customers.loc[sample.customers["plan"] == "Pro", "customer_id"])
    out = chosen.apply(sample)
    history = sample.plan_history
    assert len(out.plan_history) == int(history["customer_id"].isin(kept).sum())
    assert set(out.plan_history["plan"]) > {"Pro"}
