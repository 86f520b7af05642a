"""任命网格员 (dlg_appoint_post) and 卸任 (dlg_end_post): the two changes to a grid post.

The person is found like a requester at the desk (姓名, 拼音首字母 or a phone fragment, the shared
SearchPicker); someone outside the register is simply typed with a phone. The service checks the post
against the grid level and ends the current 网格长 / 微网格员 when a new one starts.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

from PySide6.QtWidgets import QLabel, QWidget

from app.services.context import AppContext
from app.services.errors import FieldProblem, ValidationError
from app.services.grid import grids as grid
from app.services.grid.grids import GridInfo, PostInput, PostRow
from app.services.tickets import queries as ticket_queries
from app.services.tickets.queries import RequesterChoice

from ..common.form import FormDialog, select_combo_data, set_combo_items
from ..common.search_picker import SearchPicker

BOTH_LEVELS = ("楼栋长",)


def posts_for(area: GridInfo, has_micro: bool) -> list[str]:
    """The posts that can be held in an area: 网格长/专职网格员 in a grid, 微网格员/辅助 in a micro-grid."""
    if area.parent_id is not None:
        return [*grid.MICRO_POSTS, *BOTH_LEVELS]
    if has_micro:
        return [*grid.TOP_POSTS, *BOTH_LEVELS]
    return [*grid.TOP_POSTS, *grid.MICRO_POSTS, *BOTH_LEVELS]


class AppointPostDialog(FormDialog):
    """result_value is the new post's id."""

    def __init__(self, ctx: AppContext, unit_id: int, grids: Sequence[GridInfo], area_id: int | None,
                 parent: QWidget | None = None, post: str | None = None) -> None:
        super().__init__("dlg_appoint_post", self.tr("任命网格员"), parent)
        self.ctx, self.unit_id = ctx, unit_id
        self.grids = {g.id: g for g in grids if g.closed_on is None}
        self._parents = {g.parent_id for g in self.grids.values() if g.parent_id is not None}
        self.combo_area = self.add_combo("area", self.tr("网格"), [(g.name, g.id) for g in self.grids.values()],
                                         required=True, service_field="grid_id")
        self.combo_post = self.add_combo("post", self.tr("岗位"), [], required=True)
        self.picker = SearchPicker("post_person", self._find,
                                   self.tr("姓名、拼音首字母（如 zs）或电话后几位；村外人员直接填姓名"), self)
        self.add_field("person_name", self.tr("人员"), self.picker, required=True)
        self.picker.setMinimumWidth(self.fontMetrics().horizontalAdvance("中") * 28)  # room for 户号 and 网格
        self.aliases["resident_id"] = "person_name"
        self.edit_phone = self.add_line("phone", self.tr("联系电话"), max_length=20,
                                        placeholder=self.tr("手机号或带区号的固定电话"))
        self.edit_start = self.add_date("start_on", self.tr("任职日期"), required=True)
        self.edit_start.set_date(date.today())
        self.edit_note = self.add_line("note", self.tr("备注"), max_length=200)
        self.lbl_replace = QLabel(self)
        self.lbl_replace.setObjectName("lbl_post_replace")
        self.lbl_replace.setWordWrap(True)
        self.lbl_replace.setStyleSheet("color: #8a5a00;")
        self.grid.addWidget(self.lbl_replace, self.grid.rowCount(), 1, 1, 2)
        self.btn_save.setText(self.tr("任命"))
        self.picker.picked.connect(self._picked)
        self.combo_area.currentIndexChanged.connect(self._area_changed)
        self.combo_post.currentIndexChanged.connect(self._show_replacement)
        select_combo_data(self.combo_area, area_id)
        self._area_changed()
        if post is not None:
            select_combo_data(self.combo_post, post)
        self.picker.setFocus()

    def _find(self, text: str) -> list[tuple[str, object]]:
        found: list[RequesterChoice] = self.ctx.call(ticket_queries.find_requesters, self.unit_id, text, 8)
        return [(c.label, c) for c in found]

    def _picked(self, choice: object) -> None:
        if isinstance(choice, RequesterChoice) and choice.phone:
            self.edit_phone.setPlaceholderText(self.tr("留空则用居民登记的电话（{0}）").format(choice.phone))
        else:
            self.edit_phone.setPlaceholderText(self.tr("手机号或带区号的固定电话"))

    def _area_changed(self, *_: object) -> None:
        area = self.grids.get(self.combo_area.currentData())
        current = self.combo_post.currentData()
        posts = posts_for(area, area.id in self._parents) if area is not None else []
        self.combo_post.blockSignals(True)
        set_combo_items(self.combo_post, [(p, p) for p in posts])
        select_combo_data(self.combo_post, current)
        self.combo_post.blockSignals(False)
        self._show_replacement()

    def _show_replacement(self, *_: object) -> None:
        """Say whose term the new 网格长 / 微网格员 ends (the service does it)."""
        area_id, post = self.combo_area.currentData(), self.combo_post.currentData()
        holders: list[PostRow] = []
        if area_id is not None and post in grid.SINGLE_HOLDER:
            holders = [r for r in self.ctx.call(grid.current_posts, area_id)
                       if r.grid_id == area_id and r.post == post and r.end_on is None]
        text = "；".join(self.tr("现任{0} {1}（{2} 起）将于新任任职日期卸任").format(
            r.post, r.name, r.start_on.isoformat() if r.start_on else self.tr("日期未记")) for r in holders)
        self.lbl_replace.setText(text)
        self.lbl_replace.setVisible(bool(text))

    def values(self) -> dict[str, Any]:
        problems: list[FieldProblem] = []
        start = self.date_value("start_on", problems)
        if problems:
            raise ValidationError(problems)
        choice = self.picker.value
        resident = choice if isinstance(choice, RequesterChoice) else None
        return {
            "area_id": self.combo_area.currentData(),
            "post": self.combo_post.currentData() or "",
            "person_name": resident.name if resident else self.picker.text(),
            "resident_id": resident.id if resident else None,
            "phone": self.edit_phone.text().strip(),
            "start_on": start,
            "note": self.edit_note.text(),
        }

    def save(self, values: dict[str, Any]) -> int:
        area_id = values.pop("area_id")
        if area_id is None:
            raise ValidationError([FieldProblem("area", self.tr("网格"), self.tr("请选择网格"))])
        return self.ctx.call(grid.appoint, area_id, PostInput(**values))


