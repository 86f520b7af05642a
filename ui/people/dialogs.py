"""居民 and 户 dialogs: add or edit; the service checks, problems appear beside the fields."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QListWidget, QListWidgetItem, QWidget

from app.services.context import AppContext
from app.services.errors import FieldProblem, ServiceError, ValidationError
from app.services.people import households
from app.services.people import residents as people
from app.services.people.households import HouseholdInput, HouseholdQuery
from app.services.people.residents import RELATIONS, ResidentInput

from ..common.form import FormDialog, NoMatch, combo_choice, searchable, select_combo_data
from ..common.person_fields import PersonFields

MAX_HOUSEHOLD_CHOICES = 20_000


def household_choices(ctx: AppContext, unit_id: int) -> list[tuple[str, object]]:
    """(text, household id) for every open household: 户号 户主 门牌, in 户号 order."""
    rows = ctx.call(households.list_households, HouseholdQuery(unit_id, order_by="number"), 0, MAX_HOUSEHOLD_CHOICES)
    out: list[tuple[str, object]] = []
    for h in rows:
        parts = [h.number, h.head_name or "", h.address]
        out.append(("  ".join(p for p in parts if p), h.id))
    return out


class ResidentDialog(FormDialog):
    """新增居民 / 编辑居民 (dlg_resident)."""

    def __init__(
        self,
        ctx: AppContext,
        unit_id: int,
        resident_id: int | None = None,
        household_id: int | None = None,
        parent: QWidget | None = None,
    ) -> None:
        title = self.tr("编辑居民") if resident_id else self.tr("新增居民")
        super().__init__("dlg_resident", title, parent)
        self.ctx = ctx
        self.unit_id = unit_id
        self.resident_id = resident_id

        self.add_section(self.tr("基本信息"))
        self.person = PersonFields(self)
        self.add_section(self.tr("所属户"))
        self.household = self.add_combo(
            "household", self.tr("所属户"), household_choices(ctx, unit_id), blank="", service_field="household_id"
        )
        searchable(self.household)
        self.household.lineEdit().setPlaceholderText(self.tr("输入户号或户主姓名"))
        self.relation = self.add_combo("relation", self.tr("与户主关系"), list(RELATIONS), blank="")
        self.note = self.add_text("note", self.tr("备注"))

        self._version: int | None = None  # as shown: a save over another client's change is refused
        if resident_id is not None:
            self._version = ctx.call(people.get_resident, resident_id).version
            self.load(ctx.call(people.resident_input, resident_id))
        elif household_id is not None:
            select_combo_data(self.household, household_id)
        self.person.name.setFocus()

    def load(self, data: ResidentInput) -> None:
        self.person.load(data)
        if data.household_id is None:
            self.household.setCurrentIndex(0)
        else:
            select_combo_data(self.household, data.household_id)
        select_combo_data(self.relation, data.relation or None)
        self.note.setPlainText(data.note)

    def values(self) -> dict[str, Any]:
        problems: list[FieldProblem] = []
        person = self.person.values(problems)
        household = combo_choice(self.household)
        if isinstance(household, NoMatch):
            problems.append(
                FieldProblem("household", "所属户", self.tr("没有找到“{0}”，请从列表中选择").format(household.text))
            )
            household = None
        values = {
            **person,
            "household_id": household,
            "relation": self.relation.currentData() or "",
            "note": self.note.toPlainText(),
        }
        if problems:
            known = {p.field for p in problems}
            if "household" in known:  # a 户 not found: 「请先选择所属户」 under 与户主关系 would say it twice
                known.add("relation")
            raise ValidationError(problems + self._service_problems(values, known))
        return values

    def _service_problems(self, values: dict[str, Any], known: set[str]) -> list[FieldProblem]:
        """What 保存 would also refuse in the fields the form could read, so every problem shows at once."""
        try:
            self.ctx.call(people.check_resident, self.unit_id, ResidentInput(**values), self.resident_id)
        except ValidationError as e:
            return [p for p in e.problems if self.aliases.get(p.field, p.field) not in known]
        except ServiceError:
            pass  # anything else 保存 itself will say once the form's own problems are put right
        return []

    def save(self, values: dict[str, Any]) -> int:
        data = ResidentInput(**values)
        if self.resident_id is None:
            return self.ctx.call(people.add_resident, self.unit_id, data)
        self.ctx.call(people.update_resident, self.resident_id, data, expected_version=self._version)
        return self.resident_id


class HouseholdDialog(FormDialog):
    """新增户 / 编辑户 (dlg_household).

    place: a new household put down on the map (新增户 from the map's right-click): x, y, the grid there (or
    None) and the line that says where it goes; saving puts it on the map there.
    """

    def __init__(
        self, ctx: AppContext, unit_id: int, household_id: int | None = None, parent: QWidget | None = None,
        place: tuple[float, float, int | None, str] | None = None,
    ) -> None:
        title = self.tr("编辑户") if household_id else self.tr("新增户")
        super().__init__("dlg_household", title, parent)
        self.ctx = ctx
        self.unit_id = unit_id
        self.household_id = household_id
        self._keep: HouseholdInput | None = None
        self._place = place

        self.number = self.add_line("number", self.tr("户号"), required=True, max_length=30)
        if place is not None:
            where = QLabel(place[3], self)
            where.setWordWrap(True)
            self.add_field("map_place", self.tr("地图位置"), where)
        self.address = self.add_line("address", self.tr("门牌/住址"), max_length=120)
        self.tags = QListWidget(self)
        self.tags.setMaximumHeight(self.fontMetrics().height() * 6)
        for tag in ctx.call(households.list_tags, unit_id):
            item = QListWidgetItem(tag.name, self.tags)
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            item.setCheckState(Qt.CheckState.Unchecked)
        self.add_field("tag_names", self.tr("标签"), self.tags)
        self.note = self.add_text("note", self.tr("备注"))

        self._version: int | None = None  # as shown: a save over another client's change is refused
        if household_id is not None:
            self._version = ctx.call(households.get_household, household_id).version
            data = ctx.call(households.household_input, household_id)
            self._keep = data
            self.number.setText(data.number)
            self.address.setText(data.address)
            self.note.setPlainText(data.note)
            for i in range(self.tags.count()):
                item = self.tags.item(i)
                if item.text() in data.tag_names:
                    item.setCheckState(Qt.CheckState.Checked)
        self.number.setFocus()

    def values(self) -> dict[str, Any]:
        tags = [
            self.tags.item(i).text()
            for i in range(self.tags.count())
            if self.tags.item(i).checkState() == Qt.CheckState.Checked
        ]
        keep = self._keep
        if self._place is not None:
            keep = HouseholdInput("", grid_id=self._place[2], map_x=self._place[0], map_y=self._place[1])
        return {
            "number": self.number.text(),
            "address": self.address.text(),
            "note": self.note.toPlainText(),
            "tag_names": tags,
            "grid_id": keep.grid_id if keep else None,  # moved on the grid page, kept here
            "map_x": keep.map_x if keep else None,
            "map_y": keep.map_y if keep else None,
        }

    def save(self, values: dict[str, Any]) -> int:
        data = HouseholdInput(**values)
        if self.household_id is None:
            return self.ctx.call(households.add_household, self.unit_id, data)
        self.ctx.call(households.update_household, self.household_id, data, expected_version=self._version)
        return self.household_id

