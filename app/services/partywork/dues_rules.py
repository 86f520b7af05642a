"""党费 rules (关于中国共产党党费收缴、使用和管理的规定, 中组发〔2008〕3号) kept per year as editable bands.

A year's bands are seeded from DEFAULT_BANDS the first time the year is used; a village whose county
sets other amounts edits a band, which ends it (ended_on + reason) and adds the new one — the old band
stays for the record. Money is in 分, rates in 千分之 (0.5 % = 5).

Band edges: 「3000元以下（含3000元）」 belongs to the lower band, so a band holds incomes above its
`income_from_fen` up to and including its `income_to_fen` (0 belongs to the first band). The monthly
amount of a rate band is base × rate rounded to the 分 half up (ROUND_HALF_UP: 0.005 元 → 0.01 元).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.models.partywork import DUES_CATEGORIES, DuesRule

from .. import access, audit
from ..errors import NotFound
from ..validation import Problems

YUAN = 100  # 分 per 元
RATE_CATEGORIES = ("在职", "离退休")  # a share of the base; the others pay a fixed monthly amount
# (category, income above 分, up to and including 分 or None, rate 千分之, min 分, max 分)
DEFAULT_BANDS: tuple[tuple[str, int, int | None, int | None, int | None, int | None], ...] = (
    ("在职", 0, 300000, 5, None, None),
    ("在职", 300000, 500000, 10, None, None),
    ("在职", 500000, 1000000, 15, None, None),
    ("在职", 1000000, None, 20, None, None),
    ("离退休", 0, 500000, 5, None, None),
    ("离退休", 500000, None, 10, None, None),
    ("农民", 0, None, None, 20, 100),
    ("学生", 0, None, None, 20, 20),
    ("困难", 0, None, None, 20, 20),  # 依靠抚恤或救济生活的、下岗失业的
)
CATEGORY_HINTS = {
    "在职": "按每月工资总额扣除个人所得税和“五险一金”后的收入计算",
    "离退休": "按每月离退休费总额计算",
    "农民": "每月 0.2 元至 1 元，由党支部核定",
    "学生": "每月 0.2 元",
    "困难": "依靠抚恤或救济生活的、下岗失业的党员，每月 0.2 元",
}


@dataclass(frozen=True)
class DuesRuleRow:
    id: int
    year: int
    category: str
    income_from_fen: int
    income_to_fen: int | None
    rate_permille: int | None
    min_fen: int | None
    max_fen: int | None
    note: str

    @property
    def band_text(self) -> str:
        """税后月收入 3000.00 元以上至 5000.00 元（含）; 全部 for a band with no limits."""
        if self.category not in RATE_CATEGORIES:
            return "—"
        low, high = self.income_from_fen, self.income_to_fen
        if high is None:
            return f"{yuan_text(low)} 元以上" if low else "全部"
        return f"{yuan_text(low)} 元以上至 {yuan_text(high)} 元（含）" if low else f"{yuan_text(high)} 元以下（含）"

    @property
    def charge_text(self) -> str:
        """1%; 每月 0.20 元; 每月 0.20 元至 1.00 元."""
        if self.rate_permille is not None:
            return f"{rate_text(self.rate_permille)}"
        if self.min_fen == self.max_fen or self.max_fen is None:
            return f"每月 {yuan_text(self.min_fen or 0)} 元"
        return f"每月 {yuan_text(self.min_fen or 0)} 元至 {yuan_text(self.max_fen)} 元"


def yuan_text(fen: int) -> str:
    """12.50 (two decimals, no thousands separator: it is read back by the same parser)."""
    sign = "-" if fen < 0 else ""
    return f"{sign}{abs(fen) // YUAN}.{abs(fen) % YUAN:02d}"


def rate_text(permille: int) -> str:
    """5 → 0.5%, 10 → 1%, 15 → 1.5%."""
    return f"{Decimal(permille) / 10:f}".rstrip("0").rstrip(".") + "%"


def parse_yuan(p: Problems, field: str, label: str, value: object, *, required: bool = True) -> int | None:
    """An amount typed in 元 (12 / 12.5 / 12.50 / ¥12.50) as 分; more than two decimals is refused."""
    text = str(value if value is not None else "").strip().replace(",", "").replace("，", "")
    text = text.removeprefix("¥").removeprefix("￥").removesuffix("元").strip()
    if not text:
        if required:
            p.add(field, label, f"请填写{label}")
        return None
    try:
        amount = Decimal(text)
    except InvalidOperation:
        p.add(field, label, f"“{text}”不是金额，请填写数字（如 12.50）")
        return None
    if not amount.is_finite() or amount < 0:
        p.add(field, label, "金额不能为负数")
        return None
    if amount != amount.quantize(Decimal("0.01")):
        p.add(field, label, f"“{text}”精确到分即可（最多两位小数）")
        return None
    if amount >= 10_000_000:
        p.add(field, label, f"“{text}”元过大，请核对")
        return None
    return int(amount * YUAN)


def parse_rate(p: Problems, field: str, label: str, value: object) -> int | None:
    """A rate typed in % (0.5 / 1 / 1.5%) as 千分之; steps of 0.1 %."""
    text = str(value if value is not None else "").strip().removesuffix("%").removesuffix("％").strip()
    try:
        rate = Decimal(text)
    except InvalidOperation:
        p.add(field, label, f"“{text}”不是比例，请填写百分数（如 0.5）")
        return None
    if not rate.is_finite() or not 0 < rate <= 100 or rate != rate.quantize(Decimal("0.1")):
        p.add(field, label, "比例应大于 0、不超过 100，最多一位小数（如 0.5 表示 0.5%）")
        return None
    return int(rate * 10)


def monthly_for_rate(base_fen: int, rate_permille: int) -> int:
    """The monthly 党费 of a base at a rate, rounded to the 分 half up (3000.01 元 × 1% = 30.0001 → 30.00)."""
    exact = Decimal(base_fen) * Decimal(rate_permille) / Decimal(1000)
    return int(exact.quantize(Decimal(1), rounding=ROUND_HALF_UP))


DIGITS = "零壹贰叁肆伍陆柒捌玖"
_SMALL_UNITS = ("", "拾", "佰", "仟")
_BIG_UNITS = ("", "万", "亿")


def _four(n: int) -> str:
    """A group of up to four digits in 大写 (1001 → 壹仟零壹)."""
    out, zero = "", False
    for i in range(3, -1, -1):
        d = n // 10 ** i % 10
        if d == 0:
            zero = bool(out)
            continue
        if zero:
            out += "零"
            zero = False
        out += DIGITS[d] + _SMALL_UNITS[i]
    return out


def amount_in_words(fen: int) -> str:
    """人民币大写 as on a receipt: 12.00 → 壹拾贰元整, 0.20 → 贰角, 105.05 → 壹佰零伍元零伍分."""
    if fen < 0:
        raise ValueError("negative amount")
    yuan, jiao, fen_part = fen // 100, fen // 10 % 10, fen % 10
    text = ""
    if yuan:
        groups, n = [], yuan
        while n:
            groups.append(n % 10000)
            n //= 10000
        zero_pending = False
        for i in range(len(groups) - 1, -1, -1):
            g = groups[i]
            if g == 0:
                zero_pending = bool(text)
                continue
            if text and (zero_pending or g < 1000):
                text += "零"
            text += _four(g) + _BIG_UNITS[i]
            zero_pending = False
        text += "元"
    if not jiao and not fen_part:
        return (text or "零元") + "整"
    if jiao:
        text += DIGITS[jiao] + "角"
    elif yuan:
        text += "零"
    if fen_part:
        text += DIGITS[fen_part] + "分"
    return text


def _rows(s: Session, unit_id: int, year: int) -> list[DuesRule]:
    return list(s.scalars(select(DuesRule).where(DuesRule.unit_id == unit_id, DuesRule.year == year,
                                                 DuesRule.ended_on.is_(None))
                          .order_by(DuesRule.id)))


def _ensure(s: Session, unit_id: int, year: int) -> list[DuesRule]:
    """The year's bands, seeded from DEFAULT_BANDS on first use (any band of the year, even ended, counts)."""
    if s.scalar(select(DuesRule.id).where(DuesRule.unit_id == unit_id, DuesRule.year == year).limit(1)) is None:
        for category, low, high, rate, low_fen, high_fen in DEFAULT_BANDS:
            s.add(DuesRule(unit_id=unit_id, year=year, category=category, income_from_fen=low, income_to_fen=high,
                           rate_permille=rate, min_fen=low_fen, max_fen=high_fen, note=CATEGORY_HINTS[category]))
        s.flush()
    rank = {c: i for i, c in enumerate(DUES_CATEGORIES)}
    return sorted(_rows(s, unit_id, year), key=lambda r: (rank.get(r.category, 99), r.income_from_fen))


