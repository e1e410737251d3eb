"""Canonical fields, header synonyms, dataset-kind detection and column mappings (part of
:mod:`cs_models.schema`)."""

from __future__ import annotations

import json
import re
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

import pandas as pd

from cs_models.datasets import DATASET_KINDS
from cs_models.errors import IngestError
from cs_models.gap_layout import WIDE_PATTERNS
from cs_models.schema._cells import _blank, _dates, _numbers

MAPPING_VERSION = 1

#: Canonical fields each dataset can map, in display order.
FIELDS: Mapping[str, tuple[str, ...]] = {
    "customers": ("customer_id", "start_date", "end_date", "churned", "mrr"),
    "events": ("customer_id", "date", "amount", "plan"),
    "survey": ("respondent_id", "weight"),
    "gaps": ("respondent_id", "customer_id", "item", "expectation", "satisfaction", "importance"),
    "tickets": ("ticket_id", "customer_id", "created_at", "first_reply_at", "solved_at", "status", "priority",
                "channel", "assignee", "satisfaction", "tags"),
    "community": ("member_id", "customer_id", "date", "action", "thread_id", "event_name"),
    "adoption": ("user_id", "first_used"),
    "plan_history": ("customer_id", "date", "plan", "mrr"),
}

#: Fields that must be mapped before a table can be used.
REQUIRED: Mapping[str, tuple[str, ...]] = {
    "customers": ("customer_id", "start_date"),
    "events": ("customer_id", "date"),
    "survey": (),
    "gaps": (),
    "tickets": ("ticket_id", "created_at"),
    "community": ("member_id", "date", "action"),
    "adoption": ("user_id", "first_used"),
    "plan_history": ("customer_id", "date", "plan"),
}

