"""班子与代表 dialogs: 新增任职 / 修改任职 (dlg_body_post), 结束任职 (dlg_end_body_post), 届期 (dlg_body_term)
and a 村民代表's 联系户 (dlg_rep_households). People and households are found by typing (拼音首字母, 户号)."""

from __future__ import annotations

from datetime import date
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QHBoxLayout, QListWidget, QListWidgetItem, QPushButton, QVBoxLayout, QWidget

from app.services.affairs import bodies, terms
from app.services.affairs.bodies import BODIES, BODY_ROLES, TERM_BODIES, BodyPostRow
from app.services.affairs.terms import TermRow
from app.services.context import AppContext
from app.services.errors import FieldProblem, ValidationError
from app.services.people import households, residents
from app.services.people.households import HouseholdQuery
from app.services.people.residents import ResidentQuery

from ..common.form import FormDialog, select_combo_data, set_combo_items
from ..common.search_picker import SearchPicker
from ..org.contact_dialogs import PICK_LIMIT, PICK_WIDTH_EM, household_label

DATA_ROLE = Qt.ItemDataRole.UserRole


class BodyPostDialog(FormDialog):
    """新增任职 (post None) or 修改任职 (the post's values, the person fixed). result_value: the post id."""

    def __init__(self, ctx: AppContext, unit_id: int, post: BodyPostRow | None = None, body: str | None = None,
                 parent: QWidget | None = None) -> None:
        title = self.tr("新增任职") if post is None else self.tr("修改任职：{0}").format(post.name)
        super().__init__("dlg_body_post", title, parent)
        self.ctx, self.unit_id, self.post = ctx, unit_id, post
        self.terms = ctx.call(terms.list_terms, unit_id)
        self.person = SearchPicker("post_resident", self._find, self.tr("姓名、拼音首字母（如 zs）"), self)
        self.add_field("resident", self.tr("姓名"), self.person, required=True, service_field="resident_id")
        self.person.setMinimumWidth(self.fontMetrics().horizontalAdvance("中") * PICK_WIDTH_EM)
        self.body_combo = self.add_combo("body", self.tr("班子"), [(self.tr(b), b) for b in BODIES], required=True)
        self.role = self.add_combo("role", self.tr("职务"), [], required=True)
        self.term = self.add_combo("term", self.tr("届期"), [], service_field="term_id")
        self.group = self.add_line("group_name", self.tr("村民小组"), max_length=40,
                                   placeholder=self.tr("如 第一村民小组"))
        self.since = self.add_date("since", self.tr("任职日期"), required=True)
        self.note = self.add_line("note", self.tr("备注"), max_length=200, placeholder=self.tr("如分工：治保调解"))
        self.body_combo.currentIndexChanged.connect(self._body_changed)
        if post is None:
            select_combo_data(self.body_combo, body or BODIES[0])
            self._body_changed()
            self.since.set_date(date.today())
            self.person.setFocus()
        else:
            self.person.edit.setText(post.name)
            self.person.value = post.resident_id
            self.person.setEnabled(False)  # a post of someone else is a new post, not a correction
            select_combo_data(self.body_combo, post.body)
            self._body_changed()
            select_combo_data(self.role, post.role)
            select_combo_data(self.term, post.term_id)
            self.group.setText(post.group_name)
            self.since.set_date(post.since)
            self.note.setText(post.note)
            self.role.setFocus()

    def _find(self, text: str) -> list[tuple[str, object]]:
        rows = self.ctx.call(residents.list_residents, ResidentQuery(self.unit_id, text=text), 0, PICK_LIMIT)
        return [(" ".join(x for x in (r.name, r.household_number or "", f"{r.age}岁" if r.age is not None else "")
                          if x), r.id) for r in rows]

    def _body_changed(self) -> None:
        body = self.body_combo.currentData()
        set_combo_items(self.role, [(self.tr(r), r) for r in BODY_ROLES.get(body, ())])
        items: list[tuple[str, object]] = [(self.tr("本届（自动）") if body in TERM_BODIES else self.tr("无"), None)]
        items += [(f"{t.text}", t.id) for t in self.terms if t.body == body]
        set_combo_items(self.term, items)
        self.show_field("term", body in TERM_BODIES)

    def values(self) -> dict[str, Any]:
        problems: list[FieldProblem] = []
        since = self.date_value("since", problems)
        if self.person.value is None:
            problems.append(FieldProblem("resident", self.labels["resident"],
                                         self.tr("请输入姓名或拼音首字母，并在列表中选中")))
        if problems:
            raise ValidationError(problems)
        return {"resident_id": self.person.value, "body": self.body_combo.currentData(),
                "role": self.role.currentData(), "term_id": self.term.currentData(), "group_name": self.group.text(),
                "since": since, "note": self.note.text()}

    def save(self, values: dict[str, Any]) -> int:
        v = values
        if self.post is None:
            return self.ctx.call(bodies.add_post, self.unit_id, v["resident_id"], v["body"], v["role"], v["since"],
                                 v["term_id"], v["group_name"], v["note"])
        self.ctx.call(bodies.correct_post, self.post.id, v["body"], v["role"], v["since"], v["term_id"],
                      v["group_name"], v["note"])
        return self.post.id


