"""AppTest of the Cohorts page in Japanese and English, on the sample and on uploaded files."""

from __future__ import annotations

import base64
import json

import numpy as np
import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from cs_models import cohorts
from cs_models.catalogue import catalogue, translate
from cs_models.datasets import Datasets
from cs_models.pipeline import load_files
from cs_models.sample import load_sample
from tests.app.util import LANGS, assert_clean, run_app, texts
from ui.components import md_escape

PAGE = "pages/cohorts.py"


def events_csv() -> bytes:
    """A small payment history as a user would export it (Japanese headers, yyyy/m/d dates).

    60 customers join on the 5th of Jan, Feb or Mar 2024 (20 each) and pay monthly for 1, 2 or 3
    months; the latest payment (2024-05-05) is the default as-of date, so May is incomplete.
    """
    rows = []
    for i in range(60):
        joined = pd.Timestamp(2024, 1 + i % 3, 5)
        for m in range((i // 3) % 3 + 1):
            day = joined + pd.DateOffset(months=m)
            rows.append(f"U{i:03d},{day.year}/{day.month}/{day.day},{1000 + 10 * i}")
    return ("顧客ID,請求日,請求額\n" + "\n".join(rows) + "\n").encode("utf-8-sig")


def heatmap_spec(at) -> dict:
    charts = list(at.get("plotly_chart"))
    assert charts, "no chart drawn"
    return json.loads(charts[0].proto.spec)


def heatmap_z(at) -> np.ndarray:
    """The heatmap's values (Plotly 6 sends numpy arrays as base64 typed arrays)."""
    z = heatmap_spec(at)["data"][0]["z"]
    if isinstance(z, dict):
        shape = [int(n) for n in str(z["shape"]).split(",")]
        return np.frombuffer(base64.b64decode(z["bdata"]), dtype=z["dtype"]).reshape(shape)
    return np.array(z, dtype=float)


@pytest.mark.parametrize("lang", LANGS)
def test_sample_page_in_both_languages(lang: str) -> None:
    """The page draws heatmap, average curve and readings; the ja view has no English text."""
    at = run_app(PAGE, lang=lang)
    assert_clean(at)
    text = texts(at)
    own = catalogue(lang)
    assert own["cohorts.page_title"] in text
    assert own["cohorts.heatmap_heading"] in text
    assert own["cohorts.average_heading"] in text
    # the readings say what the model says (monthly logo retention after 6 months, weighted average)
    data = load_sample(lang)
    table = cohorts.build(data, as_of=data.latest_date())
    row = table.average.loc[6]
    span = own["cohorts.span_month_other"].format(k=6)
    assert at.info[0].value == own["cohorts.reading_cohort_logo"].format(
        cohort="2026\\-04", value=f"{table.rates.loc['2026-04', 6] * 100:.0f}%", span=span,
        average=f"{row['weighted'] * 100:.0f}%",
    )
    assert at.info[1].value == own["cohorts.reading_average_logo"].format(
        value=f"{row['weighted'] * 100:.0f}%", span=span, cohorts=int(row["cohorts"]),
        customers=f"{int(row['customers']):,}",
    )
    if lang == "ja":
        english = catalogue("en")
        leftovers = [v for k, v in english.items() if k.startswith("cohorts.") and len(v) > 12 and v in text]
        assert not leftovers
    z = heatmap_z(at)
    assert np.isnan(z[-1, 1])  # the newest cohort's month 1 has not ended: blank, not 0
    assert 0 < z[0, 1] <= 1
    assert [b.proto.label for b in at.get("download_button")] == [
        own["common.download_csv"], own["common.download_xlsx"]
    ]


def test_controls_come_from_and_go_to_the_url() -> None:
    """A copied link reopens the view; changing a control rewrites the link (codes, not labels)."""
    at = run_app(PAGE, lang="en", query={"cohorts_period": "quarter", "cohorts_metric": "grr",
                                         "cohorts_segment": "plan", "cohorts_segment_value": "Pro"})
    assert_clean(at)
    assert at.selectbox(key="cohorts_period").value == "quarter"
    assert at.selectbox(key="cohorts_metric").value == "grr"
    assert at.selectbox(key="cohorts_segment_value").value == "Pro"
    assert catalogue("en")["cohorts.segments_heading"].format(segment="plan") in texts(at)
    # the heatmap is the model's quarterly GRR table of Pro customers only
    data = load_sample("en")
    pro = cohorts.build(data, as_of=data.latest_date(), period="quarter", metric="grr", segment="plan",
                        segment_value="Pro")
    assert pro.customers == (data.customers["plan"] == "Pro").sum()
    np.testing.assert_allclose(heatmap_z(at), pro.rates.to_numpy(), rtol=1e-12)
    at.selectbox(key="cohorts_period").set_value("week").run()
    assert_clean(at)
    assert at.query_params["cohorts_period"] in ("week", ["week"])
    spec = heatmap_spec(at)
    assert spec["data"][0]["y"][0].count("-") == 2  # week cohorts are labelled by their Monday


@pytest.mark.parametrize("lang", LANGS)
def test_uploaded_events_file(lang: str) -> None:
    """An uploaded events CSV (through the real ingestion pipeline) without a customers file."""
    datasets, _ = load_files([("請求履歴.csv", events_csv())])
    assert datasets.events is not None
    at = run_app(PAGE, lang=lang, uploaded=datasets, query={"cohorts_metric": "nrr"})
    assert_clean(at)
    assert at.selectbox(key="cohorts_source").options == [catalogue(lang)["cohorts.source_events"]]
    z = heatmap_z(at)
    assert z.shape == (3, 5)
    assert np.isfinite(z[2, :2]).all()  # March cohort: March and April are over
    assert np.isnan(z[2, 2:]).all()  # May is in progress: blank
    # NRR of the January cohort by hand: customer i pays 1000 + 10 i for (i // 3) % 3 + 1 months
    january = [i for i in range(60) if i % 3 == 0]
    paid = {k: sum(1000 + 10 * i for i in january if (i // 3) % 3 >= k) for k in range(4)}
    assert z[0, :4] == pytest.approx([paid[k] / paid[0] for k in range(4)], rel=1e-12)
    assert z[0, 3] == 0.0


def test_customers_only_upload_offers_logo_only() -> None:
    """With contract dates only, retention is by contract and revenue metrics are not offered."""
    customers = load_sample("en").customers
    at = run_app(PAGE, lang="en", uploaded=Datasets(customers=customers, source="upload"),
                 query={"cohorts_metric": "nrr"})
    assert_clean(at)
    assert at.selectbox(key="cohorts_metric").value == "logo"
    assert at.selectbox(key="cohorts_source").value == "customers"


@pytest.mark.parametrize("lang", LANGS)
def test_unsuitable_data_get_a_translated_explanation(lang: str) -> None:
    """Duplicate customer ids: a translated message, never a traceback."""
    data = load_sample("en")
    customers = pd.concat([data.customers, data.customers.head(3)], ignore_index=True)
    at = run_app(PAGE, lang=lang, uploaded=Datasets(customers=customers, events=data.events, source="upload"))
    assert not at.exception
    assert [e.value for e in at.error] == [catalogue(lang)["errors.cohorts_duplicate_customers"]]


CARD_SCRIPT = """
from ui.cards.cohorts import render
render()
"""


@pytest.mark.parametrize("lang", LANGS)
def test_overview_card(lang: str) -> None:
    """The card shows logo retention and NRR after 12 months (the weighted averages of the monthly
    tables, cross-checked against the model) and a reading; without data it explains, not errors."""
    at = AppTest.from_string(CARD_SCRIPT, default_timeout=60)
    at.session_state["lang"] = lang
    at.run()
    assert_clean(at)
    data = load_sample(lang)
    logo = cohorts.build(data, as_of=data.latest_date(), period="month").average.loc[12, "weighted"]
    nrr = cohorts.build(data, as_of=data.latest_date(), period="month", metric="nrr").average.loc[12, "weighted"]
    assert [m.value for m in at.metric] == [f"{logo * 100:.0f}%", f"{nrr * 100:.0f}%"]
    own = catalogue(lang)
    span = own["cohorts.span_month_other"].format(k=12)
    assert [m.label for m in at.metric] == [own["cohorts.card_logo"].format(span=span),
                                            own["cohorts.card_nrr"].format(span=span)]
    # the findings: the 12-month reading (and the sample's weak cohort as a warning)
    found = cohorts.findings(cohorts.build(data, as_of=data.latest_date(), period="month"), period=12)
    assert [i.value for i in at.info] == [f.text(lang, md_escape) for f in found if f.severity in ("info", "positive")]
    assert [w.value for w in at.warning] == [f.text(lang, md_escape) for f in found if f.severity == "alert"]

    empty = AppTest.from_string(CARD_SCRIPT, default_timeout=60)
    empty.session_state["lang"] = lang
    empty.session_state["uploaded_datasets"] = Datasets(source="upload")
    empty.session_state["source"] = "upload"
    empty.run()
    assert_clean(empty)
    assert [i.value for i in empty.info] == [own["cohorts.card_no_data"]]


def test_as_of_before_any_data_explains_and_immature_view_says_so() -> None:
    """An as-of date before every start: a translated explanation. One inside the first quarter:
    every cell is still immature, and the readings say retention is not known yet."""
    at = run_app(PAGE, lang="ja", query={"as_of": "2020-01-01"})
    assert not at.exception
    assert [e.value for e in at.error] == [catalogue("ja")["errors.cohorts_no_customers"]]
    at = run_app(PAGE, lang="en", query={"as_of": "2023-11-15", "cohorts_period": "quarter"})
    assert_clean(at)
    young = translate("en", "findings.cohorts.too_young", months=6)  # 2 quarters
    assert [i.value for i in at.info] == [catalogue("en")["cohorts.reading_not_mature"]] * 2 + [young]
    assert np.isnan(heatmap_z(at)).all()