#: Synonyms of each canonical field (compared after :func:`normalise_header`).
SYNONYMS: Mapping[str, tuple[str, ...]] = {
    "customer_id": (
        "customer_id", "customer id", "customer", "customer no", "customer number", "customer code",
        "client id", "account id", "account", "account number", "company id", "organization id",
        "organisation id", "org id", "tenant id", "subscriber id", "record id", "account name",
        "company name", "organization", "customer name",
        "顧客id", "顧客番号", "顧客コード", "顧客", "会社id", "会社コード", "企業id", "企業コード",
        "取引先id", "取引先コード", "取引先", "アカウントid", "契約者id", "テナントid", "会員id", "会員番号",
        "組織id", "顧客名", "会社名", "取引先名", "企業名",
        "組織", "組織名", "organization name", "organisation", "associated company", "company",
        "requester organization", "requester", "リクエスタ", "依頼者",
    ),
    "start_date": (
        "start_date", "start date", "started", "started at", "signup date", "sign up date", "signed up",
        "signed up at", "subscription start", "subscription start date", "contract start",
        "contract start date", "close date", "closed date", "create date", "created date", "created at",
        "created", "onboarded at", "activation date", "first purchase date", "customer since",
        "契約開始日", "開始日", "利用開始日", "契約日", "申込日", "登録日", "入会日", "導入日", "受注日",
        "成約日", "作成日", "作成日時", "サービス開始日",
    ),
    "end_date": (
        "end_date", "end date", "ended", "ended at", "churned on", "churned at", "churn date",
        "cancel date", "cancellation date", "cancelled at", "canceled at", "cancelled on", "canceled on",
        "terminated at", "termination date", "contract end", "contract end date", "subscription end",
        "subscription end date", "closed at", "deleted at",
        "解約日", "終了日", "契約終了日", "利用終了日", "退会日", "解約年月日", "停止日",
    ),
    "churned": (
        "churned", "churn", "is churned", "churn flag", "cancelled", "canceled", "is cancelled",
        "event", "status flag", "解約フラグ", "解約", "解約済", "解約済み", "退会フラグ", "チャーン",
    ),
    "mrr": (
        "mrr", "monthly revenue", "monthly recurring revenue", "monthly fee", "monthly price",
        "monthly amount", "monthly charge", "arr / 12", "月額", "月額料金", "月額費用", "月額利用料",
        "月額売上", "月額単価", "月額(円)", "月額料金(円)", "月額(税抜)", "mrr(円)",
    ),
    "date": (
        "date", "event date", "invoice date", "billing date", "payment date", "paid at", "paid on",
        "transaction date", "order date", "activity date", "created at", "close date", "timestamp",
        "日付", "請求日", "支払日", "入金日", "利用日", "発生日", "売上日", "計上日", "取引日", "注文日",
        "年月日", "請求年月日", "posted at", "post date", "created time", "sent at", "投稿日時", "投稿日", "活動日",
        "日時",
        "活動日時",
        "変更日", "プラン変更日", "適用日", "適用開始日", "移行日", "change date", "changed at", "effective date",
        "plan change date", "stage date",
    ),
    "amount": (
        "amount", "amount paid", "total", "total amount", "invoice amount", "revenue", "price",
        "payment amount", "value", "sales", "金額", "請求額", "請求金額", "支払額", "入金額", "売上",
        "売上額", "売上金額", "税抜金額", "利用料", "金額(円)", "請求額(円)",
    ),
    "respondent_id": (
        "respondent_id", "respondent id", "respondent", "response id", "responseid", "response no",
        "answer id", "submission id", "回答者id", "回答者番号", "回答id", "回答番号", "回答者", "no.",
    ),
    "weight": ("weight", "wt", "sample weight", "ウェイト", "ウエイト", "重み", "重み付け"),
    "item": ("item", "touchpoint", "aspect", "attribute", "項目", "評価項目", "タッチポイント", "接点"),
    "expectation": ("expectation", "expected", "exp", "期待", "期待度", "事前期待"),
    "satisfaction": ("satisfaction", "sat", "csat", "満足", "満足度", "satisfaction score", "satisfaction rating",
                     "customer satisfaction", "csat score", "満足度評価", "顧客満足度"),
    "importance": ("importance", "重要度", "重要性"),
    # tickets: Zendesk (ja/en), Freshdesk, HubSpot Service and kintone exports
    "ticket_id": (
        "ticket_id", "ticket id", "ticket number", "ticket no", "ticket #", "id", "case id", "case number",
        "チケットid", "チケット番号", "チケットno", "問い合わせid", "問い合わせ番号", "お問い合わせid",
        "お問い合わせ番号", "問合せ番号", "案件id", "レコード番号", "受付番号",
    ),
    "created_at": (
        "created_at", "created at", "create date", "created time", "created date", "created", "date created",
        "opened at", "submitted at", "作成日時", "作成日", "受付日時", "受付日", "問い合わせ日時", "問合せ日時",
        "起票日時", "登録日時", "作成時刻",
    ),
    "first_reply_at": (
        "first_reply_at", "first reply at", "first reply date", "first replied at", "first responded at",
        "first response at", "first response date", "first agent reply date", "first agent email reply date",
        "initial response time", "初回返信日時", "初回返信日", "初回回答日時", "初回回答日", "初回応答日時",
        "一次回答日時", "初回対応日時",
    ),
    "solved_at": (
        "solved_at", "solved at", "solved date", "solved time", "resolved at", "resolved time", "resolved date",
        "resolution date", "close date", "closed at", "closed time", "closed date", "解決日時", "解決日",
        "完了日時", "完了日", "クローズ日時", "クローズ日", "対応完了日時", "対応完了日",
    ),
    "status": ("status", "ticket status", "state", "case status", "ステータス", "状態", "状況", "対応状況", "進捗"),
    "priority": ("priority", "ticket priority", "urgency", "優先度", "緊急度", "優先順位"),
    "channel": (
        "channel", "via", "source", "ticket source", "origin", "contact channel", "チャネル", "チャンネル",
        "経路", "問い合わせ経路", "問い合わせ方法", "受付方法", "受付チャネル", "流入経路",
    ),
    "assignee": ("assignee", "agent", "ticket owner", "owner", "assigned to", "担当者", "対応者", "担当"),
    "tags": ("tags", "tag", "labels", "タグ", "ラベル"),
    # community: Slack, Facebook group, commmune, Discord and Circle exports (ja/en)
    "member_id": (
        "member_id", "member id", "member", "user id", "user", "user name", "username", "author", "author id",
        "poster", "from", "sender", "profile id", "member email", "email", "メンバーid", "メンバー", "メンバー名",
        "ユーザーid", "ユーザー", "ユーザー名", "投稿者", "投稿者id", "投稿者名", "参加者", "参加者id", "会員",
        "アカウント", "送信者",
    ),
    "action": (
        "action", "activity", "activity type", "action type", "event type", "type", "interaction",
        "アクション", "行動", "活動", "活動種別", "アクション種別", "種別", "種類", "操作",
    ),
    "thread_id": (
        "thread_id", "thread id", "thread", "thread ts", "post id", "topic id", "parent id", "channel",
        "スレッドid", "スレッド", "投稿id", "トピックid", "親投稿id",
    ),
    "event_name": ("event_name", "event name", "event", "event title", "イベント名", "イベント", "勉強会名", "開催名"),
    # adoption of a tool: user lists and usage logs of Slack, Teams, Google Workspace, SaaS admin consoles
    "user_id": (
        "user_id", "user id", "user", "user name", "username", "login", "login id", "email", "email address",
        "e-mail", "user email", "member id", "member", "employee id", "employee number", "employee no",
        "staff id", "ユーザーid", "ユーザid", "ユーザー", "ユーザー名", "ユーザ名", "ログインid", "メールアドレス",
        "メール", "社員番号", "社員id", "従業員番号", "従業員id", "職員番号", "メンバーid", "メンバー",
    ),
    "first_used": (
        "first_used", "first used", "first use", "first used at", "first use date", "first seen", "first login",
        "first login at", "first login date", "first active", "first active date", "activated at",
        "activation date", "account created", "account created (utc)", "date joined", "joined at", "joined",
        "signed up at", "date", "used at", "timestamp", "利用開始日", "初回利用日", "初回利用日時",
        "初回ログイン日", "初回ログイン日時", "利用開始日時", "アカウント作成日", "アカウント発行日", "登録日",
        "参加日", "利用日", "日付", "日時", "ログイン日時",
    ),
    # plan_history: the plan (or journey stage) from a date on
    "plan": ("plan", "plan name", "new plan", "tier", "stage", "journey stage", "lifecycle stage", "プラン",
             "プラン名", "料金プラン", "契約プラン", "変更後プラン", "ステージ", "段階", "ランク", "コース"),
}

