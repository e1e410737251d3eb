"""The community log: canonical actions, members, and roles by a stated rule.

A member is anyone with a row in the log (a ``join`` row counts a member who never did
anything else; exports of the member list can be appended as ``join`` rows). The customers
list is not a member list: not every customer joined the community. Members link to customers
by the log's ``customer_id`` column when it has one, else by ``member_id`` itself.

Default role rule (:class:`RoleRule`, after the article's three layers): a **leader** wrote at
least 3 original posts in the window (the last 90 days); a **follower** is otherwise someone
with at least 3 posts + comments; everyone else is **audience** (reads, reacts, attends).
"""

from __future__ import annotations

import math
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date

import numpy as np
import pandas as pd

from cs_models.errors import DataError
from cs_models.results import Result
from cs_models.stats import ALPHA

#: Canonical actions, from most to least active.
ACTIONS: tuple[str, ...] = ("post", "comment", "reaction", "event", "view", "join")
#: Roles, from most to least active.
ROLES: tuple[str, ...] = ("leader", "follower", "audience")
#: Share of members whose posts :attr:`Roles.top_share` measures (the top 10%).
TOP_SHARE = 0.1

#: Action words of Slack, Facebook group, commmune, Discord and Circle exports (ja/en, NFKC lower case).
ACTION_WORDS: Mapping[str, str] = {
    **dict.fromkeys(("post", "posts", "posted", "message", "new post", "new thread", "thread", "topic", "status",
                     "投稿", "新規投稿", "スレッド作成", "トピック作成", "書き込み", "メッセージ"), "post"),
    **dict.fromkeys(("comment", "comments", "commented", "reply", "replied", "thread reply", "answer",
                     "コメント", "返信", "リプライ", "回答"), "comment"),
    **dict.fromkeys(("reaction", "reactions", "reacted", "like", "liked", "likes", "emoji", "upvote",
                     "いいね", "いいね!", "リアクション", "スタンプ"), "reaction"),
    **dict.fromkeys(("event", "event attendance", "attended", "attendance", "event attended", "rsvp attended",
                     "checked in", "イベント参加", "イベント出席", "勉強会参加", "出席", "参加(イベント)"), "event"),
    **dict.fromkeys(("view", "views", "viewed", "read", "seen", "visit", "page view", "閲覧", "既読", "訪問",
                     "ページビュー"), "view"),
    **dict.fromkeys(("join", "joined", "member joined", "member added", "signup", "sign up", "registered",
                     "参加登録", "入会", "メンバー登録", "登録", "グループ参加"), "join"),
}


def action_code(value: object) -> str | None:
    """An exported action word as a canonical action (``None`` when unknown or blank).

    Parameters
    ----------
    value : object
        A cell of the action column (``"投稿"``, ``"Liked"``, ``"post"`` …).

    Returns
    -------
    str or None
        One of :data:`ACTIONS`.
    """
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    text = unicodedata.normalize("NFKC", str(value)).strip().lower()
    return text if text in ACTIONS else ACTION_WORDS.get(text)


@dataclass(frozen=True)
class RoleRule:
    """Which member is a leader, a follower or audience (the page states it; the user changes it).

    Attributes
    ----------
    window_days : int
        Activity of the last ``window_days`` days up to the as-of day counts.
    leader_posts : int
        Original posts that make a leader.
    follower_actions : int
        Posts + comments that make a follower (when not a leader).
    """

    window_days: int = 90
    leader_posts: int = 3
    follower_actions: int = 3

    def __post_init__(self) -> None:
        if self.window_days < 1 or self.leader_posts < 1 or self.follower_actions < 1:
            raise DataError("community_bad_rule", "the role rule needs positive numbers",
                            window=self.window_days, leader=self.leader_posts, follower=self.follower_actions)

    def to_dict(self) -> dict[str, int]:
        """The rule as JSON (``window_days``, ``leader_posts``, ``follower_actions``).

        Returns
        -------
        dict
        """
        return {"window_days": self.window_days, "leader_posts": self.leader_posts,
                "follower_actions": self.follower_actions}


