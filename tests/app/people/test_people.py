from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.demo.ids import make_id_number
from app.models import AuditEntry, Resident, Tag
from app.models.people import DEFAULT_HOUSEHOLD_TAGS
from app.services import units
from app.services.errors import NotFound, ValidationError
from app.services.people import households
from app.services.people import residents as people
from app.services.people.households import HouseholdInput, HouseholdQuery
from app.services.people.residents import ResidentInput, ResidentQuery
from app.services.setup import founding


def rid(birth: date, seq: int) -> str:
    return make_id_number("110105", birth, seq)


@pytest.fixture
def vid(session: Session) -> int:
    return founding.create_unit(session, "东坟村", "城关街道", "房山区", contact_phone="010-62345678")


@pytest.fixture
def hh(session: Session, vid: int) -> int:
    return households.add_household(session, vid, HouseholdInput("001", "东坟村1号", tag_names=["低保"]))


def audits(s: Session, entity: str, entity_id: int) -> list[str]:
    return list(
        s.scalars(
            select(AuditEntry.action).where(AuditEntry.entity == entity, AuditEntry.entity_id == entity_id)
            .order_by(AuditEntry.id)
        )
    )


# ---------------------------------------------------------------- units


def test_create_unit_seeds_tags_and_reads_back(session: Session, vid: int) -> None:
    info = units.get_unit(session, vid)
    assert (info.name, info.township, info.county, info.kind) == ("东坟村", "城关街道", "房山区", "村")
    assert info.contact_phone == "010-62345678"
    assert info.full_name == "城关街道东坟村"
    assert [t.name for t in households.list_tags(session, vid)] == list(DEFAULT_HOUSEHOLD_TAGS)
    assert units.current_unit_id(session) == vid
    assert audits(session, "unit", vid) == ["create"]


def test_create_unit_validation(session: Session) -> None:
    with pytest.raises(ValidationError) as e:
        founding.create_unit(session, " ", kind="县", contact_phone="123", notice_days=0)
    assert sorted(p.field for p in e.value.problems) == ["contact_phone", "kind", "name", "notice_days"]


def test_update_unit(session: Session, vid: int) -> None:
    units.update_unit(session, vid, name="东坟社区", kind="社区", notice_days=7, contact_phone="13812345678")
    info = units.get_unit(session, vid)
    assert (info.name, info.kind, info.notice_days, info.contact_phone) == ("东坟社区", "社区", 7, "13812345678")
    assert audits(session, "unit", vid) == ["create", "update"]
    with pytest.raises(NotFound):
        units.get_unit(session, 9999)


def test_current_unit_none_on_empty(session: Session) -> None:
    assert units.current_unit_id(session) is None


# ---------------------------------------------------------------- residents


def test_add_resident_derives_fields_and_stores_pinyin(session: Session, vid: int, hh: int) -> None:
    number = rid(date(1960, 3, 8), 11)
    new_id = people.add_resident(
        session, vid, ResidentInput("张三", number.lower(), phone="138 1234 5678", household_id=hh, relation="户主")
    )
    r = session.get(Resident, new_id)
    assert r is not None
    assert (r.name_initials, r.name_pinyin) == ("zs", "zhangsan")
    assert (r.gender, r.birth_date, r.id_number, r.phone) == ("男", date(1960, 3, 8), number, "13812345678")
    row = people.get_resident(session, new_id)
    assert row.household_number == "001" and row.relation == "户主" and row.status == "在册"
    assert row.age == people.age_on(date(1960, 3, 8), date.today())
    assert audits(session, "resident", new_id) == ["create"]


def test_resident_all_problems_at_once(session: Session, vid: int, hh: int) -> None:
    with pytest.raises(ValidationError) as e:
        people.add_resident(
            session, vid,
            ResidentInput("", "110105194912310021", phone="1381234", education="博士后", relation="户主"),
        )
    fields = {p.field for p in e.value.problems}
    assert fields == {"name", "id_number", "phone", "education", "relation"}
    assert e.value.for_field("id_number") == ["校验位错误（应为 X），请核对号码是否抄错"]
    assert session.scalar(select(Resident.id)) is None


def test_birth_date_and_gender_must_agree_with_id(session: Session, vid: int) -> None:
    with pytest.raises(ValidationError) as e:
        people.add_resident(
            session, vid, ResidentInput("李四", "11010519491231002X", gender="男", birth_date=date(1949, 12, 30))
        )
    assert e.value.for_field("birth_date") == ["与身份证号不符：身份证号上的出生日期是 1949-12-31"]
    assert e.value.for_field("gender") == ["与身份证号不符：身份证号显示为女"]


