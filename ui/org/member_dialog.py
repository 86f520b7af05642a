"""新增党员 / 编辑党员 (dlg_member): the person, the organisation, the 发展党员 pipeline dates."""

from __future__ import annotations

from typing import Any

from PySide6.QtWidgets import QComboBox, QWidget

from app.services.context import AppContext
from app.services.errors import FieldProblem, ServiceError, ValidationError
from app.services.org import members
from app.services.org import tree as org
from app.services.org.member_checks import DATE_LABELS, MEMBER_TYPES, POINTS_CATEGORIES, STAGES, MemberInput
from app.services.org.tree import BRANCH_KINDS, GROUP_KINDS, OrgNode

from ..common.form import FormDialog, select_combo_data
from ..common.person_fields import PersonFields

NO_GROUP = "（不编入党小组）"


def org_label(node: OrgNode) -> str:
    return "　" * node.depth + node.name


class MemberDialog(FormDialog):
    def __init__(
        self,
        ctx: AppContext,
        unit_id: int,
        member_id: int | None = None,
        org_id: int | None = None,
        parent: QWidget | None = None,
    ) -> None:
        title = self.tr("编辑党员") if member_id else self.tr("新增党员")
        super().__init__("dlg_member", title, parent)
        self.ctx = ctx
        self.unit_id = unit_id
        self.member_id = member_id
        self.nodes = ctx.call(org.list_org_tree, unit_id)

        self.add_section(self.tr("个人信息"))
        self.person = PersonFields(
            self, id_required=True, id_tooltip=self.tr("已登记的居民按身份证号自动关联，不会重复登记")
        )
        self.add_section(self.tr("其他"))
        self.flow_out = self.add_line("flow_out_place", self.tr("流出地"), placeholder=self.tr("流动党员填写"))
        self.dual = self.add_line("dual_report_unit", self.tr("双报到单位"), placeholder=self.tr("在职党员填写"))
        self.note = self.add_text("note", self.tr("备注"))

        self.new_column()
        self.add_section(self.tr("组织关系"))
        branches = [(org_label(n), n.id) for n in self.nodes if n.kind in BRANCH_KINDS]
        self.org_combo = self.add_combo(
            "org", self.tr("所在支部"), branches, required=True, blank="", service_field="org_id"
        )
        self.group_combo = self.add_combo("group", self.tr("党小组"), [], blank=self.tr(NO_GROUP), service_field="group_id")
        self.org_combo.currentIndexChanged.connect(self._fill_groups)
        self.stage = self.add_combo("stage", self.tr("阶段"), list(reversed(STAGES)), required=True)
        self.member_type = self.add_combo("member_type", self.tr("党员类型"), list(MEMBER_TYPES), required=True)
        self.points_category = self.add_combo(
            "points_category", self.tr("积分类别"), list(POINTS_CATEGORIES), required=True
        )
        self.add_section(self.tr("发展党员各阶段日期"))
        self.dates = {key: self.add_date(key, self.tr(label)) for key, label in DATE_LABELS.items()}

        select_combo_data(self.points_category, "在职")
        self._version: int | None = None  # as shown: a save over another client's change is refused
        if member_id is not None:
            self._version = ctx.call(members.get_member, member_id).version
            self.load(ctx.call(members.member_input, member_id))
        elif org_id is not None:
            self._preselect_org(org_id)
        self.person.name.setFocus()

    # ---- org combos -----------------------------------------------------------------------------

    def _preselect_org(self, org_id: int) -> None:
        """The tree's selection: a branch, or a group (then its branch and the group)."""
        by_id = {n.id: n for n in self.nodes}
        node = by_id.get(org_id)
        if node is None:
            return
        if node.kind in GROUP_KINDS:
            parent = by_id.get(node.parent_id) if node.parent_id else None
            if parent is not None:
                select_combo_data(self.org_combo, parent.id)
                select_combo_data(self.group_combo, node.id)
        elif node.kind in BRANCH_KINDS:
            select_combo_data(self.org_combo, node.id)

    def _fill_groups(self) -> None:
        branch = self.org_combo.currentData()
        current = self.group_combo.currentData()
        combo: QComboBox = self.group_combo
        while combo.count() > 1:
            combo.removeItem(combo.count() - 1)
        if branch is None:
            return
        below = self._descendants(branch)
        for n in self.nodes:
            if n.kind in GROUP_KINDS and n.id in below:
                combo.addItem(n.name, n.id)
        select_combo_data(combo, current)

    def _descendants(self, org_id: int) -> set[int]:
        children: dict[int | None, list[int]] = {}
        for n in self.nodes:
            children.setdefault(n.parent_id, []).append(n.id)
        out, todo = set(), [org_id]
        while todo:
            current = todo.pop()
            out.add(current)
            todo.extend(children.get(current, []))
        return out

    # ---- data -----------------------------------------------------------------------------------

    def load(self, data: MemberInput) -> None:
        self.person.load(data)
        select_combo_data(self.org_combo, data.org_id)
        self._fill_groups()
        select_combo_data(self.group_combo, data.group_id)
        select_combo_data(self.stage, data.stage)
        select_combo_data(self.member_type, data.member_type)
        select_combo_data(self.points_category, data.points_category)
        for key, edit in self.dates.items():
            edit.set_date(getattr(data, key))
        self.flow_out.setText(data.flow_out_place)
        self.dual.setText(data.dual_report_unit)
        self.note.setPlainText(data.note)

    def values(self) -> dict[str, Any]:
        problems: list[FieldProblem] = []
        person = self.person.values(problems)
        dates = {key: self.date_value(key, problems) for key in self.dates}
        values = {
            **person,
            "org_id": self.org_combo.currentData(),
            "group_id": self.group_combo.currentData(),
            "stage": self.stage.currentData(),
            "member_type": self.member_type.currentData(),
            "points_category": self.points_category.currentData(),
            "flow_out_place": self.flow_out.text(),
            "dual_report_unit": self.dual.text(),
            "note": self.note.toPlainText(),
            **dates,
        }
        if problems:
            raise ValidationError(problems + self._service_problems(values, {p.field for p in problems}))
        return values

    def _service_problems(self, values: dict[str, Any], known: set[str]) -> list[FieldProblem]:
        """What 保存 would also refuse in the fields the form could read, so every problem shows at once."""
        try:
            self.ctx.call(members.check_member, self.unit_id, MemberInput(**values), self.member_id)
        except ValidationError as e:
            return [p for p in e.problems if self.aliases.get(p.field, p.field) not in known]
        except ServiceError:
            pass  # anything else 保存 itself will say once the form's own problems are put right
        return []

    def save(self, values: dict[str, Any]) -> int:
        data = MemberInput(**values)
        if self.member_id is None:
            return self.ctx.call(members.add_member, self.unit_id, data)
        self.ctx.call(members.update_member, self.member_id, data, expected_version=self._version)
        return self.member_id
