"""Deterministic generator of the bundled sample data.

The story: a fictional restaurant SaaS (飲食店向けSaaS) with about 2,000 customers
over 36 months. Effects are built into the data so the analyses have something
to show: study-session (勉強会) participants and onboarded customers churn less,
customers whose expectations exceeded their experience churn sooner, Pro
customers expand. The awareness survey reproduces the 2021 survey of 374 IT
executives exactly (28.6% aware; 72% / 78.5% of those; challenges 50.0% / 28.6%). Its support
tickets (a Zendesk-like export) are made by :mod:`cs_models.sample_support`, its community log
by :mod:`cs_models.sample_community` and its internal chat tool's adoption log by :mod:`cs_models.sample_adoption`
(CSVs of their own, not in the workbook, so the workbook is unchanged).

Every dataset is written in Japanese and in English (same numbers, localised
headers and labels) to ``sample_data/<lang>/`` as CSV and one XLSX workbook, with
blank templates in ``sample_data/templates/``. Regenerate with::

    python -m cs_models.sample
"""

from __future__ import annotations

import argparse
import functools
from collections.abc import Mapping
from datetime import datetime
from pathlib import Path

import numpy as np
import pandas as pd

from cs_models import sample_adoption, sample_community, sample_journey, sample_support
from cs_models.datasets import Datasets
from cs_models.ids import align_ids

SEED = 2021_0119
N_CUSTOMERS = 2000
N_SURVEY = 374
N_GAP_RESPONDENTS = 600
WINDOW_START = pd.Timestamp("2023-11-01")
AS_OF = pd.Timestamp("2026-10-31")
DAYS_PER_MONTH = 365.25 / 12
LANGS = ("ja", "en")
#: Datasets written as CSV only (added after the workbook was fixed; it stays byte-identical).
SEPARATE_FILES: tuple[str, ...] = ("community",)
SAMPLE_DIR = Path(__file__).resolve().parent.parent / "sample_data"

PLANS = {"light": (0.45, 9_800), "standard": (0.35, 19_800), "pro": (0.20, 39_800)}
REGIONS = {"kanto": 0.40, "kansai": 0.22, "chubu": 0.15, "kyushu": 0.12, "tohoku": 0.11}
#: Median lifetime in months of a customer with no protective factor, by plan.
PLAN_MEDIAN_MONTHS = {"light": 11.0, "standard": 18.0, "pro": 30.0}
WEIBULL_SHAPE = 0.85
HAZARD_RATIOS = {"onboarding": 0.70, "study_sessions": 0.50, "ticket": 1.06, "overexpectation": 1.45}

#: Touchpoints of the expectation vs satisfaction survey:
#: (mean expectation, mean gap, mean importance).
TOUCHPOINTS = {
    "onboarding": (4.2, -0.55, 4.5),
    "support": (3.7, 0.35, 4.2),
    "product": (4.0, -0.15, 4.6),
    "study_sessions": (3.0, 0.65, 3.3),
    "community": (2.8, 0.20, 2.6),
}

# --- the awareness survey, reproducing the published 2021 figures exactly ----------
AWARE_N = 107  # 107 / 374 = 28.6%
IMPORTANCE_COUNTS = {"agree_strongly": 33, "agree": 44, "neutral": 18, "disagree": 8, "disagree_strongly": 4}
DOING_COUNTS = {"doing": 46, "planning": 38, "no_plan": 23}  # (46 + 38) / 107 = 78.5%
CHALLENGE_COUNTS = {  # base: the 84 doing or planning; 42 / 84 = 50.0%, 24 / 84 = 28.6%
    "knowhow": 42,
    "people": 24,
    "budget": 20,
    "measurement": 17,
    "exec_buyin": 12,
    "tools": 9,
}
SIZES = {"1-49": (0.30, 0.6), "50-299": (0.32, 1.0), "300-999": (0.22, 1.5), "1000+": (0.16, 2.2)}
INDUSTRIES = {"saas": 0.30, "sier": 0.28, "web": 0.22, "consulting": 0.12, "other": 0.08}