class EndBodyPostDialog(FormDialog):
    """结束任职: the date and the reason (换届, 辞职, 罢免 …); the row stays in the roster's history."""

    def __init__(self, ctx: AppContext, post: BodyPostRow, parent: QWidget | None = None) -> None:
        super().__init__("dlg_end_body_post", self.tr("结束任职：{0} {1}{2}").format(post.name, post.body, post.role),
                         parent)
        self.ctx, self.post = ctx, post
        self.until = self.add_date("until", self.tr("结束日期"), required=True)
        self.until.set_date(date.today())
        self.reason = self.add_combo("end_reason", self.tr("结束原因"),
                                     [self.tr(r) for r in ("换届", "辞职", "罢免", "调离", "去世", "其他")], required=True)
        self.reason.setEditable(True)
        self.until.setFocus()

    def values(self) -> dict[str, Any]:
        problems: list[FieldProblem] = []
        on = self.date_value("until", problems)
        if problems:
            raise ValidationError(problems)
        return {"until": on, "end_reason": self.reason.currentText()}

    def save(self, values: dict[str, Any]) -> int:
        self.ctx.call(bodies.end_post, self.post.id, values["until"], values["end_reason"])
        return self.post.id


class TermDialog(FormDialog):
    """新增届期 (term None; the end defaults to five years on) or 更正届期."""

    def __init__(self, ctx: AppContext, unit_id: int, term: TermRow | None = None,
                 parent: QWidget | None = None) -> None:
        super().__init__("dlg_body_term", self.tr("新增届期") if term is None else self.tr("更正届期"), parent)
        self.ctx, self.unit_id, self.term = ctx, unit_id, term
        self.body_combo = self.add_combo("body", self.tr("班子"), [(self.tr(b), b) for b in TERM_BODIES],
                                         required=True)
        self.name = self.add_line("name", self.tr("届次"), max_length=40, placeholder=self.tr("如 第十二届"))
        self.starts = self.add_date("starts_on", self.tr("开始日期"), required=True)
        self.ends = self.add_date("ends_on", self.tr("结束日期"), required=term is not None)
        self.ends.setPlaceholderText(self.tr("不填：按五年届期计算"))
        self.note = self.add_line("note", self.tr("备注"), max_length=200)
        if term is not None:
            select_combo_data(self.body_combo, term.body)
            self.body_combo.setEnabled(False)
            self.name.setText(term.name)
            self.starts.set_date(term.starts_on)
            self.ends.set_date(term.ends_on)
            self.note.setText(term.note)
        self.body_combo.setFocus()

    def values(self) -> dict[str, Any]:
        problems: list[FieldProblem] = []
        starts = self.date_value("starts_on", problems)
        ends = self.date_value("ends_on", problems) if self.ends.text().strip() else None
        if problems:
            raise ValidationError(problems)
        return {"body": self.body_combo.currentData(), "name": self.name.text(), "starts_on": starts,
                "ends_on": ends, "note": self.note.text()}

    def save(self, values: dict[str, Any]) -> int:
        v = values
        if self.term is None:
            return self.ctx.call(terms.add_term, self.unit_id, v["body"], v["starts_on"], v["ends_on"], v["name"],
                                 v["note"])
        self.ctx.call(terms.correct_term, self.term.id, v["starts_on"], v["ends_on"], v["name"], v["note"])
        return self.term.id


