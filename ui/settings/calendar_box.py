"""设置 → 节假日与调休: the office's own days off and 调休 working days, beside what the program knows.

A 公示期 counted in working days skips 法定节假日 and weekends, and counts 调休 Saturdays/Sundays: the
program knows them from the `holidays` package once the State Council has published a year's schedule.
The office adds what the package does not know (a new year's schedule, a local day off, a 补班 day);
its own entry always wins. The 书记 and the 文书 keep this list; removing an entry is logged.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from PySide6.QtGui import QResizeEvent
from PySide6.QtWidgets import (
    QBoxLayout,
    QDialog,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QMessageBox,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from app.services import calendar
from app.services.calendar import OverrideRow
from app.services.context import AppContext
from app.services.errors import FieldProblem, ValidationError

from ..common.form import FormDialog
from ..common.list_editor import announce
from ..common.table_model import Column, LazyTableModel, list_source
from ..common.widgets import DataTable, InfoLabel
from ..errors import user_errors

CHANGE_KIND = "calendar"
WEEKDAYS = "一二三四五六日"


def weekday(d: date) -> str:
    return "星期" + WEEKDAYS[d.weekday()]


@dataclass(frozen=True)
class LibraryDay:
    day: date
    kind: str  # 放假 / 调休上班
    name: str


OVERRIDE_COLUMNS: list[Column[OverrideRow]] = [
    Column("日期", "day", width=6),
    Column("星期", lambda r: weekday(r.day), width=4),
    Column("设为", lambda r: "上班（补班）" if r.is_workday else "休息", width=5),
    Column("说明", "note", width=12),
]
LIBRARY_COLUMNS: list[Column[LibraryDay]] = [
    Column("日期", "day", width=6),
    Column("星期", lambda r: weekday(r.day), width=4),
    Column("类别", "kind", width=5),
    Column("名称", "name", width=10),
]


def library_days(year: int) -> list[LibraryDay]:
    """The holidays package's days off and 调休 working days of a year, in date order."""
    days = [LibraryDay(d, "放假", name) for d, name in calendar.public_holidays(year).items()]
    days += [LibraryDay(d, "调休上班", "调休上班日") for d in calendar.weekend_workdays(year)]
    return sorted(days, key=lambda r: r.day)


class OverrideDialog(FormDialog):
    """dlg_calendar_override: field_day, field_is_workday, field_note."""

    def __init__(self, ctx: AppContext, unit_id: int, year: int, parent: QWidget | None = None) -> None:
        super().__init__("dlg_calendar_override", self.tr("添加本村日期设置"), parent)
        self.ctx, self.unit_id = ctx, unit_id
        self.edit_day = self.add_date("day", self.tr("日期"), True)
        self.edit_day.setPlaceholderText(self.tr("如 {0}-10-08").format(year))
        self.combo_workday = self.add_combo("is_workday", self.tr("这一天"), [
            (self.tr("休息（放假）"), False), (self.tr("上班（调休补班）"), True)], True)
        self.edit_note = self.add_line("note", self.tr("说明"), False, self.tr("如 国务院办公厅通知"), 200)

    def values(self) -> dict[str, Any]:
        problems: list[FieldProblem] = []
        day = self.date_value("day", problems)
        if day is None and not problems:
            problems.append(FieldProblem("day", self.tr("日期"), self.tr("请填写日期")))
        if problems:
            raise ValidationError(problems)
        return {"day": day, "is_workday": bool(self.combo_workday.currentData()), "note": self.edit_note.text()}

    def save(self, values: dict[str, Any]) -> int:
        return self.ctx.call(calendar.set_override, self.unit_id, values["day"], values["is_workday"], values["note"])