LABELS: Mapping[str, Mapping[str, str]] = {
    "ja": {
        "light": "ライト", "standard": "スタンダード", "pro": "プロ",
        "kanto": "関東", "kansai": "関西", "chubu": "中部", "kyushu": "九州", "tohoku": "東北",
        "size_1": "1店舗", "size_2_4": "2〜4店舗", "size_5": "5店舗以上",
        "onb_yes": "受講", "onb_no": "未受講", "study_yes": "参加", "study_no": "不参加",
        "yes": "知っている", "no": "知らない",
        "agree_strongly": "とてもそう思う", "agree": "ややそう思う", "neutral": "どちらともいえない",
        "disagree": "あまりそう思わない", "disagree_strongly": "まったくそう思わない",
        "doing": "既に取り組んでいる", "planning": "今後取り組みたい", "no_plan": "取り組む予定はない",
        "knowhow": "ノウハウ不足", "people": "人材不足", "budget": "予算不足",
        "measurement": "効果測定が難しい", "exec_buyin": "経営層の理解不足", "tools": "適切なツールがない",
        "1-49": "1〜49名", "50-299": "50〜299名", "300-999": "300〜999名", "1000+": "1000名以上",
        "saas": "SaaS", "sier": "SIer", "web": "Webサービス", "consulting": "ITコンサルティング",
        "other": "その他",
        "onboarding": "導入支援", "support": "サポート", "product": "製品機能",
        "study_sessions": "勉強会", "community": "コミュニティ",
        "delimiter": "、",
    },
    "en": {
        "light": "Light", "standard": "Standard", "pro": "Pro",
        "kanto": "Kanto", "kansai": "Kansai", "chubu": "Chubu", "kyushu": "Kyushu", "tohoku": "Tohoku",
        "size_1": "1 store", "size_2_4": "2-4 stores", "size_5": "5+ stores",
        "onb_yes": "completed", "onb_no": "not completed", "study_yes": "attended",
        "study_no": "not attended",
        "yes": "Yes", "no": "No",
        "agree_strongly": "Strongly agree", "agree": "Agree", "neutral": "Neither agree nor disagree",
        "disagree": "Disagree", "disagree_strongly": "Strongly disagree",
        "doing": "Already doing it", "planning": "Want to start", "no_plan": "No plans",
        "knowhow": "Lack of know-how", "people": "Lack of people", "budget": "Lack of budget",
        "measurement": "Hard to measure impact", "exec_buyin": "Lack of executive buy-in",
        "tools": "No suitable tools",
        "1-49": "1-49 employees", "50-299": "50-299 employees", "300-999": "300-999 employees",
        "1000+": "1000+ employees",
        "saas": "SaaS", "sier": "System integrator", "web": "Web services",
        "consulting": "IT consulting", "other": "Other",
        "onboarding": "Onboarding", "support": "Support", "product": "Product features",
        "study_sessions": "Study sessions", "community": "Community",
        "delimiter": "; ",
    },
}