#: A scale written in a question's header: ``（0〜10）``, ``(1-5)``, ``1～7``.
SCALE_IN_HEADER = re.compile(r"[(\[（]?\s*(\d{1,2})\s*[-~〜～]\s*(\d{1,2})\s*(?:点)?\s*[)\]）]")
#: Rows looked at when the data (not only the headers) help to detect a kind or a scale.
DETECT_ROWS = 10_000
#: Common answer scales, tried in this order when a scale is inferred from the data.
COMMON_SCALES: tuple[tuple[int, int], ...] = ((1, 5), (1, 7), (0, 10), (1, 10))

#: Reader reasons (:data:`cs_models.values.DATE_REASONS`) that get their own issue code.

TRUE_FLAGS = frozenset({"1", "true"})
FALSE_FLAGS = frozenset({"0", "false"})

ISSUE_COLUMNS = ("file", "row", "column", "code", "value", "detail", "message_en", "action")
MESSAGES_EN: Mapping[str, str] = {
    "missing_id": "The ID is blank.",
    "missing_date": "The date is blank.",
    "invalid_date": "'{value}' is not a valid date.",
    "two_digit_year": "'{value}' has a two-digit year; write the year in full (2024).",
    "ambiguous_date": "'{value}' could be day/month or month/day; write it as 2024-04-01.",
    "end_before_start": "The end date {value} is before the start date {detail}.",
    "zero_duration": "The end date {value} is the same day as the start date.",
    "future_date": "The date {value} is after today ({detail}); check the year.",
    "date_too_early": "The date {value} is before {detail}; check the year.",
    "duplicate_id": "The ID '{value}' already appears on row {detail}.",
    "invalid_flag": "'{value}' is not a 0/1 flag.",
    "missing_end_date": "The row is flagged as churned but has no end date.",
    "invalid_amount": "'{value}' is not an amount.",
    "negative_amount": "The monthly amount {value} is negative; it was left blank.",
    "invalid_number": "'{value}' is not a number; the answer was left blank.",
    "out_of_scale": "{value} is outside the scale {detail}; the answer was left blank.",
    "solved_before_created": "The ticket was solved at {value}, before it was created ({detail}).",
    "reply_before_created": "The first reply {value} is before the ticket was created ({detail}); it was left blank.",
    "unknown_status": "'{value}' is not a ticket status (open, pending, solved, closed); it was left blank.",
    "unknown_action": "'{value}' is not a community action (post, comment, reaction, event, view, join).",
    "missing_plan": "The plan (stage) is blank.",
    "duplicate_across_files": "The ID '{value}' is also in {detail}, uploaded with this file; the row was left out.",
}


