"""四议两公开: the decisions with their status beside the six steps of the selected one (done / next /
failed), the next step's button, the two 公开 and the attachments — the decision's, and each meeting's (a step
picked in the steps table takes the scans added then; the list names the step of each)."""

from __future__ import annotations

from datetime import date

from PySide6.QtCore import Qt, QUrl
from PySide6.QtGui import QBrush, QColor, QDesktopServices, QShowEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDialog,
    QHBoxLayout,
    QHeaderView,
    QInputDialog,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QMessageBox,
    QPushButton,
    QSplitter,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from app.services.affairs import attachments, decisions
from app.services.affairs.attachments import ALLOWED
from app.services.affairs.decisions import (
    MEETING_STEPS,
    RESOLUTION_STEP,
    RESULT_STEP,
    STATUSES,
    TO_PUBLISH,
    DecisionRow,
)
from app.services.affairs.meetings import AffairsMeetingRow
from app.services.context import AppContext

from ..common.files import ask_open_path, ask_save_path
from ..common.page import Changes
from ..common.table_model import Column, LazyTableModel, list_source
from ..common.widgets import DataTable, InfoLabel
from ..errors import user_errors
from .decision_dialogs import DecisionDialog, ResultDialog, StepDialog

PDF_FILTER = "PDF 文件 (*.pdf)"
ATTACH_FILTER = "扫描件和照片 ({})".format(" ".join(f"*{x}" for x in ALLOWED))
STATE_COLORS = {"已完成": "#c8e6c9", "下一步": "#fff3c4", "未通过": "#ffcdd2"}
COLUMNS: list[Column[DecisionRow]] = [
    Column("编号", "number", width=5),
    Column("事项", "title", width=12),
    Column("提议日期", lambda d: d.proposed_on.isoformat(), width=6),
    Column("状态", "status", width=4),
    Column("下一步", lambda d: d.next_step or "—", width=9),  # 村民代表会议决议 whole
]


