"""积分规则 and 评定档次: the data that drives 党员积分制, with defaults from the seeds.

Seed 004 (杜儿坪街道): members are 青年/在职/退休党员, each with its own 基础分; a year's points are
基础分 + 履职分 + 奖励分 − 扣减分; the ledger records the 三必到 (meetings one must attend) and
六必访 (visits one must make); 党员代办 and 双报到 volunteering count. The rules are rows the 书记
edits in 设置; the grade bands are one Setting row.

Rules have a scope: "member" (党员积分) or "household" (乡风文明积分, 五讲五不, seed 002 辛庄村: villagers'
households scored with the 党小组长). Each scope has its own defaults and its own list; an entry of one
ledger never goes through a rule of the other.

A rule's `trigger` lets the program pick it by itself:
- "base" — the yearly 基础分 of the categories it applies to;
- "meeting:<会议类型>:<出席|请假|缺席>" — closing a meeting's attendance (三必到);
- "ticket:代办" — a 党员代办 ticket closed (the tickets area calls points.award_for_ticket).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field, replace
from decimal import Decimal, InvalidOperation

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.models import HouseholdPointEntry, PointEntry, PointRule
from app.models.org import POINTS_CATEGORIES
from app.models.points import ATTENDANCE, MEETING_KINDS, RULE_KIND_LABELS, RULE_KINDS, RULE_SCOPES

from .. import access, audit
from ..errors import NotFound
from ..settings import get_setting, set_setting
from ..validation import Problems

BASE_TRIGGER = "base"
TICKET_TRIGGER = "ticket:代办"
DUES_TRIGGER = "dues:欠交"  # partywork.dues_outputs books it for members behind with their 党费
BANDS_KEY = "points.grade_bands"
MEMBER, HOUSEHOLD = RULE_SCOPES  # "member" | "household"
SCOPE_LABELS = {MEMBER: "党员积分", HOUSEHOLD: "乡风文明积分"}
HOUSEHOLD_KINDS = ("base", "reward", "deduct")  # 履职分 is a member's duty, not a household's


def meeting_trigger(kind: str, status: str) -> str:
    return f"meeting:{kind}:{status}"


TRIGGERS: tuple[str, ...] = (
    BASE_TRIGGER, TICKET_TRIGGER, DUES_TRIGGER,
    *(meeting_trigger(k, st) for k in MEETING_KINDS for st in ATTENDANCE),
)


def trigger_label(trigger: str) -> str:
    if trigger == BASE_TRIGGER:
        return "每年自动发放基础分"
    if trigger == TICKET_TRIGGER:
        return "党员代办工单办结时自动计分"
    if trigger == DUES_TRIGGER:
        return "按党费记录欠交时扣分"
    if trigger.startswith("meeting:"):
        _, kind, status = (trigger.split(":") + ["", ""])[:3]
        return f"{kind}{status}时自动计分"
    return ""


D = Decimal


def points_text(value: Decimal | int | None) -> str:
    """99 rather than 99.0; 2.5 stays 2.5."""
    if value is None:
        return ""
    d = Decimal(value)
    return str(d.quantize(Decimal(1))) if d == d.to_integral_value() else str(d.normalize())


def signed_text(value: Decimal) -> str:
    """+2 / −3 as a ledger shows them."""
    return ("+" if value > 0 else "") + points_text(value)

# (kind, name, points, min, max, categories, yearly cap, evidence, trigger, note)
DEFAULT_RULES: tuple[tuple[str, str, str, str | None, str | None, tuple[str, ...], str | None, bool, str, str], ...] = (
    ("base", "基础分（青年党员）", "50", None, None, ("青年",), "50", False, BASE_TRIGGER, "不同党员赋予不同基础分"),
    ("base", "基础分（在职党员）", "55", None, None, ("在职",), "55", False, BASE_TRIGGER, ""),
    ("base", "基础分（退休党员）", "60", None, None, ("退休",), "60", False, BASE_TRIGGER, ""),
    ("duty", "参加支部党员大会", "2", None, None, (), None, False, meeting_trigger("支部党员大会", "出席"), "三必到"),
    ("duty", "参加支委会", "2", None, None, (), None, False, meeting_trigger("支委会", "出席"), ""),
    ("duty", "参加党小组会", "1", None, None, (), None, False, meeting_trigger("党小组会", "出席"), "三必到"),
    ("duty", "参加党课", "2", None, None, (), None, False, meeting_trigger("党课", "出席"), "三必到"),
    ("duty", "参加主题党日活动", "2", None, None, (), None, False, meeting_trigger("主题党日", "出席"), ""),
    ("duty", "六必访入户走访", "1", "1", "3", (), "30", True, "", "困难户、空巢老人等六必访，须写明走访对象"),
    ("duty", "党员代办事项办结", "2", None, None, (), "20", False, TICKET_TRIGGER, "党员代办工单办结自动计分"),
    ("duty", "双报到社区志愿服务", "2", "1", "5", (), "20", False, "", "在职党员到居住地社区报到服务"),
    ("reward", "受到上级表彰", "5", "2", "10", (), "20", True, "", "须注明表彰文件"),
    ("reward", "好人好事、见义勇为", "3", "2", "10", (), "20", True, "", ""),
    ("deduct", "无故缺席支部党员大会", "3", None, None, (), None, False, meeting_trigger("支部党员大会", "缺席"), ""),
    ("deduct", "无故缺席党小组会", "1", None, None, (), None, False, meeting_trigger("党小组会", "缺席"), ""),
    ("deduct", "无故缺席党课", "3", None, None, (), None, False, meeting_trigger("党课", "缺席"), ""),
    ("deduct", "无故缺席主题党日活动", "2", None, None, (), None, False, meeting_trigger("主题党日", "缺席"), ""),
    ("deduct", "未按时交纳党费", "5", None, None, (), None, False, DUES_TRIGGER, "欠交三个月及以上，每季度扣一次"),
    ("deduct", "违反纪律或村规民约", "5", "5", "20", (), None, True, "", "须写明事实"),
)

# 乡风文明积分 (五讲五不), per household, scored with the 党小组长: a 讲 (奖励) and a 不 (扣减) for each theme.
DEFAULT_HOUSEHOLD_RULES: tuple[tuple[str, str, str, str | None, str | None, tuple[str, ...], str | None, bool, str, str],
                               ...] = (
    ("reward", "讲文明（文明礼让、邻里和睦）", "2", "1", "5", (), "10", False, "", "五讲五不：讲文明"),
    ("deduct", "不说脏话（辱骂他人、邻里吵闹）", "2", "1", "5", (), "10", True, "", "五讲五不：不说脏话，须写明事实"),
    ("reward", "讲卫生（庭院整洁、美丽庭院）", "2", "1", "5", (), "10", False, "", "五讲五不：讲卫生"),
    ("deduct", "不乱扔乱倒（乱扔垃圾、乱堆乱放）", "2", "1", "5", (), "10", True, "", "五讲五不：不乱扔乱倒"),
    ("reward", "讲孝道（孝老爱亲、家风家训）", "3", "1", "5", (), "10", False, "", "五讲五不：讲孝道"),
    ("deduct", "不虐待老人（不赡养、虐待老人）", "5", "5", "10", (), "20", True, "", "五讲五不：不虐待老人"),
    ("reward", "讲诚信（诚实守信、邻里互助）", "2", "1", "5", (), "10", False, "", "五讲五不：讲诚信"),
    ("deduct", "不坑蒙拐骗（欺诈、失信）", "5", "5", "10", (), "20", True, "", "五讲五不：不坑蒙拐骗"),
    ("reward", "讲法治（遵纪守法、化解纠纷）", "2", "1", "5", (), "10", False, "", "五讲五不：讲法治"),
    ("deduct", "不违法乱纪（违法违规、违反村规民约）", "5", "5", "20", (), "20", True, "", "五讲五不：不违法乱纪"),
)
DEFAULTS = {MEMBER: DEFAULT_RULES, HOUSEHOLD: DEFAULT_HOUSEHOLD_RULES}


@dataclass(frozen=True)
class RuleRow:
    id: int
    kind: str
    kind_label: str
    name: str
    points: Decimal
    points_min: Decimal | None
    points_max: Decimal | None
    categories: list[str]  # [] = every category
    yearly_cap: Decimal | None
    evidence_required: bool
    trigger: str
    active: bool
    sort_order: int
    note: str
    scope: str = MEMBER

    @property
    def signed_points(self) -> Decimal:
        return -self.points if self.kind == "deduct" else self.points

    @property
    def categories_text(self) -> str:
        return "、".join(self.categories) if self.categories else "全部"

    @property
    def range_text(self) -> str:
        if self.points_min is None or self.points_max is None:
            return ""
        return f"{points_text(self.points_min)}–{points_text(self.points_max)}"

    def applies_to(self, category: str) -> bool:
        return not self.categories or category in self.categories


@dataclass
class RuleInput:
    kind: str
    name: str
    points: Decimal | str | float | int
    points_min: Decimal | str | float | int | None = None
    points_max: Decimal | str | float | int | None = None
    categories: list[str] = field(default_factory=list)
    yearly_cap: Decimal | str | float | int | None = None
    evidence_required: bool = False
    trigger: str = ""
    active: bool = True
    sort_order: int = 0
    note: str = ""
    scope: str = MEMBER  # fixed when created: update_rule keeps the rule's scope


def _row(r: PointRule) -> RuleRow:
    cats = [str(c) for c in r.categories] if isinstance(r.categories, list) else []
    return RuleRow(r.id, r.kind, RULE_KIND_LABELS.get(r.kind, r.kind), r.name, D(r.points), r.points_min,
                   r.points_max, cats, r.yearly_cap, bool(r.evidence_required), r.trigger or "", bool(r.active),
                   r.sort_order, r.note or "", r.scope or MEMBER)


def ensure_default_rules(s: Session, unit_id: int, scope: str = MEMBER) -> int:
    """Add the scope's default rules when the unit has none of that scope yet (first use). Returns how many."""
    if s.scalar(select(func.count(PointRule.id)).where(PointRule.unit_id == unit_id, PointRule.scope == scope)):
        return 0
    defaults = DEFAULTS[scope]
    for i, (kind, name, pts, lo, hi, cats, cap, evidence, trigger, note) in enumerate(defaults):
        s.add(PointRule(
            unit_id=unit_id, kind=kind, scope=scope, name=name, points=D(pts), points_min=D(lo) if lo else None,
            points_max=D(hi) if hi else None, categories=list(cats), yearly_cap=D(cap) if cap else None,
            evidence_required=evidence, trigger=trigger, sort_order=(i + 1) * 10, note=note,
        ))
    s.flush()
    audit.record(s, unit_id, "create", "point_rule", None,
                 f"建立默认{SCOPE_LABELS[scope]}规则（{len(defaults)} 条）")
    return len(defaults)


