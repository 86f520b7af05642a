"""Row handler for 网格员 rows. Grid posts have no service of their own yet, so their rules are checked
here, from what the models allow."""

from __future__ import annotations

from sqlalchemy import select

from app.models import GridPost, Resident
from app.models.grid import GRID_POSTS

from ..people import residents as people
from ..validation import Problems
from .cells import id_cell, sheet_date, text
from .names import resolve_area
from .state import Outcome, RunState, Values

# ---------------------------------------------------------------- 网格员


_POST_WORDS = {"网格员": "专职网格员", "专职": "专职网格员", "微网格长": "微网格员", "楼长": "楼栋长", "辅助网格员": "辅助微网格员"}


def handle_grid_post(state: RunState, row: int, values: Values) -> Outcome:
    s = state.s
    p = Problems()
    grid_id = resolve_area(state, p, text(values, "grid"), text(values, "micro_grid")) if text(values, "grid") else None
    if not text(values, "grid"):
        p.add("grid", "网格", "请填写网格")
    post = p.choice("post", "岗位", _POST_WORDS.get(text(values, "post"), text(values, "post")), GRID_POSTS, required=True)
    name = p.text("name", "姓名", text(values, "name"), required=True, max_len=40)
    phone = p.phone("phone", "联系电话", text(values, "phone"))
    start_on = sheet_date(p, values, "start_on", "任职日期")
    note = p.text("note", "备注", text(values, "note"), max_len=500)
    resident_id = None
    raw = id_cell(values)
    if raw is not None and raw != "":
        info = p.id_number("id_number", "身份证号", raw)
        if info is not None:
            resident_id = people.find_resident_by_id_number(s, state.unit_id, info.number)
            resident = s.get(Resident, resident_id) if resident_id else None
            if resident is not None and name and resident.name != name:
                p.add("name", "姓名", f"该身份证号登记的是 {resident.name}，与表中姓名不符")
    key = (grid_id, post, name)
    first = state.seen_keys.setdefault(key, row)
    if first != row and grid_id is not None:
        p.add("name", "姓名", f"与第 {first} 行重复（同一网格、同一岗位、同一人）")
    p.raise_if_any()
    existing = s.scalar(select(GridPost).where(
        GridPost.grid_id == grid_id, GridPost.post == post, GridPost.person_name == name, GridPost.end_on.is_(None)))
    if existing is not None:
        if state.options.on_existing != "update":
            return "skip", "已在岗，跳过"
        state.journal.before_update("grid_post", existing, row)
        existing.phone = phone or existing.phone
        existing.start_on = start_on or existing.start_on
        existing.resident_id = resident_id or existing.resident_id
        existing.note = note or existing.note
        s.flush()
        return "update", "已在岗，按表更新"
    assert grid_id is not None
    gp = GridPost(grid_id=grid_id, post=post, resident_id=resident_id, person_name=name, phone=phone,
                  start_on=start_on, note=note, import_batch_id=state.batch_id)
    s.add(gp)
    s.flush()
    state.journal.add_created("grid_post", gp.id, row)
    return "new", ""
