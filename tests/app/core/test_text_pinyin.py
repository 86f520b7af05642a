"""The 拼音 keys (app.text) are exactly what pypinyin's lazy_pinyin gives for the whole name, although they
convert each word of the name once and cache it."""

from __future__ import annotations

import random

import pytest
from pypinyin import Style, lazy_pinyin

from app.text import name_initials, name_pinyin

NAMES = [
    "张三", "于思琪", "刘长春", "单于", "尉迟恭", "长孙无忌", "欧阳娜娜", "重庆", "银行行长", "曾曾", "乐乐", "朴",
    "A张三", "张三B", "Zhang 三", "张 三", "  李四 ", "ABC", "123", "李-小明", "阿依古丽·买买提", "张三１", "",
]


def expected(name: str) -> tuple[str, str]:
    initials = "".join(p[0] for p in lazy_pinyin(name.strip(), style=Style.FIRST_LETTER) if p).lower()
    return initials, "".join(lazy_pinyin(name.strip())).lower()


@pytest.mark.parametrize("name", NAMES)
def test_keys_are_those_of_the_whole_name(name: str) -> None:
    assert (name_initials(name), name_pinyin(name)) == expected(name)


def test_random_names_from_phrases_and_characters() -> None:
    from pypinyin.constants import PHRASES_DICT, PINYIN_DICT

    rng = random.Random(11)
    phrases = sorted(PHRASES_DICT)[:20000]
    chars = [chr(c) for c in sorted(PINYIN_DICT)[:20000]]
    for _ in range(2000):
        name = rng.choice(chars) + rng.choice(phrases + chars) + rng.choice(["", *chars, *phrases[:50], "a", " "])
        assert (name_initials(name), name_pinyin(name)) == expected(name), name


def test_known_readings() -> None:
    assert name_pinyin("张三") == "zhangsan" and name_initials("张三") == "zs"
    assert name_initials("刘长春") == expected("刘长春")[0]  # 长春 is one word: its reading, not 长's first