_KIND_ORDER = {k: i for i, k in enumerate(RULE_KINDS)}


def list_rules(s: Session, unit_id: int, include_inactive: bool = False, scope: str = MEMBER) -> list[RuleRow]:
    """The unit's rules of one scope (defaults created on first use), 基础 → 履职 → 奖励 → 扣减."""
    ensure_default_rules(s, unit_id, scope)
    stmt = select(PointRule).where(PointRule.unit_id == unit_id, PointRule.scope == scope)
    if not include_inactive:
        stmt = stmt.where(PointRule.active.is_(True))
    rows = [_row(r) for r in s.scalars(stmt)]
    return sorted(rows, key=lambda r: (_KIND_ORDER.get(r.kind, 9), r.sort_order, r.id))


def get_rule(s: Session, rule_id: int) -> RuleRow:
    r = s.get(PointRule, rule_id)
    if r is None:
        raise NotFound("找不到该积分规则")
    return _row(r)


def rule_for_trigger(s: Session, unit_id: int, trigger: str, category: str) -> RuleRow | None:
    """The active rule with this trigger that applies to the category (first by sort order)."""
    for r in list_rules(s, unit_id):
        if r.trigger == trigger and r.applies_to(category):
            return r
    return None


def parse_points(p: Problems, field_: str, label: str, value: object, *, required: bool = False,
                 positive: bool = True) -> Decimal | None:
    """A points value (one decimal place); the problem is recorded on the field."""
    if value is None or (isinstance(value, str) and not value.strip()):
        if required:
            p.add(field_, label, f"请填写{label}")
        return None
    try:
        number = D(str(value).strip())
    except InvalidOperation:
        p.add(field_, label, f"“{value}”不是数字")
        return None
    if not number.is_finite():
        p.add(field_, label, f"“{value}”不是数字")
        return None
    if number != number.quantize(D("0.1")):
        p.add(field_, label, "最多保留一位小数")
        return None
    if positive and number <= 0:
        p.add(field_, label, "应大于 0（扣减分规则也填正数，记分时自动扣减）")
        return None
    if abs(number) >= 10000:
        p.add(field_, label, "数值过大")
        return None
    return number