class ReadTable(Protocol):
    """What :func:`validate` needs from :class:`cs_models.io.ReadResult`."""

    @property
    def frame(self) -> pd.DataFrame:
        """The table's cells, indexed by spreadsheet row."""
        ...


# ----------------------------------------------------------------------------- headers
def normalise_header(header: object) -> str:
    """A header in comparable form: NFKC, lower case, single spaces, ``_``/``-``/``.`` as spaces.

    Examples
    --------
    >>> normalise_header("Ｃｕｓｔｏｍｅｒ_ID ")
    'customer id'
    """
    text = unicodedata.normalize("NFKC", str(header)).strip().lower()
    text = re.sub(r"[_\-.・/]+", " ", text)
    text = re.sub(r"\s+", " ", text).strip()
    return text


def _compact(text: str) -> str:
    return text.replace(" ", "")


_SYNONYM_INDEX: dict[str, dict[str, int]] = {
    name: {_compact(normalise_header(s)): rank for rank, s in enumerate(words)}
    for name, words in SYNONYMS.items()
}


def _match(field_name: str, header: object) -> int | None:
    """Rank of the synonym matching ``header`` exactly (0 = best), ``None`` when none does."""
    return _SYNONYM_INDEX[field_name].get(_compact(normalise_header(header)))


def _loose_match(field_name: str, header: object) -> bool:
    """Whether ``header`` starts or ends with a long synonym (``Account ID (18)``, ``最終解約日``)."""
    text = _compact(normalise_header(header))
    for synonym in _SYNONYM_INDEX[field_name]:
        if len(synonym) >= 3 and len(text) > len(synonym) and (
            text.startswith(synonym) or text.endswith(synonym)
        ):
            return True
    return False