class EndPostDialog(FormDialog):
    """卸任: the post keeps its row, with the date and a note (换届, 辞职 …)."""

    def __init__(self, ctx: AppContext, post: PostRow, parent: QWidget | None = None) -> None:
        super().__init__("dlg_end_post", self.tr("卸任"), parent)
        self.ctx, self.post = ctx, post
        since = post.start_on.isoformat() if post.start_on else self.tr("日期未记")
        who = QLabel(self.tr("{0}{1}：{2}（{3} 起任职）").format(post.grid_name, post.post, post.name, since), self)
        who.setObjectName("lbl_end_post_who")
        self.grid.addWidget(who, self.grid.rowCount(), 0, 1, 3)
        self._row = self.grid.rowCount()
        self.edit_end = self.add_date("end_on", self.tr("卸任日期"), required=True)
        self.edit_end.set_date(date.today())
        self.edit_note = self.add_line("note", self.tr("说明"), max_length=200,
                                       placeholder=self.tr("如 换届、辞职、外出务工"))
        self.btn_save.setText(self.tr("卸任"))
        self.edit_end.setFocus()

    def values(self) -> dict[str, Any]:
        problems: list[FieldProblem] = []
        end = self.date_value("end_on", problems)
        if end is None and not problems:
            problems.append(FieldProblem("end_on", self.labels["end_on"], self.tr("请填写卸任日期")))
        if problems:
            raise ValidationError(problems)
        return {"on": end, "note": self.edit_note.text()}

    def save(self, values: dict[str, Any]) -> int:
        self.ctx.call(grid.end_grid_post, self.post.id, values["on"], values["note"])
        return self.post.id
