"""工单详情: what was asked, who holds it, the 办理记录 timeline, and buttons for the legal next steps only."""

from __future__ import annotations

import html

from PySide6.QtCore import QSize, Signal
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
from app.services.tickets import queries as ticket_queries
from app.services.tickets.queries import TicketDetail
from app.services.tickets.workflow import OPEN_STATES, STATE_LABELS

from ..common.form import within_screen
from ..common.table_model import format_value
from ..errors import user_errors
from .steps import (
    AssignDialog,
    DueDialog,
    EscalateDialog,
    ReasonDialog,
    ReplyDialog,
    VisitDialog,
    default_visitor,
)

# action → (button objectName, Chinese text); the order is the order of the buttons
BUTTONS = {
    "assign": ("btn_ticket_assign", "派单"), "reassign": ("btn_ticket_reassign", "改派"),
    "accept": ("btn_ticket_accept", "接单"), "escalate": ("btn_ticket_escalate", "上报"),
    "reply": ("btn_ticket_reply", "答复"), "solve": ("btn_ticket_solve", "现场解决"),
    "visit": ("btn_ticket_visit", "回访"), "reopen": ("btn_ticket_reopen", "重新办理"),
    "cancel": ("btn_ticket_cancel", "撤销"),
}


class TicketDetailDialog(QDialog):
    changed = Signal()

    def __init__(self, ctx: AppContext, unit_id: int, ticket_id: int, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("dlg_ticket_detail")
        self.ctx, self.unit_id, self.ticket_id = ctx, unit_id, ticket_id
        self.detail: TicketDetail | None = None
        outer = QVBoxLayout(self)
        self.label_info = QLabel(self)
        self.label_info.setObjectName("label_ticket_info")
        self.label_info.setWordWrap(True)
        outer.addWidget(self.label_info)
        self.tree_events = QTreeWidget(self)
        self.tree_events.setObjectName("tree_ticket_events")
        self.tree_events.setHeaderLabels([self.tr("时间"), self.tr("环节"), self.tr("状态"), self.tr("操作人"),
                                          self.tr("说明")])
        self.tree_events.setRootIsDecorated(False)
        em = self.fontMetrics().horizontalAdvance("中")
        for i, chars in enumerate((10, 5, 9, 5)):
            self.tree_events.setColumnWidth(i, em * chars)
        outer.addWidget(self.tree_events, 1)
        row = QHBoxLayout()
        self.buttons: dict[str, QPushButton] = {}
        for action, (name, text) in BUTTONS.items():
            btn = QPushButton(self.tr(text), self)
            btn.setObjectName(name)
            btn.clicked.connect(lambda _c=False, a=action: self.run(a))
            row.addWidget(btn)
            self.buttons[action] = btn
        self.btn_due = QPushButton(self.tr("调整办理期限"), self)
        self.btn_due.setObjectName("btn_ticket_due")
        self.btn_due.clicked.connect(lambda: self.run("due"))
        row.addWidget(self.btn_due)
        self.btn_note = QPushButton(self.tr("添加办理记录"), self)
        self.btn_note.setObjectName("btn_ticket_note")
        self.btn_note.clicked.connect(lambda: self.run("note"))
        row.addWidget(self.btn_note)
        row.addStretch(1)
        self.btn_close = QPushButton(self.tr("关闭"), self)
        self.btn_close.setObjectName("btn_close")
        self.btn_close.clicked.connect(self.accept)
        row.addWidget(self.btn_close)
        outer.addLayout(row)
        self.resize(within_screen(QSize(em * 62, em * 40)))  # the larger font on 1366×768: 关闭 stays in view
        self.reload()

    def reload(self) -> None:
        with user_errors(self):
            self.detail = self.ctx.call(ticket_queries.get_ticket, self.ticket_id)
        d = self.detail
        if d is None:
            return
        r = d.row
        self.setWindowTitle(self.tr("工单 {0}").format(r.number))
        self.label_info.setText(self._info_html(d))
        self.tree_events.clear()
        for e in d.events:
            change = (f"{STATE_LABELS[e.from_state]}→{STATE_LABELS[e.to_state]}"
                      if e.from_state and e.to_state and e.from_state != e.to_state
                      else STATE_LABELS.get(e.to_state or "", ""))
            QTreeWidgetItem(self.tree_events, [format_value(e.at), e.label, change, e.operator, e.note])
        for action, btn in self.buttons.items():
            btn.setVisible(action in d.actions)  # only what the state allows
        self.btn_note.setVisible(r.state != "cancelled")
        self.btn_due.setVisible(r.state in OPEN_STATES)

    def _info_html(self, d: TicketDetail) -> str:
        r = d.row
        esc = html.escape
        state = esc(r.state_label) + ("<span style='color:#c62828'>（已逾期）</span>" if r.overdue else "")
        lines = [
            f"<b>{esc(r.number)}</b>　{esc(r.category)}{'／' + esc(r.service_item) if r.service_item else ''}"
            f"　{esc(r.channel)}　{esc(r.priority)}　状态：{state}",
            f"诉求人：{esc(r.requester)} {esc(r.phone)}　{esc(d.household)}　网格：{esc(r.grid_name) or '—'}",
            f"受理：{format_value(r.received_at)}　期限：{format_value(r.due_at)}　办理人：{esc(r.assignees) or '—'}",
            f"诉求内容：{esc(r.content)}",
        ]
        if d.escalated_to:
            lines.append(f"上报：{esc(d.escalated_to)}（{format_value(d.escalated_at)}）"
                         + (f"　上级答复：{esc(d.escalation_answer)}" if d.escalation_answer else ""))
        if d.reply:
            lines.append(f"答复（{esc(r.mode)}，{format_value(d.replied_at)}）：{esc(d.reply)}")
        if d.visited_at:
            lines.append(f"回访：{esc(d.visited_by)} {format_value(d.visited_at)}　评价：<b>{esc(r.satisfaction)}</b>"
                         + (f"　{esc(d.visit_comment)}" if d.visit_comment else ""))
        if d.cancel_reason:
            lines.append(f"撤销原因：{esc(d.cancel_reason)}")
        return "<br>".join(lines)

    def step_dialog(self, action: str) -> QDialog | None:
        """The dialog of a step (tests open it the same way the buttons do)."""
        d = self.detail
        assert d is not None
        tid = self.ticket_id
        if action in ("assign", "reassign"):
            return AssignDialog(self.ctx, self.unit_id, tid, action == "reassign", self)
        if action == "escalate":
            return EscalateDialog(self.ctx, tid, self)
        if action in ("reply", "solve"):
            return ReplyDialog(self.ctx, tid, d.row.state == "escalated", d.row.mode, self, solve=action == "solve")
        if action == "visit":
            return VisitDialog(self.ctx, tid, default_visitor(self.ctx, self.unit_id), self)
        if action == "due":
            return DueDialog(self.ctx, tid, d.row.due_at, self)
        if action in ("cancel", "reopen", "note"):
            return ReasonDialog(self.ctx, tid, action, self)
        return None

    def run(self, action: str) -> None:
        if action == "accept":
            from app.services.tickets import workflow as tickets

            with user_errors(self):
                self.ctx.call(tickets.accept, self.ticket_id)
                self.changed.emit()
            self.reload()
            return
        dialog = self.step_dialog(action)
        if dialog is not None and dialog.exec() == QDialog.DialogCode.Accepted:
            self.changed.emit()
        self.reload()

