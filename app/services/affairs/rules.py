"""The quorum and majority rules a 村务 meeting is held and decides by, as pure functions.

村民委员会组织法 (第二十二条, 第二十四条):
- 村民会议: 「本村十八周岁以上村民的过半数，或者本村三分之二以上的户的代表参加」; decides by 过半数
  of those present.
- 村民代表会议: 「有三分之二以上的组成人员参加方可召开，所作决定应当经到会人员的过半数同意」.
「以上」 includes the number itself (民法典 第一千二百五十九条, the drafting rule of every law: 以上、以下、
以内包括本数; 超过、不满 exclude it), so exactly two thirds of the representatives or of the households
sits; 「过半数」 is more than half, so exactly half of the adults does not, and a tie does not pass.
(The brief this was written from said "more than two thirds"; the statute's wording is followed here.)
中国共产党支部工作条例 (第十一条): a 党员大会 needs 「半数以上有表决权的党员到会」, which Party practice
(发展党员工作细则: 「必须超过应到会有表决权人数的半数」, the 双过半 rule) reads as more than half; a
motion passes with 「赞成人数超过应到会有表决权的党员的半数」 — more than half of those EXPECTED.
支委会 / 两委会: our reading — the same 双过半 as the 支委会 of the 条例: more than half of the members
present, and more than half of those present in favour (少数服从多数).

All thresholds use integer arithmetic (「三分之二以上」 is 3 * present >= 2 * expected); a float would put
20 of 30 on the wrong side one day.
"""

from __future__ import annotations

from dataclasses import dataclass

from app.models.affairs import MEETING_KINDS, OUTCOMES

from ..errors import FieldProblem, ValidationError

PASSED, FAILED, NO_QUORUM = OUTCOMES  # "通过", "未通过", "不足法定人数"


@dataclass(frozen=True)
class VoteResult:
    outcome: str  # one of OUTCOMES
    note: str  # the rule applied, with the numbers, as one Chinese sentence

    @property
    def passed(self) -> bool:
        return self.outcome == PASSED


def _more_than_half(n: int) -> int:
    """The least whole number that is more than half of n."""
    return n // 2 + 1


def _two_thirds(n: int) -> int:
    """The least whole number that is at least two thirds of n (3k >= 2n)."""
    return (2 * n + 2) // 3


def _check_counts(kind: str, expected: int, present: int, for_: int, against: int, abstain: int,
                  adults_total: int, households_total: int, households_present: int) -> None:
    problems: list[FieldProblem] = []

    def bad(field: str, label: str, message: str) -> None:
        problems.append(FieldProblem(field, label, message))

    if kind not in MEETING_KINDS:
        bad("kind", "会议类型", f"“{kind}”不是可选的会议类型（{'、'.join(MEETING_KINDS)}）")
    numbers = (("expected", "应到人数", expected), ("present", "实到人数", present),
               ("votes_for", "赞成票", for_), ("votes_against", "反对票", against),
               ("votes_abstain", "弃权票", abstain), ("adults_total", "年满十八周岁村民人数", adults_total),
               ("households_total", "总户数", households_total),
               ("households_present", "到会户代表数", households_present))
    for field, label, value in numbers:
        if value < 0:
            bad(field, label, "不能是负数")
    if problems:
        raise ValidationError(problems)
    if kind == "村民会议":
        if adults_total == 0 and households_total == 0:
            bad("adults_total", "年满十八周岁村民人数", "村民会议须填写本村年满十八周岁的村民人数或总户数")
        if adults_total and present > adults_total:
            bad("present", "实到人数", f"实到 {present} 人，超过了年满十八周岁的村民人数 {adults_total} 人")
        if households_present > households_total:
            bad("households_present", "到会户代表数",
                f"到会 {households_present} 户，超过了总户数 {households_total} 户")
    else:
        if expected == 0:
            bad("expected", "应到人数", "应到人数为 0，请先勾选应到会的人员")
        elif present > expected:
            bad("present", "实到人数", f"实到 {present} 人，超过了应到 {expected} 人")
    cast = for_ + against + abstain
    if cast > present:
        bad("votes_for", "表决票数",
            f"赞成 {for_}、反对 {against}、弃权 {abstain}，共 {cast} 票，超过了实到 {present} 人")
    if problems:
        raise ValidationError(problems)


def _quorum(kind: str, expected: int, present: int, adults_total: int, households_total: int,
            households_present: int) -> tuple[bool, str]:
    """Whether the meeting could sit, and the sentence saying so."""
    if kind == "村民会议":
        by_adults = adults_total > 0 and 2 * present > adults_total
        by_households = households_total > 0 and 3 * households_present >= 2 * households_total
        parts = []
        if adults_total:
            parts.append(f"年满十八周岁村民 {adults_total} 人，到会 {present} 人"
                         + ("，超过半数" if by_adults
                            else f"，未超过半数（需至少 {_more_than_half(adults_total)} 人）"))
        if households_total:
            parts.append(f"全村 {households_total} 户，到会户代表 {households_present} 户"
                         + ("，达到三分之二" if by_households
                            else f"，不足三分之二（需至少 {_two_thirds(households_total)} 户）"))
        return by_adults or by_households, "；".join(parts)
    if kind == "村民代表会议":
        ok = 3 * present >= 2 * expected
        need = "" if ok else f"（需至少 {_two_thirds(expected)} 人）"
        return ok, f"应到 {expected} 人，实到 {present} 人，{'达到' if ok else '不足'}三分之二{need}"
    ok = 2 * present > expected  # 党员大会, 支委会, 两委会
    need = "" if ok else f"（需至少 {_more_than_half(expected)} 人）"
    return ok, f"应到 {expected} 人，实到 {present} 人，{'超过' if ok else '未超过'}半数{need}"


def check_vote(kind: str, expected: int, present: int, for_: int, against: int, abstain: int,
               adults_total: int = 0, households_total: int = 0, households_present: int = 0) -> VoteResult:
    """Apply the quorum and majority rule of `kind` to the counts of one meeting.

    Counts that cannot be (negative, more present than expected, more votes than people present)
    raise ValidationError naming the field; a quorum or majority that fails is a result, not an error.
    """
    _check_counts(kind, expected, present, for_, against, abstain,
                  adults_total, households_total, households_present)
    sits, quorum_note = _quorum(kind, expected, present, adults_total, households_total, households_present)
    if not sits:
        return VoteResult(NO_QUORUM, f"{kind}：{quorum_note}，会议不能举行")
    if kind == "党员大会":
        base, base_label = expected, f"应到会有表决权的党员 {expected} 人"
    else:
        base, base_label = present, f"实到 {present} 人"
    passed = 2 * for_ > base
    votes = f"赞成 {for_} 票、反对 {against} 票、弃权 {abstain} 票"
    if passed:
        return VoteResult(PASSED, f"{kind}：{quorum_note}；{votes}，赞成超过{base_label}的半数，通过")
    need = _more_than_half(base)
    return VoteResult(FAILED, f"{kind}：{quorum_note}；{votes}，赞成未超过{base_label}的半数"
                              f"（需至少 {need} 票），未通过")
