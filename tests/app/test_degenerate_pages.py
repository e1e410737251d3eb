"""Pages explain odd but valid data in words: no traceback, no "–" standing in for a number in a
sentence."""

from __future__ import annotations

import pandas as pd
import pytest

from cs_models.catalogue import translate
from cs_models.datasets import Datasets
from tests.app.util import LANGS, assert_clean, run_app
from ui.components import md_escape


@pytest.mark.parametrize("lang", LANGS)
def test_one_answer_to_a_numeric_question(lang):
    survey = pd.DataFrame({"年齢": [35]})
    at = run_app("pages/survey.py", lang=lang, uploaded=Datasets(survey=survey, source="upload"))
    assert_clean(at)
    readings = [str(e.value) for e in at.info]
    expected = translate(lang, "survey.reading_mean_single", mean=md_escape("35.00"))
    assert expected in readings
    assert not [r for r in readings if "nan" in r or "–)" in r or "– " in r]
