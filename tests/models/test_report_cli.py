"""``python -m cs_models report``: exit codes, JSON fields and the HTML page.

Expected values come from the files themselves: the sample files' row counts are
those of ``sample_data/<lang>/*.csv`` (2,000 customers, 23,816 invoices, 374 survey
respondents, 600 gap respondents; counted with ``wc -l`` minus the header) and the
hand-made cp932 file's problems are written row by row below.
"""

from __future__ import annotations

import html
import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

from cs_models.results import jsonable
from cs_models.sample import SAMPLE_DIR

ROOT = Path(__file__).resolve().parents[2]

TITLE_CP932 = (
    "顧客一覧（2024年度）\r\n"
    "\r\n"
    "会社ID,会社名,開始日,終了日,月額,業種\r\n"   # row 3: the header
    "007,髙橋商店①,2024/4/1,,\"9,800\",飲食\r\n"   # row 4
    "008,カブシキ,令和6年5月1日,2024/2/30,\"￥19,800\",小売\r\n"  # row 5: impossible end date
    "009,テスト,2024-06-01,2024-05-01,1000,飲食\r\n"  # row 6: end before start
    "010,ＡＢＣ,2024/7/1,2024/9/30,▲500,飲食\r\n"  # row 7: negative MRR, blanked
).encode("cp932")


def run(*args: str | Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "cs_models", "report", *map(str, args)],
        cwd=ROOT, capture_output=True, text=True, timeout=120, check=False,
    )


@pytest.fixture
def cp932_file(tmp_path: Path) -> Path:
    path = tmp_path / "顧客_title.csv"
    path.write_bytes(TITLE_CP932)
    return path


def test_sample_files_report(tmp_path):
    files = [SAMPLE_DIR / "ja" / f"{k}.csv" for k in ("customers", "events", "survey", "gaps")]
    done = run(*files, "--as-of", "2026-10-31")
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout)
    assert report["kind"] == "customers"
    assert (report["rows_read"], report["rows_used"]) == (2000, 2000)
    assert report["encoding"] == "utf-8-sig"
    assert report["header_row"] == 1
    assert report["mapping"]["fields"] == {
        "customer_id": "顧客ID", "start_date": "契約開始日", "end_date": "解約日", "mrr": "月額料金",
    }
    assert report["issues"] == []
    assert report["as_of"] == "2026-10-31"
    assert report["datasets"] == {"customers": 2000, "events": 23816, "survey": 374, "gaps": 600}
    assert [(f["file"], f["kind"], f["rows_used"]) for f in report["files"]] == [
        ("customers.csv", "customers", 2000), ("events.csv", "events", 23816),
        ("survey.csv", "survey", 374), ("gaps.csv", "gaps", 600),
    ]


def test_cp932_file_with_a_title_row(cp932_file):
    done = run(cp932_file)
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout)
    assert report["file"] == "顧客_title.csv"
    assert report["kind"] == "customers"
    assert report["encoding"] == "cp932"
    assert report["header_row"] == 3
    assert report["mapping"]["fields"] == {
        "customer_id": "会社ID", "start_date": "開始日", "end_date": "終了日", "mrr": "月額",
    }
    assert [(i["row"], i["column"], i["code"], i["action"]) for i in report["issues"]] == [
        (5, "終了日", "invalid_date", "excluded"),
        (6, "終了日", "end_before_start", "excluded"),
        (7, "月額", "negative_amount", "fixed"),
    ]
    assert report["issues"][0]["message"] == "'2024/2/30' is not a valid date."
    assert (report["rows_read"], report["rows_used"], report["rows_excluded"]) == (4, 2, 2)
    assert report["as_of"] == "2024-09-30"  # the latest date of the rows used


def test_html_report_is_escaped_and_self_contained(tmp_path):
    source = tmp_path / "xss.csv"
    source.write_text("customer_id,start_date\nC1,<script>alert(1)</script>\nC2,2024-01-01\n",
                      encoding="utf-8")
    out = tmp_path / "report.html"
    done = run(source, "--format", "html", "--out", out)
    assert done.returncode == 0, done.stderr
    assert done.stdout == ""
    page = out.read_text(encoding="utf-8")
    assert page.startswith("<!DOCTYPE html>")
    assert "<script>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    # nothing fetched from elsewhere; plotly.js itself (inline, the first script) is left out of the check
    outside = re.sub(r'<script type="text/javascript">.*?</script>', "", page, count=1, flags=re.S)
    for fetch in ("<script src", "<link", "http"):
        assert fetch not in outside


@pytest.mark.parametrize(
    ("name", "content", "args", "code"),
    [
        ("empty.csv", b"", (), "ingest_empty_file"),
        ("broken.xlsx", b"PK\x03\x04" + b"\x00" * 64, (), "ingest_"),
        ("events.csv", b"customer_id,amount\nC1,100\n", ("--kind", "events"), "schema_missing_field"),
        ("c.csv", b"customer_id,start_date\nC1,2024-01-01\n", ("--segment", "plan"), "report_unknown_column"),
    ],
)
def test_input_errors_exit_2_with_the_message_on_stderr(tmp_path, name, content, args, code):
    path = tmp_path / name
    path.write_bytes(content)
    done = run(path, *args)
    assert done.returncode == 2
    assert done.stdout == ""
    assert f"error [{code}" in done.stderr
    assert "Traceback" not in done.stderr


