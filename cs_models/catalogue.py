"""The translation catalogue: ``locales/<lang>/*.toml`` merged into flat keys.

Part of :mod:`cs_models` (no Streamlit) so the report command, tests and tools
translate exactly as the UI does; the UI's ``t()`` binds the current language.
"""

from __future__ import annotations

import functools
import string
import tomllib
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from cs_models.format import MessageFormatter

LOCALES_DIR = Path(__file__).resolve().parent.parent / "locales"
LANGUAGES = ("ja", "en")
DEFAULT_LANGUAGE = "en"


class CatalogueError(ValueError):
    """The catalogue files are inconsistent (a key defined twice, a value not text)."""


def _flatten(prefix: str, table: Mapping[str, Any], out: dict[str, str], source: Path) -> None:
    for key, value in table.items():
        full = f"{prefix}.{key}" if prefix else key
        if isinstance(value, Mapping):
            _flatten(full, value, out, source)
        elif isinstance(value, str):
            if full in out:
                raise CatalogueError(f"{full} is defined twice ({source})")
            out[full] = value
        else:
            raise CatalogueError(f"{full} in {source} is not text")


@functools.cache
def catalogue(lang: str) -> Mapping[str, str]:
    """All messages of ``lang`` as ``{"namespace.key": text}``.

    Parameters
    ----------
    lang : {"ja", "en"}
        Language whose ``locales/<lang>/*.toml`` files are read (cached per language).

    Returns
    -------
    Mapping[str, str]
        Every message of the language keyed by its dotted ``"<namespace>.<key>"`` name.

    Raises
    ------
    CatalogueError
        If ``lang`` is not in :data:`LANGUAGES`, a key is defined twice or a value is not text.
    """
    if lang not in LANGUAGES:
        raise CatalogueError(f"unknown language {lang!r}")
    out: dict[str, str] = {}
    for path in sorted((LOCALES_DIR / lang).glob("*.toml")):
        with path.open("rb") as handle:
            _flatten("", tomllib.load(handle), out, path)
    return out


def placeholders(text: str) -> set[str]:
    """Names of the ``{placeholders}`` in a message template.

    Parameters
    ----------
    text : str
        A message template in :meth:`str.format` syntax.

    Returns
    -------
    set[str]
        The base name of each replacement field, without attribute access, index or format spec
        (``{share:pct}`` and ``{row[0]}`` give ``"share"`` and ``"row"``).
    """
    return {name.split(".")[0].split("[")[0] for _, name, _, _ in string.Formatter().parse(text) if name}


def translate(lang: str, key: str, **params: Any) -> str:
    """The message ``key`` in ``lang`` formatted with ``params``.

    Parameters
    ----------
    lang : {"ja", "en"}
        Language; a key missing there falls back to English, then to the key itself.
    key : str
        ``"<namespace>.<key>"``.
    **params
        Values of the template's placeholders; numbers may carry the specs of
        :class:`cs_models.format.MessageFormatter` (``{share:pct}``, ``{p:p}``).

    Returns
    -------
    str
        The translated message.
    """
    text = catalogue(lang).get(key)
    if text is None:
        text = catalogue(DEFAULT_LANGUAGE).get(key, key)
    return MessageFormatter(lang).format(text, **params) if params else text
