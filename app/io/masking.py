"""Masking of personal data in public outputs (公示, 便民服务卡, masked ledgers): 身份证号, phone numbers,
given names, and the ID-like and phone-like numbers found inside free text (mask_free_text).

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


# Numbers inside free text (addresses, notes, reasons), typed as people type them: full-width digits,
# spaces or dashes inside a mobile, a +86 prefix, an area code in brackets. A run must not touch other
# digits, so a longer number is never half-matched. Any run of 15+ digits is ID-like (身份证号 15/18 with
# X, bank cards too); any other run of 11–14 digits is hidden like a phone.
_D = "[0-9０-９]"
_SEP = "[ \\-－]?"
_FREE_NUMBERS = re.compile(
    f"(?<!{_D})(?:"
    f"(?P<id>{_D}{{14,}}[0-9０-９XxＸｘ])"
    f"|(?P<cc>(?:[+＋]?[8８][6６]{_SEP})?)(?P<mobile>[1１][3-9３-９]{_D}{_SEP}{_D}{{4}}{_SEP}{_D}{{4}})"
    f"|[(（]?(?P<area>[0０]{_D}{{2,3}})(?:[)）]{_SEP}|{_SEP})(?P<local>{_D}{{7,8}})"
    f"|(?<![A-Za-z])(?P<long>{_D}{{11,14}})"  # a mistyped phone, a 座机 with its extension run in
    f")(?!{_D})"
)
_THREE_DIGITS = re.compile(f"{_D}{{3}}")
_HALF_WIDTH = str.maketrans("０１２３４５６７８９ＸｘＸ＋－", "0123456789XxX+-")


def _mask_run(m: re.Match[str]) -> str:
    if m.group("id"):
        return mask_id_number(m.group("id").translate(_HALF_WIDTH))
    if m.group("mobile"):
        digits = re.sub(r"[^0-9]", "", m.group("mobile").translate(_HALF_WIDTH))
        return m.group("cc") + mask_phone(digits)
    if m.group("long"):
        digits = m.group("long").translate(_HALF_WIDTH)
        return digits[:3] + STAR * (len(digits) - 7) + digits[-4:]
    area, local = m.group("area").translate(_HALF_WIDTH), m.group("local").translate(_HALF_WIDTH)
    return f"{area}-{STAR * (len(local) - 4)}{local[-4:]}"


def mask_free_text(value: str) -> str:
    """Mask every ID-like and phone-like number inside free text (an address, a note, a reason).

    「东坟村3号（电话13812345678）」 → 「东坟村3号（电话138****5678）」; idempotent like the other masks.
    """
    text = value or ""
    # every number masked here holds three digits in a row: most addresses and notes stop at this test
    return _FREE_NUMBERS.sub(_mask_run, text) if _THREE_DIGITS.search(text) else text


_NUMBERISH = frozenset("0123456789０１２３４５６７８９*＊-－XxＸｘ")


def cut_before_number(text: str, n: int) -> str:
    """text[:n], moved back so that no number (or masked number) is cut in two: a cut never leaves
    「138****56」 or 9 of 11 digits on paper. Trailing spaces and dashes go with it."""
    if n >= len(text):
        return text
    while n > 0 and text[n - 1] in _NUMBERISH and text[n] in _NUMBERISH:
        n -= 1
    return text[:n].rstrip(" -－·")


def mask_name(value: str) -> str:
    """张三 → 张*, 张小明 → 张**, 欧阳修 → 欧阳*: the surname stays, the given name is hidden."""
    text = (value or "").strip()
    if len(text) <= 1 or STAR in text:
        return text
    keep = 2 if text[:2] in COMPOUND_SURNAMES and len(text) > 2 else 1
    return text[:keep] + STAR * (len(text) - keep)
