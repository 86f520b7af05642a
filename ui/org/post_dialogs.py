"""任职 (dlg_post) and 离任 (dlg_end_post) of the selected member: which post in which organisation, from when,
with a note such as a 委员's duties; ending one of their current posts on a date."""

from __future__ import annotations

from datetime import date
from typing import Any

from PySide6.QtWidgets import QWidget

from app.services.context import AppContext
from app.services.errors import FieldProblem, ValidationError
from app.services.org import member_posts
from app.services.org import tree as org
from app.services.org.member_posts import GROUP_LEADER, POSTS
from app.services.org.members import MemberDetail
from app.services.org.tree import GROUP_KINDS

from ..common.form import FormDialog, select_combo_data
from .member_dialog import org_label


class PostDialog(FormDialog):
    """任职: the post (书记, 委员 …, 党小组长), the organisation, the 任职日期, a note (分工)."""

    def __init__(self, ctx: AppContext, unit_id: int, detail: MemberDetail, parent: QWidget | None = None) -> None:
        super().__init__("dlg_post", self.tr("任职：{0}").format(detail.row.name), parent)
        self.ctx = ctx
        self.member = detail.row
        self.nodes = ctx.call(org.list_org_tree, unit_id)
        self.post = self.add_combo("post", self.tr("职务"), [(self.tr(p), p) for p in POSTS], required=True)
        self.org_combo = self.add_combo("org", self.tr("党组织"), [(org_label(n), n.id) for n in self.nodes],
                                        required=True, blank="", service_field="org_id")
        self.start = self.add_date("start_on", self.tr("任职日期"), required=True)
        self.start.set_date(date.today())
        self.note = self.add_line("note", self.tr("备注"), placeholder=self.tr("如委员分工：组织、宣传、纪检"))
        self.note.setMinimumWidth(self.fontMetrics().horizontalAdvance("中") * 16)  # the example shows whole
        self.post.currentIndexChanged.connect(self._suggest_org)
        self._suggest_org()
        self.post.setFocus()

    def _suggest_org(self) -> None:
        """A 党小组长 leads the member's own group; other posts are in the member's branch."""
        if self.post.currentData() == GROUP_LEADER and self.member.group_id is not None:
            select_combo_data(self.org_combo, self.member.group_id)
            return
        current = self.org_combo.currentData()
        kinds = {n.id: n.kind for n in self.nodes}
        if current is None or kinds.get(current) in GROUP_KINDS:
            select_combo_data(self.org_combo, self.member.org_id)

    def values(self) -> dict[str, Any]:
        problems: list[FieldProblem] = []
        start = self.date_value("start_on", problems)
        if problems:
            raise ValidationError(problems)
        return {"org_id": self.org_combo.currentData(), "post": self.post.currentData(), "start_on": start,
                "note": self.note.text()}

    def save(self, values: dict[str, Any]) -> int:
        return self.ctx.call(member_posts.add_post, self.member.id, values["org_id"], values["post"],
                             values["start_on"], values["note"])


class EndPostDialog(FormDialog):
    """离任: one of the member's current posts, and the 离任日期."""

    def __init__(self, ctx: AppContext, detail: MemberDetail, parent: QWidget | None = None) -> None:
        super().__init__("dlg_end_post", self.tr("离任：{0}").format(detail.row.name), parent)
        self.ctx = ctx
        current = [p for p in detail.posts if p.end_on is None]
        items = [(f"{p.org_name} {p.post}（{p.start_on.isoformat() if p.start_on else '—'} 起）", p.id) for p in current]
        self.post = self.add_combo("post_id", self.tr("职务"), items, required=True)
        self.end = self.add_date("end_on", self.tr("离任日期"), required=True)
        self.end.set_date(date.today())
        self.end.setFocus()

    def values(self) -> dict[str, Any]:
        problems: list[FieldProblem] = []
        on = self.date_value("end_on", problems)
        if self.post.currentData() is None:
            problems.append(FieldProblem("post_id", self.labels["post_id"], self.tr("请选择职务")))
        if problems:
            raise ValidationError(problems)
        return {"post_id": self.post.currentData(), "end_on": on}

    def save(self, values: dict[str, Any]) -> int:
        self.ctx.call(member_posts.end_post, values["post_id"], values["end_on"])
        post_id: int = values["post_id"]
        return post_id
