"""环形互动: the topics with their stage (and 落实 overdue in red) beside the selected one's opinions,
answer, vote and progress; one button per step, enabled when the topic has reached it. 村务公开 (a
sheet made a 公示) is here too."""

from __future__ import annotations

from datetime import date

from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDialog,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QMessageBox,
    QPushButton,
    QSplitter,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from app.services.affairs import notice_topic, topics
from app.services.affairs.topics import STAGES, TopicRow
from app.services.context import AppContext

from ..common.files import ask_save_path
from ..common.form import FormDialog
from ..common.page import Changes
from ..common.table_model import Column, LazyTableModel, list_source
from ..common.widgets import DataTable, InfoLabel
from ..errors import user_errors
from .topic_dialogs import (
    PDF_FILTER,
    AnswerDialog,
    ArrangeDialog,
    OpenAffairsDialog,
    OpinionDialog,
    ProgressDialog,
    TopicDialog,
    VerdictDialog,
    VoteDialog,
)

OVERDUE = "topics_overdue"  # the 工作台 line's key, also the filter's
OVERDUE_COLOR = "#ffcdd2"
COLUMNS: list[Column[TopicRow]] = [
    Column("编号", "number", width=5),
    Column("议题", "title", width=14),
    Column("方式", "direction", width=3),
    Column("阶段", lambda t: t.stage + ("（逾期）" if t.overdue else ""), width=6),
    Column("时限", lambda t: t.due_on.isoformat() if t.due_on else "", width=6),
]
# each button: (objectName, text, the stage it acts in)
STEPS = (
    ("btn_topic_opinion", "记录意见…", "征求意见"),
    ("btn_topic_study", "提交支部研究", "征求意见"),
    ("btn_topic_answer", "支部答复…", "支部研究"),
    ("btn_topic_vote", "代表会表决…", "代表会表决"),
    ("btn_topic_publish", "发布公开…", "公开"),
    ("btn_topic_arrange", "落实安排…", "落实"),
    ("btn_topic_progress", "记录进展…", "落实"),
    ("btn_topic_verdict", "群众评价…", "已完成"),
)


