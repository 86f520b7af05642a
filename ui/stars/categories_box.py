"""设置 → 星级文明户星类: the stars a household can apply for, with their 评选标准 (书记 only).

Renaming keeps the history (applications refer to the category, not its name); 停用 takes a star off
new application forms while old rounds, notices and ledgers still show it.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtWidgets import QDialog, QGroupBox, QLabel, QMessageBox, QVBoxLayout, QWidget

from app.services.context import AppContext
from app.services.stars import categories as star_categories
from app.services.stars.categories import CategoryInfo

from ..common.form import FormDialog
from ..common.list_editor import ListEditor, announce
from ..common.table_model import Column
from ..common.widgets import InfoLabel

CHANGE_KIND = "star_category"  # the 星级文明户 page reloads its star check boxes on this change
COLUMNS: list[Column[CategoryInfo]] = [
    Column("星类", "name", width=7),
    Column("评选标准（申报时显示）", "criteria", width=36),
    Column("启用", "active", width=3),
]


class StarCategoryDialog(FormDialog):
    """dialog_star_category: 新增 or 修改 (rename, criteria) one star category."""

    def __init__(self, ctx: AppContext, unit_id: int, current: CategoryInfo | None = None,
                 parent: QWidget | None = None) -> None:
        super().__init__("dialog_star_category", self.tr("修改星类") if current else self.tr("新增星类"), parent)
        self.ctx, self.unit_id, self.current = ctx, unit_id, current
        self.edit_name = self.add_line("name", self.tr("星类名称"), required=True, max_length=20,
                                       placeholder=self.tr("如 勤劳敬业星"))
        self.edit_criteria = self.add_text("criteria", self.tr("评选标准"))
        self.edit_criteria.setPlaceholderText(self.tr("申报时显示给农户和审核人，如：勤劳致富、爱岗敬业……"))
        if current is not None:
            self.edit_name.setText(current.name)
            self.edit_criteria.setPlainText(current.criteria)
            note = QLabel(self.tr("改名后，已有的申报和加星/减星记录随之显示新名称。"), self)
            note.setObjectName("label_rename_note")
            note.setStyleSheet("color: #666;")
            self.grid.addWidget(note, self.grid.rowCount(), 1, 1, 2)

    def values(self) -> dict[str, Any]:
        return {"name": self.edit_name.text(), "criteria": self.edit_criteria.toPlainText()}

    def save(self, values: dict[str, Any]) -> int:
        c = self.current
        return self.ctx.call(star_categories.save_category, self.unit_id, values["name"], values["criteria"],
                             c.id if c else None, c.active if c else True)


class StarCategoriesBox(QGroupBox):
    """box_star_categories: list, 新增 / 修改 / 停用 / 上移 / 下移 (the services refuse non-admins too)."""

    def __init__(self, ctx: AppContext, unit_id: int, editable: bool, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("box_star_categories")
        self.setTitle(self.tr("星级文明户星类"))
        self.ctx, self.unit_id = ctx, unit_id
        layout = QVBoxLayout(self)
        intro = QLabel(self.tr(
            "户的星级就是评上的星数。可以改名、改评选标准、增加星类（如改为十星级）；"
            "停用的星类不再出现在新的申报中，以往的申报、公示和台账照常显示。"), self)
        intro.setWordWrap(True)
        layout.addWidget(intro)
        self.editor: ListEditor[CategoryInfo] = ListEditor(
            "star_categories", "star_category", self.tr("星类"), COLUMNS,
            lambda: ctx.call(star_categories.ensure_categories, unit_id, True), editable, self)
        self.editor.table.setMinimumHeight(self.fontMetrics().height() * 9)
        self.editor.on_add = lambda: self._edit(None)
        self.editor.on_edit = self._edit
        self.editor.on_toggle = self._toggle
        self.editor.on_move = lambda c, delta: c.id if ctx.call(
            star_categories.move_category, unit_id, c.id, delta) else None
        self.editor.changed.connect(self._changed)
        layout.addWidget(self.editor)
        self.info = InfoLabel("info_star_categories", self)
        layout.addWidget(self.info)
        self.refresh()

    def refresh(self) -> None:
        self.editor.refresh()
        rows = self.editor.model.rows
        active = [c.name for c in rows if c.active]
        self.info.show_info(self.tr("在用 {0} 颗星：{1}").format(len(active), "、".join(active) or self.tr("无"))
                            + (self.tr("；停用 {0} 个").format(len(rows) - len(active)) if len(rows) > len(active)
                               else ""))

    def _changed(self) -> None:
        self.refresh()
        announce(self, CHANGE_KIND)

    def _edit(self, current: CategoryInfo | None) -> int | None:
        dialog = StarCategoryDialog(self.ctx, self.unit_id, current, self)
        if dialog.exec() != QDialog.DialogCode.Accepted:
            return None
        return int(dialog.result_value)

    def _toggle(self, c: CategoryInfo) -> int | None:
        if c.active:
            answer = QMessageBox.question(self, self.tr("停用星类"), self.tr(
                "停用后，新的申报不能再选“{0}”；以往的申报、公示和台账不受影响，以后也可以重新启用。\n确定停用吗？"
            ).format(c.name))
            if answer != QMessageBox.StandardButton.Yes:
                return None
        self.ctx.call(star_categories.set_category_active, self.unit_id, c.id, not c.active)
        return c.id
