"""The warehouse path against a real PostgreSQL (started by ``conftest.postgres``).

Every analysis computed from the tables equals the one from the same data read as CSV files
through the existing pipeline (the reference is the pandas path, :func:`cs_models.pipeline.load_files`).
"""

from __future__ import annotations

import json
import logging

import pandas as pd
import pytest

from cs_models.cohorts import cohort_table
from cs_models.errors import DataError
from cs_models.pipeline import load_files
from cs_models.report import datasets_report
from cs_models.revenue import revenue_movements
from cs_models.survival import durations, kaplan_meier
from cs_models.warehouse.cohorts import cohort_table_sql
from cs_models.warehouse.connection import connect, redact
from cs_models.warehouse.mapping import canonical_frame, suggest
from cs_models.warehouse.report import run
from cs_models.warehouse.revenue import revenue_movements_sql
from cs_models.warehouse.survival import durations_sql

from .conftest import SAMPLE, text_ids

TABLES = {"customers": "public.customers", "events": "public.events", "tickets": "public.tickets"}


@pytest.fixture(scope="module")
def csv_datasets():
    """The reference: the same sample files through the upload pipeline."""
    files = [(f"{k}.csv", (SAMPLE / f"{k}.csv").read_bytes()) for k in TABLES]
    return load_files(files)[0]


@pytest.fixture
def wh(postgres):
    with connect(postgres.url, tables=TABLES) as conn:
        yield conn


def test_mapping_of_database_columns_is_the_mapping_of_the_file_headers(wh, csv_datasets):
    files = load_files([("tickets.csv", (SAMPLE / "tickets.csv").read_bytes())])[1]
    assert suggest(wh, "tickets").fields == files[0].mapping.fields
    assert suggest(wh, "customers").fields["start_date"] == "start_date"


@pytest.mark.parametrize("options", [
    {}, {"metric": "nrr"}, {"metric": "grr", "period": "quarter"}, {"mode": "on_or_after", "period": "week"},
    {"segment": "plan"}, {"metric": "grr", "segment": "region", "segment_value": "Kanto"},
])
def test_cohort_tables_equal_the_csv_ones(wh, csv_datasets, options):
    as_of = csv_datasets.latest_date()
    expected = cohort_table(csv_datasets.events, customers=csv_datasets.customers, as_of=as_of, **options)
    got = cohort_table_sql(wh, as_of=as_of, **options)
    assert got.to_dict() == expected.to_dict()
    pd.testing.assert_frame_equal(got.counts, expected.counts)


def test_revenue_movements_equal_the_csv_ones(wh, csv_datasets):
    as_of = csv_datasets.latest_date()
    expected = revenue_movements(csv_datasets.events, as_of)
    got = revenue_movements_sql(wh, as_of)
    pd.testing.assert_frame_equal(got.months, expected.months, check_exact=True)
    pd.testing.assert_frame_equal(got.trends, expected.trends, check_exact=True)


def test_survival_durations_and_km_equal_the_csv_ones(wh, csv_datasets):
    as_of = csv_datasets.latest_date()
    expected = durations(csv_datasets.customers, as_of)
    got = durations_sql(wh, as_of)
    pd.testing.assert_frame_equal(text_ids(got), text_ids(expected))
    assert kaplan_meier(got, group="plan").to_dict() == kaplan_meier(expected, group="plan").to_dict()


def test_tickets_and_customers_frames_equal_the_uploaded_ones(wh, csv_datasets):
    pd.testing.assert_frame_equal(text_ids(canonical_frame(wh, "tickets")), text_ids(csv_datasets.tickets))
    pd.testing.assert_frame_equal(text_ids(canonical_frame(wh, "customers")), text_ids(csv_datasets.customers))


def test_report_from_the_database_equals_the_report_of_the_files(postgres, csv_datasets):
    """cohorts, revenue, survival and support sections of ``report --db`` equal those of the CSV report."""
    tables = [f"{k}={v}" for k, v in TABLES.items()]
    got, _, _as_of = run(postgres.url, tables, lang="en")
    expected = datasets_report(csv_datasets, as_of=csv_datasets.latest_date(), lang="en")
    assert got["as_of"] == expected["as_of"]
    for section in ("cohorts", "revenue", "survival", "support"):
        assert json.dumps(got[section], sort_keys=True) == json.dumps(expected[section], sort_keys=True), section
    assert got["datasets"] == expected["datasets"] | {}


def test_command_line_report_from_the_database(postgres, tmp_path, monkeypatch):
    from cs_models.report import main

    monkeypatch.setenv("CS_LENS_DB_URL", postgres.url)
    out = tmp_path / "r.json"
    assert main(["--table", "events=public.events", "--table", "customers=crm.accounts", "--out", str(out)]) == 0
    report = json.loads(out.read_text(encoding="utf-8"))
    assert report["tables"]["customers"] == "crm.accounts"
    assert report["cohorts"]["source"] == "events"
    assert report["revenue"]["months"]


def test_a_query_over_the_row_limit_is_refused(postgres):
    with connect(postgres.url, tables=TABLES, max_rows=1000) as small, pytest.raises(DataError) as info:
        canonical_frame(small, "customers")
    assert info.value.code == "warehouse_too_many_rows"
    assert info.value.params["table"] == "public.customers"
    assert info.value.params["limit"] == 1000
    assert info.value.params["rows"] == 2000
    # the aggregates stay under it
    with connect(postgres.url, tables=TABLES, max_rows=1000) as small:
        assert cohort_table_sql(small, as_of=pd.Timestamp("2026-11-30").date()).customers > 0


def test_the_connection_is_read_only(wh):
    with pytest.raises(Exception, match="read-only"):
        wh.backend.raw_sql("INSERT INTO public.events (customer_id, date, amount) VALUES ('X', '2024-01-01', 1)")


def test_passwords_never_appear_in_errors_or_logs(postgres, capsys, caplog):
    marker = "s3cr3t-pw-42"
    url = postgres.url_with_password(marker).replace(postgres.url.split("@")[1].split("/")[0], "127.0.0.1:1")
    assert marker not in redact(url)
    assert "***" in redact(url)
    caplog.set_level(logging.DEBUG)
    with pytest.raises(DataError) as info:
        connect(url)
    assert info.value.code == "warehouse_connect_failed"
    assert marker not in str(info.value)
    assert marker not in json.dumps(info.value.to_dict())
    from cs_models.report import main

    assert main(["--db", url, "--table", "events=public.events"]) == 2
    captured = capsys.readouterr()
    assert "warehouse_connect_failed" in captured.err
    assert marker not in captured.err + captured.out + caplog.text
