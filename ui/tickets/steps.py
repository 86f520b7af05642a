"""The dialogs of each step: 派单/改派, 上报, 答复, 回访, a reason (撤销, 重新办理, 办理记录), 调整办理期限.

Each is a FormDialog whose save() calls the one service function of that step, so a refused input shows
beside its field and nothing is written.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, time
from typing import Any

from PySide6.QtCore import QTime
from PySide6.QtWidgets import QButtonGroup, QHBoxLayout, QPlainTextEdit, QRadioButton, QTimeEdit, QWidget

from app.services.context import AppContext
from app.services.errors import FieldProblem, ValidationError
from app.services.tickets import queries as ticket_queries
from app.services.tickets import workflow as tickets
from app.services.tickets.queries import HandlerChoice
from app.services.tickets.workflow import ASSIGNEE_ROLES, MODES, SATISFACTION, AssigneeInput

from ..common.form import DateText, FormDialog
from .picker import SearchPicker


def _text(widget: QWidget) -> str:
    assert isinstance(widget, QPlainTextEdit)
    return widget.toPlainText()


class AssignDialog(FormDialog):
    """dlg_ticket_assign: a member or grid staff found by 拼音, or a volunteer's name typed."""

    def __init__(self, ctx: AppContext, unit_id: int, ticket_id: int, again: bool, parent: QWidget | None = None) -> None:
        super().__init__("dlg_ticket_assign", self.tr("改派") if again else self.tr("派单"), parent)
        self.ctx, self.unit_id, self.ticket_id = ctx, unit_id, ticket_id
        self.handler = SearchPicker("handler", self._find, self.tr("党员或网格员：姓名或拼音首字母；志愿者直接填姓名"), self)
        self.add_field("assignees", self.tr("接单人"), self.handler, required=True)
        self.combo_role = self.add_combo("role", self.tr("身份"), list(ASSIGNEE_ROLES))
        self.edit_note = self.add_line("note", self.tr("派单说明"), max_length=200)
        self.handler.picked.connect(self._picked)
        self.btn_save.setText(self.tr("派单"))

    def _find(self, text: str) -> list[tuple[str, object]]:
        found: list[HandlerChoice] = self.ctx.call(ticket_queries.find_handlers, self.unit_id, text, 8)
        return [(c.label, c) for c in found]

    def _picked(self, choice: object) -> None:
        if isinstance(choice, HandlerChoice):
            self.combo_role.setCurrentText(choice.role)

    def values(self) -> dict[str, Any]:
        choice = self.handler.value
        role = self.combo_role.currentText()
        if isinstance(choice, HandlerChoice):
            person = AssigneeInput(choice.name, role, choice.member_id, choice.resident_id)
        else:
            person = AssigneeInput(self.handler.text(), role)
        return {"people": [person], "note": self.edit_note.text()}

    def save(self, values: dict[str, Any]) -> None:
        self.ctx.call(tickets.assign, self.ticket_id, values["people"], values["note"])


class EscalateDialog(FormDialog):
    def __init__(self, ctx: AppContext, ticket_id: int, parent: QWidget | None = None) -> None:
        super().__init__("dlg_ticket_escalate", self.tr("上报"), parent)
        self.ctx, self.ticket_id = ctx, ticket_id
        self.edit_to = self.add_line("escalated_to", self.tr("上报单位"), True, self.tr("如 街道综治中心"), 60)
        self.edit_note = self.add_text("note", self.tr("上报说明"))
        self.btn_save.setText(self.tr("上报"))

    def values(self) -> dict[str, Any]:
        return {"to": self.edit_to.text(), "note": _text(self.edit_note)}

    def save(self, values: dict[str, Any]) -> None:
        self.ctx.call(tickets.escalate, self.ticket_id, values["to"], values["note"])


class ReplyDialog(FormDialog):
    """dlg_ticket_reply: 答复 (how it was handled); with solve=True the same form closes it as 现场解决."""

    def __init__(self, ctx: AppContext, ticket_id: int, escalated: bool, mode: str,
                 parent: QWidget | None = None, solve: bool = False) -> None:
        title = self.tr("现场解决") if solve else self.tr("答复")
        super().__init__("dlg_ticket_solve" if solve else "dlg_ticket_reply", title, parent)
        self.ctx, self.ticket_id, self.solve = ctx, ticket_id, solve
        self.edit_reply = self.add_text("reply", self.tr("答复内容"))
        self.combo_mode = self.add_combo("mode", self.tr("办理方式"), [m for m in MODES if m != "现场解决"])
        self.combo_mode.setCurrentText("上报办理" if escalated else (mode or "派单办理"))
        self.combo_mode.setVisible(not solve)
        self.edit_answer = self.add_text("escalation_answer", self.tr("上级答复")) if escalated else None
        self.btn_save.setText(title)

    def values(self) -> dict[str, Any]:
        return {"text": _text(self.edit_reply), "mode": self.combo_mode.currentText(),
                "escalation_answer": _text(self.edit_answer) if self.edit_answer else ""}

    def save(self, values: dict[str, Any]) -> None:
        if self.solve:
            self.ctx.call(tickets.solve_on_spot, self.ticket_id, values["text"])
        else:
            self.ctx.call(tickets.reply, self.ticket_id, **values)