def test_id_unique_per_unit_names_existing_person(session: Session, vid: int, hh: int) -> None:
    people.add_resident(session, vid, ResidentInput("王五", "11010519491231002X", household_id=hh, relation="户主"))
    with pytest.raises(ValidationError) as e:
        people.add_resident(session, vid, ResidentInput("王六", "11010519491231002x"))
    assert e.value.for_field("id_number") == ["该身份证号已登记为 王五（户号 001）；如是搬入本户，请在“全部居民”中选中此人，用“转到其他户…”"]
    # the same number in another village is fine
    other = founding.create_unit(session, "西坟村", "城关街道")
    assert people.add_resident(session, other, ResidentInput("王六", "11010519491231002X")) > 0


def test_one_head_per_household(session: Session, vid: int, hh: int) -> None:
    head = people.add_resident(session, vid, ResidentInput("张三", rid(date(1960, 1, 1), 11), household_id=hh, relation="户主"))
    with pytest.raises(ValidationError) as e:
        people.add_resident(session, vid, ResidentInput("张四", rid(date(1962, 1, 1), 11), household_id=hh, relation="户主"))
    assert e.value.for_field("relation") == ["户号 001 已有户主 张三，一户只能有一个户主"]
    # editing the head itself is not a conflict
    people.update_resident(session, head, ResidentInput("张三", rid(date(1960, 1, 1), 11), household_id=hh, relation="户主", phone="13900001111"))
    assert people.get_resident(session, head).phone == "13900001111"
    # once the old head moved out, a new head can be registered
    people.set_resident_status(session, head, "迁出", date(2024, 5, 1), "迁往城区")
    people.add_resident(session, vid, ResidentInput("张四", rid(date(1962, 1, 1), 11), household_id=hh, relation="户主"))
    # and the old head cannot come back as a second head
    with pytest.raises(ValidationError, match="已有户主 张四"):
        people.set_resident_status(session, head, "在册", date(2024, 6, 1))


def test_update_resident_and_status(session: Session, vid: int, hh: int) -> None:
    r = people.add_resident(session, vid, ResidentInput("赵六", rid(date(1990, 2, 3), 21), household_id=hh, relation="子"))
    people.update_resident(session, r, ResidentInput("赵陆", rid(date(1990, 2, 3), 21), household_id=hh, relation="子"))
    row = people.get_resident(session, r)
    assert row.name == "赵陆"
    assert session.get(Resident, r).name_initials == "zl"  # type: ignore[union-attr]
    with pytest.raises(ValidationError) as e:
        people.set_resident_status(session, r, "死亡")
    assert e.value.for_field("status_date") == ["请填写死亡日期"]
    with pytest.raises(ValidationError):
        people.set_resident_status(session, r, "失踪", date(2024, 1, 1))
    people.set_resident_status(session, r, "死亡", date(2024, 1, 1), "病故")
    row = people.get_resident(session, r)
    assert (row.status, row.status_date) == ("死亡", date(2024, 1, 1))
    assert session.get(Resident, r) is not None  # never deleted
    assert audits(session, "resident", r) == ["create", "update", "status"]


def test_relation_needs_household(session: Session, vid: int) -> None:
    with pytest.raises(ValidationError) as e:
        people.add_resident(session, vid, ResidentInput("钱七", relation="配偶"))
    assert e.value.for_field("relation") == ["请先选择所属户"]


def test_resident_without_id_is_allowed(session: Session, vid: int) -> None:
    r = people.add_resident(session, vid, ResidentInput("孙八", gender="女"))
    assert people.get_resident(session, r).id_number is None


# ---------------------------------------------------------------- search, paging, sorting


@pytest.fixture
def village(session: Session, vid: int) -> dict[str, int]:
    h1 = households.add_household(session, vid, HouseholdInput("001", "东坟村1号", tag_names=["低保", "空巢"]))
    h2 = households.add_household(session, vid, HouseholdInput("002", "东坟村2号"))
    ids = {}
    data = [
        ("张三", date(1950, 1, 1), 11, "13812345678", h1, "户主"),
        ("李四", date(1952, 2, 2), 22, "13900001111", h1, "配偶"),
        ("王小明", date(1980, 3, 3), 31, "0351-1234567", h2, "户主"),
        ("张思", date(1990, 4, 4), 42, "", h2, "配偶"),
        ("周树", date(2001, 5, 5), 51, "", h2, "子"),
    ]
    for name, birth, seq, phone, h, rel in data:
        ids[name] = people.add_resident(session, vid, ResidentInput(name, rid(birth, seq), phone=phone, household_id=h, relation=rel))
    ids["h1"], ids["h2"] = h1, h2
    return ids


