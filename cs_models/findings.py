"""Findings: what a result *means*, as data the UI, the story and the report translate.

A :class:`Finding` is a code plus parameters, never a sentence: the sentence is the
catalogue entry ``findings.<code>`` in each language, formatted with the finding's
``params`` (see :mod:`cs_models.format`). Each analysis module exposes
``findings(result, ...) -> list[Finding]``; every decision (significance level,
minimum group size, which group is "best") is made there, with its thresholds as
parameters, so pages only render.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from cs_models.catalogue import translate
from cs_models.results import jsonable

#: Severities, most important first: ``alert`` needs action, ``notice`` is worth knowing,
#: ``positive`` is good news, ``info`` is context (a base, a caveat).
SEVERITIES: tuple[str, ...] = ("alert", "notice", "positive", "info")
#: Smallest group a finding may compare (groups below it are too noisy to name).
MIN_GROUP = 30


@dataclass(frozen=True)
class Finding:
    """One reading of a result.

    Attributes
    ----------
    code : str
        ``"<section>.<name>"``, e.g. ``"churn.segment_lives_longer"``; the catalogue key is
        ``findings.<code>``.
    section : str
        Analysis it belongs to (``"cohorts"``, ``"churn"``, ``"survey"``, ``"gaps"``, …).
    severity : str
        One of :data:`SEVERITIES`.
    params : mapping
        Values of the sentence's placeholders (numbers stay numbers).
    evidence : mapping
        The statistics behind it (test, p-value, n, …), for the report and the tooltip.
    """

    code: str
    section: str
    severity: str
    params: Mapping[str, Any] = field(default_factory=dict)
    evidence: Mapping[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.severity not in SEVERITIES:
            raise ValueError(f"unknown severity {self.severity!r}")
        if not self.code.startswith(f"{self.section}."):
            raise ValueError(f"code {self.code!r} is not in section {self.section!r}")

    @property
    def key(self) -> str:
        """Catalogue key of the sentence."""
        return f"findings.{self.code}"

    def text(self, lang: str, escape: Callable[[str], str] | None = None) -> str:
        """The sentence in ``lang``.

        Parameters
        ----------
        lang : {"ja", "en"}
            Language of the reader.
        escape : callable, optional
            Applied to text parameters (user data such as segment names) before they are
            placed in the sentence, e.g. markdown or HTML escaping; numbers keep their specs.

        Returns
        -------
        str
            The sentence.
        """
        params = {k: escape(v) if escape and isinstance(v, str) else v for k, v in self.params.items()}
        return translate(lang, self.key, **params)

    def to_dict(self, lang: str | None = None) -> dict[str, Any]:
        """JSON form: ``{"code", "section", "severity", "params", "evidence"}`` (+ ``"text"``).

        Parameters
        ----------
        lang : str, optional
            When given, the sentence in that language is added as ``"text"``.

        Returns
        -------
        dict
            JSON-ready data.
        """
        out: dict[str, Any] = {
            "code": self.code,
            "section": self.section,
            "severity": self.severity,
            "params": jsonable(dict(self.params)),
            "evidence": jsonable(dict(self.evidence)),
        }
        if lang is not None:
            out["text"] = self.text(lang)
        return out


def ranked(findings: Iterable[Finding]) -> list[Finding]:
    """``findings`` ordered by severity (:data:`SEVERITIES`), keeping each module's own order within one.

    Parameters
    ----------
    findings : iterable of Finding
        Findings of one or more analyses.

    Returns
    -------
    list of Finding
        Most important first.
    """
    return sorted(findings, key=lambda f: SEVERITIES.index(f.severity))