def _check_rule(s: Session, unit_id: int, data: RuleInput, rule_id: int | None) -> dict[str, object]:
    p = Problems()
    scope = data.scope if data.scope in RULE_SCOPES else MEMBER
    kind = p.choice("kind", "积分类别", data.kind, RULE_KINDS if scope == MEMBER else HOUSEHOLD_KINDS, required=True)
    name = p.text("name", "规则名称", data.name, required=True, max_len=60)
    points = parse_points(p, "points", "分值", data.points, required=True)
    lo = parse_points(p, "points_min", "最低分", data.points_min)
    hi = parse_points(p, "points_max", "最高分", data.points_max)
    cap = parse_points(p, "yearly_cap", "年度上限", data.yearly_cap)
    if (lo is None) != (hi is None):
        p.add("points_max", "最高分", "分值范围请同时填写最低分和最高分，或都不填")
    elif lo is not None and hi is not None:
        if lo > hi:
            p.add("points_max", "最高分", f"最高分（{hi}）不能小于最低分（{lo}）")
        elif points is not None and not lo <= points <= hi:
            p.add("points", "分值", f"默认分值应在 {lo}–{hi} 之间")
    if cap is not None and points is not None and cap < points:
        p.add("yearly_cap", "年度上限", f"年度上限（{cap}）小于一次的分值（{points}）")
    cats = [c.strip() for c in data.categories if c and c.strip()]
    for c in cats:
        if c not in POINTS_CATEGORIES:
            p.add("categories", "适用党员", f"“{c}”不是积分类别（可选：{'、'.join(POINTS_CATEGORIES)}）")
    trigger = (data.trigger or "").strip()
    if scope == HOUSEHOLD and cats:
        p.add("categories", "适用党员", "乡风文明积分规则适用于所有农户，不分党员类别")
    if scope == HOUSEHOLD and trigger:
        p.add("trigger", "自动计分", "乡风文明积分由党小组长评定后手工记分，不能自动计分")
    elif trigger and trigger not in TRIGGERS:
        p.add("trigger", "自动计分", f"“{trigger}”不是可用的自动计分条件")
    elif trigger == BASE_TRIGGER and kind and kind != "base":
        p.add("trigger", "自动计分", "只有基础分规则可以每年自动发放")
    elif trigger.endswith(":缺席") and kind and kind != "deduct":
        p.add("trigger", "自动计分", "缺席自动计分应为扣减分规则")
    if name:
        other = s.scalar(select(PointRule.id).where(PointRule.unit_id == unit_id, PointRule.name == name))
        if other is not None and other != rule_id:
            p.add("name", "规则名称", f"已有同名规则“{name}”")
    p.raise_if_any()
    return dict(scope=scope, kind=kind, name=name, points=points, points_min=lo, points_max=hi, categories=sorted(
        set(cats), key=POINTS_CATEGORIES.index), yearly_cap=cap, evidence_required=bool(data.evidence_required),
        trigger=trigger, active=bool(data.active), sort_order=int(data.sort_order), note=(data.note or "").strip())