class DecisionsTab(QWidget):
    def __init__(self, ctx: AppContext, changes: Changes, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("tab_affairs_decisions")
        self.ctx, self.changes = ctx, changes
        outer = QVBoxLayout(self)
        bar = QHBoxLayout()
        self.combo_status = QComboBox(self)
        self.combo_status.setObjectName("combo_decision_status")
        self.combo_status.addItem(self.tr("全部状态"), None)
        for st in STATUSES:
            self.combo_status.addItem(st, st)
        self.combo_status.addItem(self.tr("待公开"), TO_PUBLISH)  # the 工作台's line
        self.btn_new = QPushButton(self.tr("新建事项…"), self)
        self.btn_new.setObjectName("btn_new_decision")
        self.btn_edit = QPushButton(self.tr("修改…"), self)
        self.btn_edit.setObjectName("btn_edit_decision")
        self.btn_edit.setToolTip(self.tr("召开第一次会议之前可以修改事项名称和内容"))
        self.btn_withdraw = QPushButton(self.tr("撤回…"), self)
        self.btn_withdraw.setObjectName("btn_withdraw_decision")
        for w in (self.combo_status, self.btn_new, self.btn_edit, self.btn_withdraw):
            bar.addWidget(w)
        bar.addStretch(1)
        outer.addLayout(bar)

        split = QSplitter(self)
        outer.addWidget(split, 1)
        self.table = DataTable("table_decisions", split)
        self.table.list_name = "四议两公开事项"
        self.model: LazyTableModel[DecisionRow] = LazyTableModel(COLUMNS, *list_source(self._rows), parent=self)
        self.table.setModel(self.model)
        self.table.setSortingEnabled(False)
        self.table.selectionModel().currentRowChanged.connect(lambda *_: self.show_detail())

        right = QWidget(split)
        rl = QVBoxLayout(right)
        rl.setContentsMargins(0, 0, 0, 0)
        self.label_title = QLabel(right)
        self.label_title.setObjectName("label_decision")
        self.label_title.setWordWrap(True)
        rl.addWidget(self.label_title)
        self.steps = QTableWidget(0, 4, right)
        self.steps.setObjectName("table_decision_steps")
        self.steps.setHorizontalHeaderLabels([self.tr("步骤"), self.tr("状态"), self.tr("日期"), self.tr("情况")])
        self.steps.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        # a step is picked to add the scans of its meeting
        self.steps.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.steps.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.steps.verticalHeader().hide()
        # 情况 takes the room left and wraps (the row grows): a failed quorum's reason is read whole
        self.steps.setWordWrap(True)
        self.steps.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        header = self.steps.horizontalHeader()
        for col in range(3):
            header.setSectionResizeMode(col, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(3, QHeaderView.ResizeMode.Stretch)
        header.sectionResized.connect(lambda *_a: self.steps.resizeRowsToContents())
        self.steps.currentCellChanged.connect(lambda *_a: self._attach_target())
        self._step_meetings: list[AffairsMeetingRow | None] = []
        self._shown_id: int | None = None  # the decision the steps show
        rl.addWidget(self.steps, 2)
        buttons = QHBoxLayout()
        self.btn_step = QPushButton(self.tr("记录下一步会议…"), right)
        self.btn_step.setObjectName("btn_decision_step")
        self.btn_publish = QPushButton(self.tr("发布决议公开…"), right)
        self.btn_publish.setObjectName("btn_publish_resolution")
        self.btn_result = QPushButton(self.tr("记录实施结果…"), right)
        self.btn_result.setObjectName("btn_decision_result")
        self.btn_publish_result = QPushButton(self.tr("发布实施结果公开…"), right)
        self.btn_publish_result.setObjectName("btn_publish_result")
        for b in (self.btn_step, self.btn_publish, self.btn_result, self.btn_publish_result):
            buttons.addWidget(b)
        buttons.addStretch(1)
        rl.addLayout(buttons)
        files_label = QLabel(self.tr("附件（会议记录扫描件、签到表、照片等；在上面选中一步，附件加到那次会议）"), right)
        files_label.setWordWrap(True)
        rl.addWidget(files_label)
        self.files = QListWidget(right)
        self.files.setObjectName("list_decision_files")
        self.files.itemDoubleClicked.connect(lambda _i: self.open_attachment())
        self.files.currentItemChanged.connect(lambda *_a: self._file_buttons())
        rl.addWidget(self.files, 1)
        file_buttons = QHBoxLayout()
        self.btn_attach = QPushButton(self.tr("添加附件…"), right)
        self.btn_attach.setObjectName("btn_add_attachment")
        self.btn_open = QPushButton(self.tr("打开附件"), right)
        self.btn_open.setObjectName("btn_open_attachment")
        self.btn_unattach = QPushButton(self.tr("撤回附件"), right)
        self.btn_unattach.setObjectName("btn_withdraw_attachment")
        for b in (self.btn_attach, self.btn_open, self.btn_unattach):
            file_buttons.addWidget(b)
        file_buttons.addStretch(1)
        rl.addLayout(file_buttons)
        self.info = InfoLabel("info_decisions", right)
        rl.addWidget(self.info)
        # the list as wide as its columns (下一步 whole, no sideways scroll), the steps the rest: set when
        # first shown (sizes set before are shared out in proportion to the splitter's width)
        self.split = split
        self._split_fitted = False
        split.setStretchFactor(0, 0)
        split.setStretchFactor(1, 1)

        self.combo_status.currentIndexChanged.connect(lambda _i: self.refresh())
        self.btn_new.clicked.connect(self.new_decision)
        self.btn_edit.clicked.connect(self.edit_decision)
        self.btn_withdraw.clicked.connect(self.withdraw)
        self.btn_step.clicked.connect(self.record_step)
        self.btn_publish.clicked.connect(lambda: self.publish(result=False))
        self.btn_result.clicked.connect(self.record_result)
        self.btn_publish_result.clicked.connect(lambda: self.publish(result=True))
        self.btn_attach.clicked.connect(self.add_attachment)
        self.btn_open.clicked.connect(self.open_attachment)
        self.btn_unattach.clicked.connect(self.withdraw_attachment)
        self.refresh()

    def showEvent(self, event: QShowEvent) -> None:  # noqa: N802 (Qt API)
        super().showEvent(event)
        if not self._split_fitted:
            self._split_fitted = True
            # the list whole when it can be; the steps panel keeps at least two fifths
            left = min(self.table.natural_width(), self.split.width() * 3 // 5)
            self.split.setSizes([left, self.split.width() - left])

    @property
    def unit_id(self) -> int:
        unit_id = self.ctx.unit_id
        assert unit_id is not None
        return unit_id

    def _rows(self) -> list[DecisionRow]:
        return self.ctx.call(decisions.list_decisions, self.unit_id, self.combo_status.currentData())

    def current(self) -> DecisionRow | None:
        return self.model.row_at(self.table.current_row())

    def refresh(self, select_id: int | None = None) -> None:
        keep = select_id or getattr(self.current(), "id", None)
        with user_errors(self):
            self.model.refresh()
        rows = self.model.rows
        self.table.select_row(next((i for i, d in enumerate(rows) if d.id == keep), 0))
        self.info.setText(self.tr("共 {0} 项").format(len(rows)))
        self.show_detail()

    def show_filter(self, key: str) -> bool:
        """The 工作台's 「待公开的村务决议」 line: those decisions, this tab in front."""
        if key != "decisions_to_publish":
            return False
        self.combo_status.setCurrentIndex(self.combo_status.findData(TO_PUBLISH))
        self.refresh()
        return True

    def _changed(self, select_id: int | None = None) -> None:
        self.refresh(select_id)
        self.changes.changed.emit("affairs", self)

    # ---- the detail -----------------------------------------------------------------------------

    def show_detail(self) -> None:
        d = self.current()
        if d is not None:
            with user_errors(self):  # as stored now (another window may have moved it on)
                d = self.ctx.call(decisions.get_decision, d.id)
        # the step picked stays picked when the same decision is shown again (after adding a scan)
        keep_step = self.steps.currentRow() if d is not None and d.id == self._shown_id else -1
        self._shown_id = d.id if d is not None else None
        self.steps.setRowCount(0)
        self._step_meetings = []
        self.files.clear()
        if d is None:
            self.label_title.setText(self.tr("还没有事项。点“新建事项…”登记一项村级重大事项，按四议两公开逐步记录。"))
        else:
            ended = f"<br><span style='color:#c62828'>{d.end_reason}</span>" if d.end_reason else ""
            self.label_title.setText(f"<b>{d.number}　{d.title}</b>（{d.status}）{ended}")
            self._step_meetings = [st.meeting for st in d.steps]
            with user_errors(self):
                self._list_files("decision", d.id, self.tr("事项"))
            self.steps.setRowCount(len(d.steps))
            for i, st in enumerate(d.steps):
                what = self._step_text(st.meeting, st.notice_number)
                cells = [st.step, st.state, st.on.isoformat() if st.on else "", what]
                for col, text in enumerate(cells):
                    item = QTableWidgetItem(text)
                    if col == 3 and text:
                        item.setToolTip(text)  # the whole text also where the row is short of room
                    if st.state in STATE_COLORS:
                        item.setBackground(QBrush(QColor(STATE_COLORS[st.state])))
                    self.steps.setItem(i, col, item)
            self.steps.resizeRowsToContents()
            if 0 <= keep_step < self.steps.rowCount():
                self.steps.setCurrentCell(keep_step, 0)
        nxt = d.next_step if d else None
        self.btn_step.setEnabled(nxt in MEETING_STEPS)
        if nxt in MEETING_STEPS:
            self.btn_step.setText(self.tr("记录“{0}”会议…").format(nxt))
        self.btn_publish.setEnabled(nxt == RESOLUTION_STEP)
        self.btn_result.setEnabled(nxt == RESULT_STEP)
        self.btn_publish_result.setEnabled(nxt == RESULT_STEP and bool(d and d.result_text))
        self.btn_withdraw.setEnabled(d is not None and d.status in ("进行中", "已决议"))
        self.btn_edit.setEnabled(d is not None and nxt == MEETING_STEPS[0])
        self.btn_attach.setEnabled(d is not None)
        self._attach_target()
        self._file_buttons()

    def _step_text(self, m: AffairsMeetingRow | None, notice_number: str) -> str:
        if m is None:
            return self.tr("公示编号 {0}").format(notice_number) if notice_number else ""
        votes = f"赞成/反对/弃权 {m.votes_text}，" if m.outcome != "不足法定人数" else ""  # no vote taken: said once
        text = f"{m.kind}，应到 {m.expected} 人，实到 {m.present} 人，{votes}{m.outcome}"
        with user_errors(self):
            files = self._list_files("affairs_meeting", m.id, m.step or m.kind)
            if files:
                text += self.tr("；附件 {0} 件").format(files)
        return text

    def _list_files(self, owner_kind: str, owner_id: int, owner: str) -> int:
        """The owner's attachments into the list, each named with its owner (事项, or the step)."""
        rows = self.ctx.call(attachments.list_attachments, owner_kind, owner_id)
        for a in rows:
            item = QListWidgetItem(f"{owner}：{a.file_name}（{a.size_text}，{a.added_on.isoformat()}）")
            item.setData(256, a.id)
            item.setToolTip(item.text())
            self.files.addItem(item)
        return len(rows)

    def _picked_meeting(self) -> AffairsMeetingRow | None:
        row = self.steps.currentRow()
        return self._step_meetings[row] if 0 <= row < len(self._step_meetings) else None

    def _attach_target(self) -> None:
        m = self._picked_meeting()
        if m is not None:
            self.btn_attach.setText(self.tr("为“{0}”添加附件…").format(m.step or m.kind))
            self.btn_attach.setToolTip(self.tr("添加到 {0} 的{1}（会议记录扫描件、签到表、照片）").format(
                m.held_on.isoformat(), m.kind))
        else:
            self.btn_attach.setText(self.tr("添加附件…"))
            self.btn_attach.setToolTip(self.tr("添加到事项；要加到某次会议，先在上面选中那一步"))

    def _file_buttons(self) -> None:
        # 打开/撤回 act on the attachment picked in the list: without one they would do nothing
        picked = self.files.currentItem() is not None
        self.btn_open.setEnabled(picked)
        self.btn_unattach.setEnabled(picked)

    # ---- actions --------------------------------------------------------------------------------

    def new_decision(self) -> None:
        with user_errors(self):
            dialog = DecisionDialog(self.ctx, self.unit_id, self)
            if dialog.exec() == QDialog.DialogCode.Accepted:
                self.combo_status.setCurrentIndex(0)
                self._changed(dialog.result_value)

    def edit_decision(self) -> None:
        d = self.current()
        if d is None:
            return
        with user_errors(self):
            if DecisionDialog(self.ctx, self.unit_id, self, decision=d).exec() == QDialog.DialogCode.Accepted:
                self._changed(d.id)

    def record_step(self) -> None:
        d = self.current()
        if d is None or d.next_step not in MEETING_STEPS:
            return
        with user_errors(self):
            if StepDialog(self.ctx, self.unit_id, d, self).exec() == QDialog.DialogCode.Accepted:
                self._changed(d.id)

    def record_result(self) -> None:
        d = self.current()
        if d is None:
            return
        with user_errors(self):
            if ResultDialog(self.ctx, d, self).exec() == QDialog.DialogCode.Accepted:
                self._changed(d.id)

    def publish(self, result: bool) -> None:
        d = self.current()
        if d is None:
            return
        what = RESULT_STEP if result else RESOLUTION_STEP
        path = ask_save_path(self, self.tr("保存{0}公示").format(what), f"{d.number} {d.title}{what}.pdf",
                             self.tr(PDF_FILTER), ".pdf", purpose="notice")
        if path is None:
            return
        with user_errors(self):
            publish = decisions.publish_result if result else decisions.publish_resolution
            info = self.ctx.call(publish, d.id, path, issued_on=date.today())
            self.changes.changed.emit("notice", self)
            self._changed(d.id)
            QMessageBox.information(self, self.tr("已生成公示"), self.tr(
                "已生成公示 {0}《{1}》：\n{2}\n{3}\n可在“公示与台账”页打印、登记异议。").format(
                info.number, info.title, info.path, info.period_text))

    def withdraw(self) -> None:
        d = self.current()
        if d is None:
            return
        reason, ok = QInputDialog.getText(self, self.tr("撤回事项"), self.tr("撤回“{0}”的原因：").format(d.title))
        if ok:
            with user_errors(self):
                self.ctx.call(decisions.withdraw_decision, d.id, reason)
                self._changed(d.id)

    # ---- attachments ----------------------------------------------------------------------------

    def _attachment_id(self) -> int | None:
        item = self.files.currentItem()
        return item.data(256) if item is not None else None

    def add_attachment(self) -> None:
        d = self.current()
        if d is None:
            return
        path = ask_open_path(self, self.tr("选择附件"), self.tr(ATTACH_FILTER), purpose="attachment")
        if path is None:
            return
        m = self._picked_meeting()  # the step picked takes it; else the decision
        owner = ("affairs_meeting", m.id) if m is not None else ("decision", d.id)
        with user_errors(self):
            self.ctx.call(attachments.add_attachment, self.unit_id, *owner, path)
            self.show_detail()

    def open_attachment(self) -> None:
        attachment_id = self._attachment_id()
        if attachment_id is None:
            return
        with user_errors(self):
            path = self.ctx.call(attachments.attachment_path, attachment_id)
            if not QDesktopServices.openUrl(QUrl.fromLocalFile(str(path))):
                QMessageBox.warning(self, self.tr("打开附件"), self.tr(
                    "无法打开 {0}。\n请确认本机装有能打开这种文件的程序。").format(path))

    def withdraw_attachment(self) -> None:
        attachment_id = self._attachment_id()
        if attachment_id is None:
            return
        with user_errors(self):
            self.ctx.call(attachments.withdraw_attachment, attachment_id)
            self.show_detail()
