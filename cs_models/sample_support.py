"""The sample restaurant SaaS's ticket export (Zendesk-like), consistent with its customers.

Each customer opens exactly the number of tickets in its ``support_tickets`` column
(問い合わせ件数), within its lifetime; customers who later churn open a tenth of theirs in
their last 90 days (:data:`LATE_SHARE`), so the time-varying ticket → churn association has something to show.
Resolution times depend on the priority (urgent fastest), chat is answered fastest, a few
tickets stay open at the as-of date, and satisfaction falls as resolution takes longer.
A separate random stream (``SEED + 1``) leaves the other sample datasets unchanged.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

import numpy as np
import pandas as pd

from cs_models.sample_files import read_localised

PRIORITIES = {"low": 0.30, "normal": 0.45, "high": 0.18, "urgent": 0.07}
#: Median hours to solve by priority (log-normal, sigma 0.9).
SOLVE_MEDIAN_HOURS = {"low": 70.0, "normal": 30.0, "high": 14.0, "urgent": 5.0}
CHANNELS = {"email": 0.45, "web": 0.25, "chat": 0.20, "phone": 0.10}
#: Median minutes to the first reply by channel.
REPLY_MEDIAN_MINUTES = {"email": 180.0, "web": 240.0, "chat": 8.0, "phone": 3.0}
AGENTS = ("sato", "suzuki", "takahashi", "tanaka")
LAST_DAYS = 90
#: Share of a churning customer's tickets opened in its last :data:`LAST_DAYS` days.
LATE_SHARE = 0.1

LABELS: Mapping[str, Mapping[str, str]] = {
    "ja": {"low": "低", "normal": "普通", "high": "高", "urgent": "緊急", "email": "メール", "web": "ウェブフォーム",
           "chat": "チャット", "phone": "電話", "open": "オープン", "pending": "保留", "solved": "解決済み",
           "closed": "クローズ", "good": "良い", "bad": "悪い", "sato": "佐藤", "suzuki": "鈴木",
           "takahashi": "高橋", "tanaka": "田中"},
    "en": {"low": "Low", "normal": "Normal", "high": "High", "urgent": "Urgent", "email": "Email", "web": "Web form",
           "chat": "Chat", "phone": "Phone", "open": "Open", "pending": "Pending", "solved": "Solved",
           "closed": "Closed", "good": "Good", "bad": "Bad", "sato": "Sato", "suzuki": "Suzuki",
           "takahashi": "Takahashi", "tanaka": "Tanaka"},
}
HEADERS: Mapping[str, Mapping[str, str]] = {
    "ja": {"ticket_id": "チケットID", "customer_id": "組織", "status": "ステータス", "priority": "優先度",
           "channel": "チャネル", "assignee": "担当者", "created_at": "作成日時", "first_reply_at": "初回返信日時",
           "solved_at": "解決日時", "satisfaction": "満足度評価"},
    "en": {"ticket_id": "Ticket ID", "customer_id": "Organization", "status": "Status", "priority": "Priority",
           "channel": "Channel", "assignee": "Assignee", "created_at": "Created at",
           "first_reply_at": "First reply at", "solved_at": "Solved at", "satisfaction": "Satisfaction"},
}
TIME_FORMAT = {"ja": "%Y/%-m/%-d %H:%M", "en": "%Y-%m-%d %H:%M"}


def _pick(rng: np.random.Generator, probs: Mapping[str, float], n: int) -> np.ndarray:
    return rng.choice(list(probs), size=n, p=list(probs.values()))


def _created(rng: np.random.Generator, customers: pd.DataFrame, as_of: pd.Timestamp) -> pd.DataFrame:
    """One row per ticket: its customer and creation time within the customer's lifetime."""
    counts = customers["support_tickets"].to_numpy(int)
    owner = np.repeat(np.arange(len(customers)), counts)
    start = customers["start_date"].to_numpy("datetime64[ns]")[owner]
    end = customers["end_date"].fillna(as_of).to_numpy("datetime64[ns]")[owner]
    churned = customers["end_date"].notna().to_numpy()[owner]
    span = (end - start) / np.timedelta64(1, "D")
    late = churned & (rng.random(len(owner)) < LATE_SHARE)  # churners: some tickets in their last 90 days
    offset = np.where(late, span - rng.random(len(owner)) * np.minimum(LAST_DAYS, span), rng.random(len(owner)) * span)
    hours = 9 + rng.integers(0, 9, len(owner)) + rng.random(len(owner))  # business hours
    created = start + (np.floor(offset) * 86_400 + hours * 3_600).astype("timedelta64[s]")
    return pd.DataFrame({"customer_id": customers["customer_id"].to_numpy()[owner],
                         "created_at": pd.to_datetime(created).floor("min")})


