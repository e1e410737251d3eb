"""Reading and writing the localised sample CSVs that live beside the main sample files."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

import pandas as pd


def write_localised(local: pd.DataFrame, root: Path, lang: str, name: str) -> list[Path]:
    """Write ``<root>/<lang>/<name>.csv`` and its blank template ``<root>/templates/<name>_<lang>.csv``.

    Parameters
    ----------
    local : DataFrame
        The localised text cells (headers and labels in ``lang``).
    root : Path
        ``sample_data``.
    lang : {"ja", "en"}
        Language of the file.
    name : str
        Dataset kind, the file's stem.

    Returns
    -------
    list of Path
        The file and the template (UTF-8 with BOM, for Excel).
    """
    paths = [root / lang / f"{name}.csv", root / "templates" / f"{name}_{lang}.csv"]
    local.to_csv(paths[0], index=False, encoding="utf-8-sig", lineterminator="\n")
    local.head(0).to_csv(paths[1], index=False, encoding="utf-8-sig", lineterminator="\n")
    return paths


def read_localised(folder: Path, name: str, headers: Mapping[str, str],
                   dates: Mapping[str, str] | None = None) -> pd.DataFrame:
    """``<folder>/<name>.csv`` with canonical headers, blanks as ``None`` and dates parsed.

    Parameters
    ----------
    folder : Path
        ``sample_data/<lang>``.
    name : str
        Dataset kind, the file's stem.
    headers : Mapping[str, str]
        Canonical name -> header in the file (other headers are kept).
    dates : Mapping[str, str], optional
        Canonical date column -> its ``strftime`` format in the file.

    Returns
    -------
    DataFrame
        Text cells, the date columns as datetime64.
    """
    frame = pd.read_csv(folder / f"{name}.csv", encoding="utf-8-sig", dtype=str, keep_default_na=False)
    frame = frame.rename(columns={header: canonical for canonical, header in headers.items()}).replace("", None)
    for column, written in (dates or {}).items():
        frame[column] = pd.to_datetime(frame[column], format=written.replace("%-", "%"))
    return frame
