"""Spreadsheet exports neutralise formulas (OWASP CSV injection) and open in Excel."""

from __future__ import annotations

import io

import pandas as pd

from cs_models.export import neutralise, to_csv_bytes, to_xlsx_bytes


def test_formula_prefixes_are_neutralised():
    """OWASP: cells starting with = + - @ tab CR are prefixed with an apostrophe; numbers untouched."""
    frame = pd.DataFrame({"name": ["=1+1", "+SUM(A1)", "-2", "@cmd", "\tx", "\rx", "safe"], "n": range(7)})
    out = neutralise(frame)
    assert out["name"].tolist() == ["'=1+1", "'+SUM(A1)", "'-2", "'@cmd", "'\tx", "'\rx", "safe"]
    assert out["n"].tolist() == list(range(7))
    assert frame["name"].iloc[0] == "=1+1"  # the input is not modified


def test_headers_and_index_are_neutralised():
    frame = pd.DataFrame({"=cmd": [1]}, index=pd.Index(["@x"], dtype=object))
    out = neutralise(frame)
    assert list(out.columns) == ["'=cmd"]
    assert list(out.index) == ["'@x"]


def test_csv_has_bom_and_round_trips_japanese():
    frame = pd.DataFrame({"プラン": ["ライト", "=HYPERLINK()"], "n": [1, 2]})
    data = to_csv_bytes(frame, index=False)
    assert data.startswith(b"\xef\xbb\xbf")
    back = pd.read_csv(io.BytesIO(data), encoding="utf-8-sig")
    assert back["プラン"].tolist() == ["ライト", "'=HYPERLINK()"]


def test_xlsx_round_trips_with_several_sheets():
    sheets = {"a": pd.DataFrame({"x": ["=1"]}), "b" * 40: pd.DataFrame({"y": [2.5]})}
    data = to_xlsx_bytes(sheets, index=False)
    back = pd.read_excel(io.BytesIO(data), sheet_name=None, engine="openpyxl")
    assert list(back) == ["a", "b" * 31]
    assert back["a"]["x"].tolist() == ["'=1"]
    assert back["b" * 31]["y"].tolist() == [2.5]


def test_every_label_of_every_frame_shape_is_neutralised():
    """Index names, MultiIndex levels (rows and columns), categorical cells and a CategoricalIndex:
    a live ``=1+1`` in any of them reached a test XLSX before (OWASP CSV injection)."""
    rows = pd.MultiIndex.from_arrays([["=1+1", "a"], pd.Categorical(["+x", "b"])], names=["@who", "-lvl"])
    columns = pd.MultiIndex.from_tuples([("=top", "a"), ("ok", "=sub")])
    frame = pd.DataFrame([[pd.Categorical(["=c"])[0], 1], ["d", 2]], index=rows, columns=columns)
    frame[("ok", "=sub")] = frame[("ok", "=sub")].astype("category")
    frame[("=top", "a")] = pd.Categorical(["=c", "d"])
    out = neutralise(frame)
    assert out.index.names == ["'@who", "'-lvl"]
    assert out.index.get_level_values(0).tolist() == ["'=1+1", "a"]
    assert out.index.get_level_values(1).tolist() == ["'+x", "b"]
    assert out.columns.tolist() == [("'=top", "a"), ("ok", "'=sub")]
    assert out.iloc[:, 0].astype(str).tolist() == ["'=c", "d"]
    named = neutralise(pd.DataFrame({"n": [1]}, index=pd.CategoricalIndex(["=z"], name="=idx")))
    assert (named.index.tolist(), named.index.name) == (["'=z"], "'=idx")
    data = to_xlsx_bytes({"s": frame}, index=True)
    back = pd.read_excel(io.BytesIO(data), header=None, engine="openpyxl")
    texts = [str(v) for v in back.to_numpy().ravel() if isinstance(v, str)]
    assert texts
    assert not [v for v in texts if v.startswith(("=", "+", "-", "@"))]