def _row(r: DuesRule) -> DuesRuleRow:
    return DuesRuleRow(r.id, r.year, r.category, r.income_from_fen, r.income_to_fen, r.rate_permille, r.min_fen,
                   r.max_fen, r.note)


def list_rules(s: Session, unit_id: int, year: int) -> list[DuesRuleRow]:
    """The year's bands in force, by category and income (seeded with the 2008 rules the first time)."""
    return [_row(r) for r in _ensure(s, unit_id, year)]


def band_for(rules: list[DuesRuleRow], category: str, base_fen: int) -> DuesRuleRow | None:
    """The band of a category holding the base (above its lower edge, up to and including its upper one)."""
    for r in rules:
        if r.category != category:
            continue
        if r.rate_permille is None:
            return r
        above = base_fen > r.income_from_fen or r.income_from_fen == 0
        if above and (r.income_to_fen is None or base_fen <= r.income_to_fen):
            return r
    return None


def change_rule(s: Session, rule_id: int, rate: object = None, min_yuan: object = None, max_yuan: object = None,
                reason: str = "", on: date | None = None) -> int:
    """Edit a band: the old one ends (with the reason), a new one with the new rate or amounts takes its place.

    A rate band takes `rate` (in %), an amount band `min_yuan`…`max_yuan` (equal for a fixed amount).
    Assessments already made keep their amount; 核定 again to apply the new rule.
    """
    access.require_role(s, *access.ENTRY_ROLES, action="修改党费规则")
    old = s.get(DuesRule, rule_id)
    if old is None or old.ended_on is not None:
        raise NotFound("找不到该党费规则（可能已被修改）")
    p = Problems()
    reason = p.text("reason", "修改原因", reason, required=True, max_len=200)
    new_rate, low, high = old.rate_permille, old.min_fen, old.max_fen
    if old.rate_permille is not None:
        new_rate = parse_rate(p, "rate", "交纳比例", rate)
    else:
        low = parse_yuan(p, "min_yuan", "每月最低", min_yuan)
        high = parse_yuan(p, "max_yuan", "每月最高", max_yuan if str(max_yuan or "").strip() else min_yuan)
        if low is not None and high is not None and (low <= 0 or high < low):
            p.add("max_yuan", "每月最高", "金额应大于 0，最高不低于最低")
    if (new_rate, low, high) == (old.rate_permille, old.min_fen, old.max_fen) and not p:
        p.add("rate" if old.rate_permille is not None else "min_yuan", "规则", "与现行规则相同，没有修改")
    p.raise_if_any()
    old.ended_on, old.end_reason = on or date.today(), reason
    new = DuesRule(unit_id=old.unit_id, year=old.year, category=old.category, income_from_fen=old.income_from_fen,
                   income_to_fen=old.income_to_fen, rate_permille=new_rate, min_fen=low, max_fen=high, note=old.note)
    s.add(new)
    s.flush()
    before, after = _row(old), _row(new)
    audit.record(s, old.unit_id, "update", "dues_rule", new.id,
                 f"修改{old.year}年党费规则：{old.category} {before.band_text} {before.charge_text} → "
                 f"{after.charge_text}（{reason}）")
    return new.id