def test_missing_file_and_bad_date_exit_2(tmp_path, cp932_file):
    done = run(tmp_path / "nope.csv")
    assert (done.returncode, "report_no_file" in done.stderr) == (2, True)
    done = run(cp932_file, "--as-of", "2024-13-01")
    assert done.returncode == 2
    assert "not a date" in done.stderr


@pytest.mark.parametrize("extra", [["--kind", "events"], ["--filter", "plan=Pro"], ["x.csv"]])
def test_file_options_with_db_are_refused_not_ignored(extra):
    """``--kind``, ``--filter`` and files apply to files: with ``--db`` they are refused (exit 2) before
    any connection is made, never silently dropped."""
    done = run("--db", "postgresql://u:secret@127.0.0.1:1/x", "--table", "events=public.events", *extra)
    assert done.returncode == 2
    assert "apply to files only" in done.stderr
    assert "secret" not in done.stderr


def test_jsonable_turns_nan_and_numpy_into_plain_json():
    import numpy as np
    import pandas as pd

    value = {"a": np.float64("nan"), "b": np.int64(3), "c": pd.Timestamp("2024-04-01"), "d": (np.bool_(True),)}
    assert jsonable(value) == {"a": None, "b": 3, "c": "2024-04-01", "d": [True]}
    json.dumps(jsonable(value), allow_nan=False)


def test_a_file_without_a_usable_row_is_an_input_error(tmp_path):
    path = tmp_path / "bad.csv"
    path.write_text("customer_id,start_date\nC1,2024-02-30\nC2,\n", encoding="utf-8")
    done = run(path)
    assert done.returncode == 2
    assert "error [pipeline_no_rows]" in done.stderr


def test_saved_mapping_is_reapplied_next_month(tmp_path):
    """Headers no synonym knows are mapped by last month's JSON (as downloaded on the Data page)."""
    data = tmp_path / "2024-05.csv"
    data.write_text("番号,はじまり,おわり,料金\n1,2024-01-01,,100\n2,2024-02-01,2024-03-01,200\n", encoding="utf-8")
    mapping = tmp_path / "mapping.json"
    mapping.write_text(json.dumps({"version": 1, "kind": "customers", "fields": {
        "customer_id": "番号", "start_date": "はじまり", "end_date": "おわり", "mrr": "月額"}},
        ensure_ascii=False), encoding="utf-8")
    done = run(data, "--mapping", mapping)
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout)
    # "月額" is not in this month's file: dropped, the rest applied
    assert report["mapping"]["fields"] == {"customer_id": "番号", "start_date": "はじまり", "end_date": "おわり"}
    assert (report["kind"], report["rows_used"]) == ("customers", 2)
    bad = tmp_path / "bad.json"
    bad.write_text("{}", encoding="utf-8")
    done = run(data, "--mapping", bad)
    assert done.returncode == 2
    assert "schema_bad_mapping" in done.stderr


@pytest.mark.parametrize("lang", ["ja", "en"])
def test_sample_report_lists_findings_of_every_analysis_in_the_language(lang):
    """The sample data's findings: at least 8, from all four analyses, each a sentence in ``lang``."""
    files = [SAMPLE_DIR / lang / f"{k}.csv" for k in ("customers", "events", "survey", "gaps")]
    done = run(*files, "--as-of", "2026-10-31", "--lang", lang)
    assert done.returncode == 0, done.stderr
    findings = json.loads(done.stdout)["findings"]
    assert len(findings) >= 8
    assert {f["section"] for f in findings} >= {"cohorts", "churn", "survey", "gaps"}
    for finding in findings:
        assert set(finding) >= {"code", "section", "severity", "params", "text"}
        assert finding["text"]
        assert "{" not in finding["text"]
        japanese = any("\u3040" <= ch <= "\u30ff" or "\u4e00" <= ch <= "\u9fff" for ch in finding["text"])
        assert japanese == (lang == "ja"), finding["text"]
    severities = [f["severity"] for f in findings]
    order = ["alert", "notice", "positive", "info"]
    assert severities == sorted(severities, key=order.index)


def test_html_report_in_english_holds_the_findings(tmp_path):
    files = [SAMPLE_DIR / "en" / f"{k}.csv" for k in ("customers", "events", "survey", "gaps")]
    out = tmp_path / "report.html"
    done = run(*files, "--as-of", "2026-10-31", "--format", "html", "--lang", "en", "--out", out)
    assert done.returncode == 0, done.stderr
    page = out.read_text(encoding="utf-8")
    assert '<html lang="en">' in page
    assert "Key findings" in page
    assert "<script src" not in page
    report = json.loads(run(*files, "--as-of", "2026-10-31", "--lang", "en").stdout)
    for finding in report["findings"]:
        assert html.escape(finding["text"]) in page
    # the story's six charts (heatmap, KM, hazard ratios, funnel, gaps, gap → churn), plotly.js once
    assert page.count('class="plotly-graph-div"') >= 6
    assert page.count("<script") == 1 + page.count('class="plotly-graph-div"')  # plotly.js once, one per chart
    assert "… +" in page  # the risk call list is cut to HTML_MAX_ROWS rows; the JSON has every customer
    # every chart says where its data came from (Plotly writes the JSON with \\u escapes)
    source = json.dumps("CS Lens · customers.csv, events.csv, survey.csv, gaps.csv · as of 2026-10-31")
    assert page.count(source[1:-1]) >= 6