class CalendarBox(QGroupBox):
    """box_calendar: spin_calendar_year, table_calendar_overrides (+ btn_add_override, btn_remove_override),
    table_calendar_library (what the program knows)."""

    def __init__(self, ctx: AppContext, unit_id: int, editable: bool, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("box_calendar")
        self.setTitle(self.tr("节假日与调休（公示期按工作日计算时使用）"))
        self.ctx, self.unit_id, self.editable = ctx, unit_id, editable
        layout = QVBoxLayout(self)
        self.intro = QLabel(self)
        self.intro.setObjectName("label_calendar_intro")
        self.intro.setWordWrap(True)
        layout.addWidget(self.intro)
        top = QHBoxLayout()
        top.addWidget(QLabel(self.tr("年份："), self))
        self.spin_year = QSpinBox(self)
        self.spin_year.setObjectName("spin_calendar_year")
        self.spin_year.setRange(2000, 2100)
        self.spin_year.setValue(date.today().year)
        top.addWidget(self.spin_year)
        top.addStretch(1)
        layout.addLayout(top)

        # side by side where both tables show every column; one above the other where not (larger font)
        self.lists = lists = QBoxLayout(QBoxLayout.Direction.LeftToRight)
        own = QGroupBox(self.tr("本村设置的日期"), self)
        own_layout = QVBoxLayout(own)
        self.table_overrides = DataTable("table_calendar_overrides", own)
        count, page = list_source(lambda: self.ctx.call(calendar.list_overrides, self.unit_id, self.spin_year.value()))
        self.overrides_model: LazyTableModel[OverrideRow] = LazyTableModel(OVERRIDE_COLUMNS, count, page, parent=self)
        self.table_overrides.setModel(self.overrides_model)
        self.table_overrides.setSortingEnabled(False)
        self.table_overrides.setMinimumHeight(self.fontMetrics().height() * 10)
        own_layout.addWidget(self.table_overrides)
        bar = QHBoxLayout()
        self.btn_add = QPushButton(self.tr("添加日期…"), own)
        self.btn_add.setObjectName("btn_add_override")
        self.btn_remove = QPushButton(self.tr("取消所选设置"), own)
        self.btn_remove.setObjectName("btn_remove_override")
        bar.addWidget(self.btn_add)
        bar.addWidget(self.btn_remove)
        bar.addStretch(1)
        own_layout.addLayout(bar)
        lists.addWidget(own, 1)

        known = QGroupBox(self.tr("程序已知的节假日和调休"), self)
        known_layout = QVBoxLayout(known)
        self.table_library = DataTable("table_calendar_library", known)
        count, page = list_source(lambda: library_days(self.spin_year.value()))
        self.library_model: LazyTableModel[LibraryDay] = LazyTableModel(LIBRARY_COLUMNS, count, page, parent=self)
        self.table_library.setModel(self.library_model)
        self.table_library.setSortingEnabled(False)
        self.table_library.setMinimumHeight(self.fontMetrics().height() * 10)
        known_layout.addWidget(self.table_library)
        lists.addWidget(known, 1)
        layout.addLayout(lists)
        self._show_sides()
        self.info = InfoLabel("info_calendar", self)
        self.info.setWordWrap(True)
        layout.addWidget(self.info)

        for w in (self.btn_add, self.btn_remove):
            w.setEnabled(editable)
            if not editable:
                w.setToolTip(self.tr("只有书记和文书可以修改"))
        self.spin_year.valueChanged.connect(lambda _y: self.refresh())
        self.btn_add.clicked.connect(self.add_override)
        self.btn_remove.clicked.connect(self.remove_override)
        self.refresh()

    # ---- layout -------------------------------------------------------------------------------------

    def _stacked(self) -> bool:
        return self.lists.direction() == QBoxLayout.Direction.TopToBottom

    def _own_side(self) -> str:
        return self.tr("上面") if self._stacked() else self.tr("左边")

    def _show_sides(self) -> None:
        known, own = (self.tr("下面"), self.tr("上面")) if self._stacked() else (self.tr("右边"), self.tr("左边"))
        self.intro.setText(self.tr(
            "{0}是程序已经知道的法定节假日和调休上班日。程序还不知道的安排（如新一年的放假通知）、"
            "本村另行放假或补班的日子，在{1}添加；{1}的设置优先。").format(known, own))

    def resizeEvent(self, event: QResizeEvent) -> None:  # noqa: N802 (Qt API)
        super().resizeEvent(event)
        tables = (self.table_overrides, self.table_library)
        # each table's group box adds its margins around the table
        need = sum(t.natural_width() + t.parentWidget().width() - t.width() for t in tables) + self.lists.spacing()
        inside = self.contentsRect().width() - self.layout().contentsMargins().left() \
            - self.layout().contentsMargins().right()
        direction = QBoxLayout.Direction.LeftToRight if inside >= need else QBoxLayout.Direction.TopToBottom
        if direction != self.lists.direction():
            self.lists.setDirection(direction)
            self._show_sides()

    def refresh(self) -> None:
        with user_errors(self):
            self.overrides_model.refresh()
            self.library_model.refresh()
            if self.library_model.total == 0:
                self.info.show_info(self.tr("程序还不知道{0}年的放假安排：请按国务院办公厅的通知在{1}添加。").format(
                    self.spin_year.value(), self._own_side()))
            else:
                self.info.show_info("")

    def add_override(self) -> None:
        dialog = OverrideDialog(self.ctx, self.unit_id, self.spin_year.value(), self)
        if dialog.exec() != QDialog.DialogCode.Accepted:
            return
        day = dialog.edit_day.date()
        if day is not None and day.year != self.spin_year.value():
            self.spin_year.setValue(day.year)  # show the year of the day just set (refreshes)
        else:
            self.refresh()
        row = self.overrides_model.find_row(lambda r: r.id == dialog.result_value)
        if row >= 0:
            self.table_overrides.select_row(row)
        announce(self, CHANGE_KIND)

    def remove_override(self) -> None:
        chosen = self.overrides_model.row_at(self.table_overrides.current_row())
        if chosen is None:
            self.info.show_info(self.tr("请先在{0}的列表中选择要取消的日期。").format(self._own_side()))
            return
        what = self.tr("上班") if chosen.is_workday else self.tr("休息")
        answer = QMessageBox.question(self, self.tr("取消日期设置"), self.tr(
            "取消 {0}（{1}）设为“{2}”的设置吗？取消后这一天按程序内置的节假日安排计算。").format(
                chosen.day.isoformat(), weekday(chosen.day), what))
        if answer != QMessageBox.StandardButton.Yes:
            return
        done = False
        with user_errors(self):
            self.ctx.call(calendar.remove_override, chosen.id)
            done = True
        self.refresh()
        if done:
            self.info.show_info(self.tr("已取消 {0} 的设置。").format(chosen.day.isoformat()))
            announce(self, CHANGE_KIND)
