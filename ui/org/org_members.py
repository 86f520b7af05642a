"""Members of other branches taking part in a 功能型党小组 or 联合党支部 (dlg_org_members): the list with
history, 添加 (found by 姓名 or 拼音首字母 with the shared SearchPicker) and 结束 with a date."""

from __future__ import annotations

from datetime import date
from typing import Any

from PySide6.QtWidgets import QDialog, QWidget

from app.services.context import AppContext
from app.services.errors import FieldProblem, ValidationError
from app.services.org import memberships
from app.services.org.memberships import MemberChoice, OrgMemberRow
from app.services.org.tree import OrgNode

from ..common.form import FormDialog
from ..common.search_picker import SearchPicker
from .dated_list import DatedListDialog
from .org_dialogs import EndDateDialog


class AddOrgMemberDialog(FormDialog):
    """result_value is the new participation's id."""

    def __init__(self, ctx: AppContext, node: OrgNode, parent: QWidget | None = None) -> None:
        super().__init__("dlg_add_org_member", self.tr("添加其他支部的党员"), parent)
        self.ctx, self.node = ctx, node
        self.picker = SearchPicker("org_member", self._find, self.tr("姓名或拼音首字母（如 zs）"), self)
        self.add_field("member", self.tr("党员"), self.picker, required=True, service_field="member_id")
        self.picker.setMinimumWidth(self.fontMetrics().horizontalAdvance("中") * 24)
        self.edit_since = self.add_date("since", self.tr("参加日期"), required=True)
        self.edit_since.set_date(date.today())
        self.edit_note = self.add_line("note", self.tr("备注"), max_length=200, placeholder=self.tr("如 负责的工作"))
        self.btn_save.setText(self.tr("添加"))
        self.picker.setFocus()

    def _find(self, text: str) -> list[tuple[str, object]]:
        found: list[MemberChoice] = self.ctx.call(memberships.find_members, self.node.id, text)
        return [(c.label, c) for c in found]

    def values(self) -> dict[str, Any]:
        problems: list[FieldProblem] = []
        since = self.date_value("since", problems)
        if problems:
            raise ValidationError(problems)
        choice = self.picker.value
        return {"member_id": choice.id if isinstance(choice, MemberChoice) else None, "since": since,
                "note": self.edit_note.text()}

    def save(self, values: dict[str, Any]) -> int:
        return self.ctx.call(memberships.add_org_member, self.node.id, values["member_id"], values["since"],
                             values["note"])


class OrgMembersDialog(DatedListDialog):
    headers = ("姓名", "所在支部", "参加日期", "结束日期", "备注")

    def __init__(self, ctx: AppContext, node: OrgNode, parent: QWidget | None = None) -> None:
        self.node = node
        super().__init__(ctx, "org_members", self.tr("跨支部党员"), self.tr(
            "参加 {0} 的其他支部党员。他们的所在支部不变；名册选中本组织时一并列出。").format(node.name),
            self.tr("添加党员"), self.tr("结束参加"), parent)
        self.btn_add.setEnabled(not node.closed)
        self.refresh()

    def load(self, include_ended: bool) -> list[OrgMemberRow]:
        return self.ctx.call(memberships.list_org_members, self.node.id, include_ended)

    def cells(self, row: OrgMemberRow) -> list[object]:
        return [row.name, row.branch_name, row.since, row.until, row.note]

    def add(self) -> bool:
        return AddOrgMemberDialog(self.ctx, self.node, self).exec() == QDialog.DialogCode.Accepted

    def end(self, row: OrgMemberRow) -> bool:
        dialog = EndDateDialog("dlg_end_org_member", self.tr("结束参加"),
                               self.tr("{0} 不再参加 {1}").format(row.name, self.node.name), self.tr("结束日期"),
                               lambda on: self.ctx.call(memberships.end_org_member, row.id, on), self)
        return dialog.exec() == QDialog.DialogCode.Accepted
