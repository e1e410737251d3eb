"""Number formats, JSON-ready results and findings (the shared layers of every analysis)."""

from __future__ import annotations

import json
from dataclasses import dataclass

import numpy as np
import pandas as pd
import pytest

from cs_models import format as fmt
from cs_models.catalogue import LANGUAGES, catalogue, translate
from cs_models.findings import SEVERITIES, Finding, ranked
from cs_models.results import Result, frame_records, json_number, jsonable


@pytest.mark.parametrize(
    ("call", "expected"),
    [
        (lambda: fmt.pct(0.2861), "28.6%"),
        (lambda: fmt.pct(0.72, 0), "72%"),
        (lambda: fmt.pct(float("nan")), "—"),
        (lambda: fmt.points(-0.052), "-5.2 pt"),
        (lambda: fmt.number(12345.6), "12,346"),
        (lambda: fmt.signed(0.5), "+0.50"),
        (lambda: fmt.p_value(0.0004), "< 0.001"),
        (lambda: fmt.p_value(0.01234), "0.012"),
        (lambda: fmt.p_text(0.0004), "p < 0.001"),
        (lambda: fmt.p_text(0.2), "p = 0.200"),
        (lambda: fmt.interval(0.21, 0.35), "21.0%–35.0%"),
        (lambda: fmt.interval(None, 0.35), "—"),
        (lambda: fmt.money(10640, "ja"), "10,640円"),
        (lambda: fmt.money(10640, "en"), "¥10,640"),
        (lambda: fmt.money(-500, "en"), "-¥500"),
        (lambda: fmt.months(365.25), "12.0"),
    ],
)
def test_formats_by_hand(call, expected):
    assert call() == expected


def test_templates_use_the_format_specs():
    """Catalogue templates format raw numbers with the module's specs, per language."""
    text = fmt.MessageFormatter("ja").format("{a:pct}・{b:p}・{c:money}・{d:int}・{e:.2f}", a=0.286, b=0.03,
                                             c=155662, d=1234, e=1.234)
    assert text == "28.6%・p = 0.030・155,662円・1,234・1.23"
    assert fmt.MessageFormatter("en").format("{x:money}", x=155662.4) == "¥155,662"
    assert fmt.MessageFormatter("en").format("{x:.1f}", x=float("nan")) == "—"


def test_json_numbers_and_records():
    assert json_number(np.float64("nan")) is None
    assert json_number(np.inf) is None
    assert json_number(1 / 3, 4) == 0.3333
    frame = pd.DataFrame({"rate": [0.5, np.nan]}, index=pd.Index(["2024-01", "2024-02"], name="cohort"))
    assert frame_records(frame) == [{"cohort": "2024-01", "rate": 0.5}, {"cohort": "2024-02", "rate": None}]
    assert frame_records(pd.DataFrame({"a": [1]})) == [{"a": 1}]


def test_result_to_dict_is_complete_and_json_safe():
    @dataclass(frozen=True)
    class Toy(Result):
        table: pd.DataFrame
        share: float

    toy = Toy(pd.DataFrame({"n": [np.int64(3)]}), float("nan"), notes=("small_base",))
    out = toy.to_dict()
    assert out == {"table": [{"n": 3}], "share": None, "alpha": 0.05, "notes": ["small_base"]}
    json.dumps(out, allow_nan=False)
    assert jsonable({"toy": toy})["toy"]["notes"] == ["small_base"]


def test_finding_validates_and_translates():
    with pytest.raises(ValueError, match="severity"):
        Finding("churn.x", "churn", "urgent")
    with pytest.raises(ValueError, match="section"):
        Finding("churn.x", "gaps", "info")
    findings = [Finding("gaps.b", "gaps", "info"), Finding("churn.a", "churn", "alert")]
    assert [f.code for f in ranked(findings)] == ["churn.a", "gaps.b"]
    assert SEVERITIES[0] == "alert"


def test_every_finding_sentence_exists_in_both_languages():
    """Each ``findings.*`` key is in ja and en (the catalogue test checks their placeholders match)."""
    keys = {lang: {k for k in catalogue(lang) if k.startswith("findings.")} for lang in LANGUAGES}
    assert keys["ja"] == keys["en"]


def test_finding_text_escapes_user_text_only():
    """Text parameters (user data) go through ``escape``; numbers keep their format specs."""
    finding = Finding("gaps.most_disappointing", "gaps", "alert",
                      {"item": "*support*", "gap": -0.5, "low": -0.7, "high": -0.3,
                       "share_disappointed": 0.4, "n": 120})
    text = finding.text("en", escape=lambda s: s.replace("*", r"\*"))
    assert r"\*support\*" in text
    assert "{" not in text
    assert translate("ja", finding.key, **finding.params) == finding.text("ja")