RULE_FIELDS = ("scope", "kind", "name", "points", "points_min", "points_max", "categories", "yearly_cap",
               "evidence_required", "trigger", "active", "sort_order", "note")


def create_rule(s: Session, unit_id: int, data: RuleInput) -> int:
    access.require_role(s, "admin", action="修改积分规则")
    if data.scope not in RULE_SCOPES:
        p = Problems()
        p.add("scope", "规则范围", f"“{data.scope}”不是可选项")
        p.raise_if_any()
    ensure_default_rules(s, unit_id, data.scope)
    values = _check_rule(s, unit_id, data, None)
    rule = PointRule(unit_id=unit_id, **values)
    s.add(rule)
    s.flush()
    audit.record(s, unit_id, "create", "point_rule", rule.id, f"新增积分规则：{rule.name}",
                 audit.snapshot(rule, RULE_FIELDS))
    return rule.id


def update_rule(s: Session, rule_id: int, data: RuleInput) -> None:
    """Change a rule. Entries already made keep their points (they are history)."""
    access.require_role(s, "admin", action="修改积分规则")
    rule = s.get(PointRule, rule_id)
    if rule is None:
        raise NotFound("找不到该积分规则")
    data = replace(data, scope=rule.scope or MEMBER)  # a rule stays in its ledger
    values = _check_rule(s, rule.unit_id, data, rule.id)
    if values["kind"] != rule.kind and _entries_of(s, rule.id):
        p = Problems()
        p.add("kind", "积分类别", "该规则已有积分记录，不能改变类别；请停用它并新建一条规则")
        p.raise_if_any()
    before = audit.snapshot(rule, RULE_FIELDS)
    for key, value in values.items():
        setattr(rule, key, value)
    s.flush()
    audit.record_change(s, rule.unit_id, "point_rule", rule.id, f"修改积分规则：{rule.name}", before,
                        audit.snapshot(rule, RULE_FIELDS))


