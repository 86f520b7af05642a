"""流动与失联: three lists, each with its buttons — 流出 (登记外出…, 登记返回…, 修改…; returned ones on
request), 流入 (登记流入…, 流入离开…, 修改…) and 失联 (登记失联…, 记录查找…, 结束失联…, 修改…; six months or
more without an outcome shaded; the 工作台's 「失联满六个月」 line opens it filtered)."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor
from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from app.services.context import AppContext
from app.services.partywork import lost, mobile
from app.services.partywork.lost import LostRow
from app.services.partywork.mobile import MobileRow

from ..common.form import FormDialog
from ..common.page import Changes
from ..common.table_model import Column, LazyTableModel, list_source
from ..common.widgets import DataTable, InfoLabel
from ..errors import user_errors
from .mobile_dialogs import (
    LostCloseDialog,
    LostDialog,
    LostSearchDialog,
    MobileEndDialog,
    MobileInDialog,
    MobileOutDialog,
)

DUE_BG = QColor("#fff3cd")

OUT_COLUMNS: list[Column[MobileRow]] = [
    Column("姓名", "name", width=5),
    Column("流向地", "place", width=12),
    Column("工作单位", "employer", width=10),
    Column("联系电话", "phone", width=8),
    Column("外出时间", "since", width=6),
    Column("流入地党组织", "other_org", width=10),
    Column("支部联系人", "keeper_name", width=5),
    Column("参加组织生活", "participation", width=10),
    Column("交纳党费", "dues_way", width=8),
    Column("状态", "state", width=7),
]
IN_COLUMNS: list[Column[MobileRow]] = [
    Column("姓名", "name", width=5),
    Column("原所在党组织", "other_org", width=12),
    Column("在本村居住地", "place", width=10),
    Column("工作单位", "employer", width=10),
    Column("联系电话", "phone", width=8),
    Column("来村时间", "since", width=6),
    Column("双报到", lambda r: "已报到" if r.dual_report else "未报到", width=4),
    Column("状态", "state", width=7),
]
LOST_COLUMNS: list[Column[LostRow]] = [
    Column("姓名", "name", width=5),
    Column("失联时间", "lost_since", width=6),
    Column("状态", "state", width=14),
    Column("查找次数", "searches", width=4),
    Column("最近一次查找", "last_search", width=24),
    Column("说明", "outcome_note", width=10),
]


class _LostModel(LazyTableModel[LostRow]):
    def data(self, index, role=Qt.ItemDataRole.DisplayRole):  # type: ignore[no-untyped-def, override]
        if role == Qt.ItemDataRole.BackgroundRole:
            row = self.row_at(index.row())
            return DUE_BG if row is not None and row.due else None
        return super().data(index, role)


class MobileTab(QWidget):
    def __init__(self, ctx: AppContext, changes: Changes, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("tab_partywork_mobile")
        self.ctx, self.changes = ctx, changes
        outer = QVBoxLayout(self)
        split = QSplitter(Qt.Orientation.Vertical, self)
        outer.addWidget(split, 1)
        self.info = InfoLabel("info_partywork_mobile", self)
        outer.addWidget(self.info)

        # 流出
        box, bar = self._pane(split, self.tr("流出党员"))
        self.check_returned = QCheckBox(self.tr("显示已返回的"), box)
        self.check_returned.setObjectName("check_mobile_returned")
        self.btn_out = self._button(box, "btn_mobile_out", self.tr("登记外出…"))
        self.btn_return = self._button(box, "btn_mobile_return", self.tr("登记返回…"))
        self.btn_out_edit = self._button(box, "btn_mobile_out_edit", self.tr("修改…"))
        self._fill(bar, self.check_returned, self.btn_out, self.btn_return, self.btn_out_edit)
        self.table_out = DataTable("table_mobile_out", box)
        self.table_out.list_name = self.tr("流出党员")
        count, page = list_source(lambda: self._mobile("流出", self.check_returned.isChecked()))
        self.out_model: LazyTableModel[MobileRow] = LazyTableModel(OUT_COLUMNS, count, page, parent=self)
        self.table_out.setModel(self.out_model)
        box.layout().addWidget(self.table_out, 1)

        # 流入
        box, bar = self._pane(split, self.tr("流入党员"))
        self.check_left = QCheckBox(self.tr("显示已离开的"), box)
        self.check_left.setObjectName("check_mobile_left")
        self.btn_in = self._button(box, "btn_mobile_in", self.tr("登记流入…"))
        self.btn_in_end = self._button(box, "btn_mobile_in_end", self.tr("流入离开…"))
        self.btn_in_edit = self._button(box, "btn_mobile_in_edit", self.tr("修改…"))
        self._fill(bar, self.check_left, self.btn_in, self.btn_in_end, self.btn_in_edit)
        self.table_in = DataTable("table_mobile_in", box)
        self.table_in.list_name = self.tr("流入党员")
        count, page = list_source(lambda: self._mobile("流入", self.check_left.isChecked()))
        self.in_model: LazyTableModel[MobileRow] = LazyTableModel(IN_COLUMNS, count, page, parent=self)
        self.table_in.setModel(self.in_model)
        box.layout().addWidget(self.table_in, 1)

        # 失联
        box, bar = self._pane(split, self.tr("失联党员"))
        self.check_due = QCheckBox(self.tr("只看失联满六个月未处理的"), box)
        self.check_due.setObjectName("check_lost_due")
        self.check_closed = QCheckBox(self.tr("显示已结束的"), box)
        self.check_closed.setObjectName("check_lost_closed")
        self.btn_lost = self._button(box, "btn_lost_add", self.tr("登记失联…"))
        self.btn_search = self._button(box, "btn_lost_search", self.tr("记录查找…"))
        self.btn_close = self._button(box, "btn_lost_close", self.tr("结束失联…"))
        self.btn_lost_edit = self._button(box, "btn_lost_edit", self.tr("修改…"))
        self._fill(bar, self.check_due, self.check_closed, self.btn_lost, self.btn_search, self.btn_close,
                   self.btn_lost_edit)
        self.table_lost = DataTable("table_lost", box)
        self.table_lost.list_name = self.tr("失联党员")
        count, page = list_source(self._lost)
        self.lost_model = _LostModel(LOST_COLUMNS, count, page, parent=self)
        self.table_lost.setModel(self.lost_model)
        box.layout().addWidget(self.table_lost, 1)

        for model in (self.out_model, self.in_model, self.lost_model):
            model.loadFailed.connect(self.info.show_error)
        self.table_out.enable_with_selection(self.btn_out_edit)
        self.table_out.enable_with_selection(self.btn_return, allowed=lambda: self._open(self.table_out, self.out_model))
        self.table_in.enable_with_selection(self.btn_in_edit)
        self.table_in.enable_with_selection(self.btn_in_end, allowed=lambda: self._open(self.table_in, self.in_model))
        self.table_lost.enable_with_selection(self.btn_search, self.btn_close, self.btn_lost_edit,
                                              allowed=lambda: self._lost_open())
        self.check_returned.toggled.connect(lambda _c: self.out_model.refresh())
        self.check_left.toggled.connect(lambda _c: self.in_model.refresh())
        self.check_due.toggled.connect(lambda _c: self.lost_model.refresh())
        self.check_closed.toggled.connect(lambda _c: self.lost_model.refresh())
        self.btn_out.clicked.connect(lambda: self._run(MobileOutDialog(self.ctx, self.unit_id, parent=self)))
        self.btn_in.clicked.connect(lambda: self._run(MobileInDialog(self.ctx, self.unit_id, parent=self)))
        self.btn_lost.clicked.connect(lambda: self._run(LostDialog(self.ctx, self.unit_id, parent=self)))
        self.btn_return.clicked.connect(lambda: self._with(self._current(self.table_out, self.out_model),
                                                           lambda r: MobileEndDialog(self.ctx, r, self)))
        self.btn_in_end.clicked.connect(lambda: self._with(self._current(self.table_in, self.in_model),
                                                           lambda r: MobileEndDialog(self.ctx, r, self)))
        self.btn_out_edit.clicked.connect(self.edit_out)
        self.btn_in_edit.clicked.connect(self.edit_in)
        self.btn_search.clicked.connect(lambda: self._with(self.current_lost(), lambda r: LostSearchDialog(
            self.ctx, r, self)))
        self.btn_close.clicked.connect(lambda: self._with(self.current_lost(), lambda r: LostCloseDialog(
            self.ctx, r, self)))
        self.btn_lost_edit.clicked.connect(lambda: self._with(self.current_lost(), lambda r: LostDialog(
            self.ctx, self.unit_id, r, self)))
        self.table_out.doubleClicked.connect(lambda _i: self.edit_out())
        self.table_in.doubleClicked.connect(lambda _i: self.edit_in())

    def _pane(self, split: QSplitter, title: str) -> tuple[QWidget, QHBoxLayout]:
        box = QWidget(split)
        layout = QVBoxLayout(box)
        layout.setContentsMargins(0, 0, 0, 0)
        bar = QHBoxLayout()
        bar.addWidget(QLabel(f"<b>{title}</b>", box))
        layout.addLayout(bar)
        return box, bar

    @staticmethod
    def _fill(bar: QHBoxLayout, *widgets: QWidget) -> None:
        checks = [w for w in widgets if isinstance(w, QCheckBox)]
        for w in checks:
            bar.addWidget(w)
        bar.addStretch(1)
        for w in widgets:
            if w not in checks:
                bar.addWidget(w)

    def _button(self, parent: QWidget, name: str, text: str) -> QPushButton:
        b = QPushButton(text, parent)
        b.setObjectName(name)
        return b

    @property
    def unit_id(self) -> int:
        unit_id = self.ctx.unit_id
        assert unit_id is not None
        return unit_id

    # ---- lists ----------------------------------------------------------------------------------

    def _mobile(self, direction: str, ended: bool) -> list[MobileRow]:
        return self.ctx.call(mobile.list_mobile, self.unit_id, direction, ended)

    def _lost(self) -> list[LostRow]:
        return self.ctx.call(lost.list_lost, self.unit_id, self.check_closed.isChecked(), self.check_due.isChecked())

    def refresh(self) -> None:
        """Query the three lists again."""
        for model in (self.out_model, self.in_model, self.lost_model):
            model.refresh()
        out = sum(1 for r in self.out_model.rows if r.until is None)
        inn = sum(1 for r in self.in_model.rows if r.until is None)
        open_lost = [r for r in self.lost_model.rows if r.outcome is None]
        text = self.tr("现流出 {0} 名，现流入 {1} 名，失联未处理 {2} 名").format(out, inn, len(open_lost))
        due = sum(1 for r in open_lost if r.due)
        if due:
            text += self.tr("（其中失联满六个月 {0} 名）").format(due)
        self.info.show_info(text)

    def show_filter(self, key: str) -> bool:
        """The 工作台's 「失联满六个月未处理的党员」 line."""
        if key != "lost_due":
            return False
        self.check_closed.setChecked(False)
        self.check_due.setChecked(True)
        self.lost_model.refresh()
        return True

    @staticmethod
    def _current(table: DataTable, model: LazyTableModel[MobileRow]) -> MobileRow | None:
        row = table.current_row()
        return model.row_at(row) if row >= 0 else None

    def _open(self, table: DataTable, model: LazyTableModel[MobileRow]) -> bool:
        row = self._current(table, model)
        return row is not None and row.until is None

    def current_lost(self) -> LostRow | None:
        row = self.table_lost.current_row()
        return self.lost_model.row_at(row) if row >= 0 else None

    def _lost_open(self) -> bool:
        row = self.current_lost()
        return row is not None and row.outcome is None

    # ---- actions --------------------------------------------------------------------------------

    def _run(self, dialog: FormDialog) -> None:
        with user_errors(self):
            if dialog.exec() == QDialog.DialogCode.Accepted:
                self.refresh()
                self.changes.changed.emit("partywork", self)
                self.changes.changed.emit("member", self)  # 党员类型 流动 / 离开 change the roster too

    def _with(self, row: object, make: Callable[[object], FormDialog]) -> None:
        if row is not None:
            self._run(make(row))

    def edit_out(self) -> None:
        row = self._current(self.table_out, self.out_model)
        if row is not None:
            self._run(MobileOutDialog(self.ctx, self.unit_id, row, self))

    def edit_in(self) -> None:
        row = self._current(self.table_in, self.in_model)
        if row is not None:
            self._run(MobileInDialog(self.ctx, self.unit_id, row, self))