_HEADERS_JA: Mapping[str, Mapping[str, str]] = {
    "customers": {
        "customer_id": "顧客ID", "start_date": "契約開始日", "end_date": "解約日",
        "plan": "プラン", "region": "地域", "size": "店舗規模", "stores": "店舗数",
        "mrr": "月額料金", "onboarding": "オンボーディング", "study_sessions": "勉強会参加",
        "support_tickets": "問い合わせ件数",
    },
    "events": {"customer_id": "顧客ID", "date": "請求日", "amount": "請求額"},
    "survey": {
        "respondent_id": "回答者ID", "industry": "業種", "company_size": "従業員規模",
        "q1": "Q1 カスタマーサクセスという言葉の意味を知っていますか",
        "q2": "Q2 カスタマーサクセスは事業戦略として重要だと思いますか",
        "q3": "Q3 カスタマーサクセスに取り組んでいますか",
        "q4": "Q4 カスタマーサクセスに取り組む上での課題（複数選択）",
        "q5": "Q5 CSの勉強会を同業者に勧めたいと思いますか（0〜10）",
        "q6": "Q6 ご意見・ご要望（自由記述）",
    },
    "gaps": {
        "respondent_id": "回答者ID", "customer_id": "顧客ID", "plan": "プラン",
        "expectation": "期待", "satisfaction": "満足", "importance": "重要度",
    },
}
#: The English survey's question headers (every other English header is its code name).
_QUESTIONS_EN: Mapping[str, str] = {
    "q1": "Q1 Do you know what customer success means?",
    "q2": "Q2 Is customer success strategically important to your business?",
    "q3": "Q3 Is your company working on customer success?",
    "q4": "Q4 Challenges in customer success (select all that apply)",
    "q5": "Q5 How likely are you to recommend CS study sessions to a peer? (0-10)",
    "q6": "Q6 Comments (free text)",
}
#: Headers of each file, by language: canonical or code name -> header.
HEADERS: Mapping[str, Mapping[str, Mapping[str, str]]] = {
    "ja": _HEADERS_JA,
    "en": {kind: {code: _QUESTIONS_EN.get(code, code) for code in names} for kind, names in _HEADERS_JA.items()},
}

FREE_TEXT = {
    "ja": ["事例をもっと知りたい", "社内で説明する資料が欲しい", "勉強会に参加したい",
           "KPIの決め方に悩んでいる", "人材の採用が難しい"],
    "en": ["Want more case studies", "Need material to explain CS internally",
           "Would like to join a study session", "Unsure how to set KPIs", "Hiring is hard"],
}


# --------------------------------------------------------------------------- model
def _choice(rng: np.random.Generator, probs: Mapping[str, float], n: int) -> np.ndarray:
    keys = list(probs)
    p = np.array([probs[k] for k in keys], dtype=float)
    return rng.choice(np.array(keys, dtype=object), size=n, p=p / p.sum())


def _customers(rng: np.random.Generator) -> pd.DataFrame:
    """Customers in code form, with latent traits and lifetimes."""
    n = N_CUSTOMERS
    window_days = (AS_OF - WINDOW_START).days
    # acquisition grows over time: density rises linearly to 1.6x the start rate
    u = rng.random(n)
    growth = 0.6
    offsets = (np.sqrt(1 + growth * (2 + growth) * u) - 1) / growth * window_days
    start = WINDOW_START + pd.to_timedelta(np.floor(offsets).astype(int), unit="D")

    plan = _choice(rng, {k: v[0] for k, v in PLANS.items()}, n)
    region = _choice(rng, REGIONS, n)
    store_rate = np.select([plan == "light", plan == "standard"], [0.2, 1.5], 5.0)
    stores = 1 + rng.poisson(store_rate)
    onboarding = rng.random(n) < np.where(plan == "pro", 0.8, 0.55)
    study = rng.random(n) < 0.3
    tickets = rng.poisson(np.where(onboarding, 1.2, 2.4))
    overexpectation = rng.standard_normal(n)

    price = np.array([PLANS[p][1] for p in plan], dtype=float)
    mrr = np.round((price + (stores - 1) * price * 0.3) / 100) * 100

    hr = (
        np.where(onboarding, HAZARD_RATIOS["onboarding"], 1.0)
        * np.where(study, HAZARD_RATIOS["study_sessions"], 1.0)
        * HAZARD_RATIOS["ticket"] ** tickets
        * HAZARD_RATIOS["overexpectation"] ** overexpectation
    )
    median_days = np.array([PLAN_MEDIAN_MONTHS[p] for p in plan]) * DAYS_PER_MONTH
    scale = median_days / np.log(2) ** (1 / WEIBULL_SHAPE) * hr ** (-1 / WEIBULL_SHAPE)
    lifetime_days = scale * (-np.log(rng.random(n))) ** (1 / WEIBULL_SHAPE)
    months_paid = np.maximum(1, np.ceil(lifetime_days / DAYS_PER_MONTH)).astype(int)
    end = pd.DatetimeIndex([s + pd.DateOffset(months=int(m)) for s, m in zip(start, months_paid, strict=True)])
    end = end.where(end <= AS_OF)

    size = np.select([stores == 1, stores <= 4], ["size_1", "size_2_4"], "size_5")
    return pd.DataFrame(
        {
            "customer_id": [f"C{i:05d}" for i in range(1, n + 1)],
            "start_date": start,
            "end_date": end,
            "plan": plan,
            "region": region,
            "size": size,
            "stores": stores,
            "mrr": mrr,
            "onboarding": np.where(onboarding, "onb_yes", "onb_no"),
            "study_sessions": np.where(study, "study_yes", "study_no"),
            "support_tickets": tickets,
            "_overexpectation": overexpectation,
        }
    )


