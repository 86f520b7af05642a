"""Chinese text helpers: 拼音 keys for search (zs finds 张三)."""

from __future__ import annotations

import unicodedata
from functools import lru_cache

# pypinyin (~0.3 s: its phrase dictionary) is imported where the 拼音 is computed, not at start: the
# window opens without it, and both functions are cached, so the import statement runs once per new name.


@lru_cache(maxsize=65536)
def name_initials(name: str) -> str:
    """拼音首字母 in lower case: 张三 → zs. Non-Chinese characters are kept (lower case)."""
    from pypinyin import Style, lazy_pinyin

    return "".join(p[0] for p in lazy_pinyin(name.strip(), style=Style.FIRST_LETTER) if p).lower()


@lru_cache(maxsize=65536)
def name_pinyin(name: str) -> str:
    """Full 拼音 without tones or spaces: 张三 → zhangsan."""
    from pypinyin import lazy_pinyin

    return "".join(lazy_pinyin(name.strip())).lower()


def display_width(text: str) -> int:
    """Width in half-width cells: a 汉字 or full-width sign counts 2, ASCII 1 (Excel column units)."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)