def prepared(log: pd.DataFrame, as_of: date) -> pd.DataFrame:
    """The log up to the end of ``as_of`` with canonical actions and each row's customer link.

    Parameters
    ----------
    log : DataFrame
        Canonical community log (``member_id``, ``date``, ``action``; optional ``customer_id``).
    as_of : date
        Later rows are dropped.

    Returns
    -------
    DataFrame
        ``member_id, customer_id, date, action`` (+ ``thread_id``, ``event_name`` when present),
        rows with an unknown action dropped, sorted by date.

    Raises
    ------
    DataError
        ``community_missing_columns`` without the three required columns, ``community_empty``
        when no row is left.
    """
    missing = [c for c in ("member_id", "date", "action") if c not in log]
    if missing:
        raise DataError("community_missing_columns", f"missing columns: {missing}", column=missing[0])
    frame = log.loc[log["date"] < pd.Timestamp(as_of) + pd.Timedelta(days=1)].copy()
    frame["action"] = frame["action"].map(action_code)
    frame = frame.dropna(subset=["member_id", "date", "action"])
    frame["member_id"] = frame["member_id"].astype(str)
    link = (frame["customer_id"] if "customer_id" in frame else frame["member_id"]).astype(object)
    frame["customer_id"] = link.where(link.notna(), frame["member_id"]).astype(str)
    if frame.empty:
        raise DataError("community_empty", "no community activity up to the as-of date")
    keep = [c for c in ("member_id", "customer_id", "date", "action", "thread_id", "event_name") if c in frame]
    return frame[keep].sort_values("date", kind="stable").reset_index(drop=True)


def counts(frame: pd.DataFrame, start: pd.Timestamp, end: pd.Timestamp) -> pd.DataFrame:
    """Actions per member in ``[start, end)`` for every member seen before ``end``.

    Parameters
    ----------
    frame : DataFrame
        Output of :func:`prepared`.
    start, end : Timestamp
        The window.

    Returns
    -------
    DataFrame
        Indexed by ``member_id``; one column per action of :data:`ACTIONS` (zeros included).
    """
    known = frame.loc[frame["date"] < end]
    members = pd.Index(known["member_id"].unique(), name="member_id")
    inside = known.loc[known["date"] >= start]
    table = pd.crosstab(inside["member_id"], inside["action"])
    return table.reindex(index=members, columns=list(ACTIONS), fill_value=0).astype(int)


def assign_roles(table: pd.DataFrame, rule: RoleRule) -> pd.Series:
    """Each member's role from their counts in the window.

    Parameters
    ----------
    table : DataFrame
        Output of :func:`counts`.
    rule : RoleRule
        The thresholds.

    Returns
    -------
    Series
        ``leader`` / ``follower`` / ``audience`` by member.
    """
    leader = table["post"] >= rule.leader_posts
    follower = ~leader & (table["post"] + table["comment"] >= rule.follower_actions)
    return pd.Series(np.select([leader, follower], ROLES[:2], ROLES[2]), index=table.index, name="role")


def lorenz(values: np.ndarray) -> pd.DataFrame:
    """The Lorenz curve of posts over members (least active first), from (0, 0) to (1, 1).

    Parameters
    ----------
    values : ndarray
        Posts per member.

    Returns
    -------
    DataFrame
        ``members`` (cumulative share of members), ``posts`` (cumulative share of posts).
    """
    ordered = np.sort(np.asarray(values, float))
    total = ordered.sum()
    share = np.cumsum(ordered) / total if total > 0 else np.zeros(len(ordered))
    n = len(ordered)
    return pd.DataFrame({"members": np.concatenate([[0.0], np.arange(1, n + 1) / max(n, 1)]),
                         "posts": np.concatenate([[0.0], share])})


def top_share(values: np.ndarray, share: float = TOP_SHARE) -> float:
    """Share of all posts written by the most active ``share`` of members (at least one member).

    Parameters
    ----------
    values : ndarray
        Posts per member.
    share : float
        Fraction of members counted as the top (``ceil(share × members)``).

    Returns
    -------
    float
        NaN without any post.
    """
    ordered = np.sort(np.asarray(values, float))[::-1]
    total = ordered.sum()
    if total <= 0:
        return math.nan
    return float(ordered[: max(1, math.ceil(share * len(ordered)))].sum() / total)