def _events(rng: np.random.Generator, customers: pd.DataFrame) -> tuple[pd.DataFrame, np.ndarray]:
    """Monthly invoices; MRR drifts (expansion, contraction). Returns events and final MRR."""
    rows: list[tuple[str, pd.Timestamp, float]] = []
    final_mrr = customers["mrr"].to_numpy(copy=True)
    for i, c in enumerate(customers.itertuples(index=False)):
        price = PLANS[c.plan][1] * 0.3
        expand = 0.03 if c.plan == "pro" else 0.012
        mrr = float(c.mrr)
        k = 0
        while True:
            billed = c.start_date + pd.DateOffset(months=k)
            if billed > AS_OF or (pd.notna(c.end_date) and billed >= c.end_date):
                break
            rows.append((c.customer_id, billed, mrr))
            draw = rng.random()
            if draw < expand:
                mrr += price
            elif draw < expand + 0.008 and mrr > PLANS[c.plan][1]:
                mrr -= price
            k += 1
        final_mrr[i] = mrr if k else c.mrr
    events = pd.DataFrame(rows, columns=["customer_id", "date", "amount"])
    return events, final_mrr


def _exact_assignment(rng: np.random.Generator, counts: Mapping[str, int]) -> np.ndarray:
    values = np.concatenate([np.full(v, k, dtype=object) for k, v in counts.items()])
    return rng.permutation(values)


def _survey(rng: np.random.Generator) -> pd.DataFrame:
    """The awareness survey in code form (blank = not asked)."""
    n = N_SURVEY
    size = _choice(rng, {k: v[0] for k, v in SIZES.items()}, n)
    industry = _choice(rng, INDUSTRIES, n)
    weight = np.array([SIZES[s][1] for s in size])
    aware_idx = rng.choice(n, size=AWARE_N, replace=False, p=weight / weight.sum())
    aware = np.zeros(n, dtype=bool)
    aware[aware_idx] = True

    q2 = np.full(n, None, dtype=object)
    q3 = np.full(n, None, dtype=object)
    q4 = np.full(n, None, dtype=object)
    q5 = np.full(n, np.nan)
    q6 = np.full(n, None, dtype=object)
    q2[aware_idx] = _exact_assignment(rng, IMPORTANCE_COUNTS)
    q3[aware_idx] = _exact_assignment(rng, DOING_COUNTS)
    engaged = np.flatnonzero(np.isin(q3, ["doing", "planning"]))
    q4[engaged] = _challenges(rng, len(engaged))
    base = np.where(q3[aware_idx] == "doing", 8.0, np.where(q3[aware_idx] == "planning", 7.0, 5.0))
    q5[aware_idx] = np.clip(np.round(base + rng.normal(0, 1.8, AWARE_N)), 0, 10)
    commenters = rng.choice(n, size=60, replace=False)
    q6[commenters] = rng.integers(0, len(FREE_TEXT["ja"]), size=60)
    return pd.DataFrame(
        {
            "respondent_id": [f"R{i:04d}" for i in range(1, n + 1)],
            "industry": industry,
            "company_size": size,
            "q1": np.where(aware, "yes", "no"),
            "q2": q2,
            "q3": q3,
            "q4": q4,
            "q5": q5,
            "q6": q6,
        }
    )