def names(rows: list[people.ResidentRow]) -> list[str]:
    return [r.name for r in rows]


def search(s: Session, vid: int, text: str, **kw: object) -> list[str]:
    q = ResidentQuery(vid, text=text, **kw)  # type: ignore[arg-type]
    rows = people.list_residents(s, q)
    assert people.count_residents(s, q) == len(rows)
    return sorted(names(rows))


def test_search_by_characters(session: Session, vid: int, village: dict[str, int]) -> None:
    assert search(session, vid, "张") == ["张三", "张思"]
    assert search(session, vid, "小明") == ["王小明"]


def test_search_by_initials_and_pinyin(session: Session, vid: int, village: dict[str, int]) -> None:
    assert search(session, vid, "zs") == sorted(["张三", "张思", "周树"])  # all three are z-s
    assert search(session, vid, "ZS") == sorted(["张三", "张思", "周树"])
    assert search(session, vid, "xm") == ["王小明"]  # substring of wxm
    assert search(session, vid, "zhang") == ["张三", "张思"]
    assert search(session, vid, "zhangsan") == ["张三"]


def test_search_by_id_and_phone_fragment(session: Session, vid: int, village: dict[str, int]) -> None:
    assert search(session, vid, "19520202") == ["李四"]
    assert search(session, vid, rid(date(1990, 4, 4), 42)[-6:]) == ["张思"]
    assert search(session, vid, "0000111") == ["李四"]
    assert search(session, vid, "03511234") == ["王小明"]  # hyphen ignored
    assert search(session, vid, "0351-123") == ["王小明"]


def test_search_words_are_anded_and_wildcards_literal(session: Session, vid: int, village: dict[str, int]) -> None:
    assert search(session, vid, "张 1990") == ["张思"]
    assert search(session, vid, "%") == []
    assert search(session, vid, "_") == []
    assert search(session, vid, "  ") == sorted(["周树", "张三", "张思", "李四", "王小明"])


def test_gone_residents_hidden_unless_asked(session: Session, vid: int, village: dict[str, int]) -> None:
    people.set_resident_status(session, village["周树"], "迁出", date(2024, 9, 1))
    people.set_resident_status(session, village["李四"], "外出务工", date(2024, 3, 1))
    assert "周树" not in search(session, vid, "")
    assert "李四" in search(session, vid, "")  # 外出务工 still belongs to the village
    assert "周树" in search(session, vid, "", include_gone=True)
    assert search(session, vid, "", status="迁出") == ["周树"]


def test_paging_and_sorting(session: Session, vid: int, village: dict[str, int]) -> None:
    q = ResidentQuery(vid, order_by="birth_date")
    assert names(people.list_residents(session, q)) == ["张三", "李四", "王小明", "张思", "周树"]
    assert names(people.list_residents(session, q, offset=1, limit=2)) == ["李四", "王小明"]
    assert names(people.list_residents(session, q, offset=4, limit=2)) == ["周树"]
    q.descending = True
    assert names(people.list_residents(session, q, limit=2)) == ["周树", "张思"]
    by_age = people.list_residents(session, ResidentQuery(vid, order_by="age"))
    assert names(by_age)[0] == "周树"  # youngest first when ascending by age
    by_name = people.list_residents(session, ResidentQuery(vid, order_by="name"))
    assert names(by_name) == ["李四", "王小明", "张三", "张思", "周树"]  # 拼音 order
    by_hh = people.list_residents(session, ResidentQuery(vid, order_by="household_number"))
    assert names(by_hh)[0] == "张三" and names(by_hh)[2] == "王小明"  # heads first within household
    with pytest.raises(people.ServiceError):
        people.list_residents(session, ResidentQuery(vid, order_by="password"))


def test_household_filter_and_members(session: Session, vid: int, village: dict[str, int]) -> None:
    assert search(session, vid, "", household_id=village["h2"]) == sorted(["周树", "张思", "王小明"])
    rows = people.household_residents(session, village["h2"])
    assert names(rows) == ["王小明", "张思", "周树"]  # 户主 first, then oldest


