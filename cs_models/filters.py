"""A filter on segment values that applies to every dataset (``地域 = 関東``, ``プラン ∈ {スタンダード, プロ}``).

:class:`SegmentFilter` is a pure value: :meth:`SegmentFilter.apply` returns new
:class:`~cs_models.datasets.Datasets` in which

- a frame that has every filter column keeps the rows whose values are chosen
  (customers, and e.g. gap answers with a plan column);
- any other frame with a customer id column (``customer_id``, else ``member_id``) keeps the
  rows of the customers kept above (events, tickets);
- a frame with neither (e.g. a survey without customer ids) is left as it is and named by
  :meth:`SegmentFilter.untouched`, so the UI can say that the filter does not reach it.

Each condition keeps a row whose value is one of the chosen values; conditions on different
columns must all hold. :meth:`SegmentFilter.validate` raises
:class:`~cs_models.errors.DataError` up front for an unknown column or value.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import pandas as pd

from cs_models.catalogue import translate
from cs_models.datasets import Datasets
from cs_models.errors import DataError

#: Columns that link a row to a customer, in order of preference.
ID_COLUMNS: tuple[str, ...] = ("customer_id", "member_id")
#: Separator of the values of one condition on the command line (``プラン=スタンダード,プロ``).
VALUE_SEPARATOR = ","


@dataclass(frozen=True)
class SegmentFilter:
    """Conditions ``column -> chosen values``; empty means no filter.

    Attributes
    ----------
    conditions : tuple of (str, tuple of str)
        Each column with the values it keeps, in the order given.
    """

    conditions: tuple[tuple[str, tuple[str, ...]], ...] = ()

    @classmethod
    def of(cls, mapping: Mapping[str, Iterable[Any]]) -> SegmentFilter:
        """A filter from ``{column: values}``; columns with no value chosen are left out.

        Parameters
        ----------
        mapping : Mapping[str, Iterable]
            Column -> chosen values (converted to text).

        Returns
        -------
        SegmentFilter
            The filter, its columns in the mapping's order.
        """
        conditions = []
        for column, values in mapping.items():
            chosen = tuple(dict.fromkeys(str(v) for v in values))
            if chosen:
                conditions.append((str(column), chosen))
        return cls(tuple(conditions))

    @classmethod
    def parse(cls, texts: Sequence[str]) -> SegmentFilter:
        """A filter from command-line conditions such as ``"地域=関東"`` and ``"プラン=スタンダード,プロ"``.

        Parameters
        ----------
        texts : Sequence[str]
            ``COLUMN=VALUE[,VALUE...]`` each; the same column twice adds its values.

        Returns
        -------
        SegmentFilter
            The filter.

        Raises
        ------
        DataError
            ``filter_syntax`` for a text without ``=`` or without a value.
        """
        mapping: dict[str, list[str]] = {}
        for text in texts:
            column, sep, values = text.partition("=")
            chosen = [v.strip() for v in values.split(VALUE_SEPARATOR) if v.strip()]
            if not sep or not column.strip() or not chosen:
                raise DataError("filter_syntax", f"not COLUMN=VALUE[,VALUE...]: {text!r}", text=text)
            mapping.setdefault(column.strip(), []).extend(chosen)
        return cls.of(mapping)

    def __bool__(self) -> bool:
        return bool(self.conditions)

    @property
    def columns(self) -> tuple[str, ...]:
        """The filtered columns."""
        return tuple(column for column, _ in self.conditions)

    def validate(self, datasets: Datasets) -> None:
        """Check that every column is in a loaded dataset and every value occurs in it.

        Parameters
        ----------
        datasets : Datasets
            The unfiltered datasets.

        Raises
        ------
        DataError
            ``filter_unknown_column`` or ``filter_unknown_value`` (with ``column``/``value``).
        """
        frames = [datasets.get(kind) for kind in datasets.available()]
        for column, values in self.conditions:
            having = [frame[column] for frame in frames if frame is not None and column in frame.columns]
            if not having:
                raise DataError("filter_unknown_column", f"no dataset has a column {column!r}", column=column)
            known = set().union(*(set(series.dropna().astype(str)) for series in having))
            for value in values:
                if value not in known:
                    raise DataError("filter_unknown_value", f"{column!r} has no value {value!r}",
                                    column=column, value=value)

    def mask(self, frame: pd.DataFrame) -> pd.Series:
        """Rows of ``frame`` (which has every filter column) that meet all conditions.

        Parameters
        ----------
        frame : pandas.DataFrame
            A frame with every column of :attr:`columns`.

        Returns
        -------
        pandas.Series
            Boolean, aligned with ``frame``; a missing value meets no condition.
        """
        keep = pd.Series(True, index=frame.index)
        for column, values in self.conditions:
            series = frame[column]
            keep &= series.notna() & series.astype(str).isin(values)
        return keep

    def _kept_ids(self, datasets: Datasets) -> set[str] | None:
        customers = datasets.customers
        if customers is None or not all(c in customers.columns for c in self.columns):
            return None
        return set(customers.loc[self.mask(customers), "customer_id"].astype(str))

    def _filter(self, frame: pd.DataFrame, ids: set[str] | None) -> pd.DataFrame | None:
        """``frame`` filtered, or ``None`` when the filter cannot reach it.

        A frame linked to the customers goes by the kept customers (a plan history's ``plan`` is the
        plan at each change, not the customer's segment); a frame without a link, by its own columns."""
        id_column = next((c for c in ID_COLUMNS if c in frame.columns), None)
        if ids is not None and id_column is not None:
            linked = frame[id_column]
            return frame.loc[linked.notna() & linked.astype(str).isin(ids)]
        if all(c in frame.columns for c in self.columns):
            return frame.loc[self.mask(frame)]
        return None

    def apply(self, datasets: Datasets) -> Datasets:
        """The datasets restricted to the chosen segment values.

        Parameters
        ----------
        datasets : Datasets
            The unfiltered datasets (validate them first with :meth:`validate`).

        Returns
        -------
        Datasets
            New datasets; frames the filter cannot reach (:meth:`untouched`) are kept whole.
            With no condition, ``datasets`` itself.
        """
        if not self:
            return datasets
        ids = self._kept_ids(datasets)
        frames: dict[str, pd.DataFrame | None] = {}
        for kind in datasets.available():
            filtered = self._filter(datasets.get(kind), ids)
            if filtered is not None:
                frames[kind] = filtered.reset_index(drop=True)
        return datasets.with_frames(**frames)

    def untouched(self, datasets: Datasets) -> list[str]:
        """Kinds of loaded dataset that have neither the filter's columns nor a link to the customers.

        Parameters
        ----------
        datasets : Datasets
            The unfiltered datasets.

        Returns
        -------
        list of str
            Those kinds, in canonical order (empty when the filter is empty).
        """
        if not self:
            return []
        ids = self._kept_ids(datasets)
        return [kind for kind in datasets.available() if self._filter(datasets.get(kind), ids) is None]

    def counts(self, datasets: Datasets) -> tuple[int, int] | None:
        """Customers kept and customers in all: the filtered n.

        Parameters
        ----------
        datasets : Datasets
            The unfiltered datasets.

        Returns
        -------
        tuple of int or None
            ``(kept, total)``; ``None`` without a customers dataset the filter reaches.
        """
        customers = datasets.customers
        if customers is None:
            return None
        filtered = self._filter(customers, self._kept_ids(datasets)) if self else customers
        return None if filtered is None else (len(filtered), len(customers))

    def label(self, lang: str) -> str:
        """The filter in words for chart titles: ``"地域: 関東のみ"`` / ``"region: Kanto only"``.

        Parameters
        ----------
        lang : {"ja", "en"}
            Language of the words around the column names and values (which stay as in the data).

        Returns
        -------
        str
            Plain text (escape it for markup); empty when there is no condition.
        """
        if not self:
            return ""
        parts = [translate(lang, "filters.condition", column=column, values=translate(lang, "filters.or").join(values))
                 for column, values in self.conditions]
        return translate(lang, "filters.only", conditions=translate(lang, "filters.and").join(parts))

    def scope(self, lang: str, datasets: Datasets) -> str:
        """The :meth:`label` with the filtered n, for the line under chart titles:
        ``"地域: 関東のみ（顧客 821 / 2,000）"``.

        Parameters
        ----------
        lang : {"ja", "en"}
            Language of the words.
        datasets : Datasets
            The unfiltered datasets (for the counts).

        Returns
        -------
        str
            Plain text; empty when there is no condition.
        """
        if not self:
            return ""
        counts = self.counts(datasets)
        if counts is None:
            return self.label(lang)
        return translate(lang, "filters.scope", label=self.label(lang), kept=counts[0], total=counts[1])

    def to_dict(self, datasets: Datasets | None = None, lang: str | None = None) -> dict[str, Any]:
        """The filter as JSON data (for the report).

        Parameters
        ----------
        datasets : Datasets, optional
            The unfiltered datasets, to add the customers kept and in all.
        lang : {"ja", "en"}, optional
            Add the :meth:`label` in this language.

        Returns
        -------
        dict
            ``{"conditions": {column: [values]}[, "customers", "customers_total", "untouched"][, "label"]}``
            (with both ``datasets`` and ``lang`` also ``"scope"``: :meth:`scope`).
        """
        out: dict[str, Any] = {"conditions": {column: list(values) for column, values in self.conditions}}
        if datasets is not None:
            counts = self.counts(datasets)
            if counts is not None:
                out["customers"], out["customers_total"] = counts
            out["untouched"] = self.untouched(datasets)
        if lang is not None:
            out["label"] = self.label(lang)
            if datasets is not None:
                out["scope"] = self.scope(lang, datasets)
        return out