def _challenges(rng: np.random.Generator, n: int) -> list[list[str]]:
    """Multi-select answers with exact option counts and at least one option each."""
    tokens = list(_exact_assignment(rng, CHALLENGE_COUNTS))
    picks: list[list[str]] = [[tokens.pop()] for _ in range(n)]
    for token in tokens:
        free = [i for i in rng.permutation(n) if token not in picks[i] and len(picks[i]) < 3]
        picks[free[0]].append(token)
    order = list(CHALLENGE_COUNTS)
    return [sorted(p, key=order.index) for p in picks]


def _gaps(rng: np.random.Generator, customers: pd.DataFrame) -> pd.DataFrame:
    """Expectation vs satisfaction survey at about three months of tenure (1-5 scale)."""
    tenure_end = customers["end_date"].fillna(AS_OF + pd.Timedelta(days=1))
    eligible = (customers["start_date"] <= AS_OF - pd.Timedelta(days=120)) & (
        tenure_end > customers["start_date"] + pd.Timedelta(days=95)
    )
    chosen = customers[eligible].sample(n=N_GAP_RESPONDENTS, random_state=np.random.RandomState(SEED))
    chosen = chosen.sort_values("customer_id")
    z = chosen["_overexpectation"].to_numpy()
    out = pd.DataFrame(
        {
            "respondent_id": [f"S{i:04d}" for i in range(1, len(chosen) + 1)],
            "customer_id": chosen["customer_id"].to_numpy(),
            "plan": chosen["plan"].to_numpy(),
        }
    )
    attended = chosen["study_sessions"].to_numpy() == "study_yes"
    for item, (mu_e, gap, mu_imp) in TOUCHPOINTS.items():
        n = len(chosen)
        expectation = mu_e + 0.45 * z + rng.normal(0, 0.6, n)
        satisfaction = mu_e + gap + rng.normal(0, 0.75, n)
        if item == "study_sessions":
            satisfaction += np.where(attended, 0.4, -0.3)
        importance = mu_imp + rng.normal(0, 0.6, n)
        answers = {
            "expectation": expectation,
            "satisfaction": satisfaction,
            "importance": importance,
        }
        skipped = rng.random(n) < (0.08 if item == "community" else 0.0)
        for kind, values in answers.items():
            scored = np.clip(np.round(values), 1, 5)
            out[f"{item}|{kind}"] = np.where(skipped, np.nan, scored)
    return out


def generate() -> dict[str, pd.DataFrame]:
    """All sample datasets in code form (language-neutral).

    Returns
    -------
    dict of str to DataFrame
        ``customers``, ``events``, ``survey``, ``gaps``, ``tickets`` and ``community``.
    """
    rng = np.random.default_rng(SEED)
    customers = _customers(rng)
    events, final_mrr = _events(rng, customers)
    customers["mrr"] = final_mrr
    survey = _survey(rng)
    gaps = _gaps(rng, customers)
    return {
        "customers": customers.drop(columns="_overexpectation"),
        "events": events,
        "survey": survey,
        "gaps": gaps,
        "tickets": sample_support.tickets(customers, AS_OF, SEED + 1),  # its own stream: the rest is unchanged
        "community": sample_community.community(customers, AS_OF, SEED + 2),  # its own stream too
        "plan_history": sample_journey.history(customers, AS_OF, SEED + 2),  # its own stream too
    }


