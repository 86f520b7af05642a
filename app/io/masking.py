"""Masking of personal data in public outputs (公示): 身份证号, phone numbers, given names.

Idempotent: masking an already masked value gives it back unchanged, so archived (masked) rows can be
rendered again through the same engine.
"""

from __future__ import annotations

import re

STAR = "*"
# 复姓 that keep two characters when the given name is masked.
COMPOUND_SURNAMES = frozenset(
    "欧阳 司马 上官 诸葛 东方 皇甫 尉迟 公孙 慕容 长孙 宇文 司徒 夏侯 令狐 独孤 端木 南宫 西门 轩辕 呼延".split()
)
_LANDLINE = re.compile(r"^(0\d{2,3})-?(\d{7,8})$")


def mask_id_number(value: str) -> str:
    """110111********1234: first 6 (area) and last 4 kept, the birth date and sequence hidden."""
    text = (value or "").strip()
    if not text or STAR in text:
        return text
    if len(text) <= 10:
        return STAR * len(text)
    return text[:6] + STAR * (len(text) - 10) + text[-4:]


def mask_phone(value: str) -> str:
    """Mobile 138****5678; landline keeps its area code: 0351-***4567."""
    text = (value or "").strip()
    if not text or STAR in text:
        return text
    digits = re.sub(r"[\s-]", "", text)
    if len(digits) == 11 and digits.startswith("1"):
        return digits[:3] + STAR * 4 + digits[-4:]
    m = _LANDLINE.match(text.replace(" ", ""))
    if m:
        area, local = m.groups()
        return f"{area}-{STAR * (len(local) - 4)}{local[-4:]}"
    if len(digits) > 4:
        return STAR * (len(digits) - 4) + digits[-4:]
    return STAR * len(digits)


def mask_name(value: str) -> str:
    """张三 → 张*, 张小明 → 张**, 欧阳修 → 欧阳*: the surname stays, the given name is hidden."""
    text = (value or "").strip()
    if len(text) <= 1 or STAR in text:
        return text
    keep = 2 if text[:2] in COMPOUND_SURNAMES and len(text) > 2 else 1
    return text[:keep] + STAR * (len(text) - keep)
