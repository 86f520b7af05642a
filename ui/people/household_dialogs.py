"""Dialogs for one 户: 变更户主 (dlg_change_head), 销户 (dlg_close_household), 标签 (dlg_household_tags).

Each calls one service; its problems show beside the fields."""

from __future__ import annotations

from datetime import date
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QWidget,
)

from app.services.context import AppContext
from app.services.errors import FieldProblem, ValidationError
from app.services.people import household_changes, households
from app.services.people import residents as people
from app.services.people.household_changes import OTHER_RELATIONS

from ..common.form import FormDialog
from ..errors import user_errors


def _about(dialog: FormDialog, text: str, name: str) -> QLabel:
    label = QLabel(text, dialog)
    label.setObjectName(name)
    label.setWordWrap(True)
    dialog.grid.addWidget(label, dialog._row, 0, 1, 3)
    dialog._row += 1
    return label


class HeadChangeDialog(FormDialog):
    """变更户主: one of the household's residents becomes 户主; the old head takes the relation chosen here.

    result_value: the service's notes (e.g. the others' relations to check)."""

    def __init__(self, ctx: AppContext, household_id: int, parent: QWidget | None = None) -> None:
        super().__init__("dlg_change_head", self.tr("变更户主"), parent)
        self.ctx = ctx
        self.household_id = household_id
        h = ctx.call(households.get_household, household_id)
        living = ctx.call(people.household_residents, household_id)
        self.old_head = next((r for r in living if r.id == h.head_id), None)
        _about(self, self.tr("户号 {0}　现户主：{1}").format(h.number, h.head_name or self.tr("（无）")), "label_head_about")
        choices = [(f"{r.name}（{r.relation or self.tr('关系未填')}）", r.id) for r in living if r.id != h.head_id]
        self.new_head = self.add_combo("new_head_id", self.tr("新户主"), choices, required=True)
        self.old_relation = self.add_combo(
            "old_head_relation",
            self.tr("原户主 {0} 改为").format(self.old_head.name) if self.old_head else self.tr("原户主改为"),
            list(OTHER_RELATIONS), required=True, blank="")
        if self.old_head is None:
            self.old_relation.hide()
            caption = self.findChild(QLabel, "label_old_head_relation")
            if caption is not None:
                caption.hide()
        _about(self, self.tr("与新户主的关系，如 配偶、父亲、母亲。"), "label_head_hint")
        self.new_head.setFocus()

    def values(self) -> dict[str, Any]:
        return {"new_head_id": self.new_head.currentData(), "old_head_relation": self.old_relation.currentData() or ""}

    def save(self, values: dict[str, Any]) -> list[str]:
        if values["new_head_id"] is None:
            raise ValidationError([FieldProblem("new_head_id", "新户主", self.tr("该户没有可以担任户主的在册居民"))])
        return self.ctx.call(household_changes.change_head, self.household_id, values["new_head_id"],
                             values["old_head_relation"])


class CloseHouseholdDialog(FormDialog):
    """销户 with a date and a reason; the household stays in the register (含已销户)."""

    def __init__(self, ctx: AppContext, household_id: int, parent: QWidget | None = None) -> None:
        super().__init__("dlg_close_household", self.tr("销户"), parent)
        self.ctx = ctx
        self.household_id = household_id
        h = ctx.call(households.get_household, household_id)
        _about(self, self.tr("户号 {0}　{1}").format(h.number, h.address), "label_close_about")
        self.on = self.add_date("closed_on", self.tr("销户日期"), required=True)
        self.on.set_date(date.today())
        self.reason = self.add_text("close_reason", self.tr("销户原因"))
        caption = self.findChild(QLabel, "label_close_reason")
        if caption is not None:
            caption.setText(self.tr("销户原因") + "<span style='color:#c62828'> *</span>")
        _about(self, self.tr("销户后该户不再列出（勾选“含已销户”可查看），记录保留。"), "label_close_hint")
        self.reason.setFocus()

    def values(self) -> dict[str, Any]:
        problems: list[FieldProblem] = []
        on = self.date_value("closed_on", problems)
        if problems:
            raise ValidationError(problems)
        return {"on": on, "reason": self.reason.toPlainText()}

    def save(self, values: dict[str, Any]) -> int:
        self.ctx.call(households.close_household, self.household_id, values["on"], values["reason"])
        return self.household_id


class HouseholdTagsDialog(FormDialog):
    """The household's tags from the village's list; a missing tag can be added to the list here."""

    def __init__(self, ctx: AppContext, unit_id: int, household_id: int, parent: QWidget | None = None) -> None:
        super().__init__("dlg_household_tags", self.tr("户的标签"), parent)
        self.ctx = ctx
        self.unit_id = unit_id
        self.household_id = household_id
        self.added: list[str] = []
        h = ctx.call(households.get_household, household_id)
        _about(self, self.tr("户号 {0}　户主：{1}").format(h.number, h.head_name or "—"), "label_tags_about")
        self.tags = QListWidget(self)
        self.tags.setMinimumHeight(self.fontMetrics().height() * 10)
        for tag in ctx.call(households.list_tags, unit_id):
            self._item(tag.name, tag.name in h.tags)
        self.add_field("tag_names", self.tr("标签"), self.tags)

        row = QWidget(self)
        lay = QHBoxLayout(row)
        lay.setContentsMargins(0, 0, 0, 0)
        self.new_tag = QLineEdit(row)
        self.new_tag.setObjectName("edit_new_tag")
        self.new_tag.setMaxLength(30)
        self.new_tag.setPlaceholderText(self.tr("列表里没有的标签，如 重点关注"))
        self.btn_add_tag = QPushButton(self.tr("添加到标签列表"), row)
        self.btn_add_tag.setObjectName("btn_add_tag")
        self.btn_add_tag.setAutoDefault(False)
        lay.addWidget(self.new_tag, 1)
        lay.addWidget(self.btn_add_tag)
        self.add_field("name", self.tr("新标签"), row)
        self.btn_add_tag.clicked.connect(self.add_tag)
        self.new_tag.returnPressed.connect(self.add_tag)
        self.tags.setFocus()

    def _item(self, name: str, checked: bool) -> QListWidgetItem:
        item = QListWidgetItem(name, self.tags)
        item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
        item.setCheckState(Qt.CheckState.Checked if checked else Qt.CheckState.Unchecked)
        return item

    def add_tag(self) -> None:
        """Add the typed name to the village's tags (saved at once) and tick it for this household."""
        name = self.new_tag.text().strip()
        with user_errors(self):
            try:
                self.ctx.call(households.add_tag, self.unit_id, name)
            except ValidationError as e:
                self.show_problems(e.problems)
                return
            self.clear_problems()
            self.tags.scrollToItem(self._item(name, True))
            self.added.append(name)
            self.new_tag.clear()

    def checked(self) -> list[str]:
        return [self.tags.item(i).text() for i in range(self.tags.count())
                if self.tags.item(i).checkState() == Qt.CheckState.Checked]

    def values(self) -> dict[str, Any]:
        return {"tag_names": self.checked()}

    def save(self, values: dict[str, Any]) -> list[str]:
        self.ctx.call(households.set_household_tags, self.household_id, values["tag_names"])
        return values["tag_names"]
