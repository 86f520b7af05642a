"""组织关系转接 dialogs: 转出并开介绍信 (dlg_transfer_out), 转入登记 from the letter brought (dlg_letter_in:
the 转入党员 form plus the letter's 开具日期, 有效期, 党费交到), 登记回执 (dlg_letter_receipt) and 作废 with
重开 (dlg_letter_cancel). The letter is printed by the tab after 保存 (a file to choose)."""

from __future__ import annotations

from datetime import date
from typing import Any

from PySide6.QtWidgets import QCheckBox, QLabel, QSpinBox, QWidget

from app.services.context import AppContext
from app.services.errors import FieldProblem, ValidationError
from app.services.org import members
from app.services.org.members import MemberQuery
from app.services.partywork import transfers
from app.services.partywork.transfers import DEFAULT_VALID_DAYS, MAX_VALID_DAYS, InLetter, LetterRow, OutInput

from ..common.form import FormDialog
from ..common.search_picker import SearchPicker
from ..org.contact_dialogs import PICK_LIMIT, PICK_WIDTH_EM
from ..org.leave_dialogs import ORG_NAME_EM, TransferInDialog

DUES_HINT = "不填则按党费记录中交到的月份"


def _days(dialog: FormDialog, name: str, value: int) -> QSpinBox:
    spin = QSpinBox(dialog)
    spin.setRange(1, MAX_VALID_DAYS)
    spin.setValue(value)
    spin.setSuffix(dialog.tr(" 天"))
    dialog.add_field(name, dialog.tr("有效期"), spin, required=True)
    return spin


class TransferOutDialog(FormDialog):
    """转出: the member leaves the roster and the 介绍信 is issued with it (one 保存)."""

    def __init__(self, ctx: AppContext, unit_id: int, member: tuple[int, str] | None = None,
                 parent: QWidget | None = None) -> None:
        super().__init__("dlg_transfer_out", self.tr("转出并开具介绍信"), parent)
        self.ctx, self.unit_id = ctx, unit_id
        self.person = SearchPicker("transfer_member", self._find, self.tr("党员姓名或拼音首字母（如 zs）"), self)
        self.person.setMinimumWidth(self.fontMetrics().horizontalAdvance("中") * PICK_WIDTH_EM)
        self.add_field("member", self.tr("党员"), self.person, required=True)
        self.to_org = self.add_line("to_org", self.tr("转往党组织"), required=True, max_length=100,
                                    placeholder=self.tr("接收组织关系的党组织全称"))
        self.to_org.setMinimumWidth(self.fontMetrics().horizontalAdvance("中") * ORG_NAME_EM)
        self.on = self.add_date("on", self.tr("转出日期"), required=True)
        self.on.set_date(date.today())
        self.letter_no = self.add_line("letter_no", self.tr("介绍信编号"), max_length=30,
                                       placeholder=self.tr("不填则自动编号（年份+序号）"))
        self.valid_days = _days(self, "valid_days", DEFAULT_VALID_DAYS)
        self.dues = self.add_line("dues_paid_to", self.tr("党费交到"), max_length=7, placeholder=self.tr("如 2026-11"))
        self.dues.setToolTip(self.tr(DUES_HINT))
        self.note = self.add_line("note", self.tr("备注"), max_length=200)
        self.print_after = QCheckBox(self.tr("保存后打印介绍信"), self)
        self.print_after.setChecked(True)
        self.add_field("print_after", "", self.print_after)
        hint = QLabel(self.tr("转出后该党员离开党员名册（记录保留），所任职务和联系户于当日结束。"), self)
        hint.setWordWrap(True)
        self.grid.addWidget(hint, self._row, 0, 1, 3)
        self._row += 1
        if member is not None:
            self.person.edit.setText(member[1])
            self.person.value = member[0]
            self.person.setEnabled(False)
            self.to_org.setFocus()
        else:
            self.person.setFocus()

    def _find(self, text: str) -> list[tuple[str, object]]:
        rows = self.ctx.call(members.list_members, MemberQuery(self.unit_id, stage="members", text=text), 0, PICK_LIMIT)
        return [(" ".join(x for x in (r.name, r.stage, r.org_name) if x), r.id) for r in rows]

    def values(self) -> dict[str, Any]:
        problems: list[FieldProblem] = []
        on = self.date_value("on", problems)
        if self.person.value is None:
            problems.append(FieldProblem("member", self.labels["member"], self.tr("请在列表中选中党员")))
        if problems:
            raise ValidationError(problems)
        return {"member_id": self.person.value, "data": OutInput(
            self.to_org.text(), on, letter_no=self.letter_no.text(), valid_days=self.valid_days.value(),
            dues_paid_to=self.dues.text(), note=self.note.text())}

    def save(self, values: dict[str, Any]) -> int:
        return self.ctx.call(transfers.transfer_out, values["member_id"], values["data"])


