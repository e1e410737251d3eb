"""The house rules of the code base (issue "One house before it grows"), checked on the source.

- each shared statistic is written once, in :mod:`cs_models.stats` (or its chart twin in
  :mod:`cs_models.charts.theme`), and every analysis imports it from there;
- pages and the ``ui`` package hold no statistical decisions (thresholds, p-value rules);
- no module of ``cs_models`` is over 600 lines, no page over 150;
- ``cs_models`` never imports Streamlit.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
MODELS = sorted((ROOT / "cs_models").rglob("*.py"))
MAX_FUNCTION_LINES = 60
UI = sorted((ROOT / "ui").rglob("*.py")) + sorted((ROOT / "pages").glob("*.py"))


def lines_matching(files: list[Path], pattern: str) -> list[str]:
    regex = re.compile(pattern)
    return [
        f"{path.relative_to(ROOT)}:{number}: {line.strip()}"
        for path in files
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if regex.search(line)
    ]


@pytest.mark.parametrize(
    ("pattern", "home"),
    [
        (r"proportion_confint\(", "cs_models/stats.py"),
        (r"multipletests\(|def \w*holm\w*\(", "cs_models/stats.py"),
        (r"def \w*(wilson|proportion_interval)\w*\(", "cs_models/stats.py"),
        (r"def segment_columns\(", "cs_models/stats.py"),
        (r"def (_?json_number|_num|_clean|jsonable)\(", "cs_models/results.py"),
        (r"html\.escape\(", "cs_models/charts/theme.py"),
        (r"def _?(pct\d?|p_value|p_text)\(", "cs_models/format.py"),
    ],
)
def test_each_statistic_and_helper_is_written_once(pattern, home):
    """One implementation: the pattern occurs only in its home module (report.py escapes HTML
    pages and is allowed its own ``html.escape``)."""
    found = lines_matching(MODELS + UI, pattern)
    elsewhere = [hit for hit in found if not hit.startswith(home) and not hit.startswith("cs_models/report.py")]
    assert elsewhere == []
    assert any(hit.startswith(home) for hit in found)


def test_pages_and_ui_hold_no_statistical_decisions():
    """Thresholds and p-value rules belong in ``cs_models`` findings, not in pages or widgets."""
    decisions = r"<=?\s*0\.0[0-9]|\bp(_value|_adj|value)?\s*[<>]|\balpha\s*=\s*0\.\d|\bMIN_[A-Z_]+\s*=\s*\d"
    assert lines_matching(UI, decisions) == []


def test_module_and_page_sizes():
    too_long = [
        f"{p.relative_to(ROOT)}: {n} lines"
        for p, limit in [(p, 600) for p in MODELS] + [(p, 150) for p in (ROOT / "pages").glob("*.py")]
        if (n := len(p.read_text(encoding="utf-8").splitlines())) > limit
    ]
    assert too_long == []


def test_models_never_import_streamlit():
    assert lines_matching(MODELS, r"^\s*(import|from)\s+streamlit") == []


def _functions(path: Path):
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            yield node


def _code_lines(node: ast.FunctionDef | ast.AsyncFunctionDef) -> int:
    """Lines of a function's body after its docstring (numpydoc docstrings of many-parameter
    functions are long by rule; the code is what must stay short)."""
    body = node.body
    has_doc = isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant) and len(body) > 1
    return node.end_lineno - (body[1] if has_doc else body[0]).lineno + 1


def test_no_function_body_is_longer_than_sixty_lines():
    long = [f"{p.relative_to(ROOT)}:{f.name} ({_code_lines(f)})" for p in MODELS for f in _functions(p)
            if _code_lines(f) > MAX_FUNCTION_LINES]
    assert long == []


def test_public_functions_have_numpydoc_parameters_and_returns():
    """Every public function of a public module documents its parameters and what it returns."""
    missing = []
    for path in MODELS:
        if path.name.startswith("_") and path.name != "__init__.py":
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in tree.body:
            for f in [node, *(node.body if isinstance(node, ast.ClassDef) else [])]:
                if not isinstance(f, ast.FunctionDef) or f.name.startswith("_"):
                    continue
                if any(isinstance(d, ast.Name) and d.id == "property" for d in f.decorator_list):
                    continue
                doc = ast.get_docstring(f) or ""
                args = [a.arg for a in f.args.posonlyargs + f.args.args + f.args.kwonlyargs
                        if a.arg not in ("self", "cls")]
                where = f"{path.relative_to(ROOT)}:{f.name}"
                if (args or f.args.vararg or f.args.kwarg) and "Parameters\n" not in doc:
                    missing.append(f"{where}: Parameters")
                returns = f.returns
                if (returns is not None and not (isinstance(returns, ast.Constant) and returns.value is None)
                        and "Returns\n" not in doc and "Yields\n" not in doc):
                    missing.append(f"{where}: Returns")
    assert missing == []
