"""One search box for every list: 汉字, 拼音首字母 (zs → 张三), full 拼音, 身份证号/phone fragments.

Built as one SQL expression so SQLite and PostgreSQL do the filtering (150k rows, no Python loop).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from typing import Any

from sqlalchemy import ColumnElement, and_, false, func, or_
from sqlalchemy.orm import QueryableAttribute, Session

from .access import full_ids_visible

Col = ColumnElement[Any] | QueryableAttribute[Any]

_LETTERS = re.compile(r"[a-z]+")
_ID_FRAGMENT = re.compile(r"\d+[xX]?|[xX]")
_DIGITS = re.compile(r"\d+")


def unit_scan(s: Session, unit_col: Col, unit_id: int, *, by_index: bool = False) -> ColumnElement[bool]:
    """`unit_id = ?` for a list query over a big table (residents, members).

    On SQLite the planner answers `unit_id = ?` from the unit_id index even when the unit holds every
    row of the table (the usual case: one village per file), then looks each of 150,000 rows up by
    rowid: a sort or a LIKE filter took ~1 s. `unit_id + 0 = ?` keeps it off that index, so the table
    is scanned in order (~35 ms for 150,000 rows). PostgreSQL plans by statistics: left as it is.

    `by_index=True` when the query's order is that of a composite index starting with unit_id (residents
    in 拼音 order: ix_residents_search): then the plain condition lets SQLite walk that index and stop
    after one page instead of sorting every row.
    """
    if s.get_bind().dialect.name == "sqlite" and not by_index:
        return (unit_col + 0) == unit_id
    return unit_col == unit_id


def tokens(text: str) -> list[str]:
    """Words of a search text (full-width folded to ASCII); every word must match.

    A NUL (pasted along with a name) separates words like a space: no stored text holds one, and
    PostgreSQL refuses it in a query parameter (the search failed there instead of finding the name).
    """
    return unicodedata.normalize("NFKC", (text or "").replace("\x00", " ")).split()


def text_filter(
    text: str,
    name_col: Col,
    initials_col: Col | None = None,
    pinyin_col: Col | None = None,
    id_col: Col | None = None,
    phone_col: Col | None = None,
    *,
    extra: Sequence[Col] = (),
) -> ColumnElement[bool] | None:
    """SQL condition for a search text, or None when the text is blank.

    Each whitespace-separated word must match (AND); a word matches when
    - it contains 汉字 or other text: the name (or an `extra` column, e.g. 户号/门牌) contains it;
    - it is ASCII letters: name_initials contains it (zs, zs in wzs) or name_pinyin starts with it;
    - it is digits (optionally ending in X): the 身份证号 or the phone (hyphens ignored) contains it; the
      身份证号 only for an operator who sees it in full (grid staff see it masked: access.full_ids_visible).
    """
    parts = [_word_filter(w, name_col, initials_col, pinyin_col, id_col, phone_col, extra) for w in tokens(text)]
    if not parts:
        return None
    return and_(*parts)


def _word_filter(
    word: str,
    name_col: Col,
    initials_col: Col | None,
    pinyin_col: Col | None,
    id_col: Col | None,
    phone_col: Col | None,
    extra: Sequence[Col],
) -> ColumnElement[bool]:
    # autoescape: a user typing % or _ means those characters, not LIKE wildcards.
    options: list[ColumnElement[bool]] = [name_col.contains(word, autoescape=True)]
    options += [c.contains(word, autoescape=True) for c in extra]
    lower = word.lower()
    if _LETTERS.fullmatch(lower):
        if initials_col is not None:
            options.append(initials_col.contains(lower, autoescape=True))
        if pinyin_col is not None:
            options.append(pinyin_col.startswith(lower, autoescape=True))
    if _ID_FRAGMENT.fullmatch(word) and id_col is not None:
        by_id = id_col.contains(word.upper(), autoescape=True)
        visible = full_ids_visible()
        options.append(by_id if visible is None else and_(visible, by_id))
    plain = word.replace("-", "")
    if _DIGITS.fullmatch(plain) and phone_col is not None:
        options.append(phone_col.contains(plain, autoescape=True))
        # Only landlines (0351-1234567) hold a hyphen: stripping it on every row of 150,000 cost a third
        # of the search, so the fragment that spans the hyphen is looked for in those rows only.
        options.append(and_(phone_col.contains("-"), func.replace(phone_col, "-", "").contains(plain, autoescape=True)))
    return or_(false(), *options)
