"""Files that the upload tests (AppTest and browser) send, made in one place."""

from __future__ import annotations

#: A Japanese Excel export: a title row, a blank row, then the table (cp932, CRLF), with a 和暦
#: date, an impossible date, ￥ amounts and an end before its start.
_TITLE_ROWS = (
    "顧客一覧（2024年度）",
    "",
    "会社ID,会社名,開始日,終了日,月額,業種",
    "007,髙橋商店,2024/4/1,,\"9,800\",飲食",
    "008,カブシキ,令和6年5月1日,2024/2/30,\"￥19,800\",小売",
    "009,テスト,2024-06-01,2024-05-01,1000,飲食",
    "010,ＡＢＣ食堂,2024/7/1,2024/9/30,\"12,000\",飲食",
)
#: A zip signature followed by nothing a workbook has.
CORRUPT_XLSX = b"PK\x03\x04" + b"\x14\x00" * 40


def title_cp932(customers: int) -> bytes:
    """The cp932 export with its first ``customers`` data rows (1 to 4).

    Parameters
    ----------
    customers : int
        Data rows to keep.

    Returns
    -------
    bytes
        The file's content.
    """
    return "".join(f"{line}\r\n" for line in _TITLE_ROWS[: 3 + customers]).encode("cp932")