# ---------------------------------------------------------------------- localising
@functools.cache
def vocabulary(lang: str) -> Mapping[str, str]:
    """Every header and label of the sample data in ``lang`` -> its language-neutral code.

    ``vocabulary("ja")["勉強会参加"] == vocabulary("en")["study_sessions"] == "study_sessions"``:
    links keep codes, so a view chosen in one language reopens in the other.

    Parameters
    ----------
    lang : {"ja", "en"}
        Language of the sample data.

    Returns
    -------
    mapping
        ``{localised text: code}``.
    """
    out = {text: code for code, text in LABELS[lang].items() if isinstance(text, str)}
    for headers in (*HEADERS[lang].values(), sample_adoption.HEADERS[lang], sample_adoption.LABELS[lang]):
        out.update({text: code for code, text in headers.items()})
    return out


def localise(frames: Mapping[str, pd.DataFrame], lang: str) -> dict[str, pd.DataFrame]:
    """Headers and labels of ``lang``; dates as a local spreadsheet would show them.

    Parameters
    ----------
    frames : Mapping[str, pandas.DataFrame]
        The code-form ``customers``, ``events``, ``survey`` and ``gaps`` of :func:`generate`.
    lang : {"ja", "en"}
        Language of the headers, category labels and free-text answers; ``ja`` writes dates
        as ``2024/1/5``, ``en`` as ``2024-01-05``.

    Returns
    -------
    dict[str, pandas.DataFrame]
        The five frames as the sample files hold them (dates as text, amounts as integers).
    """
    labels, headers = LABELS[lang], HEADERS[lang]
    date_format = "%Y/%-m/%-d" if lang == "ja" else "%Y-%m-%d"

    def label(series: pd.Series) -> pd.Series:
        return series.map(lambda v: labels.get(v, v) if isinstance(v, str) else v)

    def fmt_dates(series: pd.Series) -> pd.Series:
        return series.dt.strftime(date_format).where(series.notna(), "")

    c = frames["customers"].copy()
    for col in ("plan", "region", "size", "onboarding", "study_sessions"):
        c[col] = label(c[col])
    c["start_date"], c["end_date"] = fmt_dates(c["start_date"]), fmt_dates(c["end_date"])
    c["mrr"] = c["mrr"].astype(int)
    c = c.rename(columns=headers["customers"])

    e = frames["events"].copy()
    e["date"] = fmt_dates(e["date"])
    e["amount"] = e["amount"].astype(int)
    e = e.rename(columns=headers["events"])

    s = frames["survey"].copy()
    for col in ("industry", "company_size", "q1", "q2", "q3"):
        s[col] = label(s[col])
    s["q4"] = s["q4"].map(
        lambda v: labels["delimiter"].join(labels[x] for x in v) if isinstance(v, list) else None
    )
    s["q5"] = s["q5"].astype("Int64")
    s["q6"] = s["q6"].map(lambda v: FREE_TEXT[lang][int(v)] if v is not None else None)
    s = s.rename(columns=headers["survey"])

    g = frames["gaps"].copy()
    g["plan"] = label(g["plan"])
    renamed = {}
    for col in g.columns:
        if "|" in col:
            item, kind = col.split("|")
            name, part = labels[item], headers["gaps"][kind]
            renamed[col] = f"{name}_{part}" if lang == "ja" else f"{name} ({part})"
            g[col] = g[col].astype("Int64")
        else:
            renamed[col] = headers["gaps"][col]
    g = g.rename(columns=renamed)
    return {"customers": c, "events": e, "survey": s, "gaps": g,
            "tickets": sample_support.localise(frames["tickets"], lang),
            "community": sample_community.localise(frames["community"], lang)}


