"""Customer IDs as a categorical (as validation and the sample give them) change no result.

Every analysis runs on the sample datasets twice: once with ``customer_id`` as Python strings
(``object``) and once as a categorical (each kind with its own categories, as validated files give
them, and aligned to one shared set, as :func:`cs_models.pipeline.assemble` gives them); the report
JSON, the story's figures, the downloads and the filters must be equal.
"""

from __future__ import annotations

import io
import json
from datetime import date

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cs_models.datasets import Datasets
from cs_models.export import to_csv_bytes, to_xlsx_bytes
from cs_models.filters import SegmentFilter
from cs_models.ids import align_ids, categorical_ids, concat_ids, is_categorical, lookup
from cs_models.io import read_table
from cs_models.pipeline import assemble, load_files, process_table
from cs_models.report import datasets_report
from cs_models.sample import SAMPLE_DIR, load_sample
from cs_models.schema import validate

AS_OF = date(2026, 10, 31)


def _frames(datasets: Datasets) -> dict[str, pd.DataFrame | None]:
    return {k: datasets.get(k) for k in datasets.available()}


def as_object(datasets: Datasets) -> Datasets:
    """Every ``customer_id`` as Python strings."""
    frames = {}
    for kind, frame in _frames(datasets).items():
        if frame is not None and "customer_id" in frame.columns and is_categorical(frame["customer_id"]):
            frame = frame.copy(deep=False)
            frame["customer_id"] = frame["customer_id"].astype(object)
        frames[kind] = frame
    return datasets.with_frames(**frames)


def as_categorical(datasets: Datasets, *, aligned: bool) -> Datasets:
    """Every ``customer_id`` a categorical, each kind its own categories or all one set."""
    frames = {k: None if f is None else categorical_ids(f.assign(customer_id=f["customer_id"].astype(object))
                                                         if "customer_id" in f.columns else f)
              for k, f in _frames(as_object(datasets)).items()}
    if aligned:
        frames = align_ids(frames)
    return datasets.with_frames(**frames)


@pytest.fixture(scope="module")
def sample() -> Datasets:
    return load_sample("ja")


@pytest.fixture(scope="module", params=["own categories", "aligned"])
def pair(request: pytest.FixtureRequest, sample: Datasets) -> tuple[Datasets, Datasets]:
    return as_object(sample), as_categorical(sample, aligned=request.param == "aligned")


def test_the_sample_gives_aligned_categorical_ids(sample):
    dtypes = {k: sample.get(k)["customer_id"].dtype for k in sample.available()
              if "customer_id" in sample.get(k).columns}
    assert set(dtypes) >= {"customers", "events", "tickets", "plan_history", "gaps"}
    assert all(isinstance(d, pd.CategoricalDtype) for d in dtypes.values())
    assert len(set(dtypes.values())) == 1  # one shared set of categories
    categories = next(iter(dtypes.values())).categories
    assert categories.is_monotonic_increasing
    assert categories.dtype == object


def _json(report: dict) -> str:
    return json.dumps(report, ensure_ascii=False, sort_keys=True, default=str)


def differences(left: object, right: object, path: str = "$") -> list[str]:
    """Paths where two JSON values differ (the first few, to say where a result changed)."""
    if isinstance(left, dict) and isinstance(right, dict):
        out = [f"{path}.{k}: only one side" for k in sorted(set(left) ^ set(right), key=str)]
        for key in left.keys() & right.keys():
            out += differences(left[key], right[key], f"{path}.{key}")
        return out[:20]
    if isinstance(left, list) and isinstance(right, list):
        if len(left) != len(right):
            return [f"{path}: length {len(left)} != {len(right)}"]
        return [d for i, (a, b) in enumerate(zip(left, right, strict=True))
                for d in differences(a, b, f"{path}[{i}]")][:20]
    return [] if left == right else [f"{path}: {str(left)[:80]} != {str(right)[:80]}"]


def same_report(left: dict, right: dict) -> None:
    a, b = json.loads(_json(left)), json.loads(_json(right))
    assert differences(a, b) == []
    assert _json(left) == _json(right)


def test_the_report_is_the_same(pair):
    plain, coded = pair
    same_report(datasets_report(plain, as_of=AS_OF), datasets_report(coded, as_of=AS_OF))


def test_the_report_with_options_and_a_filter_is_the_same(pair):
    plain, coded = pair
    chosen = SegmentFilter.of({"地域": ["関東", "関西"]})
    options = {"segment": "プラン", "segment_filter": chosen}
    same_report(datasets_report(plain, as_of=AS_OF, **options), datasets_report(coded, as_of=AS_OF, **options))


