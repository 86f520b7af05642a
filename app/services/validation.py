"""Field checks shared by every service and the importer: 身份证号, phone numbers, date order, and the
characters any typed or imported text may hold (Problems.text: no control, direction or invisible characters).

Every message is Chinese and says precisely what is wrong, because the user fixes it by hand.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from functools import lru_cache

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
    if len(value) > ID_CACHE_LENGTH * 4:  # not a number anyone typed: say so before any per-character work
        return f"身份证号应为18位，这一格有{len(value)}个字符"
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
PHONE_MAX_CELL = 40  # longer is no phone number (two numbers with a slash fit)


def check_phone(value: object, required: bool = False) -> str:
    """Normalise a phone number: mobile → 13812345678, landline → 0351-1234567. '' if empty and optional."""
    raw = value if value is not None else ""
    if isinstance(raw, str) and len(raw) > PHONE_MAX_CELL:  # before any per-character work
        raise InvalidValue(f"电话号码太长（{len(raw)}个字符），请只填一个号码")
    text = _normalise(raw)
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
    import phonenumbers  # ~25 ms: only a landline needs it, not every start of the window

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


# ---------------------------------------------------------------- text a user typed or a file carried

# A field of at most this many characters is a name, code, title, place or address: one line. Longer
# (or unbounded) fields are free text — 备注, 原因, 诉求内容 — where a line break or a tab is the user's own.
SHORT_TEXT = 120
FREE_TEXT_MAX = 2000  # 备注 and the like that had no limit of their own
# Zero-width characters that web pages and chat programs leave around a pasted name: stripped at the ends
# (harmless, and the user cannot see them to delete them); anywhere else they are refused.
_EDGE_INVISIBLE = "\u200b\u200c\u200d\u2060\ufeff"
# Characters that draw nothing although Unicode calls them letters or symbols (Hangul fillers, braille blank).
_FILLERS = frozenset("\u034f\u115f\u1160\u17b4\u17b5\u3164\uffa0\u2800")
_BIDI = frozenset("\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
_CHAR_NAMES = {
    "\x00": "空字符 NUL", "\r": "回车符", "\x7f": "删除符",
    "\u202a": "从左到右嵌入", "\u202b": "从右到左嵌入", "\u202c": "方向格式结束", "\u202d": "从左到右覆盖",
    "\u202e": "从右到左覆盖", "\u2066": "从左到右隔离", "\u2067": "从右到左隔离", "\u2068": "方向隔离",
    "\u2069": "方向隔离结束", "\u200e": "从左到右标记", "\u200f": "从右到左标记", "\u061c": "阿拉伯字母标记",
    "\u200b": "零宽空格", "\u200c": "零宽不连字", "\u200d": "零宽连字", "\u2060": "零宽不换行",
    "\ufeff": "零宽不换行空格/BOM", "\u180e": "蒙古文元音分隔符", "\u00ad": "软连字符",
    "\u3164": "韩文填充符", "\uffa0": "半角韩文填充符", "\u115f": "韩文填充符", "\u1160": "韩文填充符",
    "\u2800": "盲文空白", "\u034f": "组合用字形连接符",
}
# Worth a look only if present: anything isprintable() passes that we still refuse (or must look at in context).
_SUSPECT = re.compile("[\u034f\u115f\u1160\u17b4\u17b5\u3164\uffa0\u2800\ufffd\ufe00-\ufe0f\U000e0100-\U000e01ef]")


def _code(ch: str) -> str:
    name = _CHAR_NAMES.get(ch)
    return f"U+{ord(ch):04X} {name}" if name else f"U+{ord(ch):04X}"


def _is_variation_selector(ch: str) -> bool:
    return "\ufe00" <= ch <= "\ufe0f" or "\U000e0100" <= ch <= "\U000e01ef"


def clean_text(value: str | None, *, multiline: bool = False) -> str:
    """Trim spaces and the zero-width characters pasted around a value; free text gets \\n line breaks.

    Only what no one can see or mean is removed; everything else is left for text_problem to judge.
    """
    text = (value or "").strip()
    while text and (text[0] in _EDGE_INVISIBLE or text[-1] in _EDGE_INVISIBLE):
        text = text.strip(_EDGE_INVISIBLE).strip()
    if multiline and ("\r" in text or "\u2028" in text or "\u2029" in text):  # Windows / Word line breaks
        text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\u2028", "\n").replace("\u2029", "\n")
    return text


def text_problem(text: str, *, multiline: bool = False) -> str | None:
    """Why a (cleaned) text cannot be stored, in Chinese, or None when it is fine.

    Refused: control characters (tab and line break allowed in free text only), NUL, direction controls
    (a 「王‮山大」 stored shows as 「王大山」), zero-width and other invisible characters, private-use
    characters (self-made glyphs other computers cannot show), unassigned code points and lone surrogates.
    Chinese names of every kind pass: 生僻字 such as 𠮷 (and CJK planes newer than this Python's tables),
    阿卜杜·热合曼, a variation selector after its character.
    """
    if text.isprintable() and not _SUSPECT.search(text):  # the usual text: one pass in C
        return None
    previous = ""
    for ch in text:
        problem = _char_problem(ch, previous, multiline)
        if problem:
            return problem
        previous = ch
    return None


def _char_problem(ch: str, previous: str, multiline: bool) -> str | None:
    if ch in "\n\t" and multiline:
        return None
    if ch in "\n\r\u2028\u2029":
        return f"不能换行（含有{_code(ch) if ch != chr(10) else '换行符'}），请写成一行"
    if ch == "\t":
        return "含有制表符（Tab），请删除或换成空格"
    category = unicodedata.category(ch)
    if ch in _BIDI:
        return f"含有不可见的文字方向控制符（{_code(ch)}），会让文字显示的顺序与实际不同，请删除"
    if category == "Cc":
        return f"含有不可见的控制字符（{_code(ch)}），请删除"
    if category == "Cf":
        if ch == "\u200d" and multiline and (unicodedata.category(previous or " ") == "So" or previous == "\ufe0f"):
            return None  # the joiner inside an emoji sequence (👨‍👩‍👧) pasted into free text
        if "\U000e0000" <= ch <= "\U000e007f":
            return f"含有不可见的标签字符（{_code(ch)}），请删除"
        return f"含有不可见的字符（{_code(ch)}），请删除"
    if category == "Co":
        return (f"含有私用区字符（{_code(ch)}），多是造字程序录入的生僻字，别的电脑显示不出来；"
                "请改用标准汉字（或先写同音字，在备注中说明）")
    if category == "Cs":
        return f"含有无效的字符（{_code(ch)}），请重新输入"
    if category == "Cn" and not 0x20000 <= ord(ch) <= 0x3FFFF:  # planes 2–3 hold only CJK: newer 生僻字
        return f"含有无法识别的字符（{_code(ch)}），请删除后重新输入"
    if ch in _FILLERS:
        return f"含有不显示的空白字符（{_code(ch)}），请删除"
    if ch == "\ufffd":
        return "含有乱码字符“\ufffd”（文字在别处转换编码时已经丢失），请核对后重新输入"
    if _is_variation_selector(ch) and (not previous or previous.isspace() or _is_variation_selector(previous)):
        return f"含有单独的不可见字符（{_code(ch)} 变体选择符），请删除"
    return None


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

    def text(
        self, field: str, label: str, value: str | None, *, required: bool = False, max_len: int = 0,
        multiline: bool | None = None,
    ) -> str:
        """The cleaned text (clean_text); empty, too long or unfit text (text_problem) is recorded.

        multiline: tab and line breaks allowed; by default for free text (no limit, or above SHORT_TEXT).
        The length is checked first, so a hostile 1,000,000-character value costs no per-character work.
        """
        if multiline is None:
            multiline = not max_len or max_len > SHORT_TEXT
        cleaned = clean_text(value, multiline=multiline)
        if required and not cleaned:
            self.add(field, label, f"请填写{label}")
        elif max_len and len(cleaned) > max_len:
            self.add(field, label, f"最多{max_len}个字，现在是{len(cleaned)}个")
        elif problem := text_problem(cleaned, multiline=multiline):
            self.add(field, label, problem)
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
DATE_MAX_CELL = 40  # "2023-05-01 00:00:00" with spaces is far shorter
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
    if len(str(value)) > DATE_MAX_CELL:  # before any per-character work
        raise InvalidValue(f"这一格有{len(str(value))}个字符，不是日期；可以写成 {DATE_FORMS}")
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