def write(root: Path = SAMPLE_DIR) -> list[Path]:
    """Write sample CSV/XLSX files for every language and the blank templates.

    Parameters
    ----------
    root : Path
        Output folder: ``<lang>/*.csv``, ``<lang>/cs_lens_sample.xlsx`` and ``templates/`` go here.

    Returns
    -------
    list of Path
        The files written.
    """
    frames = generate()
    written: list[Path] = []
    for lang in LANGS:
        folder = root / lang
        folder.mkdir(parents=True, exist_ok=True)
        local = localise(frames, lang)
        for kind, frame in local.items():
            path = folder / f"{kind}.csv"
            frame.to_csv(path, index=False, encoding="utf-8-sig", lineterminator="\n")
            written.append(path)
        xlsx = folder / "cs_lens_sample.xlsx"
        with pd.ExcelWriter(xlsx, engine="xlsxwriter") as writer:
            writer.book.set_properties({"created": datetime(2026, 11, 1)})
            for kind, frame in local.items():
                if kind not in SEPARATE_FILES:
                    frame.to_excel(writer, sheet_name=kind, index=False)
        written.append(xlsx)
        templates = root / "templates"
        templates.mkdir(parents=True, exist_ok=True)
        for kind, frame in local.items():
            path = templates / f"{kind}_{lang}.csv"
            frame.head(0).to_csv(path, index=False, encoding="utf-8-sig", lineterminator="\n")
            written.append(path)
        written += sample_adoption.write(root, lang, AS_OF, SEED + 2)  # own stream, own file
        written += sample_journey.write(frames["plan_history"], root, lang, LABELS[lang])  # CSV only, not the workbook
    return written


# ------------------------------------------------------------------------- loading
def load_sample(lang: str, root: Path = SAMPLE_DIR) -> Datasets:
    """Read the bundled sample files of ``lang`` into canonical datasets.

    Parameters
    ----------
    lang : {"ja", "en"}
        Which localised copy to read.
    root : Path
        Folder holding ``<lang>/*.csv``.

    Returns
    -------
    Datasets
        Canonical frames (``source="sample"``).
    """
    if lang not in LANGS:
        raise ValueError(f"unknown language {lang!r}")
    headers, folder = HEADERS[lang], root / lang
    date_format = "%Y/%m/%d" if lang == "ja" else "%Y-%m-%d"

    def read(kind: str) -> pd.DataFrame:
        ids = [h for k, h in headers[kind].items() if k in ("customer_id", "respondent_id")]
        frame = pd.read_csv(folder / f"{kind}.csv", encoding="utf-8-sig", dtype=dict.fromkeys(ids, str))
        return frame

    def canonical(frame: pd.DataFrame, kind: str, columns: tuple[str, ...]) -> pd.DataFrame:
        return frame.rename(columns={headers[kind][c]: c for c in columns})

    customers = canonical(read("customers"), "customers", ("customer_id", "start_date", "end_date", "mrr"))
    for col in ("start_date", "end_date"):
        customers[col] = pd.to_datetime(customers[col], format=date_format)
    customers["mrr"] = customers["mrr"].astype(float)
    events = canonical(read("events"), "events", ("customer_id", "date", "amount"))
    events["date"] = pd.to_datetime(events["date"], format=date_format)
    events["amount"] = events["amount"].astype(float)
    survey = canonical(read("survey"), "survey", ("respondent_id",))
    gaps = canonical(read("gaps"), "gaps", ("respondent_id", "customer_id"))
    frames = align_ids({  # customer IDs categorical, as uploads give them (cs_models.ids)
        "customers": customers,
        "events": events,
        "survey": survey,
        "gaps": gaps,
        "tickets": sample_support.read(folder, lang),
        "community": sample_community.read(folder, lang),
        "adoption": sample_adoption.read(folder, lang),
        "plan_history": sample_journey.read(folder, lang),
    })
    return Datasets(
        **frames,
        source="sample",
        origins={kind: f"sample_data/{lang}/{kind}.csv"
                 for kind in (*headers, "tickets", "community", "adoption", "plan_history")},
    )


def main(argv: list[str] | None = None) -> int:
    """Command line: regenerate the sample files.

    Parameters
    ----------
    argv : list of str, optional
        Arguments (only ``--out FOLDER``); ``sys.argv[1:]`` when ``None``.

    Returns
    -------
    int
        Exit status 0, after printing the path of each file written.
    """
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=SAMPLE_DIR, help="output folder")
    args = parser.parse_args(argv)
    for path in write(args.out):
        print(path)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
