"""The 党组织 dialogs: 新建/编辑 (dlg_org), 移到… (dlg_move_org), 撤销 (dlg_close_org, moving the members
first when some remain), and a one-date dialog for ending things (联建, 跨支部党员).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QComboBox, QLabel, QListWidget, QListWidgetItem, QWidget

from app.services.context import AppContext
from app.services.errors import FieldProblem, ValidationError
from app.services.org import org_changes
from app.services.org import tree as org
from app.services.org.org_changes import CloseCheck
from app.services.org.tree import BRANCH_KINDS, GROUP_KINDS, ORG_KINDS, OrgInput, OrgNode

from ..common.form import FormDialog, select_combo_data, set_combo_items

TOP = "（无，作为最上级组织）"
NOTE_STYLE = "color: #8a5a00;"
DATA = Qt.ItemDataRole.UserRole


def org_label(node: OrgNode) -> str:
    return "　" * node.depth + node.name


def kind_for_child(parent: OrgNode | None) -> str:
    """What a new org under `parent` usually is: 党支部 at the top or under a 党委/党总支, 党小组 under a branch."""
    if parent is None or parent.kind not in ("党支部", "联合党支部"):
        return "党支部"
    return "党小组"


def _note(dialog: FormDialog, name: str, text: str) -> QLabel:
    """A line of explanation across the form (what else the change does)."""
    label = QLabel(text, dialog)
    label.setObjectName(name)
    label.setWordWrap(True)
    label.setStyleSheet(NOTE_STYLE)
    dialog.grid.addWidget(label, dialog.grid.rowCount(), 0, 1, 3)
    dialog._row = dialog.grid.rowCount()
    return label


class OrgDialog(FormDialog):
    """新建党组织 / 编辑党组织. result_value is the org's id. The parent is chosen here only when creating;
    an existing org moves with 「移到…」 (or by dragging it in the tree)."""

    def __init__(self, ctx: AppContext, unit_id: int, nodes: Sequence[OrgNode], org_id: int | None = None,
                 parent_id: int | None = None, parent: QWidget | None = None) -> None:
        super().__init__("dlg_org", self.tr("编辑党组织") if org_id else self.tr("新建党组织"), parent)
        self.ctx, self.unit_id, self.org_id = ctx, unit_id, org_id
        self.nodes = {n.id: n for n in nodes}
        self.edit_name = self.add_line("name", self.tr("组织名称"), required=True, max_length=80,
                                       placeholder=self.tr("如 某某村党支部、第一党小组"))
        self.combo_kind = self.add_combo("kind", self.tr("组织类别"), list(ORG_KINDS), required=True)
        parents = [(org_label(n), n.id) for n in nodes if not n.closed and n.kind not in GROUP_KINDS]
        self.combo_parent = self.add_combo("parent", self.tr("上级组织"), parents, blank=self.tr(TOP),
                                           service_field="parent_id")
        self.edit_code = self.add_line("code", self.tr("组织代码"), max_length=30, placeholder=self.tr("可不填"))
        self.edit_established = self.add_date("established_on", self.tr("成立日期"))
        self.edit_note = self.add_text("note", self.tr("备注"))
        self.loaded: OrgInput | None = None
        if org_id is not None:
            self.loaded = ctx.call(org.org_input, org_id)
            self.edit_name.setText(self.loaded.name)
            select_combo_data(self.combo_kind, self.loaded.kind)
            select_combo_data(self.combo_parent, self.loaded.parent_id)
            self.combo_parent.setEnabled(False)
            self.combo_parent.setToolTip(self.tr("调整隶属关系请用“移到…”，或在左侧树中拖动"))
            self.edit_code.setText(self.loaded.code)
            self.edit_established.set_date(self.loaded.established_on)
            self.edit_note.setPlainText(self.loaded.note)
        else:
            select_combo_data(self.combo_parent, parent_id)
            select_combo_data(self.combo_kind, kind_for_child(self.nodes.get(parent_id) if parent_id else None))
        self.edit_name.setFocus()

    def values(self) -> dict[str, Any]:
        problems: list[FieldProblem] = []
        established = self.date_value("established_on", problems)
        if problems:
            raise ValidationError(problems)
        return {
            "name": self.edit_name.text(), "kind": self.combo_kind.currentData() or "",
            "parent_id": self.combo_parent.currentData(), "code": self.edit_code.text(),
            "established_on": established, "note": self.edit_note.toPlainText(),
        }

    def save(self, values: dict[str, Any]) -> int:
        if self.org_id is None:
            return self.ctx.call(org.create_org, self.unit_id, OrgInput(**values))
        assert self.loaded is not None
        values.update(parent_id=self.loaded.parent_id, sort_order=self.loaded.sort_order)
        self.ctx.call(org.update_org, self.org_id, OrgInput(**values))
        return self.org_id


class MoveOrgDialog(FormDialog):
    """移到…: the orgs that may hold this one (the service's parent_choices); result_value is the new parent."""

    def __init__(self, ctx: AppContext, node: OrgNode, parent: QWidget | None = None) -> None:
        super().__init__("dlg_move_org", self.tr("移到…"), parent)
        self.ctx, self.node = ctx, node
        _note(self, "lbl_move_what", self.tr("把“{0}”（{1}）移到：").format(node.name, node.kind))
        self.list_parents = QListWidget(self)
        self.list_parents.setMinimumHeight(self.fontMetrics().height() * 10)
        self.add_field("parent", self.tr("新的上级组织"), self.list_parents, required=True, service_field="parent_id")
        if node.kind not in GROUP_KINDS and node.parent_id is not None:
            QListWidgetItem(self.tr(TOP), self.list_parents).setData(DATA, None)
        for n in ctx.call(org.parent_choices, node.id):
            item = QListWidgetItem(f"{org_label(n)}（{n.kind}）", self.list_parents)
            item.setData(DATA, n.id)
        if node.kind in GROUP_KINDS and node.own_member_count:
            _note(self, "lbl_move_members",
                  self.tr("该党小组的党员将随之改到新的上级支部（记入操作日志）。"))
        self.list_parents.itemDoubleClicked.connect(lambda _i: self.on_save())
        self.btn_save.setText(self.tr("移动"))
        self.list_parents.setFocus()

    def choose(self, parent_id: int | None) -> bool:
        for i in range(self.list_parents.count()):
            if self.list_parents.item(i).data(DATA) == parent_id:
                self.list_parents.setCurrentRow(i)
                return True
        return False

    def values(self) -> dict[str, Any]:
        item = self.list_parents.currentItem()
        if item is None:
            raise ValidationError([FieldProblem("parent", self.labels["parent"], self.tr("请选择新的上级组织"))])
        return {"parent_id": item.data(DATA)}

    def save(self, values: dict[str, Any]) -> Any:
        self.ctx.call(org.move_org, self.node.id, values["parent_id"])
        return values["parent_id"]


class CloseOrgDialog(FormDialog):
    """撤销: date and reason. When members remain, they are moved first to the chosen 支部 (and 党小组), and
    the orgs under this one close with it: all in one transaction. result_value: how many members moved."""

    def __init__(self, ctx: AppContext, node: OrgNode, nodes: Sequence[OrgNode], check: CloseCheck,
                 parent: QWidget | None = None) -> None:
        super().__init__("dlg_close_org", self.tr("撤销党组织"), parent)
        self.ctx, self.node, self.check = ctx, node, check
        self.nodes = list(nodes)
        leaving = self._subtree(node.id)
        _note(self, "lbl_close_what", self.tr("撤销“{0}”（{1}）。撤销后组织记录保留，在树中勾选“显示已撤销”可见。")
              .format(node.name, node.kind))
        if check.open_below:
            _note(self, "lbl_close_below", self.tr("其下级组织将一并撤销：{0}").format("、".join(check.open_below)))
        self.combo_branch: QComboBox | None = None
        self.combo_group: QComboBox | None = None
        if check.members:
            _note(self, "lbl_close_members", self.tr(
                "该组织还有 {0} 名党员（含入党申请人等），撤销前将把他们全部调整到：").format(check.members))
            branches = [(org_label(n), n.id) for n in self.nodes
                        if n.kind in BRANCH_KINDS and not n.closed and n.id not in leaving]
            self.combo_branch = self.add_combo("branch", self.tr("调整到支部"), branches, required=True, blank="",
                                               service_field="branch_id")
            self.combo_group = self.add_combo("group", self.tr("党小组"), [], blank=self.tr("（不编入党小组）"),
                                              service_field="group_id")
            self.combo_branch.currentIndexChanged.connect(self._fill_groups)
        self.edit_on = self.add_date("closed_on", self.tr("撤销日期"), required=True)
        self.edit_on.set_date(date.today())
        self.edit_reason = self.add_line("close_reason", self.tr("撤销原因"), required=True, max_length=200,
                                         placeholder=self.tr("如 支部合并、村庄撤并"))
        self.btn_save.setText(self.tr("撤销"))

    def _subtree(self, org_id: int) -> set[int]:
        out, todo = set(), [org_id]
        while todo:
            current = todo.pop()
            out.add(current)
            todo.extend(n.id for n in self.nodes if n.parent_id == current)
        return out

    def _fill_groups(self) -> None:
        assert self.combo_branch is not None and self.combo_group is not None
        branch = self.combo_branch.currentData()
        below = self._subtree(branch) if branch is not None else set()
        set_combo_items(self.combo_group, [(n.name, n.id) for n in self.nodes
                                           if n.kind in GROUP_KINDS and n.id in below and not n.closed
                                           and n.id not in self._subtree(self.node.id)], keep_first=True)

    def values(self) -> dict[str, Any]:
        problems: list[FieldProblem] = []
        on = self.date_value("closed_on", problems)
        if problems:
            raise ValidationError(problems)
        return {
            "on": on, "reason": self.edit_reason.text(),
            "branch_id": self.combo_branch.currentData() if self.combo_branch is not None else None,
            "group_id": self.combo_group.currentData() if self.combo_group is not None else None,
        }

    def save(self, values: dict[str, Any]) -> int:
        return self.ctx.call(org_changes.close_moving_members, self.node.id, values["on"], values["reason"],
                             values["branch_id"], values["group_id"])


class EndDateDialog(FormDialog):
    """Ending something on a date (a 联建, a member's taking part): `end(on)` calls the service."""

    def __init__(self, object_name: str, title: str, what: str, label: str, end: Callable[[date | None], None],
                 parent: QWidget | None = None) -> None:
        super().__init__(object_name, title, parent)
        self._end = end
        _note(self, "lbl_end_what", what)
        self.edit_on = self.add_date("until", label, required=True)
        self.edit_on.set_date(date.today())
        self.btn_save.setText(self.tr("结束"))
        self.edit_on.setFocus()

    def values(self) -> dict[str, Any]:
        problems: list[FieldProblem] = []
        on = self.date_value("until", problems)
        if problems:
            raise ValidationError(problems)
        return {"on": on}

    def save(self, values: dict[str, Any]) -> date | None:
        self._end(values["on"])
        return values["on"]
