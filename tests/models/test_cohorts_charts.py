"""Cohort figures: blank immature cells, honest hovers, escaped user text."""

from __future__ import annotations

import numpy as np
import pandas as pd

from cs_models import cohorts
from cs_models.charts.cohorts import HEATMAP_SCALE, average_curve, retention_heatmap, segment_curves

LABELS = {
    "x_title": "X", "y_title": "Y", "value_title": "V", "average": "avg", "simple": "simple",
    "span_one": "{k} month", "span_other": "{k} months",
    "hover_cell": "{cohort}|{span}|{value}|{count}/{size}|{low}-{high}",
    "hover_revenue": "{cohort}|{span}|{value}|{size}",
    "hover_low_base": "small", "hover_immature": "{cohort}|{span}|immature",
    "hover_partial": "{cohort}|{span}|partial", "hover_undefined": "{cohort}|{span}|undefined",
    "hover_average": "{span}|{value}|{cohorts}|{customers}", "hover_segment": "{segment}|{span}|{value}|{size}",
}


def table() -> cohorts.CohortTable:
    """Jan cohort: a, b (b leaves after January); Feb cohort: c. As-of 2024-03-15 (March partial)."""
    events = pd.DataFrame(
        {
            "customer_id": ["a", "b", "a", "c", "a", "c"],
            "date": pd.to_datetime(["2024-01-02", "2024-01-03", "2024-02-02", "2024-02-05",
                                    "2024-03-01", "2024-03-02"]),
        }
    )
    customers = pd.DataFrame(
        {
            "customer_id": ["a", "b", "c"],
            "start_date": pd.to_datetime(["2024-01-02", "2024-01-03", "2024-02-05"]),
            "end_date": pd.NaT,
            "tier": ["<b>gold</b>", "silver", "silver"],
        }
    )
    return cohorts.cohort_table(events, customers=customers, as_of="2024-03-15", segment="tier")


def test_heatmap_blank_cells_and_hover() -> None:
    """Immature cells are NaN (drawn blank) with no text; mature cells show % and n in the hover."""
    fig = retention_heatmap(table(), LABELS)
    trace = fig.data[0]
    z = np.asarray(trace.z, dtype=float)
    assert z.shape == (2, 3)
    assert z[0, :2].tolist() == [1.0, 0.5]
    assert np.isnan(z[0, 2]) and np.isnan(z[1, 1:]).all()  # noqa: PT018 - one picture of the blank area
    assert trace.text[0][1] == "50%" and trace.text[0][2] == ""  # noqa: PT018
    # Wilson interval of 1/2, R: prop.test(1, 2, correct = FALSE)$conf.int -> 0.0945 0.9055
    assert trace.customdata[0][1] == "2024-01|1 month|50.0%|1/2|9.5%-90.5%<br>small"  # base 2 < 30
    assert trace.customdata[0][2] == "2024-01|2 months|partial"
    assert trace.zmin == 0
    assert HEATMAP_SCALE[0][1] != "#ffffff"  # 0 % is a visible colour, unlike a blank cell
    assert fig.layout.plot_bgcolor == "#ffffff"


def test_zero_starting_revenue_is_undefined_not_immature() -> None:
    """A finished period of a cohort whose period-0 revenue is 0 has no NRR (0/0): its blank cell
    says 'undefined', not 'not finished yet' (hand-built: cohort 2024-01 pays 0 in January)."""
    events = pd.DataFrame(
        {
            "customer_id": ["a", "a", "b", "b"],
            "date": pd.to_datetime(["2024-01-05", "2024-02-05", "2024-02-03", "2024-03-03"]),
            "amount": [0.0, 100.0, 50.0, 50.0],
        }
    )
    table = cohorts.cohort_table(events, as_of="2024-03-31", metric="nrr")
    fig = retention_heatmap(table, LABELS)
    hover = fig.data[0].customdata
    assert hover[0][0] == "2024-01|0 months|undefined"
    assert hover[0][2] == "2024-01|2 months|undefined"
    assert hover[1][2] == "2024-02|2 months|immature"


def test_curves_and_escaped_segment_names() -> None:
    """Average hover carries the cohorts and customers behind each point; user labels are escaped."""
    t = table()
    avg = average_curve(t, LABELS)
    assert avg.data[0].customdata[1] == "1 month|50.0%|1|2"  # only the Jan cohort (1 of 2) reached month 1
    names = {value: str(value) for value in t.segment_average.columns}
    seg = segment_curves(t, LABELS, names)
    assert [trace.name for trace in seg.data] == ["&lt;b&gt;gold&lt;/b&gt; (n=1)", "silver (n=2)"]