def test_community_with_customer_ids_is_the_same(sample):
    """A community export that names each member's customer (some blank), as an upload gives it."""
    from cs_models import community

    log = sample.community.copy()
    log["customer_id"] = log["member_id"].where(log["member_id"].str[-1] != "7")
    plain = as_object(sample).with_frames(community=log)
    coded = as_categorical(plain, aligned=False)  # blanks are filled with member IDs its categories lack
    assert is_categorical(coded.community["customer_id"])
    same_report(community.report_section(plain, as_of=AS_OF), community.report_section(coded, as_of=AS_OF))


def test_the_journey_from_billed_plans_is_the_same(sample):
    """Without a plan history the journey reads the plan billed on each event (cs_models.journey.history)."""
    from cs_models import journey

    base = as_object(sample)
    plans = base.customers.set_index("customer_id")["プラン"]
    events = base.events.assign(plan=base.events["customer_id"].map(plans))
    plain = base.with_frames(events=events, plan_history=None)
    coded = as_categorical(plain, aligned=False)
    left = journey.report_section(plain, as_of=AS_OF)
    assert left is not None
    assert left["stages_from"] == "events"
    same_report(left, journey.report_section(coded, as_of=AS_OF))


def test_filters_keep_the_same_rows(pair):
    plain, coded = pair
    chosen = SegmentFilter.of({"プラン": ["プロ"]})
    a, b = chosen.apply(plain), chosen.apply(coded)
    for kind in plain.available():
        left, right = a.get(kind), b.get(kind)
        if left is None:
            assert right is None
            continue
        pd.testing.assert_frame_equal(as_object(b).get(kind).reset_index(drop=True),
                                      left.reset_index(drop=True), check_dtype=False)
    assert chosen.counts(coded) == chosen.counts(plain)


def test_the_story_draws_the_same_figures(pair):
    from cs_models.story import build_story

    plain, coded = pair
    left = build_story(plain, as_of=AS_OF, lang="ja").figures_by_section()
    right = build_story(coded, as_of=AS_OF, lang="ja").figures_by_section()
    assert list(left) == list(right)
    for section in left:
        assert [f.to_json() for f in right[section]] == [f.to_json() for f in left[section]], section


def test_downloads_show_the_id_text(sample):
    coded = sample.customers.head(50)
    plain = as_object(sample).customers.head(50)
    assert to_csv_bytes(coded, index=False) == to_csv_bytes(plain, index=False)
    indexed = coded.set_index("customer_id")
    assert to_csv_bytes(indexed) == to_csv_bytes(plain.set_index("customer_id"))
    left = pd.read_excel(io.BytesIO(to_xlsx_bytes(coded, index=False)))
    right = pd.read_excel(io.BytesIO(to_xlsx_bytes(plain, index=False)))
    pd.testing.assert_frame_equal(left, right)
    assert left["customer_id" if "customer_id" in left else left.columns[0]].astype(str).str.len().gt(0).all()


# ----------------------------------------------------------------------------- ingestion
def _files(*names: str) -> list[tuple[str, bytes]]:
    return [(name, (SAMPLE_DIR / "ja" / name).read_bytes()) for name in names]


def test_validation_gives_categorical_ids():
    for name, kind in (("customers.csv", "customers"), ("events.csv", "events"), ("tickets.csv", "tickets")):
        (filename, data), = _files(name)
        result = validate(read_table(data, filename), kind)
        ids = result.frame["customer_id"]
        assert is_categorical(ids), kind
        assert ids.cat.categories.is_monotonic_increasing
        assert ids.notna().all()


def test_uploaded_datasets_share_one_set_of_categories():
    datasets, _ = load_files(_files("customers.csv", "events.csv", "tickets.csv"))
    dtypes = {datasets.get(k)["customer_id"].dtype for k in ("customers", "events", "tickets")}
    assert len(dtypes) == 1
    assert isinstance(next(iter(dtypes)), pd.CategoricalDtype)


def test_parts_of_one_dataset_combine_into_one_categorical():
    data = (SAMPLE_DIR / "ja" / "events.csv").read_bytes()
    text = data.decode("utf-8-sig").splitlines()
    head, body = text[0], text[1:]
    half = len(body) // 2
    parts = [(f"events_{i}.csv", "\n".join([head, *chunk]).encode()) for i, chunk in
             enumerate((body[:half], body[half:]))]
    reports = [process_table(read_table(d, n), n, kind="events") for n, d in parts]
    combined = assemble(reports, combine=True).events
    assert is_categorical(combined["customer_id"])
    whole = process_table(read_table(data, "events.csv"), "events.csv", kind="events").frame
    pd.testing.assert_series_equal(combined["customer_id"].astype(object), whole["customer_id"].astype(object))