class TopicsTab(QWidget):
    def __init__(self, ctx: AppContext, changes: Changes, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("tab_affairs_topics")
        self.ctx, self.changes = ctx, changes
        outer = QVBoxLayout(self)
        bar = QHBoxLayout()
        self.combo_stage = QComboBox(self)
        self.combo_stage.setObjectName("combo_topic_stage")
        self.combo_stage.addItem(self.tr("全部阶段"), None)
        self.combo_stage.addItem(self.tr("落实逾期"), OVERDUE)
        for st in STAGES:
            self.combo_stage.addItem(st, st)
        self.btn_new = QPushButton(self.tr("新建议题…"), self)
        self.btn_new.setObjectName("btn_new_topic")
        self.btn_open_affairs = QPushButton(self.tr("村务公开…"), self)
        self.btn_open_affairs.setObjectName("btn_open_affairs")
        self.btn_open_affairs.setToolTip(self.tr("把任意表格（如财务收支）生成村务公开公示，身份证号、电话自动遮挡"))
        for w in (self.combo_stage, self.btn_new, self.btn_open_affairs):
            bar.addWidget(w)
        bar.addStretch(1)
        outer.addLayout(bar)

        split = QSplitter(self)
        outer.addWidget(split, 1)
        self.table = DataTable("table_topics", split)
        self.table.list_name = "环形互动议题"
        self.model: LazyTableModel[TopicRow] = LazyTableModel(COLUMNS, *list_source(self._rows), parent=self)
        self.table.setModel(self.model)
        self.table.setSortingEnabled(False)
        self.table.selectionModel().currentRowChanged.connect(lambda *_: self.show_detail())

        right = QWidget(split)
        rl = QVBoxLayout(right)
        rl.setContentsMargins(0, 0, 0, 0)
        self.label_topic = QLabel(right)
        self.label_topic.setObjectName("label_topic")
        self.label_topic.setWordWrap(True)
        rl.addWidget(self.label_topic)
        self.opinions = self._table("table_topic_opinions", [self.tr("日期"), self.tr("收集党员"), self.tr("户"),
                                                             self.tr("提出人"), self.tr("意见")], right)
        rl.addWidget(QLabel(self.tr("群众意见"), right))
        rl.addWidget(self.opinions, 2)
        rl.addWidget(QLabel(self.tr("落实进展"), right))
        self.progress = self._table("table_topic_progress", [self.tr("日期"), self.tr("进展情况")], right)
        rl.addWidget(self.progress, 1)
        buttons = QGridLayout()
        self.buttons: dict[str, tuple[QPushButton, str]] = {}
        for i, (name, text, stage) in enumerate(STEPS):
            b = QPushButton(self.tr(text), right)
            b.setObjectName(name)
            self.buttons[name] = (b, stage)
            buttons.addWidget(b, i // 4, i % 4)
        rl.addLayout(buttons)
        self.info = InfoLabel("info_topics", right)
        rl.addWidget(self.info)
        em = self.fontMetrics().horizontalAdvance("中")
        split.setSizes([em * 36, em * 50])

        self.combo_stage.currentIndexChanged.connect(lambda _i: self.refresh())
        self.btn_new.clicked.connect(self.new_topic)
        self.btn_open_affairs.clicked.connect(self.open_affairs)
        actions = {"btn_topic_opinion": self.add_opinion, "btn_topic_study": self.submit_for_study,
                   "btn_topic_answer": self.answer, "btn_topic_vote": self.vote, "btn_topic_publish": self.publish,
                   "btn_topic_arrange": self.arrange, "btn_topic_progress": self.add_progress,
                   "btn_topic_verdict": self.verdict}
        for name, slot in actions.items():
            self.buttons[name][0].clicked.connect(slot)
        self.refresh()

    def _table(self, name: str, headers: list[str], parent: QWidget) -> QTableWidget:
        t = QTableWidget(0, len(headers), parent)
        t.setObjectName(name)
        t.setHorizontalHeaderLabels(headers)
        t.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        t.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
        t.verticalHeader().hide()
        t.horizontalHeader().setStretchLastSection(True)
        return t

    @property
    def unit_id(self) -> int:
        unit_id = self.ctx.unit_id
        assert unit_id is not None
        return unit_id

    def _rows(self) -> list[TopicRow]:
        wanted = self.combo_stage.currentData()
        rows = self.ctx.call(topics.list_topics, self.unit_id, date.today(), wanted == OVERDUE)
        return [t for t in rows if wanted in (None, OVERDUE) or t.stage == wanted]

    def current(self) -> TopicRow | None:
        return self.model.row_at(self.table.current_row())

    def refresh(self, select_id: int | None = None) -> None:
        keep = select_id or getattr(self.current(), "id", None)
        with user_errors(self):
            self.model.refresh()
        rows = self.model.rows
        self.table.select_row(next((i for i, t in enumerate(rows) if t.id == keep), 0))
        late = sum(t.overdue for t in rows)
        self.info.setText(self.tr("共 {0} 项").format(len(rows)) + (self.tr("，落实逾期 {0} 项").format(late) if late else ""))
        self.show_detail()

    def show_filter(self, key: str) -> bool:
        """The 工作台's 落实逾期 line lists exactly the topics it counted."""
        if key != OVERDUE:
            return False
        self.combo_stage.setCurrentIndex(self.combo_stage.findData(OVERDUE))
        return True

    def _changed(self, select_id: int | None = None) -> None:
        self.refresh(select_id)
        self.changes.changed.emit("affairs", self)

    # ---- the detail -----------------------------------------------------------------------------

    def show_detail(self) -> None:
        t = self.current()
        self.opinions.setRowCount(0)
        self.progress.setRowCount(0)
        if t is None:
            self.label_topic.setText(self.tr(
                "还没有议题。点“新建议题…”由支部定主题（正序）或登记群众提出的议题（倒序）；"
                "在“工单”页选中工单后点“转为环形互动议题”也可一步转入。"))
        else:
            self.label_topic.setText(self._summary(t))
            with user_errors(self):
                detail = self.ctx.call(topics.get_topic, t.id, date.today())
                self.opinions.setRowCount(len(detail.opinions))
                for i, o in enumerate(detail.opinions):
                    cells = [o.gathered_on.isoformat() if o.gathered_on else "", o.member_name, o.household,
                             o.speaker, o.content]
                    for col, text in enumerate(cells):
                        self.opinions.setItem(i, col, QTableWidgetItem(text))
                self.progress.setRowCount(len(detail.progress))
                for i, p in enumerate(detail.progress):
                    for col, text in enumerate((p.noted_on.isoformat(), p.content)):
                        item = QTableWidgetItem(text)
                        if t.overdue:
                            item.setBackground(QBrush(QColor(OVERDUE_COLOR)))
                        self.progress.setItem(i, col, item)
            self.opinions.resizeColumnsToContents()
        for b, stage in self.buttons.values():
            b.setEnabled(t is not None and t.stage == stage)
        if t is not None and t.stage == "已完成" and t.verdict:
            self.buttons["btn_topic_verdict"][0].setEnabled(False)

    def _summary(self, t: TopicRow) -> str:
        lines = [f"<b>{t.number}　{t.title}</b>（{t.direction}，{t.stage}）"]
        if t.ticket_number:
            lines.append(self.tr("来源工单：{0}").format(t.ticket_number))
        if t.content:
            lines.append(t.content.replace("\n", "<br>"))
        if t.answer:
            lines.append(self.tr("支部答复（{0}）：{1}").format(t.answered_on, t.answer))
        if t.vote_outcome:
            color = "#2e7d32" if t.vote_outcome == "通过" else "#c62828"
            lines.append(f"<span style='color:{color}'>" + self.tr("代表会表决（{0}）：{1}，{2}").format(
                t.vote_on, t.vote_outcome, t.vote_note) + "</span>")
        if t.responsible_name:
            late = f"<span style='color:#c62828'>{self.tr('（已逾期）')}</span>" if t.overdue else ""
            lines.append(self.tr("落实：责任人 {0}，时限 {1}").format(t.responsible_name, t.due_on) + late)
        if t.done_on:
            lines.append(self.tr("完成日期：{0}").format(t.done_on))
        if t.verdict:
            lines.append(self.tr("群众评价：{0}").format(t.verdict) + (f"（{t.verdict_note}）" if t.verdict_note else ""))
        lines.append(self.tr("下一步：{0}").format(t.next_step))
        return "<br>".join(lines)

    # ---- actions --------------------------------------------------------------------------------

    def _run(self, dialog: FormDialog, select_id: int | None) -> bool:
        if dialog.exec() == QDialog.DialogCode.Accepted:
            self._changed(select_id)
            return True
        return False

    def new_topic(self) -> None:
        with user_errors(self):
            dialog = TopicDialog(self.ctx, self.unit_id, self)
            if dialog.exec() == QDialog.DialogCode.Accepted:
                self.combo_stage.setCurrentIndex(0)
                self._changed(dialog.result_value)

    def add_opinion(self) -> None:
        if (t := self.current()) is not None:
            with user_errors(self):
                self._run(OpinionDialog(self.ctx, self.unit_id, t, self), t.id)

    def submit_for_study(self) -> None:
        if (t := self.current()) is not None:
            with user_errors(self):
                self.ctx.call(topics.submit_for_study, t.id)
                self._changed(t.id)

    def answer(self) -> None:
        if (t := self.current()) is not None:
            with user_errors(self):
                self._run(AnswerDialog(self.ctx, t, self), t.id)

    def vote(self) -> None:
        if (t := self.current()) is not None:
            with user_errors(self):
                self._run(VoteDialog(self.ctx, self.unit_id, t, self), t.id)

    def arrange(self) -> None:
        if (t := self.current()) is not None:
            with user_errors(self):
                self._run(ArrangeDialog(self.ctx, self.unit_id, t, self), t.id)

    def add_progress(self) -> None:
        if (t := self.current()) is not None:
            with user_errors(self):
                self._run(ProgressDialog(self.ctx, t, self), t.id)

    def verdict(self) -> None:
        if (t := self.current()) is not None:
            with user_errors(self):
                self._run(VerdictDialog(self.ctx, t, self), t.id)

    def publish(self) -> None:
        t = self.current()
        if t is None:
            return
        path = ask_save_path(self, self.tr("保存议题公示"), f"{t.number} {t.title}公示.pdf", self.tr(PDF_FILTER),
                             ".pdf", purpose="notice")
        if path is None:
            return
        with user_errors(self):
            info = self.ctx.call(notice_topic.publish_topic, t.id, path, issued_on=date.today())
            self.changes.changed.emit("notice", self)
            self._changed(t.id)
            self._published(info)

    def open_affairs(self) -> None:
        with user_errors(self):
            dialog = OpenAffairsDialog(self.ctx, self.unit_id, self)
            if dialog.exec() == QDialog.DialogCode.Accepted:
                self.changes.changed.emit("notice", self)
                self._published(dialog.result_value)

    def _published(self, info: object) -> None:
        QMessageBox.information(self, self.tr("已生成公示"), self.tr(
            "已生成公示 {0}《{1}》：\n{2}\n{3}\n可在“公示与台账”页打印、登记异议。").format(
            info.number, info.title, info.path, info.period_text))  # type: ignore[attr-defined]
