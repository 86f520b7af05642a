"""Text that is not what it seems (direction overrides, zero-width and invisible characters, NUL, control
characters, private-use glyphs) is refused by the one shared check, in every service that takes a name."""

from __future__ import annotations

from datetime import datetime

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.models import Grid, PartyOrg, Resident, TicketCategory
from app.services.errors import ValidationError
from app.services.grid import grids
from app.services.org import tree as org
from app.services.people import households
from app.services.people import residents as people
from app.services.people.residents import ResidentInput
from app.services.safety import auth
from app.services.tickets import workflow as tickets
from app.services.validation import Problems, clean_text, text_problem
from app.text import PINYIN_MAX, name_initials, name_pinyin

RLO = "王\u202e山大"  # shows as 王大山
HOSTILE = {
    "RLO": (RLO, "U+202E 从右到左覆盖"),
    "LRI": ("王\u2066大山", "U+2066"),
    "ZWSP inside": ("王\u200b大山", "U+200B 零宽空格"),
    "ZWJ inside": ("王\u200d大山", "U+200D"),
    "NUL": ("王大\x00山", "NUL"),
    "bell": ("王大\x07山", "U+0007"),
    "C1": ("王大\x85山", "U+0085"),
    "DEL": ("王大\x7f山", "U+007F"),
    "newline in a name": ("王大\n山", "不能换行"),
    "tab in a name": ("王大\t山", "制表符"),
    "BOM inside": ("王\ufeff大山", "U+FEFF"),
    "Mongolian separator": ("王\u180e大山", "U+180E"),
    "Hangul filler only": ("\u3164\u3164", "U+3164"),
    "half-width filler": ("\uffa0", "U+FFA0"),
    "tag characters": ("王\U000e0041大山", "标签字符"),
    "lone variation selector": ("\ufe0f", "变体选择符"),
    "private use": ("王\ue000山", "私用区"),
    "surrogate": ("王\ud800山", "U+D800"),
    "unassigned": ("王\u0378山", "U+0378"),
    "replacement character": ("王\ufffd山", "乱码"),
    "soft hyphen": ("王\u00ad大山", "U+00AD"),
}
FINE = ["王大山", "𠮷田", "阿卜杜·热合曼", "阿依古丽·买买提", "Zhang San", "葛\U000e0100优", "李 四", "乌兰托娅", "\U00031350明"]


@pytest.mark.parametrize("case", sorted(HOSTILE))
def test_each_hostile_character_is_named(case: str) -> None:
    text, named = HOSTILE[case]
    problem = text_problem(clean_text(text))
    assert problem is not None and named in problem, (case, problem)


@pytest.mark.parametrize("name", FINE)
def test_real_names_pass(name: str) -> None:
    assert text_problem(clean_text(name)) is None


def test_zero_width_around_a_pasted_name_is_stripped_not_refused() -> None:
    p = Problems()
    assert p.text("name", "姓名", "\u200b\ufeff 王大山\u200b\u2060 ", required=True, max_len=40) == "王大山"
    assert not p
    p.text("name", "姓名", "\u200b\u200c\ufeff", required=True, max_len=40)  # nothing visible: empty
    assert [x.message for x in p.items] == ["请填写姓名"]


def test_free_text_keeps_line_breaks_tabs_and_emoji_but_not_overrides() -> None:
    p = Problems()
    note = p.text("note", "备注", "第一行\r\n第二行\t缩进 👨\u200d👩\u200d👧", max_len=2000)
    assert note == "第一行\n第二行\t缩进 👨\u200d👩\u200d👧" and not p
    p.text("note", "备注", "第一行\n\u202e第二行", max_len=2000)
    p.text("content", "内容", "a\x00b")  # no limit: free text, still no NUL
    p.text("reason", "原因", "甲\u200d乙", max_len=500)  # a joiner between two 汉字 is no emoji
    assert [x.field for x in p.items] == ["note", "content", "reason"]
    # a short field is one line unless the caller says otherwise
    q = Problems()
    assert q.text("topic", "议题", "甲\n乙", max_len=80, multiline=True) == "甲\n乙" and not q
    q.text("place", "地点", "甲\n乙", max_len=80)
    assert [x.field for x in q.items] == ["place"] and "不能换行" in q.items[0].message


def test_length_is_checked_before_any_per_character_work() -> None:
    p = Problems()
    p.text("name", "姓名", "\u202e" * 1_000_000, required=True, max_len=40)
    assert [x.message for x in p.items] == ["最多40个字，现在是1000000个"]


def test_pinyin_of_an_absurd_name_is_bounded() -> None:
    name = "大" * 1_000_000
    assert len(name_initials(name)) <= PINYIN_MAX
    assert name_pinyin(name) == name_pinyin("大" * PINYIN_MAX)
    assert name_initials("  张三 ") == "zs"


# ---------------------------------------------------------------- every service that takes a name


def _messages(e: pytest.ExceptionInfo[ValidationError], field: str) -> list[str]:
    return e.value.for_field(field)