def test_customer_parts_still_report_ids_repeated_across_files():
    data = (SAMPLE_DIR / "ja" / "customers.csv").read_bytes()
    text = data.decode("utf-8-sig").splitlines()
    head, body = text[0], text[1:]
    parts = [("a.csv", "\n".join([head, *body[:30]]).encode()), ("b.csv", "\n".join([head, *body[20:40]]).encode())]
    reports = [process_table(read_table(d, n), n, kind="customers") for n, d in parts]
    from cs_models.pipeline import cross_file_issues

    issues = cross_file_issues(reports)
    assert len(issues) == 10
    assert set(issues["detail"]) == {"a.csv"}
    combined = assemble(reports, combine=True).customers
    assert len(combined) == 40
    assert combined["customer_id"].is_unique


# ----------------------------------------------------------------------------- the helpers
def test_categorical_ids_sorts_text_categories_and_keeps_blanks():
    frame = pd.DataFrame({"customer_id": ["b", None, "a", "é", "Z", "b", 3, "10"], "x": range(8)})
    ids = categorical_ids(frame)["customer_id"]
    assert ids.astype(object).tolist()[2:] == ["a", "é", "Z", "b", "3", "10"]
    assert ids.isna().tolist() == [False, True, *[False] * 6]
    assert list(ids.cat.categories) == sorted({"b", "a", "é", "Z", "3", "10"})
    assert categorical_ids(categorical_ids(frame)) is not frame  # idempotent, and the input is not changed
    assert frame["customer_id"].dtype == object


def test_numbers_and_their_text_are_one_id():
    ids = categorical_ids(pd.DataFrame({"customer_id": [1, "1", 2, None]}))["customer_id"]
    assert list(ids.cat.categories) == ["1", "2"]
    assert ids.cat.codes.tolist() == [0, 0, 1, -1]


def test_align_ids_gives_every_frame_the_sorted_union():
    frames = align_ids({"customers": pd.DataFrame({"customer_id": ["c", "a"]}),
                        "events": pd.DataFrame({"customer_id": ["b", "a", "a"]}),
                        "survey": pd.DataFrame({"q": [1]}), "gaps": None})
    assert frames["gaps"] is None
    assert list(frames["survey"].columns) == ["q"]
    left, right = frames["customers"]["customer_id"], frames["events"]["customer_id"]
    assert left.dtype == right.dtype
    assert list(left.cat.categories) == ["a", "b", "c"]
    assert right.astype(object).tolist() == ["b", "a", "a"]
    merged = frames["events"].merge(frames["customers"], on="customer_id")
    assert is_categorical(merged["customer_id"])


_IDS = st.lists(st.one_of(st.none(), st.sampled_from(["a", "b", "B", "é", "ä", "10", "9", "C001", "顧客1", "𝔸"])),
                min_size=1, max_size=12)


@settings(max_examples=200, deadline=None)
@given(st.lists(_IDS, min_size=1, max_size=4))
def test_concat_ids_equals_pandas_concat_of_the_texts(parts):
    """The Arrow union and the joined codes (``concat_ids``, ``align_ids``) against the
    straightforward path: ``pandas.concat`` of the text IDs, made categorical of the sorted texts."""
    frames = [pd.DataFrame({"x": range(len(ids)), "customer_id": ids, "y": [0.5] * len(ids)}) for ids in parts]
    combined = concat_ids([categorical_ids(f) for f in frames])
    expected = pd.concat(frames, ignore_index=True)
    assert list(combined.columns) == ["x", "customer_id", "y"]
    pd.testing.assert_frame_equal(combined.drop(columns="customer_id"), expected.drop(columns="customer_id"))
    assert combined["customer_id"].astype(object).where(combined["customer_id"].notna(), None).tolist() == \
        expected["customer_id"].tolist()
    present = sorted({i for ids in parts for i in ids if i is not None})
    assert list(combined["customer_id"].cat.categories) == present  # the union, in Python's order of str
    aligned = align_ids({str(k): categorical_ids(f) for k, f in enumerate(frames)})
    sets = [f["customer_id"].cat.categories for f in aligned.values() if f is not None]
    assert all(c is sets[0] for c in sets)  # one categories object: aligning again finds them aligned


