"""The 村民委员会组织法 / 支部工作条例 thresholds at their edges, in integers.

「三分之二以上」 includes exactly two thirds (民法典 第一千二百五十九条); 「过半数」 and 「超过半数」 do not
include exactly half."""

from __future__ import annotations

import pytest

from app.services.affairs.rules import FAILED, NO_QUORUM, PASSED, check_vote
from app.services.errors import ValidationError


def test_representative_meeting_needs_two_thirds() -> None:
    below = check_vote("村民代表会议", 30, 19, 19, 0, 0)
    assert below.outcome == NO_QUORUM
    assert "应到 30 人，实到 19 人，不足三分之二（需至少 20 人），会议不能举行" in below.note
    at_two_thirds = check_vote("村民代表会议", 30, 20, 11, 9, 0)
    assert at_two_thirds.outcome == PASSED and "达到三分之二" in at_two_thirds.note
    # a body not divisible by three: 2 of 4 is short of two thirds, 3 of 4 sits
    assert check_vote("村民代表会议", 4, 2, 2, 0, 0).outcome == NO_QUORUM
    assert check_vote("村民代表会议", 4, 3, 2, 1, 0).outcome == PASSED
    assert check_vote("村民代表会议", 3, 2, 2, 0, 0).outcome == PASSED


def test_representative_meeting_majority_of_those_present() -> None:
    half = check_vote("村民代表会议", 30, 22, 11, 5, 6)
    assert half.outcome == FAILED
    assert "需至少 12 票" in half.note and "实到 22 人" in half.note
    assert check_vote("村民代表会议", 30, 22, 12, 10, 0).passed


def test_villagers_meeting_by_adults_or_households() -> None:
    assert check_vote("村民会议", 0, 100, 100, 0, 0, adults_total=200).outcome == NO_QUORUM
    assert check_vote("村民会议", 0, 101, 51, 0, 0, adults_total=200).outcome == PASSED
    assert check_vote("村民会议", 0, 101, 50, 0, 0, adults_total=200).outcome == FAILED
    # too few adults, but representatives of more than two thirds of the households came
    by_households = check_vote("村民会议", 0, 60, 40, 0, 0, adults_total=200,
                               households_total=90, households_present=60)
    assert by_households.passed and "全村 90 户，到会户代表 60 户，达到三分之二" in by_households.note
    short = check_vote("村民会议", 0, 59, 40, 0, 0, households_total=90, households_present=59)
    assert short.outcome == NO_QUORUM and "需至少 60 户" in short.note


def test_party_congress_majority_of_those_expected() -> None:
    assert check_vote("党员大会", 40, 20, 20, 0, 0).outcome == NO_QUORUM
    # 21 present, all 21 for: more than half of 40 expected
    assert check_vote("党员大会", 40, 21, 21, 0, 0).passed
    # 30 present, 20 for: more than half of those present but not of the 40 expected
    r = check_vote("党员大会", 40, 30, 20, 10, 0)
    assert r.outcome == FAILED and "应到会有表决权的党员 40 人" in r.note and "需至少 21 票" in r.note


@pytest.mark.parametrize("kind", ["两委会", "支委会"])
def test_committees_more_than_half(kind: str) -> None:
    assert check_vote(kind, 8, 4, 4, 0, 0).outcome == NO_QUORUM
    assert check_vote(kind, 8, 5, 3, 2, 0).passed
    assert check_vote(kind, 8, 6, 3, 3, 0).outcome == FAILED


def test_impossible_counts_are_named() -> None:
    with pytest.raises(ValidationError) as e:
        check_vote("村民代表会议", 30, 25, 20, 5, 1)
    assert e.value.for_field("votes_for") == ["赞成 20、反对 5、弃权 1，共 26 票，超过了实到 25 人"]
    with pytest.raises(ValidationError) as e:
        check_vote("两委会", 5, 6, 0, 0, 0)
    assert "超过了应到 5 人" in str(e.value)
    with pytest.raises(ValidationError, match="应到人数为 0"):
        check_vote("两委会", 0, 0, 0, 0, 0)
    with pytest.raises(ValidationError, match="不能是负数"):
        check_vote("两委会", 5, 3, -1, 0, 0)
    with pytest.raises(ValidationError, match="年满十八周岁"):
        check_vote("村民会议", 0, 10, 10, 0, 0)