# ----------------------------------------------------------------------------- mapping
@dataclass(frozen=True)
class ColumnMapping:
    """How the columns of one file map to a canonical dataset.

    Attributes
    ----------
    kind : str
        One of :data:`cs_models.datasets.DATASET_KINDS`.
    fields : Mapping[str, str]
        Canonical field (see :data:`FIELDS`) -> the file's header.
    ignored : tuple of str
        Headers left out of the canonical frame.
    scales : Mapping[str, tuple[int, int]]
        Header -> (lowest, highest) allowed answer; answers outside are reported.
    """

    kind: str
    fields: Mapping[str, str] = field(default_factory=dict)
    ignored: tuple[str, ...] = ()
    scales: Mapping[str, tuple[int, int]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.kind not in DATASET_KINDS:
            raise IngestError("schema_unknown_kind", f"unknown dataset kind {self.kind!r}", kind=self.kind)
        unknown = sorted(set(self.fields) - set(FIELDS[self.kind]))
        if unknown:
            raise IngestError(
                "schema_unknown_field",
                f"{', '.join(unknown)} is not a field of {self.kind}",
                field=", ".join(unknown),
                kind=self.kind,
            )
        sources = [s for s in self.fields.values()]
        twice = sorted({s for s in sources if sources.count(s) > 1})
        if twice:
            raise IngestError(
                "schema_column_twice",
                f"column {', '.join(twice)} is mapped to more than one field",
                column=", ".join(twice),
            )
        for header, scale in self.scales.items():
            low, high = scale
            if not low < high:
                raise IngestError("schema_bad_scale", f"bad scale {scale} for {header}", column=header)

    def missing_fields(self) -> list[str]:
        """Required fields with no column yet (``end_date`` is required once ``churned`` is mapped)."""
        missing = [f for f in REQUIRED[self.kind] if f not in self.fields]
        if "churned" in self.fields and "end_date" not in self.fields:
            missing.append("end_date")
        return missing

    def source(self, field_name: str) -> str | None:
        """The header mapped to ``field_name``, or ``None``."""
        return self.fields.get(field_name)

    def to_dict(self) -> dict[str, Any]:
        """JSON-friendly form (the ``mapping`` of a report)."""
        return {
            "version": MAPPING_VERSION,
            "kind": self.kind,
            "fields": dict(self.fields),
            "ignored": list(self.ignored),
            "scales": {k: [int(v[0]), int(v[1])] for k, v in self.scales.items()},
        }

    def to_json(self) -> str:
        """The mapping as a JSON document to save and re-apply next month."""
        return json.dumps(self.to_dict(), ensure_ascii=False, indent=2)

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> ColumnMapping:
        """Inverse of :meth:`to_dict`; raises :class:`IngestError` ``schema_bad_mapping``."""
        try:
            fields = {str(k): str(v) for k, v in dict(data.get("fields", {})).items()}
            scales = {str(k): (int(v[0]), int(v[1])) for k, v in dict(data.get("scales", {})).items()}
            return cls(
                kind=str(data["kind"]),
                fields=fields,
                ignored=tuple(str(h) for h in data.get("ignored", ())),
                scales=scales,
            )
        except IngestError:
            raise
        except (KeyError, TypeError, ValueError, IndexError, AttributeError) as exc:
            raise IngestError("schema_bad_mapping", f"not a CS Lens column mapping: {exc}") from exc

    @classmethod
    def from_json(cls, text: str | bytes) -> ColumnMapping:
        """Read a mapping saved by :meth:`to_json`."""
        try:
            data = json.loads(text)
        except (ValueError, UnicodeDecodeError) as exc:
            raise IngestError("schema_bad_mapping", f"not a CS Lens column mapping: {exc}") from exc
        if not isinstance(data, Mapping):
            raise IngestError("schema_bad_mapping", "not a CS Lens column mapping")
        return cls.from_dict(data)

    def fit(self, headers: Sequence[object]) -> ColumnMapping:
        """This mapping restricted to ``headers`` (re-applying last month's mapping to a new file)."""
        present = {str(h) for h in headers}
        return ColumnMapping(
            kind=self.kind,
            fields={k: v for k, v in self.fields.items() if v in present},
            ignored=tuple(h for h in self.ignored if h in present),
            scales={k: v for k, v in self.scales.items() if k in present},
        )


def _assign(headers: Sequence[str], wanted: Iterable[str]) -> dict[str, str]:
    """Field -> header for ``wanted`` fields: exact synonyms first, then loose ones; one header each."""
    wanted = list(wanted)
    taken: set[str] = set()
    out: dict[str, str] = {}
    candidates: list[tuple[int, int, str, str]] = []
    for order, name in enumerate(wanted):
        for header in headers:
            rank = _match(name, header)
            if rank is not None:
                candidates.append((rank, order, name, header))
    for _, _, name, header in sorted(candidates):
        if name not in out and header not in taken:
            out[name] = header
            taken.add(header)
    for name in wanted:
        if name in out:
            continue
        for header in headers:
            if header not in taken and _loose_match(name, header):
                out[name] = header
                taken.add(header)
                break
    return {name: out[name] for name in wanted if name in out}


def _gap_wide_columns(headers: Sequence[str]) -> list[str]:
    """Headers following one of the wide gap layouts of :data:`cs_models.gap_layout.WIDE_PATTERNS`."""
    patterns = [regex for layout in WIDE_PATTERNS.values() for regex in layout.values()]
    return [h for h in headers if any(r.match(unicodedata.normalize("NFKC", h).strip()) for r in patterns)]


@dataclass(frozen=True)
class KindGuess:
    """The outcome of :func:`detect_kind`: the best kind and every kind's score."""

    kind: str
    scores: Mapping[str, float]


def detect_kind(frame: pd.DataFrame) -> KindGuess:
    """The canonical dataset a table most likely holds.

    Customers need an ID and a start date; events an ID and a date; gaps
    expectation/satisfaction columns; tickets a ticket ID, a creation time and two of status,
    priority, first reply, solved time, channel and assignee; adoption a user ID and a (first-use)
    date; anything else is read as a survey. When a
    table could be customers or events (``Created at`` is both a sign-up date and an
    event date), repeated IDs and the absence of an end date point to events.

    Parameters
    ----------
    frame : pandas.DataFrame
        The table as read (headers are what matters; the ID column's values break ties).
    """
    headers = [str(c) for c in frame.columns]
    scores: dict[str, float] = dict.fromkeys(DATASET_KINDS, 0.0)
    customers = _assign(headers, FIELDS["customers"])
    if {"customer_id", "start_date"} <= customers.keys():
        scores["customers"] = 4 + sum(f in customers for f in ("end_date", "churned", "mrr"))
    events = _assign(headers, FIELDS["events"])
    if {"customer_id", "date"} <= events.keys():
        scores["events"] = 4 + ("amount" in events)
        ids = frame[events["customer_id"]].head(DETECT_ROWS)
        repeated = ids.notna().any() and ids.dropna().duplicated().any()
        if repeated and "end_date" not in customers:
            scores["events"] += 2
    gaps = _assign(headers, FIELDS["gaps"])
    wide = _gap_wide_columns(headers)
    if len(wide) >= 2:
        scores["gaps"] = 3 + len(wide) / max(len(headers), 1)
    elif {"expectation", "satisfaction"} <= gaps.keys():
        scores["gaps"] = 5
    tickets = _assign(headers, FIELDS["tickets"])
    specific = [f for f in ("status", "priority", "first_reply_at", "solved_at", "channel", "assignee") if f in tickets]
    if {"ticket_id", "created_at"} <= tickets.keys() and len(specific) >= 2:
        scores["tickets"] = 5 + len(specific)  # beats customers (at most 7) and events (at most 7)
    community = _assign(headers, FIELDS["community"])
    if {"member_id", "date", "action"} <= community.keys():
        scores["community"] = 8 + sum(f in community for f in ("thread_id", "event_name"))  # beats events (at most 7)
    adoption = _assign(headers, FIELDS["adoption"])
    if {"user_id", "first_used"} <= adoption.keys():
        scores["adoption"] = 6
    history = _assign(headers, FIELDS["plan_history"])
    if {"customer_id", "date", "plan"} <= history.keys() and "start_date" not in customers:
        # an ID, a date and a plan: beats events (at most 7); with an amount too it is a billing log naming
        # the plan billed (events with a plan column, the journey derives the changes): events win (5+)
        scores["plan_history"] = 4 if "amount" in events else 8
    survey = _assign(headers, FIELDS["survey"])
    scores["survey"] = 1 + ("respondent_id" in survey)
    if not any(scores[k] for k in DATASET_KINDS if k != "survey") and "respondent_id" not in survey \
            and _customers_by_values(frame):
        scores["customers"] = 2  # unknown headers, but an ID column and dates: more likely a customer list
    best = max(DATASET_KINDS, key=lambda k: (scores[k], -DATASET_KINDS.index(k)))
    return KindGuess(kind=best, scores=scores)


def _numeric_share_in(values: pd.Series, low: float, high: float) -> float:
    return float(((values >= low) & (values <= high)).mean()) if len(values) else 0.0


def suggest_scale(header: str, values: pd.Series | None = None) -> tuple[int, int] | None:
    """The answer scale of a question: written in its header (``(0-10)``), else inferred.

    A scale is inferred from the data only when 95% or more of the numeric answers lie
    in one of :data:`COMMON_SCALES` (then the few outside are worth a look).
    """
    found = SCALE_IN_HEADER.search(unicodedata.normalize("NFKC", header))
    if found:
        low, high = int(found.group(1)), int(found.group(2))
        if low < high:
            return (low, high)
    if values is None:
        return None
    numbers, _ = _numbers(values.head(DETECT_ROWS))
    numbers = numbers.dropna()
    if len(numbers) < 5 or (numbers != numbers.round()).any():
        return None
    for low, high in COMMON_SCALES:
        if _numeric_share_in(numbers, low, high) >= 0.95:
            return (low, high)
    return None


def numeric_columns(frame: pd.DataFrame, *, share: float = 0.9) -> list[str]:
    """Columns whose filled cells are numbers (at least ``share`` of them, in the first rows).

    These are the columns an answer scale can be checked on.
    """
    out: list[str] = []
    for header in frame.columns:
        head = frame[header].head(DETECT_ROWS)
        blank = _blank(head)
        if (~blank).sum() == 0:
            continue
        _, bad = _numbers(head)
        if 1 - bad[~blank].mean() >= share:
            out.append(str(header))
    return out


def suggest_mapping(frame: pd.DataFrame, kind: str | None = None) -> ColumnMapping:
    """A mapping suggestion for ``frame`` (as ``kind``, or the detected kind).

    Parameters
    ----------
    frame : pandas.DataFrame
        The table as read.
    kind : str, optional
        Force a dataset kind instead of detecting it.
    """
    kind = kind or detect_kind(frame).kind
    if kind not in DATASET_KINDS:
        raise IngestError("schema_unknown_kind", f"unknown dataset kind {kind!r}", kind=kind)
    headers = [str(c) for c in frame.columns]
    fields = _assign(headers, FIELDS[kind])
    if kind == "customers" and not {"customer_id", "start_date"} <= fields.keys():
        fields = {**(_customers_by_values(frame) or {}), **fields}
    if kind == "gaps" and len(_gap_wide_columns(headers)) >= 2:
        fields = {k: v for k, v in fields.items() if k in ("respondent_id", "customer_id")}
    scales: dict[str, tuple[int, int]] = {}
    if kind == "survey":
        for header in headers:
            if header not in fields.values():
                scale = suggest_scale(header)
                if scale:
                    scales[header] = scale
    elif kind == "gaps":
        for header in _answer_columns(headers, fields):
            scale = suggest_scale(header, frame[header])
            if scale:
                scales[header] = scale
    return ColumnMapping(kind=kind, fields=fields, scales=scales)


def _customers_by_values(frame: pd.DataFrame) -> dict[str, str] | None:
    """``customer_id``/``start_date``[/``end_date``] read from the values when the headers say nothing
    (``id``, ``start``): the first column filled and unique, then the columns that hold dates."""
    if frame.shape[1] < 2 or frame.empty:
        return None
    head = frame.head(DETECT_ROWS)
    ids = head.iloc[:, 0]
    filled = ids[~_blank(ids)]
    if len(filled) < 0.9 * len(ids) or filled.astype(str).duplicated().any() or _date_share(filled) >= 0.9:
        return None
    dated = [(str(frame.columns[i]), (~_blank(head.iloc[:, i])).mean()) for i in range(1, min(frame.shape[1], 20))
             if _date_share(head.iloc[:, i]) >= 0.9]
    starts = [name for name, fill in dated if fill >= 0.9]  # a start date is known for (nearly) everyone
    if not starts:
        return None
    ends = [name for name, _ in dated if name != starts[0]]
    return {"customer_id": str(frame.columns[0]), "start_date": starts[0], **({"end_date": ends[0]} if ends else {})}


def _date_share(values: pd.Series) -> float:
    """Share of the filled cells of ``values`` that read as dates (0 when none is filled)."""
    given = values[~_blank(values)]
    return float(_dates(given)[0].notna().mean()) if len(given) else 0.0


def _answer_columns(headers: Sequence[str], fields: Mapping[str, str]) -> list[str]:
    """Numeric answer columns of a gaps table (long: the mapped ones; wide: the pairs)."""
    long = [fields[f] for f in ("expectation", "satisfaction", "importance") if f in fields]
    return long or _gap_wide_columns(headers)