@pytest.mark.parametrize("categorical", [False, True])
def test_lookup_gives_the_values_dtype_even_when_each_id_maps_to_its_own_value(categorical):
    ids = pd.Series(["a", "b", "c", "b"])
    if categorical:
        ids = categorical_ids(ids.to_frame("customer_id"))["customer_id"]
    counts = pd.Series({"a": 1, "b": 2, "c": 3})
    assert lookup(ids, counts).fillna(0).tolist() == [1, 2, 3, 2]  # Series.map gives a categorical here
    assert lookup(ids, counts).dtype == "int64"
    assert lookup(ids, {"a": 1.5}).tolist()[0] == 1.5
    assert lookup(ids, {"a": 1.5}).isna().tolist() == [False, True, True, True]


def test_codes_found_while_validating_give_the_same_categorical():
    from cs_models.ids import _as_categorical

    cells = pd.Series(["b", None, "a", "c", "a", None, "b"], dtype=object)
    codes = np.array([0, -1, 1, 2, 1, -1, 0])
    hashed = _as_categorical(cells)
    for known in (codes, codes[[0, 2, 3, 4, 6]]):
        part = cells if len(known) == len(cells) else cells.dropna().reset_index(drop=True)
        got = _as_categorical(part, known)
        expected = hashed if part is cells else _as_categorical(part)
        pd.testing.assert_series_equal(got, expected)
    wrong = np.array([0, -1, 1, 2, 1, -1, 2])  # "b" and "c" share a code: not trusted, hashed instead
    pd.testing.assert_series_equal(_as_categorical(cells, wrong), hashed)
    blank = np.array([0, 0, 1, 2, 1, -1, 0])  # a blank cell with a code: hashed instead
    pd.testing.assert_series_equal(_as_categorical(cells, blank), hashed)


def test_ids_sorted_or_not_give_the_categorical_of_their_sorted_texts():
    """The categories' uniqueness is taken from their order when they come sorted (no hashing): the
    result is the plain categorical of the sorted distinct texts, with or without known codes."""
    from cs_models.ids import _as_categorical

    rng = np.random.default_rng(5)
    alphabet = np.array(["a", "b", "B", "é", "10", "2", "Z", "aa", "00012", "顧客"], dtype=object)
    for _ in range(300):
        texts = rng.choice(alphabet, rng.integers(1, 30)) if rng.random() < 0.7 else rng.permutation(alphabet)
        if rng.random() < 0.5:
            texts = np.sort(texts)
        cells = pd.Series(texts, dtype=object, name="customer_id")
        cells[rng.random(len(cells)) < 0.2] = None
        expected = pd.Series(pd.Categorical(cells, categories=sorted(set(cells.dropna()))), name="customer_id")
        pd.testing.assert_series_equal(_as_categorical(cells), expected)
        codes, _ = pd.factorize(cells)
        pd.testing.assert_series_equal(_as_categorical(cells, codes), expected)


def test_parts_joined_as_codes_equal_pandas_concat():
    """``concat_ids`` (codes joined, the other columns joined one by one) against ``pandas.concat`` of the
    aligned parts, with empty parts, blanks, a date column and a column of ints in some parts and floats
    in others."""
    rng = np.random.default_rng(8)
    pool = np.array(["a", "b", "c", "d", "é", "10"], dtype=object)
    for _ in range(100):
        parts = []
        for _ in range(int(rng.integers(1, 4))):
            n = int(rng.integers(0, 8))
            ids = pd.Series(rng.choice(pool, n), dtype=object)
            ids[rng.random(n) < 0.2] = None
            number = rng.integers(0, 5, n) if rng.random() < 0.5 else rng.random(n)  # int in some parts
            parts.append(pd.DataFrame({"customer_id": ids, "date": pd.date_range("2024-01-01", periods=n),
                                       "plan": rng.choice(["x", "y"], n).astype(object), "n": number,
                                       "m": rng.random(n)}))
        frames = align_ids({str(i): categorical_ids(f) for i, f in enumerate(parts)})
        aligned = [frames[str(i)] for i in range(len(parts))]
        expected = pd.concat(aligned, ignore_index=True)
        pd.testing.assert_frame_equal(concat_ids([categorical_ids(f) for f in parts]), expected)
        union = sorted({v for f in parts for v in f["customer_id"].dropna()})
        assert all(list(f["customer_id"].cat.categories) == union for f in aligned)
        for part, got in zip(parts, aligned, strict=True):
            assert got["customer_id"].astype(object).where(got["customer_id"].notna(), None).tolist() == \
                part["customer_id"].tolist()