class LetterInDialog(TransferInDialog):
    """转入登记: the arriving member's form, where the relation comes from, and the letter as brought."""

    def __init__(self, ctx: AppContext, unit_id: int, parent: QWidget | None = None) -> None:
        super().__init__(ctx, unit_id, parent=parent)
        self.setObjectName("dlg_letter_in")
        self.setWindowTitle(self.tr("转入登记（按介绍信）"))
        caption = self.findChild(QLabel, "label_arrived_letter_no")
        if caption is not None:
            caption.setText(self.tr("介绍信编号") + "<span style='color:#c62828'> *</span>")
        self.new_column()  # the member's form fills two columns already: the letter gets its own
        self.add_section(self.tr("介绍信"))
        self.issued_on = self.add_date("issued_on", self.tr("开具日期"), required=True)
        self.letter_days = _days(self, "valid_days", DEFAULT_VALID_DAYS)
        self.dues = self.add_line("dues_paid_to", self.tr("党费交到"), max_length=7,
                                  placeholder=self.tr("如 2026-11"))
        self.dues.setToolTip(self.tr("按介绍信上的“党费已交到”填写"))
        self.aliases["letter_no"] = "arrived_letter_no"
        self.print_after = QCheckBox(self.tr("保存后打印回执"), self)
        self.print_after.setChecked(True)
        self.add_field("print_after", "", self.print_after)

    def values(self) -> dict[str, Any]:
        problems: list[FieldProblem] = []
        issued = self.date_value("issued_on", problems)
        try:
            base = super().values()
        except ValidationError as e:
            raise ValidationError([*e.problems, *problems]) from None
        if problems:
            raise ValidationError(problems)
        return {**base, "issued_on": issued}

    def save(self, values: dict[str, Any]) -> int:
        from app.services.org.member_checks import MemberInput

        values = dict(values)
        arrival = values.pop("arrival")
        issued = values.pop("issued_on")
        letter = InLetter(arrival.letter_no, arrival.from_org, issued, arrival.on, valid_days=self.letter_days.value(),
                          dues_paid_to=self.dues.text())
        return self.ctx.call(transfers.register_arrival, self.unit_id, MemberInput(**values), letter)


class ReceiptDialog(FormDialog):
    """登记回执: the day the receiving 党组织's 回执 came back."""

    def __init__(self, ctx: AppContext, row: LetterRow, parent: QWidget | None = None) -> None:
        super().__init__("dlg_letter_receipt", self.tr("登记回执：第 {0} 号（{1}）").format(row.letter_no, row.name),
                         parent)
        self.ctx, self.row = ctx, row
        self.add_section(self.tr("去{0}，{1} 开具").format(row.to_org, row.issued_on.isoformat()))
        self.receipt_on = self.add_date("receipt_on", self.tr("回执日期"), required=True)
        self.receipt_on.set_date(date.today())
        self.receipt_on.setFocus()

    def values(self) -> dict[str, Any]:
        problems: list[FieldProblem] = []
        on = self.date_value("receipt_on", problems)
        if problems:
            raise ValidationError(problems)
        return {"on": on}

    def save(self, values: dict[str, Any]) -> int:
        self.ctx.call(transfers.record_receipt, self.row.id, values["on"])
        return self.row.id


class CancelDialog(FormDialog):
    """作废 a letter with the reason; a 转出 letter is issued anew (next number) unless unticked."""

    def __init__(self, ctx: AppContext, row: LetterRow, parent: QWidget | None = None) -> None:
        super().__init__("dlg_letter_cancel", self.tr("作废介绍信：第 {0} 号（{1}）").format(row.letter_no, row.name),
                         parent)
        self.ctx, self.row = ctx, row
        self.reason = self.add_line("cancel_reason", self.tr("作废原因"), required=True, max_length=200,
                                    placeholder=self.tr("如 转往党组织名称写错"))
        out = row.direction == "转出"
        self.reissue = QCheckBox(self.tr("作废后重开介绍信（新编号）"), self)
        self.reissue.setChecked(out)
        self.reissue.setEnabled(out)
        self.add_field("reissue", "", self.reissue)
        self.to_org = self.add_line("to_org", self.tr("转往党组织"), max_length=100)
        self.to_org.setText(row.to_org)
        self.to_org.setMinimumWidth(self.fontMetrics().horizontalAdvance("中") * ORG_NAME_EM)
        self.valid_days = _days(self, "valid_days", row.valid_days)
        self.reissue.toggled.connect(self._fit)
        self._fit()
        self.reason.setFocus()

    def _fit(self) -> None:
        on = self.reissue.isChecked()
        self.show_field("to_org", on)
        self.show_field("valid_days", on)

    def values(self) -> dict[str, Any]:
        return {"reason": self.reason.text(), "reissue": self.reissue.isChecked(), "to_org": self.to_org.text(),
                "valid_days": self.valid_days.value()}

    def save(self, values: dict[str, Any]) -> int | None:
        return self.ctx.call(transfers.cancel_letter, self.row.id, values["reason"], values["reissue"],
                             values["to_org"], values["valid_days"])