def _entries_of(s: Session, rule_id: int) -> int:
    """Entries (either ledger) made through a rule."""
    return sum(s.scalar(select(func.count(cls.id)).where(cls.rule_id == rule_id)) or 0
               for cls in (PointEntry, HouseholdPointEntry))


def rule_input(s: Session, rule_id: int) -> RuleInput:
    r = get_rule(s, rule_id)
    return RuleInput(r.kind, r.name, r.points, r.points_min, r.points_max, list(r.categories), r.yearly_cap,
                     r.evidence_required, r.trigger, r.active, r.sort_order, r.note, r.scope)


# ================================================================ 评定档次


TIE_CAP, TIE_PENDING = "cap", "pending"
TIE_RULES = {TIE_CAP: "名额不超比例", TIE_PENDING: "并列者交支委会确定"}
PENDING = "待定"  # shown in place of a grade the 支委会 has still to decide
CAPPED = (("优秀", "良好"), ("良好", "一般"))  # a capped grade and the grade below it


@dataclass(frozen=True)
class TieNote:
    """Members of one branch tied on one total across a capped grade's line (名额线)."""

    org_id: int
    grade: str  # the capped grade whose line the tie crosses
    line: int  # the share in places: ceil(members × share)
    first: int  # places first..last are the tied members'
    last: int
    total: Decimal
    outcome: str  # the grade they got (名额不超比例) or 待定
    choices: tuple[str, ...]  # grades the 支委会 may give (best first)
    member_ids: tuple[int, ...]

    @property
    def count(self) -> int:
        return self.last - self.first + 1

    def text(self, rule: str) -> str:
        places = f"第 {self.first} 名" if self.first == self.last else f"第 {self.first}–{self.last} 名"
        head = (f"{places}有 {self.count} 人同分 {points_text(self.total)} 分，跨过{self.grade}名额线"
                f"（{self.line} 名）")
        if self.outcome == PENDING:
            return f"{head}，按“{TIE_RULES[TIE_PENDING]}”规则列为待定（可评{'或'.join(self.choices)}）"
        return f"{head}，按“{TIE_RULES[rule]}”规则均评为{self.outcome}"


@dataclass(frozen=True)
class Placement:
    """One branch graded: grade per member, the members left 待定 with their choices, the ties met."""

    grades: dict[int, str]
    pending: dict[int, tuple[str, ...]]
    ties: list[TieNote]


