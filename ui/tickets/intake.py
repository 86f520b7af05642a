"""受理登记: the form a clerk fills in while on the phone. Ctrl+Enter saves from any field.

The requester is found by 拼音首字母, 汉字 or a phone fragment; whoever is not in the register is simply
typed. Ticking 「现场已解决」 and writing the 答复 closes the ticket at once as 现场解决 (佛子庄: simple matters
solved on the spot). The resident is there, so the same form takes the 回访 too (满意 unless changed, in the
same transaction); 「以后回访」 leaves it for the list's 回访. 诉求类别 starts on the one taken most often this
year (none before the first ticket: 「请选择」), never on the first of the list.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtGui import QKeyEvent, QKeySequence, QShortcut
from PySide6.QtWidgets import QCheckBox, QComboBox, QLabel, QPlainTextEdit, QWidget

from app.services.context import AppContext
from app.services.tickets import queries as ticket_queries
from app.services.tickets import workflow as tickets
from app.services.tickets.queries import RequesterChoice
from app.services.tickets.workflow import CHANNELS, PRIORITIES, SATISFACTION, Created, TicketInput

from ..common.form import FormDialog
from .picker import SearchPicker
from .steps import default_visitor, rating_row

LATER = "以后回访"  # the 现场解决 form's choice to leave the 回访 for later


class IntakeDialog(FormDialog):
    """dlg_ticket_intake; result_value is the Created ticket (id, number)."""

    def __init__(self, ctx: AppContext, unit_id: int, parent: QWidget | None = None, solved: bool = False) -> None:
        super().__init__("dlg_ticket_intake", self.tr("受理登记"), parent)
        self.ctx, self.unit_id = ctx, unit_id
        self.requester = SearchPicker("requester", self._find, self.tr("姓名、拼音首字母（如 zs）或电话后几位"), self)
        self.add_field("requester_name", self.tr("诉求人"), self.requester, required=True)
        self.requester.picked.connect(self._picked)
        self.edit_phone = self.add_line("requester_phone", self.tr("联系电话"), max_length=20)
        self.combo_channel = self.add_combo("channel", self.tr("受理渠道"), list(CHANNELS), required=True)
        cats = ctx.call(tickets.list_categories, unit_id)
        self.combo_category = self.add_combo(
            "category_id", self.tr("诉求类别"), [(f"{c.name}（{self._limit(c.due_hours)}）", c.id) for c in cats],
            required=True, blank=self.tr("请选择"))
        usual = ctx.call(ticket_queries.most_used_category, unit_id)
        if usual is not None:
            self.combo_category.setCurrentIndex(max(self.combo_category.findData(usual), 0))
        items = ctx.call(tickets.list_service_items, unit_id)
        self.combo_item = self.add_combo("service_item_id", self.tr("代办事项"), [(i.name, i.id) for i in items],
                                         blank=self.tr("（不是党员代办）"))
        self.combo_priority = self.add_combo("priority", self.tr("紧急程度"), list(PRIORITIES))
        self.edit_content = self.add_text("content", self.tr("诉求内容"))
        self.check_solved = QCheckBox(self.tr("现场已解决（保存即办结，群众在场可同时回访）"), self)
        self.add_field("solved", "", self.check_solved)
        self.edit_reply = self.add_text("on_spot_reply", self.tr("现场答复"))
        self.edit_reply.setPlaceholderText(self.tr("怎样解决的：保存即办结（现场解决）"))
        self._add_visit(default_visitor(ctx, unit_id))
        self.check_solved.toggled.connect(self._solved_toggled)
        self.check_solved.setChecked(solved)
        self._solved_toggled(solved)
        hint = QLabel(self.tr("Ctrl+Enter 保存"), self)
        hint.setObjectName("label_intake_hint")
        hint.setStyleSheet("color: #666;")
        self.grid.addWidget(hint, self.grid.rowCount(), 1)
        for keys in ("Ctrl+Return", "Ctrl+Enter"):
            QShortcut(QKeySequence(keys), self, activated=self.on_save)
        # …and from inside the fields too, where a text box would otherwise swallow the key
        for widget in (self.requester.edit, self.edit_phone, self.edit_content, self.edit_reply,
                       self.edit_visited_by, self.edit_visit_comment):
            widget.installEventFilter(self)
        self.visited = ""  # the rating recorded with the ticket, once saved
        self.requester.setFocus()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 (Qt API)
        if (isinstance(event, QKeyEvent) and event.type() == QEvent.Type.KeyPress
                and event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter)
                and event.modifiers() & Qt.KeyboardModifier.ControlModifier):
            self.on_save()
            return True
        return super().eventFilter(watched, event)

    def _add_visit(self, visitor: str) -> None:
        """当场回访: the rating (满意 preselected: the resident is there and the matter solved), 回访人, a note."""
        box, self.visit_group, self.visit_radios = rating_row(self, (*SATISFACTION, LATER), "radio_intake_visit")
        self.visit_radios[SATISFACTION[0]].setChecked(True)
        self.add_field("visit_satisfaction", self.tr("当场回访"), box)
        self.edit_visited_by = self.add_line("visited_by", self.tr("回访人"), max_length=40)
        self.edit_visited_by.setText(visitor)
        self.edit_visit_comment = self.add_line("visit_comment", self.tr("回访意见"), max_length=2000,
                                                placeholder=self.tr("可不填"))
        self.visit_radios[LATER].toggled.connect(self._later_toggled)

    def _visit_rating(self) -> str:
        """The rating chosen, "" when the 回访 is left for later."""
        chosen = next(label for label, r in self.visit_radios.items() if r.isChecked())
        return "" if chosen == LATER else chosen

    def _later_toggled(self, later: bool) -> None:
        for widget in (self.edit_visited_by, self.edit_visit_comment):
            widget.setEnabled(not later)

    def _solved_toggled(self, on: bool) -> None:
        self.show_field("on_spot_reply", on)
        for name in ("visit_satisfaction", "visited_by", "visit_comment"):
            self.show_field(name, on)
        self.btn_save.setText(self.tr("受理并办结") if on else self.tr("受理"))
        if on and self.isVisible():
            self.fit_contents()

    @staticmethod
    def _limit(hours: int) -> str:
        return f"{hours // 24}天" if hours % 24 == 0 else f"{hours}小时"

    def _find(self, text: str) -> list[tuple[str, object]]:
        found: list[RequesterChoice] = self.ctx.call(ticket_queries.find_requesters, self.unit_id, text, 8)
        return [(c.label, c) for c in found]

    def _picked(self, choice: object) -> None:
        # the stored number is taken for a resident; the masked one is shown only as a hint
        self.edit_phone.setPlaceholderText(choice.phone if isinstance(choice, RequesterChoice) else "")

    def values(self) -> dict[str, Any]:
        choice = self.requester.value
        content = self.fields["content"]
        reply = self.fields["on_spot_reply"]
        assert isinstance(content, QPlainTextEdit) and isinstance(reply, QPlainTextEdit)
        return {
            "requester_id": choice.id if isinstance(choice, RequesterChoice) else None,
            "requester_name": "" if isinstance(choice, RequesterChoice) else self.requester.text(),
            "requester_phone": self.edit_phone.text(),
            "channel": self._combo(self.combo_channel), "category_id": self._combo(self.combo_category),
            "service_item_id": self._combo(self.combo_item), "priority": self._combo(self.combo_priority),
            "content": content.toPlainText(), "solved_on_spot": self.check_solved.isChecked(),
            # a reply written and then unticked is not an answer given
            "on_spot_reply": reply.toPlainText() if self.check_solved.isChecked() else "",
            **self._visit_values(),
        }

    def _visit_values(self) -> dict[str, str]:
        rating = self._visit_rating() if self.check_solved.isChecked() else ""
        if not rating:  # no 回访 now: its fields are not sent
            return {}
        return {"visit_satisfaction": rating, "visited_by": self.edit_visited_by.text(),
                "visit_comment": self.edit_visit_comment.text()}

    @staticmethod
    def _combo(combo: QComboBox) -> Any:
        return combo.currentData()

    def save(self, values: dict[str, Any]) -> Created:
        made: Created = self.ctx.call(tickets.create_ticket, self.unit_id, TicketInput(**values))
        self.visited = values.get("visit_satisfaction", "")  # for the page's message
        return made