def tickets(customers: pd.DataFrame, as_of: pd.Timestamp, seed: int) -> pd.DataFrame:
    """The ticket export in code form (canonical columns; labels are codes).

    Parameters
    ----------
    customers : DataFrame
        The sample customers in code form (with ``support_tickets``).
    as_of : Timestamp
        The sample's as-of date: later solves and replies are not in the export yet.
    seed : int
        Seed of this stream.

    Returns
    -------
    DataFrame
        ``ticket_id, customer_id, status, priority, channel, assignee, created_at,
        first_reply_at, solved_at, satisfaction`` sorted by creation time.
    """
    rng = np.random.default_rng(seed)
    frame = _created(rng, customers, as_of)
    frame = frame.loc[frame["created_at"] <= as_of].sort_values("created_at", kind="stable").reset_index(drop=True)
    n = len(frame)
    priority, channel = _pick(rng, PRIORITIES, n), _pick(rng, CHANNELS, n)
    reply_minutes = np.array([REPLY_MEDIAN_MINUTES[c] for c in channel]) * np.exp(rng.normal(0, 0.8, n))
    replied = rng.random(n) < 0.96
    solve_hours = np.array([SOLVE_MEDIAN_HOURS[p] for p in priority]) * np.exp(rng.normal(0, 0.9, n))
    solve_hours = np.maximum(solve_hours, reply_minutes / 60 + 0.1)
    stuck = rng.random(n) < 0.02  # never solved
    created = frame["created_at"]
    reply = (created + pd.to_timedelta(reply_minutes, unit="min")).dt.floor("min").where(replied)
    solved = (created + pd.to_timedelta(solve_hours, unit="h")).dt.floor("min").where(~stuck)
    cut = as_of + pd.Timedelta(days=1)
    solved, reply = solved.where(solved < cut), reply.where(reply < cut)
    closed = solved.notna() & (solved + pd.Timedelta(days=4) < cut)
    status = np.select([closed, solved.notna(), reply.notna()], ["closed", "solved", "pending"], "open")
    good = 1 / (1 + np.exp((solve_hours - 60) / 30))
    rated = solved.notna() & (rng.random(n) < 0.35)
    rating = np.where(rng.random(n) < good, "good", "bad")
    satisfaction = pd.Series(rating, dtype=object).where(rated.to_numpy())
    return pd.DataFrame({
        "ticket_id": np.arange(10_001, 10_001 + n).astype(str), "customer_id": frame["customer_id"],
        "status": status, "priority": priority, "channel": channel, "assignee": rng.choice(AGENTS, n),
        "created_at": created, "first_reply_at": reply, "solved_at": solved, "satisfaction": satisfaction,
    })


def localise(frame: pd.DataFrame, lang: str) -> pd.DataFrame:
    """The export as the ``lang`` help desk writes it: its headers, labels and ``2024/4/1 9:05`` times.

    Parameters
    ----------
    frame : DataFrame
        Output of :func:`tickets`.
    lang : {"ja", "en"}
        Language of headers and labels.

    Returns
    -------
    DataFrame
        Text cells, ready for CSV/XLSX.
    """
    labels = LABELS[lang]
    out = frame.copy()
    for column in ("status", "priority", "channel", "assignee", "satisfaction"):
        out[column] = out[column].map(lambda v: labels.get(v, v) if isinstance(v, str) else "")
    for column in ("created_at", "first_reply_at", "solved_at"):
        out[column] = out[column].dt.strftime(TIME_FORMAT[lang]).where(out[column].notna(), "")
    return out.rename(columns=HEADERS[lang])


def read(folder: Path, lang: str) -> pd.DataFrame:
    """The bundled ``tickets.csv`` of ``lang`` as canonical tickets (statuses as codes, times parsed).

    Parameters
    ----------
    folder : Path
        ``sample_data/<lang>``.
    lang : {"ja", "en"}
        Which localised copy it is.

    Returns
    -------
    DataFrame
        Canonical tickets (labels other than the status stay in ``lang``, as an upload's would).
    """
    times = dict.fromkeys(("created_at", "first_reply_at", "solved_at"), TIME_FORMAT[lang])
    frame = read_localised(folder, "tickets", HEADERS[lang], times)
    frame["status"] = frame["status"].map({v: k for k, v in LABELS[lang].items()})
    return frame