# ---------------------------------------------------------------- households


def test_household_rows(session: Session, vid: int, village: dict[str, int]) -> None:
    rows = households.list_households(session, HouseholdQuery(vid))
    assert [(h.number, h.head_name, h.size, h.tags) for h in rows] == [
        ("001", "张三", 2, ("低保", "空巢")),
        ("002", "王小明", 3, ()),
    ]
    assert rows[0].head_phone == "13812345678"
    assert households.count_households(session, HouseholdQuery(vid)) == 2


def test_household_search_and_filters(session: Session, vid: int, village: dict[str, int]) -> None:
    def numbers(**kw: object) -> list[str]:
        q = HouseholdQuery(vid, **kw)  # type: ignore[arg-type]
        rows = households.list_households(session, q)
        assert households.count_households(session, q) == len(rows)
        return [h.number for h in rows]

    assert numbers(text="zs") == ["001", "002"]  # 张三 in 001, 张思 and 周树 in 002
    assert numbers(text="wxm") == ["002"]
    assert numbers(text="2号") == ["002"]
    assert numbers(text="13812") == ["001"]
    assert numbers(tag="空巢") == ["001"]
    assert numbers(order_by="size", descending=True) == ["002", "001"]
    assert numbers(order_by="head_name") == ["002", "001"]  # wangxiaoming < zhangsan (拼音)

def test_household_validation(session: Session, vid: int, hh: int) -> None:
    with pytest.raises(ValidationError) as e:
        households.add_household(session, vid, HouseholdInput("001", tag_names=["外星人"], grid_id=999))
    assert e.value.for_field("number") == ["户号 001 已被另一户使用（东坟村1号）"]
    assert e.value.for_field("tag_names") == ["没有这些标签：外星人（可在设置中添加）"]
    assert e.value.for_field("grid_id") == ["所选的网格不存在"]
    with pytest.raises(ValidationError) as e:
        households.add_household(session, vid, HouseholdInput(" "))
    assert e.value.for_field("number") == ["请填写户号"]


def test_update_household_and_tags(session: Session, vid: int, hh: int) -> None:
    households.update_household(session, hh, HouseholdInput("001A", "东坟村1号院", tag_names=["残疾"]))
    row = households.get_household(session, hh)
    assert (row.number, row.address, row.tags) == ("001A", "东坟村1号院", ("残疾",))
    households.set_household_tags(session, hh, ["出租房", "低保"])
    assert households.get_household(session, hh).tags == ("低保", "出租房")  # in tag sort order
    counts = {t.name: t.household_count for t in households.list_tags(session, vid)}
    assert counts["低保"] == 1 and counts["残疾"] == 0
    assert households.household_input(session, hh).tag_names == ("低保", "出租房")
    assert audits(session, "household", hh) == ["create", "update", "update"]


def test_close_household(session: Session, vid: int, hh: int) -> None:
    r = people.add_resident(session, vid, ResidentInput("张三", household_id=hh, relation="户主"))
    with pytest.raises(ValidationError) as e:
        households.close_household(session, hh, date(2024, 1, 1), "全户迁出")
    assert e.value.for_field("residents") == ["该户还有 1 名在册居民（张三），请先把他们转到其他户，或登记迁出、死亡"]
    with pytest.raises(ValidationError) as e:
        households.close_household(session, hh, date(2024, 1, 1), "")
    assert {p.field for p in e.value.problems} == {"residents", "close_reason"}
    people.set_resident_status(session, r, "迁出", date(2024, 1, 1))
    households.close_household(session, hh, date(2024, 1, 2), "全户迁出")
    assert households.count_households(session, HouseholdQuery(vid)) == 0
    assert households.count_households(session, HouseholdQuery(vid, include_closed=True)) == 1
    assert audits(session, "household", hh) == ["create", "close"]
    with pytest.raises(ValidationError, match="已于 2024-01-02 销户"):
        people.add_resident(session, vid, ResidentInput("李四", household_id=hh, relation="户主"))


def test_add_tag(session: Session, vid: int) -> None:
    tid = households.add_tag(session, vid, "重点关注")
    assert session.get(Tag, tid).sort_order == len(DEFAULT_HOUSEHOLD_TAGS)  # type: ignore[union-attr]
    with pytest.raises(ValidationError, match="已有标签"):
        households.add_tag(session, vid, "重点关注")
