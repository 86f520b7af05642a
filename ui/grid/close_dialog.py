"""撤销网格 (dlg_close_grid): the date and the reason. The service refuses while households or staff in post
remain and names them beside the date; a closed grid leaves the map and the lists, its record stays and
is listed under 已撤销的网格 (dlg_closed_grids)."""

from __future__ import annotations

from datetime import date
from typing import Any

from PySide6.QtWidgets import (
    QDialog,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from app.services.context import AppContext
from app.services.errors import FieldProblem, ValidationError
from app.services.grid import grids as grid
from app.services.grid.grids import GridInfo

from ..common.form import FormDialog


class CloseGridDialog(FormDialog):
    def __init__(self, ctx: AppContext, info: GridInfo, parent: QWidget | None = None) -> None:
        super().__init__("dlg_close_grid", self.tr("撤销网格"), parent)
        self.ctx, self.grid_id = ctx, info.id
        kind = self.tr("微网格") if info.is_micro else self.tr("网格")
        self.add_section(self.tr("撤销{0}“{1}”（{2}）").format(kind, info.name, info.code))
        hint = QLabel(self.tr("撤销前请先把户调整到其他网格、为在岗人员办理卸任；撤销后该网格不再显示在地图上，"
                              "记录保留（可在“已撤销的网格”中查看）。"), self)
        hint.setWordWrap(True)
        self.grid.addWidget(hint, self._row, 0, 1, 3)
        self._row += 1
        self.edit_on = self.add_date("closed_on", self.tr("撤销日期"), required=True)
        self.edit_on.set_date(date.today())
        self.edit_reason = self.add_text("note", self.tr("撤销原因"))
        self.btn_save.setText(self.tr("撤销网格"))

    def values(self) -> dict[str, Any]:
        problems: list[FieldProblem] = []
        on = self.date_value("closed_on", problems)
        if problems:
            raise ValidationError(problems)
        return {"on": on, "reason": self.edit_reason.toPlainText()}

    def save(self, values: dict[str, Any]) -> None:
        self.ctx.call(grid.close_grid, self.grid_id, values["on"], values["reason"])


class ClosedGridsDialog(QDialog):
    """The grids closed so far: code, name, the date and why (read-only)."""

    def __init__(self, ctx: AppContext, unit_id: int, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("dlg_closed_grids")
        self.setWindowTitle(self.tr("已撤销的网格"))
        outer = QVBoxLayout(self)
        self.tree = QTreeWidget(self)
        self.tree.setObjectName("tree_closed_grids")
        self.tree.setRootIsDecorated(False)
        self.tree.setHeaderLabels([self.tr("编码"), self.tr("名称"), self.tr("撤销日期"), self.tr("说明")])
        em = self.fontMetrics().horizontalAdvance("中")
        for i, chars in enumerate((5, 10, 6)):
            self.tree.setColumnWidth(i, em * chars)
        closed = [g for g in ctx.call(grid.list_grids, unit_id, True) if g.closed_on is not None]
        for g in closed:
            QTreeWidgetItem(self.tree, [g.code, g.name, g.closed_on.isoformat() if g.closed_on else "",
                                        g.note.replace("\n", "；")])
        outer.addWidget(QLabel(self.tr("共 {0} 个已撤销的网格或微网格").format(len(closed)), self))
        outer.addWidget(self.tree, 1)
        row = QHBoxLayout()
        row.addStretch(1)
        self.btn_close = QPushButton(self.tr("关闭"), self)
        self.btn_close.setObjectName("btn_close")
        self.btn_close.clicked.connect(self.accept)
        row.addWidget(self.btn_close)
        outer.addLayout(row)
        self.resize(em * 44, em * 20)
