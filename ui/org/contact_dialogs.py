"""党员联系户 dialogs: a household for a member (dlg_contact, from the member's panel), a member for a household
(dlg_household_contact, from the household's panel and the 联系户覆盖 gap list), and ending a link
(dlg_end_contact). Households and members are found by typing (拼音首字母, 户号, 姓名)."""

from __future__ import annotations

from datetime import date
from typing import Any

from PySide6.QtWidgets import QDialog, QLabel, QWidget

from app.services.context import AppContext
from app.services.errors import FieldProblem, ValidationError
from app.services.org import member_posts, members
from app.services.org.members import MemberDetail, MemberQuery
from app.services.people import households
from app.services.people.households import HouseholdQuery

from ..common.form import FormDialog
from ..common.search_picker import SearchPicker
from ..errors import user_errors

PICK_LIMIT = 10
PICK_WIDTH_EM = 24  # a match (户号 户主 门牌, or 姓名 支部 电话) shows whole in the list under the field


def household_label(number: str, head_name: str | None, address: str) -> str:
    return " ".join(x for x in (number, head_name or "", address) if x)


class _ContactForm(FormDialog):
    """Shared: the 开始日期 (today) and a note; the subclass adds who or which household."""

    def add_since_and_note(self) -> None:
        self.since = self.add_date("since", self.tr("开始日期"), required=True)
        self.since.set_date(date.today())
        self.note = self.add_line("note", self.tr("备注"))

    def dated(self, problems: list[FieldProblem], picked: str, value: object, missing: str) -> dict[str, Any]:
        since = self.date_value("since", problems)
        if value is None:
            problems.append(FieldProblem(picked, self.labels[picked], missing))
        if problems:
            raise ValidationError(problems)
        return {"since": since, "note": self.note.text()}


class ContactDialog(_ContactForm):
    """From the member's panel: which household the member looks after, from when."""

    def __init__(self, ctx: AppContext, unit_id: int, detail: MemberDetail, band: tuple[int, int] | None,
                 parent: QWidget | None = None) -> None:
        super().__init__("dlg_contact", self.tr("安排联系户：{0}").format(detail.row.name), parent)
        self.ctx, self.unit_id, self.member_id = ctx, unit_id, detail.row.id
        current = sum(1 for c in detail.contacts if c.until is None)
        text = self.tr("{0} 现联系 {1} 户").format(detail.row.name, current)
        if band is not None:
            text += self.tr("（每名党员联系 {0}–{1} 户）").format(*band)
        self.add_section(text)
        self.household = SearchPicker("contact_household", self._find, self.tr("户主姓名、拼音首字母或户号"), self)
        self.add_field("household", self.tr("联系户"), self.household, required=True, service_field="household_id")
        self.household.setMinimumWidth(self.fontMetrics().horizontalAdvance("中") * PICK_WIDTH_EM)
        self.add_since_and_note()
        self.household.setFocus()

    def _find(self, text: str) -> list[tuple[str, object]]:
        rows = self.ctx.call(households.list_households, HouseholdQuery(self.unit_id, text=text), 0, PICK_LIMIT)
        return [(household_label(h.number, h.head_name, h.address), h.id) for h in rows]

    def values(self) -> dict[str, Any]:
        value = self.household.value
        out = self.dated([], "household", value, self.tr("请输入户主姓名或户号，并在列表中选中"))
        return {"household_id": value, **out}

    def save(self, values: dict[str, Any]) -> int:
        return self.ctx.call(member_posts.add_contact, self.member_id, values["household_id"], values["since"],
                             values["note"])


class HouseholdContactDialog(_ContactForm):
    """From a household (its panel, or a gap in 联系户覆盖): which member looks after it, from when."""

    def __init__(self, ctx: AppContext, unit_id: int, household_id: int, parent: QWidget | None = None) -> None:
        h = ctx.call(households.get_household, household_id)
        label = household_label(h.number, h.head_name, h.address)
        super().__init__("dlg_household_contact", self.tr("指定联系党员：{0}").format(label), parent)
        self.ctx, self.unit_id, self.household_id = ctx, unit_id, household_id
        current = ctx.call(member_posts.household_contacts, household_id)
        names = "、".join(c.name for c in current) or self.tr("无")
        self.current = QLabel(self.tr("现在的联系党员：{0}").format(names), self)
        self.current.setObjectName("label_household_contacts")
        self.grid.addWidget(self.current, self._row, 0, 1, 3)
        self._row += 1
        self.member = SearchPicker("contact_member", self._find, self.tr("党员姓名或拼音首字母"), self)
        self.add_field("member", self.tr("联系党员"), self.member, required=True, service_field="member_id")
        self.member.setMinimumWidth(self.fontMetrics().horizontalAdvance("中") * PICK_WIDTH_EM)
        self.add_since_and_note()
        self.member.setFocus()

    def _find(self, text: str) -> list[tuple[str, object]]:
        rows = self.ctx.call(members.list_members, MemberQuery(self.unit_id, stage="members", text=text), 0, PICK_LIMIT)
        return [(f"{r.name}　{r.org_name}" + (f"　{r.phone}" if r.phone else ""), r.id) for r in rows]

    def values(self) -> dict[str, Any]:
        value = self.member.value
        out = self.dated([], "member", value, self.tr("请输入党员姓名，并在列表中选中"))
        return {"member_id": value, **out}

    def save(self, values: dict[str, Any]) -> int:
        return self.ctx.call(member_posts.add_contact, values["member_id"], self.household_id, values["since"],
                             values["note"])


class EndContactDialog(FormDialog):
    """结束联系户: one of the member's current households, and the 结束日期."""

    def __init__(self, ctx: AppContext, detail: MemberDetail, parent: QWidget | None = None) -> None:
        super().__init__("dlg_end_contact", self.tr("结束联系户：{0}").format(detail.row.name), parent)
        self.ctx = ctx
        items = [(f"{household_label(c.household_number, c.head_name, c.address)}（{c.since.isoformat()} 起）", c.id)
                 for c in detail.contacts if c.until is None]
        self.contact = self.add_combo("contact_id", self.tr("联系户"), items, required=True)
        self.until = self.add_date("until", self.tr("结束日期"), required=True)
        self.until.set_date(date.today())
        self.until.setFocus()

    def values(self) -> dict[str, Any]:
        problems: list[FieldProblem] = []
        on = self.date_value("until", problems)
        if self.contact.currentData() is None:
            problems.append(FieldProblem("contact_id", self.labels["contact_id"], self.tr("请选择联系户")))
        if problems:
            raise ValidationError(problems)
        return {"contact_id": self.contact.currentData(), "until": on}

    def save(self, values: dict[str, Any]) -> int:
        self.ctx.call(member_posts.end_contact, values["contact_id"], values["until"])
        contact_id: int = values["contact_id"]
        return contact_id


def assign_household_contact(parent: QWidget, ctx: AppContext, unit_id: int, household_id: int) -> bool:
    """「指定联系党员」 for one household (the 居民与户 page, the map's gap list): True when a link was saved.
    The caller announces the change ("member": the org, grid and people pages watch it)."""
    with user_errors(parent):
        dialog = HouseholdContactDialog(ctx, unit_id, household_id, parent)
        return dialog.exec() == QDialog.DialogCode.Accepted
    return False
