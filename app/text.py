"""Chinese text helpers: 拼音 keys for search (zs finds 张三), display widths, lists packed into lines, and the
order of numbered names (第二片区 before 第十二片区)."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from functools import lru_cache
from typing import Any

# pypinyin (~0.3 s: its phrase dictionary) is imported where the 拼音 is computed, not at start: the
# window opens without it, and the functions are cached, so the import statement runs once per new name.
#
# lazy_pinyin cuts a name into words (its phrase dictionary decides: 单于 is one word, read chan yu) and
# converts each word; converting is most of its time. Names share few words (surnames and given-name
# characters), so each word is converted once per style and cached, and one cut serves both keys: the
# same result as lazy_pinyin(name) and lazy_pinyin(name, style=Style.FIRST_LETTER), at a quarter of the cost.


@lru_cache(maxsize=1)
def _pinyin() -> tuple[Any, Any]:
    """pypinyin's own (cuts, then converts), and one that converts a word of that cut as it is."""
    from pypinyin.core import Pinyin

    class OneWord(Pinyin):
        def pre_seg(self, hans: str, **kwargs: Any) -> list[str]:
            return [hans]  # already one word of the name's cut: convert it as lazy_pinyin would, whole

    return Pinyin(), OneWord()


@lru_cache(maxsize=4096)  # a name's two keys are asked one after the other
def _words(name: str) -> tuple[str, ...]:
    """The name cut into words as lazy_pinyin cuts it."""
    return tuple(_pinyin()[0].seg(name))


@lru_cache(maxsize=65536)
def _word_pinyin(word: str, first_letters: bool) -> tuple[str, ...]:
    from pypinyin import Style

    style = Style.FIRST_LETTER if first_letters else Style.NORMAL
    return tuple(_pinyin()[1].lazy_pinyin(word, style=style))


# pypinyin's phrase cut costs the square of the length (1,000,000 characters: minutes). Services refuse
# such names before asking, but no caller can hang here: only the first PINYIN_MAX characters count — far
# beyond any name (and the search columns hold 40 initials, 160 letters).
PINYIN_MAX = 100


def _head(name: str) -> str:
    return name.strip()[:PINYIN_MAX]


def name_initials(name: str) -> str:
    """拼音首字母 in lower case: 张三 → zs. Non-Chinese characters are kept (lower case)."""
    return _initials(_head(name))


def name_pinyin(name: str) -> str:
    """Full 拼音 without tones or spaces: 张三 → zhangsan."""
    return _full_pinyin(_head(name))


@lru_cache(maxsize=65536)  # keyed on the bounded name: a hostile one is not kept whole in the cache
def _initials(name: str) -> str:
    return "".join(p[0] for w in _words(name) for p in _word_pinyin(w, True) if p).lower()


@lru_cache(maxsize=65536)
def _full_pinyin(name: str) -> str:
    return "".join(p for w in _words(name) for p in _word_pinyin(w, False)).lower()


def display_width(text: str) -> int:
    """Width in half-width cells: a 汉字 or full-width sign counts 2, ASCII 1 (Excel column units)."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def pack_lines(items: Iterable[str], width: float, sep: str = "、") -> str:
    """Items joined by sep, with a line break (\\n) instead of sep where the next item would pass `width`
    half-width cells: a long list in a ledger cell wraps between items, never inside one, and its row
    height can be taken from its line count. An item wider than `width` has a line of its own."""
    lines: list[str] = []
    line, used = "", 0
    for item in items:
        w = display_width(item)
        if line and used + display_width(sep) + w > width:
            lines.append(line)
            line, used = "", 0
        if line:
            line, used = line + sep + item, used + display_width(sep) + w
        else:
            line, used = item, w
    if line:
        lines.append(line)
    return "\n".join(lines)


_CN_DIGITS = {c: i for i, c in enumerate("〇一二三四五六七八九")}
_NUMBERED = re.compile(r"第([〇一二三四五六七八九十]+|\d+)")


def numbered_order(name: str) -> tuple[int, str]:
    """Sort key of a numbered name by its number, Chinese or Arabic: 第二片区党委 before 第三 and 第十二 (a plain
    text sort puts 第三 before 第二, 第10村 before 第2村); names without 第… number after all numbered ones."""
    m = _NUMBERED.search(name)
    if m is None:
        return (10_000, name)
    text = m.group(1)
    if text.isdigit():
        return (int(text), name)
    tens, _, ones = text.rpartition("十")
    value = (_CN_DIGITS.get(tens, 1) * 10 if "十" in text else 0) + sum(_CN_DIGITS.get(c, 0) for c in ones)
    return (value, name)