def default_visitor(ctx: AppContext, unit_id: int) -> str:
    """The 回访人 default: the signed-in operator, else whoever did the last 回访 (the same clerk, usually)."""
    from app.services.safety import auth

    try:
        me = ctx.call(auth.current_operator)
        return me.display_name if me is not None else ctx.call(ticket_queries.last_visitor, unit_id)
    except Exception:  # only a default: never block the 回访 over it
        return ""


def rating_row(parent: QWidget, labels: Sequence[str], prefix: str) -> tuple[QWidget, QButtonGroup, dict[str, QRadioButton]]:
    """A row of radio buttons `<prefix>_<i>`, one per rating (the 回访 form and the 现场解决 intake form)."""
    box = QWidget(parent)
    row = QHBoxLayout(box)
    row.setContentsMargins(0, 0, 0, 0)
    group = QButtonGroup(parent)
    radios: dict[str, QRadioButton] = {}
    for i, label in enumerate(labels):
        radio = QRadioButton(parent.tr(label), box)
        radio.setObjectName(f"{prefix}_{i}")
        group.addButton(radio)
        row.addWidget(radio)
        radios[label] = radio
    row.addStretch(1)
    return box, group, radios


class VisitDialog(FormDialog):
    """dlg_ticket_visit: 回访 — who called back, the rating (满意/基本满意/不满意) and what was said."""

    def __init__(self, ctx: AppContext, ticket_id: int, visitor: str, parent: QWidget | None = None) -> None:
        super().__init__("dlg_ticket_visit", self.tr("回访"), parent)
        self.ctx, self.ticket_id = ctx, ticket_id
        box, self.group, self.radios = rating_row(self, SATISFACTION, "radio_visit")
        self.add_field("satisfaction", self.tr("满意度"), box, required=True)
        self.edit_by = self.add_line("visited_by", self.tr("回访人"), True, max_length=40)
        self.edit_by.setText(visitor)
        self.edit_comment = self.add_text("visit_comment", self.tr("回访意见"))
        self.btn_save.setText(self.tr("保存回访"))
        self.result_state = ""

    def values(self) -> dict[str, Any]:
        chosen = next((label for label, r in self.radios.items() if r.isChecked()), "")
        if not chosen:
            raise ValidationError([FieldProblem("satisfaction", "满意度", "请选择群众的评价")])
        return {"satisfaction": chosen, "by": self.edit_by.text(), "comment": _text(self.edit_comment)}

    def save(self, values: dict[str, Any]) -> str:
        self.result_state = self.ctx.call(tickets.visit, self.ticket_id, **values)
        return self.result_state


class ReasonDialog(FormDialog):
    """One text: 撤销原因 (cancel), 重新办理原因 (reopen) or a 办理记录 line (note)."""

    KINDS = {"cancel": ("撤销工单", "撤销原因", "cancel_reason"), "reopen": ("重新办理", "重新办理原因", "reason"),
             "note": ("添加办理记录", "办理记录", "note")}

    def __init__(self, ctx: AppContext, ticket_id: int, kind: str, parent: QWidget | None = None) -> None:
        title, label, field = self.KINDS[kind]
        super().__init__(f"dlg_ticket_{kind}", self.tr(title), parent)
        self.ctx, self.ticket_id, self.kind = ctx, ticket_id, kind
        self.edit = self.add_text(field, self.tr(label))
        self.field = field

    def values(self) -> dict[str, Any]:
        return {"text": _text(self.edit)}

    def save(self, values: dict[str, Any]) -> None:
        fn = {"cancel": tickets.cancel, "reopen": tickets.reopen, "note": tickets.add_note}[self.kind]
        self.ctx.call(fn, self.ticket_id, values["text"])


class DueDialog(FormDialog):
    """dlg_ticket_due: 调整办理期限 — a new date and time and why; the 办理记录 keeps the change and the reason."""

    def __init__(self, ctx: AppContext, ticket_id: int, due_at: datetime | None, parent: QWidget | None = None) -> None:
        super().__init__("dlg_ticket_due", self.tr("调整办理期限"), parent)
        self.ctx, self.ticket_id = ctx, ticket_id
        self.edit_date = DateText(self)
        self.add_field("due_date", self.tr("新的期限（日期）"), self.edit_date, required=True, service_field="due_at")
        self.edit_time = QTimeEdit(self)
        self.edit_time.setDisplayFormat("HH:mm")
        self.add_field("due_time", self.tr("时间"), self.edit_time)
        if due_at is not None:
            self.edit_date.set_date(due_at.date())
            self.edit_time.setTime(QTime(due_at.hour, due_at.minute))
        else:
            self.edit_time.setTime(QTime(18, 0))
        self.edit_reason = self.add_text("reason", self.tr("调整原因"))
        self.btn_save.setText(self.tr("调整期限"))

    def values(self) -> dict[str, Any]:
        problems: list[FieldProblem] = []
        day = self.date_value("due_date", problems)
        if day is None and not problems:
            problems.append(FieldProblem("due_date", self.tr("新的期限"), self.tr("请填写新的办理期限")))
        if problems:
            raise ValidationError(problems)
        assert day is not None
        t = self.edit_time.time()
        return {"due_at": datetime.combine(day, time(t.hour(), t.minute())), "reason": _text(self.edit_reason)}

    def save(self, values: dict[str, Any]) -> None:
        self.ctx.call(tickets.set_due, self.ticket_id, values["due_at"], values["reason"])
