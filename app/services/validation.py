"""Field checks shared by every service and the importer: 身份证号, phone numbers, date order.

Every message is Chinese and says precisely what is wrong, because the user fixes it by hand.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from functools import lru_cache

import phonenumbers
from stdnum.cn import ric

from .errors import FieldProblem, ServiceError, ValidationError


class InvalidValue(ServiceError, ValueError):
    """One value is wrong; str(e) is the Chinese message (without the field label)."""


@dataclass(frozen=True, slots=True)
class IdInfo:
    number: str  # normalised: 18 characters, upper-case X
    birth_date: date
    gender: str  # 男 / 女


def _normalise(value: object) -> str:
    """NFKC (full-width digits/letters, common in WPS sheets, become ASCII), then no whitespace at all."""
    text = str(value)
    if not text.isascii():  # NFKC leaves ASCII as it is: skip it for the usual cell
        text = unicodedata.normalize("NFKC", text)
    return "".join(text.split())  # str.split() splits on exactly what the regex \s matches


_NUMBER_LOOK = re.compile(r"\d+\.\d+(E\d+)?")
ID_CACHE_SIZE = 16384  # a county roster's numbers: the importer asks about each one several times
ID_CACHE_LENGTH = 40  # longer cells are not a number anyone typed: not worth keeping


def check_id_number(value: object, today: date | None = None) -> IdInfo:
    """Check an 18-digit 身份证号 (GB 11643) and read its birth date and gender."""
    if isinstance(value, float):  # a float from a spreadsheet cell has lost digits already
        raise InvalidValue(f"Excel 把身份证号存成了数字（{value!r}），后几位已丢失；请把该列设为文本格式后重新录入")
    text = str(value) if value is not None else ""
    check = _id_verdict if len(text) <= ID_CACHE_LENGTH else _id_verdict.__wrapped__  # a hostile cell stays uncached
    verdict = check(text, today or date.today())
    if isinstance(verdict, str):
        raise InvalidValue(verdict)
    return verdict


@lru_cache(maxsize=ID_CACHE_SIZE)
def _id_verdict(value: str, today: date) -> IdInfo | str:
    """The checked number, or the message saying what is wrong (cached: it depends on nothing else)."""
    text = _normalise(value).upper()
    if not text:
        return "身份证号为空"
    if "E+" in text or _NUMBER_LOOK.fullmatch(text):
        return f"Excel 把身份证号存成了数字（{text}），后几位已丢失；请把该列设为文本格式后重新录入"
    if len(text) == 15 and text.isdigit():
        return "15位旧身份证号，请换成18位新号码"
    if len(text) != 18:
        return f"身份证号应为18位，现在是{len(text)}位"
    if not text[:17].isdigit() or not (text[17].isdigit() or text[17] == "X"):
        return "身份证号前17位只能是数字，最后一位是数字或 X"
    # Check the date ourselves first: stdnum reports an impossible date as a checksum error.
    raw = text[6:14]
    try:
        birth = date(int(raw[:4]), int(raw[4:6]), int(raw[6:]))
    except ValueError:
        return f"出生日期 {raw} 不存在"
    if birth > today:
        return f"出生日期 {raw} 晚于今天"
    if birth.year < 1880:
        return f"出生日期 {raw} 不合理"
    expected = ric.calc_check_digit(text)
    if text[17] != expected:
        return f"校验位错误（应为 {expected}），请核对号码是否抄错"
    gender = "男" if int(text[16]) % 2 == 1 else "女"
    return IdInfo(number=text, birth_date=birth, gender=gender)


_MOBILE = re.compile(r"1[3-9]\d{9}")
_PHONE_MARKS = re.compile(r"[-()（）]")
LANDLINE_EXAMPLE = "如 010-62345678 或 0351-1234567"


def check_phone(value: object, required: bool = False) -> str:
    """Normalise a phone number: mobile → 13812345678, landline → 0351-1234567. '' if empty and optional."""
    text = _normalise(value if value is not None else "")
    if not text:
        if required:
            raise InvalidValue("请填写电话号码")
        return ""
    digits = _PHONE_MARKS.sub("", text)
    if digits.startswith("+86"):
        digits = digits[3:]
    elif digits.startswith("0086"):
        digits = digits[4:]
    elif digits.startswith("86") and len(digits) == 13:
        digits = digits[2:]
    if not digits.isdigit():
        raise InvalidValue("电话号码只能包含数字和连字符“-”")
    if digits.startswith("1"):
        if len(digits) != 11:
            raise InvalidValue(f"手机号应为11位，现在是{len(digits)}位")
        if not _MOBILE.fullmatch(digits):
            raise InvalidValue("手机号第二位应为3–9")
        return digits
    if digits.startswith("0"):
        return _landline(digits)
    if len(digits) in (7, 8):
        raise InvalidValue(f"固定电话请加区号，{LANDLINE_EXAMPLE}")
    raise InvalidValue(f"电话号码格式不对：应为11位手机号或带区号的固定电话（{LANDLINE_EXAMPLE}）")


def _landline(digits: str) -> str:
    try:
        number = phonenumbers.parse(digits, "CN")
    except phonenumbers.NumberParseException:
        number = None
    fixed = (phonenumbers.PhoneNumberType.FIXED_LINE, phonenumbers.PhoneNumberType.FIXED_LINE_OR_MOBILE)
    if number is None or not phonenumbers.is_valid_number(number) or phonenumbers.number_type(number) not in fixed:
        raise InvalidValue(f"固定电话号码无效，应为区号加号码（{LANDLINE_EXAMPLE}）")
    national = phonenumbers.national_significant_number(number)
    area = phonenumbers.length_of_geographical_area_code(number) or 2
    return f"0{national[:area]}-{national[area:]}"


def age_on(birth: date, on: date) -> int:
    """Full years of age on a day (周岁)."""
    return on.year - birth.year - ((on.month, on.day) < (birth.month, birth.day))


def add_years(d: date, years: int) -> date:
    """Same day `years` later; 29 Feb becomes 28 Feb in a common year."""
    try:
        return d.replace(year=d.year + years)
    except ValueError:
        return d.replace(year=d.year + years, day=28)


class Problems:
    """Collects every problem of one input so the user sees them all at once."""

    def __init__(self, row: int | None = None) -> None:
        self.row = row
        self.items: list[FieldProblem] = []

    def add(self, field: str, label: str, message: str, row: int | None = None) -> None:
        self.items.append(FieldProblem(field, label, message, row if row is not None else self.row))

    def has(self, field: str) -> bool:
        return any(p.field == field for p in self.items)

    def __bool__(self) -> bool:
        return bool(self.items)

    def __len__(self) -> int:
        return len(self.items)

    def raise_if_any(self) -> None:
        if self.items:
            raise ValidationError(self.items)

    # Small helpers that check one field and record the problem instead of raising.

    def text(self, field: str, label: str, value: str | None, *, required: bool = False, max_len: int = 0) -> str:
        cleaned = (value or "").strip()
        if required and not cleaned:
            self.add(field, label, f"请填写{label}")
        elif max_len and len(cleaned) > max_len:
            self.add(field, label, f"最多{max_len}个字，现在是{len(cleaned)}个")
        return cleaned

    def choice(self, field: str, label: str, value: str | None, choices: Sequence[str], *, required: bool = False) -> str:
        cleaned = (value or "").strip()
        if not cleaned:
            if required:
                self.add(field, label, f"请选择{label}")
        elif cleaned not in choices:
            self.add(field, label, f"“{cleaned}”不是可选项（可选：{'、'.join(choices)}）")
        return cleaned

    def id_number(self, field: str, label: str, value: object, *, required: bool = False) -> IdInfo | None:
        if value is None or (isinstance(value, str) and not value.strip()):
            if required:
                self.add(field, label, f"请填写{label}")
            return None
        try:
            return check_id_number(value)
        except InvalidValue as e:
            self.add(field, label, str(e))
            return None

    def phone(self, field: str, label: str, value: object, *, required: bool = False) -> str:
        try:
            return check_phone(value, required=required)
        except InvalidValue as e:
            self.add(field, label, str(e))
            return ""


def check_term_end(
    p: Problems, field: str, label: str, ended: date | None, on: date | None,
    started: date | None, started_label: str, done: str = "结束",
) -> None:
    """Ending a dated term (a post, a 联系户 link, a 联建): not twice, a date given, not before it began."""
    if ended is not None:
        p.add(field, label, f"已于 {ended.isoformat()} {done}")
    if on is None:
        p.add(field, label, f"请填写{label}")
    elif started is not None and on < started:
        p.add(field, label, f"不能早于{started_label}（{started.isoformat()}）")


def check_date_order(
    p: Problems, steps: Sequence[tuple[str, str, date | None]], *, strict_last: bool = False
) -> None:
    """Dates given (None skipped) must not go backwards; the last one strictly after if strict_last.

    The problem is reported on the later field, naming the earlier one and both dates.
    """
    previous: tuple[str, str, date] | None = None
    for i, (field, label, value) in enumerate(steps):
        if value is None:
            continue
        if previous is not None:
            strict = strict_last and i == len(steps) - 1
            _f, prev_label, prev_value = previous
            if value < prev_value or (strict and value == prev_value):
                word = "必须晚于" if strict else "不能早于"
                p.add(field, label, f"{label}（{value.isoformat()}）{word}{prev_label}（{prev_value.isoformat()}）")
        previous = (field, label, value)


# ---------------------------------------------------------------- dates as Chinese sheets write them

EXCEL_EPOCH = date(1899, 12, 30)  # serial 1 = 1900-01-01 (Excel's 1900 leap-year bug included)
_SERIAL_MAX = 73415  # 2100-12-31: larger plain numbers are not Excel dates
_SERIAL_TEXT = re.compile(r"\d+(\.0+)?")
_DATE_TEXT = (
    # 2023-5-1, 2023/05/01, 2023.5.1, 2023年5月1日, "2023-05-01 00:00:00", 2023 5 1
    re.compile(r"(\d{4})[-/.年\s](\d{1,2})[-/.月\s](\d{1,2})[日号]?(?:[\sT]?\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?"),
    re.compile(r"(\d{4})(\d{2})(\d{2})"),  # 20230501
)
_MONTH_TEXT = (
    re.compile(r"(\d{4})[-/.年](\d{1,2})月?"),  # 2023-05, 2023.5, 2023年5月 (出生年月)
    re.compile(r"(\d{4})(\d{2})"),  # 202305
)
DATE_FORMS = "2023-05-01、2023/5/1、2023.5.1、2023年5月1日、20230501，或只有年月的 2023.5、202305"


@dataclass(frozen=True)
class SheetDate:
    value: date
    month_only: bool = False  # 出生年月 / 202305: the day is not known (set to 1)


def parse_sheet_date(value: object) -> SheetDate | None:
    """A date in any form Chinese sheets use; None when empty. InvalidValue says what is wrong.

    Accepts date/datetime cells, Excel serial numbers (45047 → 2023-05-01), numbers like 20230501
    or 202305, and text: 2023-5-1, 2023/05/01, 2023.5.1, 2023年5月1日, 2023年5月, 2023.5, 202305.
    """
    if value is None:
        return None
    if isinstance(value, datetime):
        return SheetDate(value.date())
    if isinstance(value, date):
        return SheetDate(value)
    if isinstance(value, bool):
        raise InvalidValue(f"“{value}”不是日期")
    if isinstance(value, int | float):
        return _date_from_number(value)
    text = _normalise(value)
    if not text:
        return None
    if _SERIAL_TEXT.fullmatch(text) and len(text.split(".")[0]) == 5:
        return _date_from_number(int(text.split(".")[0]))  # a serial that arrived as text (CSV)
    for pattern in _DATE_TEXT:
        m = pattern.fullmatch(text)
        if m:
            return SheetDate(_make_date(text, int(m[1]), int(m[2]), int(m[3])))
    for pattern in _MONTH_TEXT:
        m = pattern.fullmatch(text)
        if m:
            return SheetDate(_make_date(text, int(m[1]), int(m[2]), 1), month_only=True)
    shown = text if len(text) <= 20 else text[:20] + "…"
    raise InvalidValue(f"“{shown}”不是日期，可以写成 {DATE_FORMS}")


def _date_from_number(number: float) -> SheetDate:
    if number != number or number in (float("inf"), float("-inf")):
        raise InvalidValue("日期不是有效的数字")
    whole = int(number)
    if number == whole and 19000101 <= whole <= 21001231:
        text = str(whole)
        return SheetDate(_make_date(text, int(text[:4]), int(text[4:6]), int(text[6:])))
    if number == whole and 190001 <= whole <= 210012:
        text = str(whole)
        return SheetDate(_make_date(text, int(text[:4]), int(text[4:]), 1), month_only=True)
    if 1 <= number <= _SERIAL_MAX:
        return SheetDate(EXCEL_EPOCH + timedelta(days=whole))
    raise InvalidValue(f"数字 {number:g} 不是日期，可以写成 {DATE_FORMS}")


def _make_date(text: str, year: int, month: int, day: int) -> date:
    try:
        d = date(year, month, day)
    except ValueError:
        raise InvalidValue(f"日期“{text}”不存在") from None
    if year < 1880:
        raise InvalidValue(f"日期“{text}”不合理")
    return d

