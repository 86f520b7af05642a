"""民主评议: year and branch, the round's state, and the grid — one row per member taking part, 自评 and the
互评 / 民主测评 counts typed like a sheet (Tab to the right, Enter down, Ctrl+V pastes cells copied from Excel
or WPS from the current cell), beside the 优秀率/不合格率, the suggested grade, the decision, the follow-up and
the member's 党员积分 年度评定 grade. 保存票数 sends the whole grid: one wrong cell and nothing is saved."""

from __future__ import annotations

from datetime import date

from PySide6.QtCore import Qt
from PySide6.QtGui import QBrush, QColor, QKeyEvent, QKeySequence
from PySide6.QtWidgets import (
    QAbstractItemDelegate,
    QAbstractItemView,
    QApplication,
    QComboBox,
    QDialog,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSpinBox,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from app.io.excel_import import cell_text
from app.io.pasted import parse_tsv
from app.services.context import AppContext
from app.services.partywork import appraisal
from app.services.partywork.appraisal import FAIL, GRADES, CountInput, MemberAppraisal, RoundInfo
from app.services.partywork.appraisal_import import import_counts

from ..common.files import ask_open_path
from ..common.form import FormDialog
from ..common.page import Changes
from ..common.widgets import InfoLabel
from ..errors import user_errors
from .appraisal_dialogs import (
    AppraisalCloseDialog,
    AppraisalDecideDialog,
    AppraisalFollowUpDialog,
    AppraisalRoundDialog,
)

SHEET_FILTER = "表格文件 (*.xlsx *.xls *.et *.csv)"
HEADERS = ["姓名", "类别", "自评", *[f"互评{g}" for g in GRADES], *[f"测评{g}" for g in GRADES],
           "优秀率", "不合格率", "建议结果", "评议结果", "后续处理", "积分等次"]
SELF_COL, MUTUAL_COL, DEMOCRATIC_COL = 2, 3, 7
EDITABLE = range(SELF_COL, DEMOCRATIC_COL + 4)
READ_ONLY_BG = QBrush(QColor("#f3f3f3"))
FAIL_BG = QBrush(QColor("#ffcdd2"))


class CountGrid(QTableWidget):
    """A table typed like a sheet: Enter commits and goes down, Ctrl+V fills cells from the current one."""

    def closeEditor(self, editor: QWidget, hint: QAbstractItemDelegate.EndEditHint) -> None:  # noqa: N802 (Qt API)
        super().closeEditor(editor, QAbstractItemDelegate.EndEditHint.NoHint
                            if hint == QAbstractItemDelegate.EndEditHint.SubmitModelCache else hint)
        if hint == QAbstractItemDelegate.EndEditHint.SubmitModelCache:
            self._down()

    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802 (Qt API)
        if event.matches(QKeySequence.StandardKey.Paste):
            self.paste(QApplication.clipboard().text())
            return
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and self.state() != QAbstractItemView.State.EditingState:
            self._down()
            return
        super().keyPressEvent(event)

    def _down(self) -> None:
        row, col = self.currentRow(), self.currentColumn()
        if row + 1 < self.rowCount():
            self.setCurrentCell(row + 1, col)

    def paste(self, text: str) -> None:
        """Cells copied from Excel/WPS (tab-separated) land from the current cell on; read-only ones are skipped."""
        with user_errors(self):
            rows = parse_tsv(text)
            top, left = max(self.currentRow(), 0), max(self.currentColumn(), SELF_COL)
            for r, cells in enumerate(rows):
                for c, value in enumerate(cells):
                    row, col = top + r, left + c
                    if row < self.rowCount() and col in EDITABLE:
                        item = self.item(row, col)
                        if item is not None:
                            item.setText(cell_text(value).strip())


def _number(text: str) -> int | str:
    """A typed count: empty → 0, digits → the number; anything else goes to the service as typed, which names it."""
    text = text.strip()
    if not text:
        return 0
    return int(text) if text.lstrip("-").isdigit() else text


class AppraisalTab(QWidget):
    def __init__(self, ctx: AppContext, changes: Changes, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("tab_partywork_appraisal")
        self.ctx, self.changes = ctx, changes
        self.info_round: RoundInfo | None = None
        self.rows: list[MemberAppraisal] = []
        outer = QVBoxLayout(self)
        bar = QHBoxLayout()
        self.spin_year = QSpinBox(self)
        self.spin_year.setObjectName("spin_appraisal_year")
        self.spin_year.setRange(2000, 2100)
        self.spin_year.setValue(date.today().year - (1 if date.today().month <= 3 else 0))  # held early in the next year
        self.spin_year.setSuffix(self.tr(" 年度"))
        self.combo_branch = QComboBox(self)
        self.combo_branch.setObjectName("combo_appraisal_branch")
        self.label_round = QLabel(self)
        self.label_round.setObjectName("label_appraisal_round")
        self.label_round.setWordWrap(True)
        self.spin_share = QSpinBox(self)
        self.spin_share.setObjectName("spin_appraisal_excellent")
        self.spin_share.setRange(0, 100)
        self.spin_share.setPrefix(self.tr("优秀比例 "))
        self.spin_share.setSuffix("%")
        self.spin_share.setToolTip(self.tr("建议结果中“优秀”不超过参评党员的这一比例（向下取整）；并列跨线的都建议为合格"))
        bar.addWidget(self.spin_year)
        bar.addWidget(self.combo_branch)
        bar.addWidget(self.label_round, 1)
        bar.addWidget(self.spin_share)
        outer.addLayout(bar)

        buttons = QHBoxLayout()
        self.btn_open = self._button("btn_appraisal_open", self.tr("开始评议…"), buttons)
        self.btn_edit = self._button("btn_appraisal_edit", self.tr("修改…"), buttons)
        self.btn_import = self._button("btn_appraisal_import", self.tr("导入测评表…"), buttons)
        self.btn_save = self._button("btn_appraisal_save", self.tr("保存票数"), buttons)
        self.btn_decide = self._button("btn_appraisal_decide", self.tr("确定结果…"), buttons)
        self.btn_follow = self._button("btn_appraisal_follow_up", self.tr("后续处理…"), buttons)
        self.btn_close = self._button("btn_appraisal_close", self.tr("结束评议…"), buttons)
        buttons.addStretch(1)
        outer.addLayout(buttons)

        self.grid = CountGrid(0, len(HEADERS), self)
        self.grid.setObjectName("table_appraisal")
        self.grid.setHorizontalHeaderLabels([self.tr(h) for h in HEADERS])
        triggers = QAbstractItemView.EditTrigger  # typing over a cell starts editing it, as in a sheet
        self.grid.setEditTriggers(triggers.AnyKeyPressed | triggers.DoubleClicked | triggers.EditKeyPressed)
        self.grid.verticalHeader().hide()
        self.grid.currentCellChanged.connect(lambda *_: self._enable())
        outer.addWidget(self.grid, 1)
        self.info = InfoLabel("info_appraisal", self)
        outer.addWidget(self.info)

        self.spin_year.valueChanged.connect(lambda _v: self.refresh())
        self.combo_branch.currentIndexChanged.connect(lambda _i: self.refresh())
        self.spin_share.editingFinished.connect(self.save_share)
        self.btn_open.clicked.connect(self.open_round)
        self.btn_edit.clicked.connect(self.edit_round)
        self.btn_import.clicked.connect(self.import_sheet)
        self.btn_save.clicked.connect(self.save_counts)
        self.btn_decide.clicked.connect(self.decide)
        self.btn_follow.clicked.connect(self.follow_up)
        self.btn_close.clicked.connect(self.close_round)
        self.refresh()

    def _button(self, name: str, text: str, bar: QHBoxLayout) -> QPushButton:
        b = QPushButton(text, self)
        b.setObjectName(name)
        bar.addWidget(b)
        return b

    @property
    def unit_id(self) -> int:
        unit_id = self.ctx.unit_id
        assert unit_id is not None
        return unit_id

    # ---- showing --------------------------------------------------------------------------------

    def _branches(self) -> None:
        keep = self.combo_branch.currentData()
        self.combo_branch.blockSignals(True)
        self.combo_branch.clear()
        for org_id, name in self.ctx.call(appraisal.list_branches, self.unit_id):
            self.combo_branch.addItem(name, org_id)
        index = self.combo_branch.findData(keep)
        self.combo_branch.setCurrentIndex(max(index, 0))
        self.combo_branch.blockSignals(False)

    def refresh(self) -> None:
        keep = (self.grid.currentRow(), self.grid.currentColumn())
        with user_errors(self):
            self._branches()
            self.spin_share.setValue(self.ctx.call(appraisal.excellent_percent, self.unit_id))
            org_id = self.combo_branch.currentData()
            self.info_round = None if org_id is None else self.ctx.call(appraisal.find_round, org_id,
                                                                        self.spin_year.value())
            self.rows = [] if self.info_round is None else self.ctx.call(appraisal.round_members, self.info_round.id)
        self._fill()
        if 0 <= keep[0] < self.grid.rowCount():
            self.grid.setCurrentCell(*keep)
        self._enable()

    def _fill(self) -> None:
        r = self.info_round
        if self.combo_branch.count() == 0:
            self.label_round.setText(self.tr("还没有党支部，请先在“党组织与党员”中建立。"))
        elif r is None:
            self.label_round.setText(self.tr("本年度还没有开始民主评议，点“开始评议…”。"))
        else:
            state = (self.tr("已于 {0} 结束（更正会记入操作日志）").format(r.closed_on.isoformat()) if r.closed_on
                     else self.tr("进行中"))
            held = r.held_on.isoformat() if r.held_on else ""
            self.label_round.setText(self.tr("评议日期 {0}，发出测评票 {1} 张，{2}").format(held, r.voters, state))
        grid = self.grid
        grid.blockSignals(True)
        grid.setRowCount(len(self.rows))
        for i, m in enumerate(self.rows):
            values = [m.name, m.stage, m.self_grade, *[str(v) for v in m.mutual], *[str(v) for v in m.democratic],
                      m.rate_text("优秀"), m.rate_text("不合格"), m.suggestion, m.grade,
                      m.follow_up + (f"（{m.left}）" if m.left else ""), m.points_grade]
            for col, text in enumerate(values):
                item = QTableWidgetItem(text)
                if col not in EDITABLE:
                    item.setFlags(item.flags() & ~Qt.ItemFlag.ItemIsEditable)
                    item.setBackground(READ_ONLY_BG)
                if col == HEADERS.index("评议结果") and m.grade == FAIL:
                    item.setBackground(FAIL_BG)
                grid.setItem(i, col, item)
        grid.blockSignals(False)
        grid.resizeColumnsToContents()
        decided = sum(1 for m in self.rows if m.grade)
        self.info.setText(self.tr("参加评议党员 {0} 名，已确定结果 {1} 名").format(len(self.rows), decided)
                          if self.rows else "")

    def current(self) -> MemberAppraisal | None:
        row = self.grid.currentRow()
        return self.rows[row] if 0 <= row < len(self.rows) else None

    def _enable(self) -> None:
        r, m = self.info_round, self.current()
        has_round = r is not None
        self.btn_open.setEnabled(not has_round and self.combo_branch.count() > 0)
        for b in (self.btn_edit, self.btn_import, self.btn_save):
            b.setEnabled(has_round and bool(self.rows or b is self.btn_edit))
        self.btn_decide.setEnabled(m is not None)
        self.btn_follow.setEnabled(m is not None and m.grade == FAIL)
        self.btn_close.setEnabled(has_round and r is not None and r.closed_on is None)

    def _changed(self) -> None:
        self.refresh()
        self.changes.changed.emit("partywork", self)

    def _run(self, dialog: FormDialog, member: bool = False) -> bool:
        with user_errors(self):
            if dialog.exec() == QDialog.DialogCode.Accepted:
                self._changed()
                if member:
                    self.changes.changed.emit("member", self)  # 劝退/除名 end the membership
                return True
        return False

    # ---- actions --------------------------------------------------------------------------------

    def open_round(self) -> None:
        d = AppraisalRoundDialog(self.ctx, self.unit_id, self.combo_branch.currentData(), self.spin_year.value(), parent=self)
        if self._run(d):
            self.spin_year.setValue(d.spin_year.value())
            self.combo_branch.setCurrentIndex(self.combo_branch.findData(d.fields["org_id"].currentData()))  # type: ignore[attr-defined]

    def edit_round(self) -> None:
        if self.info_round is not None:
            self._run(AppraisalRoundDialog(self.ctx, self.unit_id, None, self.spin_year.value(), self.info_round, self))

    def _grid_counts(self) -> list[CountInput]:
        out = []
        for i, m in enumerate(self.rows):
            def text(col: int, i: int = i) -> str:
                item = self.grid.item(i, col)
                return item.text() if item is not None else ""
            out.append(CountInput(m.member_id, text(SELF_COL).strip() or None,
                                  [_number(text(MUTUAL_COL + k)) for k in range(4)],  # type: ignore[misc]
                                  [_number(text(DEMOCRATIC_COL + k)) for k in range(4)]))  # type: ignore[misc]
        return out

    def save_counts(self) -> None:
        if self.info_round is None:
            return
        with user_errors(self):
            changed = self.ctx.call(appraisal.save_counts, self.info_round.id, self._grid_counts())
            self._changed()
            self.info.setText(self.tr("已保存，{0} 名党员的票数有变动").format(changed))

    def import_sheet(self) -> None:
        if self.info_round is None:
            return
        path = ask_open_path(self, self.tr("导入测评表"), self.tr(SHEET_FILTER), purpose="import")
        if path is None:
            return
        with user_errors(self):
            changed = self.ctx.call(import_counts, self.info_round.id, path)
            self._changed()
            self.info.setText(self.tr("已从“{0}”导入，{1} 名党员的票数有变动").format(path.name, changed))

    def decide(self) -> None:
        m = self.current()
        if self.info_round is not None and m is not None:
            self._run(AppraisalDecideDialog(self.ctx, self.info_round.id, m, self))

    def follow_up(self) -> None:
        m = self.current()
        if self.info_round is not None and m is not None and m.grade == FAIL:
            self._run(AppraisalFollowUpDialog(self.ctx, self.info_round.id, m, self), member=True)

    def close_round(self) -> None:
        if self.info_round is not None:
            self._run(AppraisalCloseDialog(self.ctx, self.info_round, self))

    def save_share(self) -> None:
        with user_errors(self):
            if self.spin_share.value() != self.ctx.call(appraisal.excellent_percent, self.unit_id):
                self.ctx.call(appraisal.set_excellent_percent, self.unit_id, self.spin_share.value())
                self._changed()