@pytest.mark.parametrize("case", ["RLO", "ZWSP inside", "NUL", "Hangul filler only", "private use"])
def test_resident_with_hostile_name_is_refused_naming_the_field(s: Session, uid: int, case: str) -> None:
    text, named = HOSTILE[case]
    before = s.scalar(select(func.count(Resident.id)))
    with pytest.raises(ValidationError) as e:
        people.add_resident(s, uid, ResidentInput(text))
    assert any(named in m for m in _messages(e, "name")), e.value.problems
    assert str(e.value).startswith("姓名：")
    assert s.scalar(select(func.count(Resident.id))) == before


def test_resident_invisible_only_name_is_an_empty_name(s: Session, uid: int) -> None:
    with pytest.raises(ValidationError) as e:
        people.add_resident(s, uid, ResidentInput("\u200b\u200b"))
    assert _messages(e, "name") == ["请填写姓名"]


@pytest.mark.parametrize("name", ["𠮷", "阿卜杜·热合曼", "\u200b王大山\u200b"])
def test_resident_real_names_are_stored(s: Session, uid: int, name: str) -> None:
    rid = people.add_resident(s, uid, ResidentInput(name, note="第一行\n第二行"))
    r = s.get(Resident, rid)
    assert r is not None and r.name == name.strip("\u200b") and r.note == "第一行\n第二行"
    assert r.name_pinyin  # 拼音 computed for an accepted name


def test_resident_edit_and_note_are_checked_too(s: Session, uid: int) -> None:
    rid = people.add_resident(s, uid, ResidentInput("王大山"))
    data = people.resident_input(s, rid)
    data.name, data.note = RLO, "备注\x00"
    with pytest.raises(ValidationError) as e:
        people.update_resident(s, rid, data)
    assert {p.field for p in e.value.problems} == {"name", "note"}
    r = s.get(Resident, rid)
    assert r is not None and r.name == "王大山"


def test_household_address_org_grid_operator_ticket_refuse_overrides(s: Session, uid: int) -> None:
    with pytest.raises(ValidationError) as e:
        households.add_household(s, uid, households.HouseholdInput(number="X1", address="东坟村\u202e号1街九"))
    assert "U+202E" in _messages(e, "address")[0]
    with pytest.raises(ValidationError) as e:
        org.create_org(s, uid, org.OrgInput(name="第一\u200b党支部", kind="党支部"))
    assert "U+200B" in _messages(e, "name")[0]
    with pytest.raises(ValidationError) as e:
        grids.create_grid(s, uid, grids.GridInput(code="Z9", name="\u3164"))
    assert "U+3164" in _messages(e, "name")[0]
    with pytest.raises(ValidationError) as e:
        auth.create_operator(s, uid, "wang\x00", "王\u202e山大")
    assert {p.field for p in e.value.problems} == {"username", "display_name"}
    cat = s.scalars(select(TicketCategory.id).where(TicketCategory.unit_id == uid)).first()
    with pytest.raises(ValidationError) as e:
        tickets.create_ticket(s, uid, tickets.TicketInput(cat, "路灯不亮", requester_name=RLO,
                                                          received_at=datetime(2026, 1, 5, 9)))
    assert "U+202E" in _messages(e, "requester_name")[0]
    assert s.scalar(select(func.count(PartyOrg.id)).where(PartyOrg.name.contains("\u200b"))) == 0
    assert s.scalar(select(func.count(Grid.id)).where(Grid.code == "Z9")) == 0


def test_notes_of_orgs_and_grids_keep_lines_but_not_hidden_characters(s: Session, uid: int) -> None:
    with pytest.raises(ValidationError) as e:
        org.create_org(s, uid, org.OrgInput(name="第九党支部", kind="党支部", note="成立\x00于"))
    assert "NUL" in _messages(e, "note")[0]
    with pytest.raises(ValidationError) as e:
        grids.create_grid(s, uid, grids.GridInput(code="Z9", name="第九网格", note="\u202e"))
    assert "U+202E" in _messages(e, "note")[0]
    gid = grids.create_grid(s, uid, grids.GridInput(code="Z9", name="第九网格", note="东至河\r\n西至路"))
    g = s.get(Grid, gid)
    assert g is not None and g.note == "东至河\n西至路"


def test_a_nul_in_a_search_box_separates_words_on_every_database(s: Session, uid: int) -> None:
    # no stored text holds a NUL; PostgreSQL refused it as a query parameter and the search failed
    from app.services.org import members
    from app.services.tickets import queries

    name = members.list_members(s, members.MemberQuery(unit_id=uid), 0, 1)[0].name
    found = members.list_members(s, members.MemberQuery(unit_id=uid, text=f"{name}\x00"), 0, 100)
    assert name in {r.name for r in found}
    assert name in {c.name for c in queries.find_requesters(s, uid, f"\x00{name}", limit=50)}
    assert queries.find_requesters(s, uid, "\x00") == []