@dataclass(frozen=True, kw_only=True)
class Roles(Result):
    """Members by role under a rule, the role counts month by month, and how concentrated posting is.

    Attributes
    ----------
    as_of : date
    rule : RoleRule
    members : int
        Members seen by the as-of day.
    counts : Mapping[str, int]
        Members per role.
    table : DataFrame
        Per member: ``customer_id``, the action counts of the window, ``role``.
    history : DataFrame
        ``month`` (month end) and the members per role over the window ending that month.
    top_share : float
        Share of the window's posts written by the top 10% of members (NaN without posts).
    gini : float
        Gini coefficient of posts per member.
    lorenz : DataFrame
        Output of :func:`lorenz` for the window's posts.
    """

    as_of: date
    rule: RoleRule
    members: int
    counts: Mapping[str, int]
    table: pd.DataFrame
    history: pd.DataFrame
    top_share: float
    gini: float
    lorenz: pd.DataFrame


def _history(frame: pd.DataFrame, as_of: date, rule: RoleRule) -> pd.DataFrame:
    """The members per role over the window ending each month: :func:`assign_roles` on :func:`counts`
    of every month's window, counted in one pass over per-member codes (no table per month)."""
    first = frame["date"].min().to_period("M")
    months = pd.period_range(first, pd.Timestamp(as_of).to_period("M"), freq="M")
    codes, members = pd.factorize(frame["member_id"])
    width = len(members)
    action = frame["action"].to_numpy()
    posts_at, comments_at = action == "post", action == "comment"
    rows = []
    for month in months:
        end = min(month.end_time.normalize(), pd.Timestamp(as_of)) + pd.Timedelta(days=1)
        known = (frame["date"] < end).to_numpy()
        inside = known & (frame["date"] >= end - pd.Timedelta(days=rule.window_days)).to_numpy()
        seen = np.bincount(codes[known], minlength=width) > 0
        posts = np.bincount(codes[inside & posts_at], minlength=width)
        comments = np.bincount(codes[inside & comments_at], minlength=width)
        leader = seen & (posts >= rule.leader_posts)
        follower = seen & ~leader & (posts + comments >= rule.follower_actions)
        n_leader, n_follower = int(leader.sum()), int(follower.sum())
        rows.append({"month": month.start_time, "leader": n_leader, "follower": n_follower,
                     "audience": int(seen.sum()) - n_leader - n_follower})
    return pd.DataFrame(rows, columns=["month", *ROLES])


def community_roles(log: pd.DataFrame, as_of: date, *, window_days: int = 90, leader_posts: int = 3,
                    follower_actions: int = 3, alpha: float = ALPHA) -> Roles:
    """Leaders, followers and audience under the rule, month by month, and the concentration of posts.

    Parameters
    ----------
    log : DataFrame
        Canonical community log.
    as_of : date
        The window ends with this day.
    window_days : int
        Length of the window (days).
    leader_posts : int
        Original posts in the window that make a leader.
    follower_actions : int
        Posts + comments in the window that make a follower.
    alpha : float
        Kept for the common result interface.

    Returns
    -------
    Roles
        With the note ``no_posts`` when nobody posted in the window.
    """
    rule = RoleRule(window_days, leader_posts, follower_actions)
    frame = prepared(log, as_of)
    end = pd.Timestamp(as_of) + pd.Timedelta(days=1)
    table = counts(frame, end - pd.Timedelta(days=window_days), end)
    roles = assign_roles(table, rule)
    links = frame.groupby("member_id", observed=True)["customer_id"].first()
    out = table.assign(customer_id=links.reindex(table.index), role=roles)
    posts = table["post"].to_numpy(float)
    curve = lorenz(posts)
    gini = 1 - 2 * float(np.trapezoid(curve["posts"], curve["members"])) if posts.sum() > 0 else math.nan
    return Roles(as_of=as_of, rule=rule, members=len(table), counts={r: int((roles == r).sum()) for r in ROLES},
                 table=out, history=_history(frame, as_of, rule), top_share=top_share(posts), gini=gini,
                 lorenz=curve, notes=() if posts.sum() > 0 else ("no_posts",), alpha=alpha)
