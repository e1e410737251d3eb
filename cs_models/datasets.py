"""The canonical datasets every analysis works on.

Canonical columns (after column mapping):

- ``customers``: ``customer_id`` (str), ``start_date`` (datetime64), ``end_date``
  (datetime64, NaT = still active), optional ``mrr`` (float); any other column is
  a segment (text) or a numeric covariate and keeps its own header.
- ``events``: ``customer_id`` (str), ``date`` (datetime64), optional ``amount`` (float) and ``plan`` (str: the
  plan billed; the journey derives plan changes from it when no ``plan_history`` is loaded).
- ``survey``: one row per respondent; question columns keep their headers;
  optional ``respondent_id`` and ``weight``.
- ``gaps``: expectation/satisfaction answers, long or wide; see :mod:`cs_models.gaps`.
- ``community``: ``member_id`` (str), ``date`` (datetime64), ``action`` (a code of
  :data:`cs_models.community.ACTIONS`), optional ``customer_id``, ``thread_id``, ``event_name``.
- ``adoption``: ``user_id`` (str), ``first_used`` (datetime64); a usage log may repeat a user
  (the first date counts); other columns are segments (e.g. department).
- ``plan_history``: ``customer_id`` (str), ``date`` (datetime64), ``plan`` (str: the plan or stage
  from that date on), optional ``mrr`` (float).

``customer_id`` (str) is held as a pandas ``Categorical`` of the texts, one set of sorted categories
across the kinds of a session (:mod:`cs_models.ids`).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import date

import pandas as pd

DATASET_KINDS: tuple[str, ...] = ("customers", "events", "survey", "gaps", "tickets", "community", "adoption",
                                  "plan_history")

#: Date columns of each canonical dataset, used to find the default as-of date.
DATE_COLUMNS: Mapping[str, tuple[str, ...]] = {
    "customers": ("start_date", "end_date"),
    "events": ("date",),
    "tickets": ("created_at", "solved_at"),
    "community": ("date",),
    "adoption": ("first_used",),
    "plan_history": ("date",),
}


@dataclass(frozen=True)
class Datasets:
    """The datasets of one session, wherever they came from.

    Attributes
    ----------
    customers, events, survey, gaps, tickets, community, adoption, plan_history : pandas.DataFrame or None
        Canonical frames; ``None`` when not loaded.
    source : {"sample", "upload"}
        Where the data came from.
    origins : Mapping[str, str]
        Dataset kind -> file name it was read from.
    """

    customers: pd.DataFrame | None = None
    events: pd.DataFrame | None = None
    survey: pd.DataFrame | None = None
    gaps: pd.DataFrame | None = None
    tickets: pd.DataFrame | None = None
    community: pd.DataFrame | None = None
    adoption: pd.DataFrame | None = None
    plan_history: pd.DataFrame | None = None
    source: str = "sample"
    origins: Mapping[str, str] = field(default_factory=dict)

    def get(self, kind: str) -> pd.DataFrame | None:
        """The frame of ``kind`` (one of :data:`DATASET_KINDS`), or ``None``.

        Parameters
        ----------
        kind : str
            A dataset kind, e.g. ``"customers"``.

        Returns
        -------
        pandas.DataFrame or None
            The canonical frame, ``None`` when that kind is not loaded.

        Raises
        ------
        KeyError
            If ``kind`` is not one of :data:`DATASET_KINDS`.
        """
        if kind not in DATASET_KINDS:
            raise KeyError(kind)
        return getattr(self, kind)

    def available(self) -> list[str]:
        """Kinds that are loaded, in canonical order.

        Returns
        -------
        list of str
            The kinds of :data:`DATASET_KINDS` whose frame is not ``None``.
        """
        return [k for k in DATASET_KINDS if self.get(k) is not None]

    def row_counts(self) -> dict[str, int]:
        """Number of rows of each loaded dataset.

        Returns
        -------
        dict of str to int
            Row count by loaded kind, in canonical order.
        """
        return {k: len(self.get(k)) for k in self.available()}  # type: ignore[arg-type]

    def latest_date(self) -> date | None:
        """The latest date found in the date columns: the default as-of date.

        Returns
        -------
        datetime.date or None
            The maximum over the :data:`DATE_COLUMNS` of the loaded frames; ``None`` when none
            of them holds a date.
        """
        latest: pd.Timestamp | None = None
        for kind, columns in DATE_COLUMNS.items():
            frame = self.get(kind)
            if frame is None:
                continue
            for column in columns:
                if column in frame:
                    value = frame[column].max()
                    if pd.notna(value) and (latest is None or value > latest):
                        latest = value
        return None if latest is None else latest.date()

    def with_frames(self, **frames: pd.DataFrame | None) -> Datasets:
        """A copy with some frames replaced.

        Parameters
        ----------
        **frames : pandas.DataFrame or None
            New frames by kind (e.g. ``events=frame``); ``None`` unloads a kind.

        Returns
        -------
        Datasets
            A new instance; the source, origins and other frames are kept.
        """
        return replace(self, **frames)  # type: ignore[arg-type]  # frame fields only
