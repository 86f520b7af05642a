"""联建单位 of a 党组织 (村村/村企/村校/村社/其他): the list with history, 添加 and 结束联建 (dlg_org_partners)."""

from __future__ import annotations

from datetime import date
from typing import Any

from PySide6.QtWidgets import QDialog, QWidget

from app.services.context import AppContext
from app.services.errors import FieldProblem, ValidationError
from app.services.org import tree as org
from app.services.org.tree import PARTNER_KINDS, OrgNode, PartnerRow

from ..common.form import FormDialog
from .dated_list import DatedListDialog
from .org_dialogs import EndDateDialog


class AddPartnerDialog(FormDialog):
    """登记联建单位; result_value is the new partner's id."""

    def __init__(self, ctx: AppContext, node: OrgNode, parent: QWidget | None = None) -> None:
        super().__init__("dlg_add_partner", self.tr("登记联建单位"), parent)
        self.ctx, self.node = ctx, node
        self.edit_name = self.add_line("name", self.tr("联建单位"), required=True, max_length=80,
                                       placeholder=self.tr("如 某某村党支部、某某公司党支部"))
        self.combo_kind = self.add_combo("kind", self.tr("联建类型"), list(PARTNER_KINDS), required=True)
        self.edit_since = self.add_date("since", self.tr("开始日期"), required=True)
        self.edit_since.set_date(date.today())
        self.edit_note = self.add_line("note", self.tr("备注"), max_length=200, placeholder=self.tr("如 共建内容"))
        self.btn_save.setText(self.tr("登记"))
        self.edit_name.setFocus()

    def values(self) -> dict[str, Any]:
        problems: list[FieldProblem] = []
        since = self.date_value("since", problems)
        if since is None and not problems:
            problems.append(FieldProblem("since", self.labels["since"], self.tr("请填写开始日期")))
        if problems:
            raise ValidationError(problems)
        return {"name": self.edit_name.text(), "kind": self.combo_kind.currentData() or "", "since": since,
                "note": self.edit_note.text()}

    def save(self, values: dict[str, Any]) -> int:
        return self.ctx.call(org.add_partner, self.node.id, values["name"], values["kind"], values["since"],
                             values["note"])


class PartnersDialog(DatedListDialog):
    headers = ("联建单位", "类型", "开始日期", "结束日期", "备注")

    def __init__(self, ctx: AppContext, node: OrgNode, parent: QWidget | None = None) -> None:
        self.node = node
        super().__init__(ctx, "org_partners", self.tr("联建单位"),
                         self.tr("{0} 的联建单位（村村、村企、村校、村社共建）").format(node.name),
                         self.tr("登记联建单位"), self.tr("结束联建"), parent)
        self.btn_add.setEnabled(not node.closed)
        self.refresh()

    def load(self, include_ended: bool) -> list[PartnerRow]:
        return self.ctx.call(org.list_partners, self.node.id, include_ended)

    def cells(self, row: PartnerRow) -> list[object]:
        return [row.name, row.kind, row.since, row.until, row.note]

    def add(self) -> bool:
        return AddPartnerDialog(self.ctx, self.node, self).exec() == QDialog.DialogCode.Accepted

    def end(self, row: PartnerRow) -> bool:
        dialog = EndDateDialog("dlg_end_partner", self.tr("结束联建"),
                               self.tr("{0} 与 {1} 的联建（{2}）").format(self.node.name, row.name, row.kind),
                               self.tr("结束日期"), lambda on: self.ctx.call(org.end_partner, row.id, on), self)
        return dialog.exec() == QDialog.DialogCode.Accepted
