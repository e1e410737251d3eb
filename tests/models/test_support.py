"""Support numbers (``cs_models.support``) against independent references.

References: lifelines ``KaplanMeierFitter`` for resolution and first-reply times (the same
durations, open tickets censored), statsmodels ``proportion_confint(method="wilson")`` for the
answer rate, and hand-made episodes for the time-varying churn model.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from lifelines import KaplanMeierFitter
from lifelines.utils import qth_survival_time
from statsmodels.stats.proportion import proportion_confint

from cs_models import support
from cs_models.errors import DataError
from cs_models.pipeline import load_files

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "tickets"
AS_OF = date(2024, 6, 30)


def _tickets(n: int = 203, seed: int = 3) -> pd.DataFrame:
    """Tickets over four months; slow ones (low priority) are often still open at the as-of date."""
    rng = np.random.default_rng(seed)
    created = pd.Timestamp("2024-03-01") + pd.to_timedelta(rng.uniform(0, 120 * 24, n), unit="h")
    priority = rng.choice(["low", "high"], n)
    hours = np.where(priority == "low", 90.0, 10.0) * rng.exponential(1, n)
    solved = (created + pd.to_timedelta(hours, unit="h")).where(rng.random(n) < 0.95)
    reply = created + pd.to_timedelta(rng.exponential(3, n), unit="h")
    return pd.DataFrame({"ticket_id": [f"T{i}" for i in range(n)], "customer_id": [f"C{i % 40}" for i in range(n)],
                         "created_at": created.floor("min"),
                         "first_reply_at": reply.floor("min").where(rng.random(n) < .9),
                         "solved_at": solved.floor("min"), "priority": priority,
                         "channel": rng.choice(["email", "chat"], n)})


def _lifelines(times: pd.DataFrame) -> KaplanMeierFitter:
    """``KaplanMeierFitter().fit(durations=hours_to_solve, event_observed=solved)``."""
    return KaplanMeierFitter().fit(times["hours_to_solve"], event_observed=times["solved"])


def test_resolution_curve_equals_lifelines():
    """KaplanMeierFitter().fit(hours, event_observed=solved): median and S(t) at every event time."""
    result = support.analyse_support(_tickets(), AS_OF)
    times = support.ticket_times(_tickets(), AS_OF)
    kmf = _lifelines(times)
    assert result.median_hours()[0] == pytest.approx(kmf.median_survival_time_, rel=1e-9)
    curve = result.resolution.curves  # in days: KaplanMeierFitter().fit(hours / 24, event_observed=solved)
    in_days = KaplanMeierFitter().fit(times["hours_to_solve"] / 24, event_observed=times["solved"])
    expected = in_days.survival_function_at_times(curve["time_days"].to_numpy()).to_numpy()
    np.testing.assert_allclose(curve["survival"].to_numpy(), expected, rtol=1e-9)
    share, _, _ = support.share_by(curve, support.analysis.ALL, 24.0)
    assert share == pytest.approx(1 - float(kmf.survival_function_at_times(24.0).iloc[0]), rel=1e-9)


def test_naive_median_of_solved_tickets_is_biased_low_when_tickets_are_open():
    """With slow tickets still open, the median of the solved ones alone understates the time to solve."""
    tickets = _tickets()
    result = support.analyse_support(tickets, AS_OF)
    assert result.open > 0
    assert result.naive_median_hours < result.median_hours()[0]
    times = support.ticket_times(tickets, AS_OF)
    assert result.naive_median_hours == pytest.approx(times.loc[times["solved"], "hours_to_solve"].median())


def test_as_of_is_a_backtest_solves_after_it_are_unknown():
    tickets = _tickets()
    early = support.ticket_times(tickets, date(2024, 5, 1))
    assert early["created_at"].max() < pd.Timestamp("2024-05-02")
    later_solved = tickets.set_index("ticket_id").loc[early["ticket_id"], "solved_at"] >= pd.Timestamp("2024-05-02")
    assert not early.loc[later_solved.to_numpy(), "solved"].any()
    cut = pd.Timestamp("2024-05-02")
    open_rows = early.loc[~early["solved"]]
    np.testing.assert_allclose(open_rows["hours_to_solve"], (cut - open_rows["created_at"]) / pd.Timedelta(hours=1))


def test_answer_rate_is_wilson_and_first_reply_is_km():
    """statsmodels proportion_confint(count, n, alpha=0.05, method="wilson"); lifelines on reply times."""
    result = support.analyse_support(_tickets(), AS_OF)
    times = support.ticket_times(_tickets(), AS_OF)
    low, high = proportion_confint(int(times["replied"].sum()), len(times), alpha=0.05, method="wilson")
    assert (result.answer.ci_low, result.answer.ci_high) == pytest.approx((low, high), rel=1e-9)
    kmf = KaplanMeierFitter().fit(times["hours_to_reply"], event_observed=times["replied"])
    assert result.median_hours(result.reply)[0] == pytest.approx(kmf.median_survival_time_, rel=1e-9)


def test_sla_attainment_is_read_off_each_priority_curve():
    result = support.analyse_support(_tickets(), AS_OF, sla_hours={"high": 8, "low": 48})
    times = support.ticket_times(_tickets(), AS_OF)
    for row in result.sla.itertuples():
        part = times[times["priority"] == row.priority]
        kmf = _lifelines(part)
        assert row.attained == pytest.approx(1 - float(kmf.survival_function_at_times(row.target_hours).iloc[0]))
    assert result.logrank["priority"].p < 0.001  # low priority is ten times slower
    codes = [f.code for f in support.findings(result, sla_goal=0.9)]
    assert "support.slowest_priority" in codes


def test_satisfaction_ratings_in_words_and_numbers():
    ratings = pd.Series(["Good", "bad", "良い", "悪い", 5, "4", 2, "Offered", None, "未評価", 9])
    got = [None if v is pd.NA else v for v in support.satisfied(ratings).tolist()]
    assert got == [True, False, True, False, True, True, False, None, None, None, None]


def test_too_few_tickets_is_a_data_error():
    with pytest.raises(DataError) as info:
        support.analyse_support(_tickets(5), AS_OF)
    assert info.value.code == "support_too_few"


def test_episodes_count_only_the_tickets_of_the_period_before():
    """A ticket on day 40 counts for the period starting on day 60 only: never for earlier periods."""
    frame = pd.DataFrame({"customer_id": ["A", "B"], "duration_days": [95.0, 20.0], "event": [True, False]})
    days = pd.DataFrame({"customer_id": ["A", "A", "B"], "day": [40.0, 10.0, 5.0]})
    out = support.episodes(frame, days)
    a = out[out["id"] == "A"]
    assert a[["start", "stop"]].to_numpy().tolist() == [[0, 30], [30, 60], [60, 90], [90, 95]]
    assert a["tickets_before"].tolist() == [0, 1, 1, 0]  # day 10 → period 2; day 40 → period 3
    assert a["event"].tolist() == [False, False, False, True]
    b = out[out["id"] == "B"]
    assert b["tickets_before"].tolist() == [0]
    assert not b["event"].any()


@pytest.mark.parametrize(("name", "expected"), [
    ("zendesk_ja.csv", {"ticket_id": "チケットID", "customer_id": "組織", "created_at": "作成日時",
                        "first_reply_at": "初回返信日時", "solved_at": "解決日時", "status": "ステータス",
                        "priority": "優先度", "channel": "チャネル", "satisfaction": "満足度評価"}),
    ("hubspot_en.csv", {"ticket_id": "Ticket ID", "customer_id": "Associated Company", "created_at": "Create date",
                        "solved_at": "Close date", "status": "Ticket status", "priority": "Priority",
                        "channel": "Source"}),
])
def test_help_desk_exports_map_without_a_manual_step(name, expected):
    path = FIXTURES / name
    datasets, (report,) = load_files([(name, path.read_bytes())])
    assert report.kind == "tickets"
    assert expected.items() <= dict(report.mapping.fields).items()
    assert report.validation.rows_used == report.validation.rows_read == 30
    tickets = datasets.tickets
    assert tickets["created_at"].dt.minute.nunique() > 1  # times to the minute
    assert set(tickets["status"].dropna()) <= {"open", "pending", "solved", "closed"}
    support.analyse_support(tickets, date(2026, 10, 31))


def test_ticket_problems_are_named_by_row_and_column():
    csv = (b"Ticket ID,Organization,Created at,First reply at,Solved at,Status\n"
           b"1,A,2024-04-01 10:00,2024-04-01 09:00,2024-04-02 10:00,Solved\n"
           b"2,A,2024-04-03 10:00,,2024-04-02 10:00,Solved\n"
           b"1,B,2024-04-04 10:00,,,Open\n"
           b"3,B,2024-04-05 10:00,,,Weird\n")
    _, (report,) = load_files([("t.csv", csv)], kind="tickets")
    issues = report.issues.set_index("code")
    assert issues.loc["reply_before_created", ["row", "column", "action"]].tolist() == [2, "First reply at", "fixed"]
    assert issues.loc["solved_before_created", ["row", "column", "action"]].tolist() == [3, "Solved at", "excluded"]
    assert issues.loc["duplicate_id", ["row", "column", "action"]].tolist() == [4, "Ticket ID", "excluded"]
    assert issues.loc["unknown_status", ["row", "column", "action"]].tolist() == [5, "Status", "fixed"]
    assert report.frame["first_reply_at"].isna().all()


@pytest.mark.parametrize("headers", [
    # Freshdesk
    ["Ticket ID", "Subject", "Status", "Priority", "Source", "Agent", "Created time", "Resolved time",
     "Initial response time", "Company Name", "Customer satisfaction"],
    # kintone (a hand-built inquiry app)
    ["レコード番号", "顧客名", "受付日時", "初回回答日時", "完了日時", "状況", "優先度", "問い合わせ方法", "担当者"],
])
def test_freshdesk_and_kintone_headers_are_detected_as_tickets(headers):
    from cs_models.schema import detect_kind, suggest_mapping

    frame = pd.DataFrame([["1"] * len(headers)], columns=headers)
    assert detect_kind(frame).kind == "tickets"
    fields = suggest_mapping(frame, "tickets").fields
    assert {"ticket_id", "customer_id", "created_at", "first_reply_at", "solved_at", "status", "priority",
            "channel", "assignee"} <= fields.keys()


def test_report_command_has_the_support_section(tmp_path):
    """`python -m cs_models report tickets.csv customers.csv`: the export is detected, the JSON has the
    fields the issue fixes; a Zendesk export alone (`--kind tickets`) has no churn link."""
    import json
    import subprocess
    import sys

    from cs_models.sample import SAMPLE_DIR

    files = [SAMPLE_DIR / "en" / "tickets.csv", SAMPLE_DIR / "en" / "customers.csv"]
    done = subprocess.run([sys.executable, "-m", "cs_models", "report", *map(str, files), "--lang", "en"],
                          capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr
    section = json.loads(done.stdout)["support"]
    assert {"tickets", "open", "answer_rate", "answer_rate_ci", "first_response_hours", "resolution",
            "churn_link"} <= section.keys()
    assert {"km_median_hours", "km_median_ci", "within_24h", "by_priority", "logrank"} <= section["resolution"].keys()
    assert section["resolution"]["km_median_hours"] > section["resolution"]["naive_median_hours"]
    assert section["churn_link"]["hazard_ratio_per_ticket_30d"] > 1
    alone = subprocess.run([sys.executable, "-m", "cs_models", "report", str(FIXTURES / "zendesk_ja.csv"),
                            "--kind", "tickets", "--as-of", "2026-10-31"], capture_output=True, text=True, check=False)
    assert alone.returncode == 0, alone.stderr
    assert json.loads(alone.stdout)["support"]["churn_link"] is None


def test_first_reply_median_and_p90_equal_lifelines_percentiles():
    """``lifelines.utils.qth_survival_time(q, KaplanMeierFitter().fit(hours, replied).survival_function_)``."""
    result = support.analyse_support(_tickets(), AS_OF)
    times = support.ticket_times(_tickets(), AS_OF)
    kmf = KaplanMeierFitter().fit(times["hours_to_reply"], event_observed=times["replied"])
    median, p90 = support.reply_hours(result)
    assert median == pytest.approx(qth_survival_time(0.5, kmf.survival_function_), rel=1e-9)
    assert p90 == pytest.approx(qth_survival_time(0.1, kmf.survival_function_), rel=1e-9)
