"""The sample restaurant SaaS's customer community log (a Facebook-group/commmune-like export).

The story of the source article: a group of about 70 customers that starts silent (only the CS
team posts its announcements, members read), comes alive after **offline study sessions**
(オフライン勉強会) — a member who has met the others in person posts several times more — while
everyone's posting also creeps up a little over time (so the before/after comparison needs the
non-attendees as a control). Members are mostly sample customers (``member_id`` = ``customer_id``,
more often those who attend study sessions), plus the CS team and a few partners who are not
customers. Activity stops when a customer churns. A separate random stream (``SEED + 2``) leaves
the other sample datasets unchanged.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

import numpy as np
import pandas as pd

from cs_models.sample_files import read_localised

GROUP_START = pd.Timestamp("2025-05-01")
#: Offline study sessions (date, number).
SESSIONS: tuple[str, ...] = ("2025-11-15", "2026-01-17", "2026-03-14", "2026-05-16", "2026-07-11", "2026-09-12")
N_CUSTOMER_MEMBERS = 68
PARTNERS = ("P001", "P002", "P003")
STAFF = "CS01"
#: Posts per week of a typical member before and after their first study session.
POST_RATE = (0.012, 0.10)
#: Rise of everyone's posting rate per year (the general trend).
TREND_PER_YEAR = 0.03
COMMENTS_PER_POST = 1.8
REACTIONS_PER_WEEK = 0.25
VIEWS_PER_WEEK = 0.9

LABELS: Mapping[str, Mapping[str, str]] = {
    "ja": {"post": "投稿", "comment": "コメント", "reaction": "いいね", "event": "イベント参加", "view": "閲覧",
           "join": "参加登録", "session": "オフライン勉強会 #{n}"},
    "en": {"post": "Post", "comment": "Comment", "reaction": "Like", "event": "Event attendance", "view": "View",
           "join": "Joined", "session": "Offline study session #{n}"},
}
HEADERS: Mapping[str, Mapping[str, str]] = {
    "ja": {"member_id": "メンバーID", "date": "日時", "action": "アクション", "thread_id": "スレッドID",
           "event_name": "イベント名"},
    "en": {"member_id": "member_id", "date": "date", "action": "action", "thread_id": "thread_id",
           "event_name": "event_name"},
}
TIME_FORMAT = {"ja": "%Y/%-m/%-d %H:%M", "en": "%Y-%m-%d %H:%M"}


def _members(rng: np.random.Generator, customers: pd.DataFrame, as_of: pd.Timestamp) -> pd.DataFrame:
    """Who is in the group: ``member_id, joined, left, study, voice`` (``left`` NaT while a member)."""
    end = customers["end_date"].fillna(as_of + pd.Timedelta(days=1))
    eligible = customers.loc[(end > GROUP_START + pd.Timedelta(days=60)) & (customers["start_date"] < as_of
                                                                               - pd.Timedelta(days=120))]
    weight = np.where(eligible["study_sessions"].to_numpy() == "study_yes", 3.0, 1.0)
    picked = rng.choice(len(eligible), N_CUSTOMER_MEMBERS, replace=False, p=weight / weight.sum())
    chosen = eligible.iloc[np.sort(picked)]
    delay = pd.to_timedelta(rng.integers(0, 45, len(chosen)), unit="D")
    joined = chosen["start_date"].clip(lower=GROUP_START).to_numpy() + delay.to_numpy()
    others = [STAFF, *PARTNERS]
    return pd.DataFrame({
        "member_id": [*chosen["customer_id"], *others],
        "joined": [*joined, *([GROUP_START] * len(others))],
        "left": [*chosen["end_date"], *([pd.NaT] * len(others))],
        "study": [*(chosen["study_sessions"].to_numpy() == "study_yes"), *([True] * len(others))],
        "voice": np.concatenate([rng.lognormal(0, 0.9, len(chosen)), [6.0], rng.lognormal(0, 0.5, len(PARTNERS))]),
    })


def _week_rows(rng: np.random.Generator, members: pd.DataFrame, week: pd.Timestamp, attended: np.ndarray,
               as_of: pd.Timestamp) -> list[tuple[str, pd.Timestamp, str]]:
    """The posts, comments, reactions and views of one week: ``(member, time, action)``."""
    active = (members["joined"].to_numpy() <= week) & ~(members["left"].to_numpy() <= week)
    years = (week - GROUP_START) / pd.Timedelta(days=365.25)
    rate = np.where(attended, POST_RATE[1], POST_RATE[0]) * members["voice"].to_numpy() + TREND_PER_YEAR * years
    rate = np.where(members["member_id"].to_numpy() == STAFF, 1.0, rate)  # the CS team's weekly announcement
    rows = []
    for action, lam in (("post", rate), ("comment", rate * COMMENTS_PER_POST),
                        ("reaction", np.full(len(members), REACTIONS_PER_WEEK) * (1 + attended)),
                        ("view", np.full(len(members), VIEWS_PER_WEEK))):
        n = rng.poisson(np.where(active, lam, 0.0))
        for i in np.flatnonzero(n):
            for _ in range(n[i]):
                at = week + pd.Timedelta(minutes=int(rng.integers(0, 7 * 24 * 60)))
                if at <= as_of + pd.Timedelta(hours=23, minutes=59):
                    rows.append((members["member_id"].iat[i], at, action))
    return rows


def community(customers: pd.DataFrame, as_of: pd.Timestamp, seed: int) -> pd.DataFrame:
    """The community export in code form.

    Parameters
    ----------
    customers : DataFrame
        The sample customers in code form (``study_sessions`` as ``study_yes``/``study_no``).
    as_of : Timestamp
        The sample's as-of date: nothing later is in the export.
    seed : int
        Seed of this stream.

    Returns
    -------
    DataFrame
        ``member_id, date, action, thread_id, event_name`` sorted by time (actions as codes,
        ``event_name`` as the session number).
    """
    rng = np.random.default_rng(seed)
    members = _members(rng, customers, as_of)
    rows: list[tuple[str, pd.Timestamp, str, int | None]] = [
        (m, j + pd.Timedelta(hours=9), "join", None) for m, j in zip(members["member_id"], members["joined"],
                                                                    strict=True)]
    attended = np.zeros(len(members), bool)
    sessions = [pd.Timestamp(s) for s in SESSIONS]
    for week in pd.date_range(GROUP_START, as_of, freq="7D"):
        rows += [(m, t, a, None) for m, t, a in _week_rows(rng, members, week, attended, as_of)]
        for number, day in enumerate(sessions, start=1):
            if week <= day < week + pd.Timedelta(days=7):
                active = (members["joined"].to_numpy() <= day) & ~(members["left"].to_numpy() <= day)
                came = active & (rng.random(len(members)) < np.where(members["study"], 0.38, 0.12))
                rows += [(m, day + pd.Timedelta(hours=14), "event", number) for m in members["member_id"][came]]
                attended |= came
    frame = pd.DataFrame(rows, columns=["member_id", "date", "action", "session"])
    frame = frame.sort_values(["date", "member_id"], kind="stable").reset_index(drop=True)
    posts = frame["action"] == "post"
    thread = pd.Series(np.where(posts, np.cumsum(posts), 0), index=frame.index).replace(0, np.nan).ffill()
    pick = np.floor(rng.random(len(frame)) * thread.fillna(0).to_numpy()) + 1  # an earlier thread
    thread = thread.where(posts, pd.Series(pick, index=frame.index).where(thread.notna()))
    frame["thread_id"] = thread.map(lambda v: f"T{int(v):04d}" if pd.notna(v) else None)
    frame.loc[frame["action"].isin(("join", "event")), "thread_id"] = None
    return frame


def localise(frame: pd.DataFrame, lang: str) -> pd.DataFrame:
    """The export as the ``lang`` community tool writes it: headers, action words, ``2025/5/1 9:00`` times.

    Parameters
    ----------
    frame : DataFrame
        Output of :func:`community`.
    lang : {"ja", "en"}
        Language of headers and labels.

    Returns
    -------
    DataFrame
        Text cells, ready for CSV.
    """
    labels = LABELS[lang]
    out = pd.DataFrame({
        "member_id": frame["member_id"], "date": frame["date"].dt.strftime(TIME_FORMAT[lang]),
        "action": frame["action"].map(labels), "thread_id": frame["thread_id"].fillna(""),
        "event_name": frame["session"].map(lambda v: labels["session"].format(n=int(v)) if pd.notna(v) else ""),
    })
    return out.rename(columns=HEADERS[lang])


def read(folder: Path, lang: str) -> pd.DataFrame:
    """The bundled ``community.csv`` of ``lang`` as a canonical community log (actions as codes).

    Parameters
    ----------
    folder : Path
        ``sample_data/<lang>``.
    lang : {"ja", "en"}
        Which localised copy it is.

    Returns
    -------
    DataFrame
        ``member_id, date, action, thread_id, event_name``.
    """
    frame = read_localised(folder, "community", HEADERS[lang], {"date": TIME_FORMAT[lang]})
    codes = {v: k for k, v in LABELS[lang].items() if k != "session"}
    frame["action"] = frame["action"].map(codes)
    return frame
