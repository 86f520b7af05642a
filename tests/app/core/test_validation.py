from __future__ import annotations

from datetime import date

import pytest

from app.demo.ids import make_id_number
from app.services.errors import ValidationError
from app.services.validation import (
    InvalidValue,
    Problems,
    add_years,
    age_on,
    check_date_order,
    check_id_number,
    check_phone,
)

VALID = "11010519491231002X"


def test_valid_id_gives_birth_date_and_gender() -> None:
    info = check_id_number(VALID)
    assert info.number == VALID
    assert info.birth_date == date(1949, 12, 31)
    assert info.gender == "女"  # 17th digit 2 is even


def test_lower_case_x_and_spaces_are_normalised() -> None:
    assert check_id_number(" 110105 19491231 002x ").number == VALID


def test_full_width_digits_are_accepted() -> None:
    assert check_id_number("１１０１０５１９４９１２３１００２Ｘ").number == VALID


def test_odd_17th_digit_is_male() -> None:
    number = make_id_number("110105", date(1980, 5, 6), 13)
    info = check_id_number(number)
    assert info.gender == "男"
    assert info.birth_date == date(1980, 5, 6)


def test_bad_checksum_names_expected_digit() -> None:
    with pytest.raises(InvalidValue) as e:
        check_id_number("110105194912310021")
    assert "校验位错误" in str(e.value)
    assert "应为 X" in str(e.value)


def test_bad_checksum_expected_digit_is_computed() -> None:
    good = make_id_number("370102", date(1975, 3, 14), 35)
    wrong = good[:17] + ("0" if good[17] != "0" else "1")
    with pytest.raises(InvalidValue, match=f"应为 {good[17]}"):
        check_id_number(wrong)


@pytest.mark.parametrize(
    ("value", "shown"),
    [("110105194913310021", "19491331"), ("110105194902300028", "19490230"), ("110105194900150027", "19490015")],
)
def test_impossible_birth_date(value: str, shown: str) -> None:
    with pytest.raises(InvalidValue) as e:
        check_id_number(value)
    assert str(e.value) == f"出生日期 {shown} 不存在"


def test_future_birth_date() -> None:
    with pytest.raises(InvalidValue, match="晚于今天"):
        check_id_number("110105209901010020")


def test_fifteen_digit_old_id_rejected() -> None:
    with pytest.raises(InvalidValue) as e:
        check_id_number("110105491231002")
    assert "15位旧身份证号" in str(e.value)
    assert "18位" in str(e.value)


@pytest.mark.parametrize("value", ["1.10105194912310E+17", "1.1010519491231E+17", 1.1010519491231e17, "110105194912310000.5"])
def test_excel_number_form(value: object) -> None:
    with pytest.raises(InvalidValue) as e:
        check_id_number(value)
    assert "Excel" in str(e.value)
    assert "数字" in str(e.value)
    assert "丢失" in str(e.value)


@pytest.mark.parametrize(("value", "n"), [("1101051949123100", 16), ("1101051949123100211", 19)])
def test_wrong_length(value: str, n: int) -> None:
    with pytest.raises(InvalidValue, match=f"应为18位，现在是{n}位"):
        check_id_number(value)


def test_non_digits() -> None:
    with pytest.raises(InvalidValue, match="只能是数字"):
        check_id_number("11010519491231A02X")


def test_empty_id() -> None:
    with pytest.raises(InvalidValue, match="为空"):
        check_id_number("  ")


def test_invalid_value_is_a_value_error() -> None:
    with pytest.raises(ValueError):
        check_id_number("123")


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("13812345678", "13812345678"),
        ("138 1234 5678", "13812345678"),
        ("+86 138-1234-5678", "13812345678"),
        ("19912345678", "19912345678"),
        ("010-62345678", "010-62345678"),
        ("01062345678", "010-62345678"),
        ("0351-1234567", "0351-1234567"),
        ("03511234567", "0351-1234567"),
        ("(0351)1234567", "0351-1234567"),
    ],
)
def test_good_phones(value: str, expected: str) -> None:
    assert check_phone(value) == expected


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("1381234", "手机号应为11位，现在是7位"),
        ("23812345678", "11位手机号或带区号的固定电话"),
        ("12345678901", "第二位"),
        ("62345678", "请加区号"),
        ("138-abc", "只能包含数字"),
        ("0351-12", "固定电话号码无效"),
    ],
)
def test_bad_phones(value: str, message: str) -> None:
    with pytest.raises(InvalidValue, match=message):
        check_phone(value)


def test_empty_phone_optional_or_required() -> None:
    assert check_phone("") == ""
    assert check_phone(None) == ""
    with pytest.raises(InvalidValue, match="请填写"):
        check_phone(" ", required=True)


def test_problems_collects_all_and_raises_once() -> None:
    p = Problems()
    assert not p
    p.add("name", "姓名", "请填写姓名")
    p.phone("phone", "联系电话", "1381234")
    p.id_number("id_number", "身份证号", "110105194912310021")
    assert p.id_number("id_number2", "身份证号", "", required=False) is None
    with pytest.raises(ValidationError) as e:
        p.raise_if_any()
    fields = [x.field for x in e.value.problems]
    assert fields == ["name", "phone", "id_number"]
    assert e.value.for_field("id_number") == ["校验位错误（应为 X），请核对号码是否抄错"]
    assert "联系电话：手机号应为11位" in str(e.value)


def test_problems_without_problems_does_not_raise() -> None:
    Problems().raise_if_any()


def test_problems_row_for_imports() -> None:
    p = Problems(row=7)
    p.add("name", "姓名", "请填写姓名")
    assert str(p.items[0]) == "第 7 行，姓名：请填写姓名"


def test_date_order() -> None:
    p = Problems()
    check_date_order(p, [("a", "申请日期", date(2020, 1, 1)), ("b", "积极分子", None), ("c", "入党日期", date(2019, 1, 1))])
    assert [x.field for x in p.items] == ["c"]
    assert "不能早于申请日期（2020-01-01）" in p.items[0].message
    q = Problems()
    check_date_order(q, [("a", "入党", date(2020, 1, 1)), ("b", "转正", date(2020, 1, 1))], strict_last=True)
    assert "必须晚于" in q.items[0].message
    r = Problems()
    check_date_order(r, [("a", "甲", date(2020, 1, 1)), ("b", "乙", date(2020, 1, 1))])
    assert not r


def test_age_and_years() -> None:
    assert age_on(date(2000, 6, 15), date(2018, 6, 14)) == 17
    assert age_on(date(2000, 6, 15), date(2018, 6, 15)) == 18
    assert add_years(date(2020, 2, 29), 1) == date(2021, 2, 28)
    assert add_years(date(2020, 7, 1), 1) == date(2021, 7, 1)
