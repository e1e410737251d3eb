"""The translation catalogue: both languages complete, consistent, and covering the code."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from cs_models.catalogue import LANGUAGES, catalogue, placeholders, translate

ROOT = Path(__file__).resolve().parent.parent
#: ``t("a.b")`` / ``reading("a.b")`` / ``page_header("a")`` calls with literal keys in the UI code.
KEY_CALL = re.compile(r"""\b(?:t|reading|translate\(\s*\w+\s*,)\(\s*["']([a-z_]+\.[a-z0-9_.]+)["']""")


def test_both_languages_have_the_same_keys():
    """A key present in one language and not the other fails, naming the keys."""
    ja, en = set(catalogue("ja")), set(catalogue("en"))
    assert ja - en == set(), f"only in ja: {sorted(ja - en)}"
    assert en - ja == set(), f"only in en: {sorted(en - ja)}"


def test_placeholders_match_between_languages():
    """``{n}`` in English must be ``{n}`` in Japanese, or formatting fails in one language."""
    ja, en = catalogue("ja"), catalogue("en")
    mismatched = {
        k: (placeholders(en[k]), placeholders(ja[k])) for k in en if placeholders(en[k]) != placeholders(ja[k])
    }
    assert mismatched == {}


def test_no_empty_messages():
    for lang in LANGUAGES:
        empty = [k for k, v in catalogue(lang).items() if not v.strip()]
        assert empty == [], lang


def test_every_literal_key_used_in_the_code_exists():
    """Scan app.py, pages/ and ui/ for ``t("ns.key")`` calls and check each key in both languages."""
    files = [ROOT / "app.py", *sorted((ROOT / "pages").glob("*.py")), *sorted((ROOT / "ui").rglob("*.py"))]
    used = {m for f in files for m in KEY_CALL.findall(f.read_text(encoding="utf-8"))}
    assert used, "the scan found no keys: the pattern is broken"
    for lang in LANGUAGES:
        missing = sorted(k for k in used if k not in catalogue(lang))
        assert missing == [], f"{lang}: {missing}"


def test_japanese_page_titles_are_japanese():
    """Page titles are translated (no English left in the Japanese menu)."""
    ja = catalogue("ja")
    titles = {k: v for k, v in ja.items() if k.endswith(".page_title")}
    assert titles
    for key, title in titles.items():
        assert re.search(r"[\u3040-\u30ff\u4e00-\u9fff]", title), (key, title)


def test_translate_formats_and_falls_back():
    assert translate("en", "common.rows", n=1234) == "1,234 rows"
    assert translate("ja", "common.rows", n=1234) == "1,234行"
    assert translate("ja", "no.such_key") == "no.such_key"


@pytest.mark.parametrize("lang", LANGUAGES)
def test_every_page_has_title_and_intro(lang):
    from ui.navigation import PAGES

    messages = catalogue(lang)
    for spec in PAGES:
        assert f"{spec.namespace}.page_title" in messages
        assert f"{spec.namespace}.intro" in messages
        assert (ROOT / spec.path).exists()