class RepHouseholdsDialog(FormDialog):
    """A 村民代表's 联系户: households picked by typing, listed, removed; 保存 replaces the whole set."""

    def __init__(self, ctx: AppContext, unit_id: int, post: BodyPostRow, parent: QWidget | None = None) -> None:
        super().__init__("dlg_rep_households", self.tr("代表联系户：{0}").format(post.name), parent)
        self.ctx, self.unit_id, self.post = ctx, unit_id, post
        self.add_section(self.tr("村民代表一般联系五至十五户；输入户主姓名或户号，在列表中选中即加入。"))
        self.picker = SearchPicker("rep_household", self._find, self.tr("户主姓名、拼音首字母或户号"), self)
        self.picker.setMinimumWidth(self.fontMetrics().horizontalAdvance("中") * PICK_WIDTH_EM)
        self.add_field("pick", self.tr("添加联系户"), self.picker)
        box = QWidget(self)
        layout = QVBoxLayout(box)
        layout.setContentsMargins(0, 0, 0, 0)
        self.chosen = QListWidget(box)
        self.chosen.setObjectName("list_rep_chosen")
        row = QHBoxLayout()
        self.btn_remove = QPushButton(self.tr("移除所选"), box)
        self.btn_remove.setObjectName("btn_rep_remove")
        row.addStretch(1)
        row.addWidget(self.btn_remove)
        layout.addWidget(self.chosen)
        layout.addLayout(row)
        self.add_field("households", self.tr("联系户"), box)
        for h in ctx.call(bodies.post_households, post.id):
            self._add(h.label, h.id)
        self.picker.picked.connect(self._picked)
        self.btn_remove.clicked.connect(self._remove)
        self.chosen.currentRowChanged.connect(lambda r: self.btn_remove.setEnabled(r >= 0))
        self.btn_remove.setEnabled(False)
        self._count()
        self.picker.setFocus()

    def _find(self, text: str) -> list[tuple[str, object]]:
        rows = self.ctx.call(households.list_households, HouseholdQuery(self.unit_id, text=text), 0, PICK_LIMIT)
        return [(household_label(h.number, h.head_name, h.address), (h.id, household_label(h.number, h.head_name,
                                                                                             h.address)))
                for h in rows]

    def _ids(self) -> list[int]:
        return [int(self.chosen.item(i).data(DATA_ROLE)) for i in range(self.chosen.count())]

    def _add(self, label: str, hid: int) -> None:
        if hid not in self._ids():
            item = QListWidgetItem(label, self.chosen)
            item.setData(DATA_ROLE, hid)

    def _picked(self, value: object) -> None:
        if isinstance(value, tuple):
            hid, label = value
            self._add(label, hid)
            self.picker.clear()
            self._count()

    def _remove(self) -> None:
        row = self.chosen.currentRow()
        if row >= 0:
            self.chosen.takeItem(row)
            self._count()

    def _count(self) -> None:
        self.setWindowTitle(self.tr("代表联系户：{0}（{1} 户）").format(self.post.name, self.chosen.count()))

    def values(self) -> dict[str, Any]:
        return {"household_ids": self._ids()}

    def save(self, values: dict[str, Any]) -> int:
        self.ctx.call(bodies.set_households, self.post.id, values["household_ids"])
        return self.post.id