@dataclass(frozen=True)
class GradeBands:
    """Within each branch, by rank: the top `excellent_pct` % 优秀, the next `good_pct` % 良好, the rest
    一般; whoever totals below `fail_below` is 差 whatever the rank (不达标). A share is a number of
    places, ceil(members × share); `ties` says what happens to members tied across that line: "cap" —
    they all take the grade below, so the share is never exceeded; "pending" — they are listed 待定 for
    the 支委会 to decide."""

    excellent_pct: int = 20
    good_pct: int = 40
    fail_below: Decimal = D("60")
    ties: str = TIE_CAP

    def describe(self) -> str:
        tie = ("同分并列跨过名额线的，均评为下一等次（名额不超比例）" if self.ties == TIE_CAP
               else "同分并列跨过名额线的，列为待定，由支委会确定")
        return (f"各支部按总积分排名：前 {self.excellent_pct}% 为优秀，其后 {self.good_pct}% 为良好，其余为一般；"
                f"{tie}；总积分低于 {points_text(self.fail_below)} 分为差（不达标）。")

    def lines(self, count: int) -> dict[str, int]:
        """Capped grade → the last place it may take in a branch of `count` members."""
        return {"优秀": math.ceil(count * self.excellent_pct / 100),
                "良好": math.ceil(count * (self.excellent_pct + self.good_pct) / 100)}

    def grade(self, place: int, count: int, total: Decimal, lines: dict[str, int] | None = None) -> str:
        """The grade of one place in the ranking, ties aside (see place). lines: self.lines(count), if known."""
        if total < self.fail_below:
            return "差"
        lines = self.lines(count) if lines is None else lines
        return "优秀" if place <= lines["优秀"] else "良好" if place <= lines["良好"] else "一般"

    def place(self, org_id: int, totals: dict[int, Decimal]) -> Placement:
        """Grade one branch (member id → total): a tie group takes the grade of its last place (名额不超比例)
        or, under "pending", is 待定 between the grade of its first place and that one."""
        ordered = sorted(totals.items(), key=lambda kv: (-kv[1], kv[0]))
        count, lines = len(ordered), self.lines(len(ordered))
        grades: dict[int, str] = {}
        pending: dict[int, tuple[str, ...]] = {}
        ties: list[TieNote] = []
        start = 0
        while start < count:
            end = start
            while end + 1 < count and ordered[end + 1][1] == ordered[start][1]:
                end += 1
            total, ids = ordered[start][1], tuple(mid for mid, _t in ordered[start:end + 1])
            best, worst = self.grade(start + 1, count, total, lines), self.grade(end + 1, count, total, lines)
            if best != worst:  # the group crosses one line or more
                order = [g for g, _b in CAPPED] + ["一般"]
                choices = tuple(order[order.index(best):order.index(worst) + 1])
                outcome = PENDING if self.ties == TIE_PENDING else worst
                crossed = [g for g, _b in CAPPED if start + 1 <= lines[g] < end + 1]
                ties.append(TieNote(org_id, crossed[0], lines[crossed[0]], start + 1, end + 1, total, outcome,
                                    choices, ids))
                for mid in ids:
                    grades[mid] = worst  # the safe grade until the 支委会 decides
                    if outcome == PENDING:
                        pending[mid] = choices
            else:
                grades.update((mid, best) for mid in ids)
            start = end + 1
        return Placement(grades, pending, ties)


def get_grade_bands(s: Session, unit_id: int) -> GradeBands:
    value = get_setting(s, unit_id, BANDS_KEY, None)
    if not isinstance(value, dict):
        return GradeBands()
    try:
        ties = value.get("ties", TIE_CAP)
        return GradeBands(int(value["excellent_pct"]), int(value["good_pct"]), D(str(value["fail_below"])),
                          ties if ties in TIE_RULES else TIE_CAP)
    except (KeyError, ValueError, TypeError, InvalidOperation):
        return GradeBands()  # a damaged setting falls back to the defaults rather than stopping the year end


def set_grade_bands(s: Session, unit_id: int, excellent_pct: int, good_pct: int, fail_below: object,
                    ties: str | None = None) -> GradeBands:
    """Save the bands; ties None keeps the unit's tie rule."""
    access.require_role(s, "admin", action="修改评定档次")
    ties = get_grade_bands(s, unit_id).ties if ties is None else ties
    p = Problems()
    if ties not in TIE_RULES:
        p.add("ties", "同分跨线", f"“{ties}”不是可选项（可选：{'、'.join(TIE_RULES.values())}）")
    if not 0 < int(excellent_pct) <= 100:
        p.add("excellent_pct", "优秀比例", "应在 1–100 之间")
    if not 0 <= int(good_pct) <= 100:
        p.add("good_pct", "良好比例", "应在 0–100 之间")
    elif int(excellent_pct) + int(good_pct) > 100:
        p.add("good_pct", "良好比例", f"优秀与良好合计 {int(excellent_pct) + int(good_pct)}%，不能超过 100%")
    floor = parse_points(p, "fail_below", "不达标线", fail_below, required=True, positive=False)
    p.raise_if_any()
    assert floor is not None
    bands = GradeBands(int(excellent_pct), int(good_pct), floor, ties)
    set_setting(s, unit_id, BANDS_KEY, {"excellent_pct": bands.excellent_pct, "good_pct": bands.good_pct,
                                        "fail_below": str(bands.fail_below), "ties": bands.ties}, "积分评定档次")
    return bands
