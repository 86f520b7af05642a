"""工单编号 `YYYY-NNNN`: one reading for every place a number comes in from outside (imports, the
historical numbers given to create_ticket), so year 0, a year to come or a malformed number is refused."""

from __future__ import annotations

import re
import unicodedata
from datetime import date

from ..errors import ServiceError

MIN_YEAR = 1990  # 群众诉求 registers on paper go back decades, not to year 0
_NUMBER = re.compile(r"([0-9]{4})-([0-9]{1,6})")  # a year and up to 999999 tickets in it


def format_ticket_number(year: int, seq: int) -> str:
    return f"{year}-{seq:04d}"


def parse_ticket_number(text: str, today: date | None = None) -> tuple[int, int]:
    """(year, seq) of `2026-0001`; full-width digits and dash are read as ASCII. ServiceError otherwise."""
    clean = unicodedata.normalize("NFKC", text).strip()
    m = _NUMBER.fullmatch(clean)
    if not m:
        raise ServiceError(f"“{text[:30]}”不是工单编号（应为 年份-序号，如 2026-0001）")
    year, seq = int(m[1]), int(m[2])
    last = (today or date.today()).year
    if not MIN_YEAR <= year <= last:
        raise ServiceError(f"工单编号“{clean}”的年份 {m[1]} 不对（应在 {MIN_YEAR} 至 {last} 年之间）")
    if seq == 0:
        raise ServiceError(f"工单编号“{clean}”的序号应从 1 开始")
    return year, seq
