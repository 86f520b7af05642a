"""三会一课: the year's meetings beside a quick attendance grid (one click per state), then 结束考勤并计分.

The 查看 choice shows the year's meetings, the meetings of any year whose attendance is still open, or the
党组织 behind the 三会一课 schedule (a second list; 登记会议… fills in the selected one's org and kind).
"""

from __future__ import annotations

import re
from datetime import date, datetime, time
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDialog,
    QHBoxLayout,
    QHeaderView,
    QInputDialog,
    QLabel,
    QMessageBox,
    QPushButton,
    QSpinBox,
    QSplitter,
    QStackedWidget,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from app.services.context import AppContext
from app.services.errors import FieldProblem, ValidationError
from app.services.org import tree as org
from app.services.points import meetings
from app.services.points.meetings import ATTENDANCE, MEETING_KINDS, AttendanceRow, MeetingInput, MeetingRow
from app.services.workbench import schedule
from app.services.workbench.schedule import Behind

from ..common.form import FormDialog
from ..common.page import Changes, Page
from ..common.table_model import Column, LazyTableModel, list_source
from ..common.widgets import DataTable, InfoLabel, set_filters
from ..errors import user_errors

STATE_COLUMNS = {status: 2 + i for i, status in enumerate(ATTENDANCE)}  # 出席 2, 请假 3, 缺席 4
STATE_COLORS = {"出席": "#c8e6c9", "请假": "#fff3c4", "缺席": "#ffcdd2"}
MARK = "●"

MEETING_COLUMNS: list[Column[MeetingRow]] = [
    Column("日期", lambda m: m.held_at.strftime("%Y-%m-%d"), width=6),
    Column("类型", "kind", width=5),
    Column("党组织", "org_name", width=6),
    Column("主题/议题", "title", width=12),
    Column("出席/应到", lambda m: f"{m.present}/{m.expected}", width=4),
    Column("状态", "state", width=4),
]
BEHIND_COLUMNS: list[Column[Behind]] = [
    Column("党组织", "org_name", width=7),
    Column("会议类型", "kind", width=5),
    Column("应召开", "period", width=4),
    Column("自此未开", lambda b: b.since.isoformat(), width=6),
    Column("上次召开", lambda b: b.last_held.isoformat() if b.last_held else "无记录", width=6),
]
VIEWS = {"unregistered": "已召开未登记考勤", "behind": "未按期召开"}  # the 工作台's lines (show_filter)


class MeetingDialog(FormDialog):
    def __init__(self, ctx: AppContext, unit_id: int, meeting_id: int | None = None,
                 parent: QWidget | None = None, preset: tuple[int, str] | None = None) -> None:
        """preset: (党组织, 会议类型) of a new meeting (one behind schedule)."""
        super().__init__("dialog_meeting", "修改会议" if meeting_id else "登记会议", parent)
        self.ctx, self.unit_id, self.meeting_id = ctx, unit_id, meeting_id
        orgs = [(("　" * n.depth) + n.name, n.id) for n in ctx.call(org.list_org_tree, unit_id)]
        self.add_combo("kind", self.tr("会议类型"), list(MEETING_KINDS), required=True)
        self.add_combo("org", self.tr("党组织"), orgs, required=True, service_field="org_id")
        self.add_date("held_on", self.tr("日期"), required=True)
        self.add_line("time", self.tr("时间"), placeholder=self.tr("如 14:30"), max_length=5)
        self.aliases["held_at"] = "held_on"
        self.add_line("theme", self.tr("主题（主题党日）"), max_length=200)
        self.add_line("topic", self.tr("议题"), max_length=200)
        self.add_line("place", self.tr("地点"), max_length=80)
        self.add_text("minutes", self.tr("会议记录"))
        data = ctx.call(meetings.meeting_input, meeting_id) if meeting_id else None
        f = self.fields
        if data is None:
            f["held_on"].set_date(date.today())  # type: ignore[attr-defined]
            f["place"].setText(self.tr("村党群服务中心"))  # type: ignore[attr-defined]
            branch = next((i for i, (_t, _id) in enumerate(orgs) if "支部" in _t and "总支" not in _t), 0)
            f["org"].setCurrentIndex(branch)  # type: ignore[attr-defined]
            if preset is not None:
                f["org"].setCurrentIndex(max(0, f["org"].findData(preset[0])))  # type: ignore[attr-defined]
                f["kind"].setCurrentText(preset[1])  # type: ignore[attr-defined]
        else:
            f["kind"].setCurrentText(data.kind)  # type: ignore[attr-defined]
            f["org"].setCurrentIndex(max(0, f["org"].findData(data.org_id)))  # type: ignore[attr-defined]
            held = data.held_at if isinstance(data.held_at, datetime) else None
            f["held_on"].set_date(held.date() if held else None)  # type: ignore[attr-defined]
            f["time"].setText(held.strftime("%H:%M") if held else "")  # type: ignore[attr-defined]
            for name in ("theme", "topic", "place"):
                f[name].setText(getattr(data, name))  # type: ignore[attr-defined]
            f["minutes"].setPlainText(data.minutes)  # type: ignore[attr-defined]

    def values(self) -> dict[str, Any]:
        problems: list[FieldProblem] = []
        day = self.date_value("held_on", problems)
        text = self.fields["time"].text().strip()  # type: ignore[attr-defined]
        at = time(9, 0)
        if text:
            m = re.fullmatch(r"(\d{1,2})[:：](\d{2})", text)
            if m and int(m[1]) < 24 and int(m[2]) < 60:
                at = time(int(m[1]), int(m[2]))
            else:
                problems.append(FieldProblem("time", "时间", self.tr("时间应写成 时:分，如 14:30")))
        if problems:
            raise ValidationError(problems)
        f = self.fields
        return {"data": MeetingInput(
            f["org"].currentData(), f["kind"].currentText(), datetime.combine(day, at) if day else None,  # type: ignore[attr-defined]
            topic=f["topic"].text(), theme=f["theme"].text(), place=f["place"].text(),  # type: ignore[attr-defined]
            minutes=f["minutes"].toPlainText())}  # type: ignore[attr-defined]

    def save(self, values: dict[str, Any]) -> int:
        if self.meeting_id:
            self.ctx.call(meetings.update_meeting, self.meeting_id, values["data"])
            return self.meeting_id
        return self.ctx.call(meetings.create_meeting, self.unit_id, values["data"])


class MeetingsPage(Page):
    title = "三会一课"
    object_name = "page_meetings"  # known before the page is built (ui/page_stack.py)
    waits_for_show = True  # heavy at county scale: query when first shown (issue 11)
    watches = frozenset({"member", "org", "meeting"})  # meeting: 设置 → 三会一课提醒 changed the schedule

    def __init__(self, ctx: AppContext, changes: Changes, parent: QWidget | None = None) -> None:
        super().__init__(ctx, changes, parent)
        self.setObjectName("page_meetings")
        outer = QVBoxLayout(self)
        outer.setContentsMargins(4, 4, 4, 4)
        bar = QHBoxLayout()
        self.spin_year = QSpinBox(self)
        self.spin_year.setObjectName("spin_meetings_year")
        self.spin_year.setRange(2000, 2100)
        self.spin_year.setValue(date.today().year)
        self.spin_year.setSuffix(self.tr(" 年度"))
        self.combo_view = QComboBox(self)
        self.combo_view.setObjectName("combo_meeting_view")
        self.combo_view.addItem(self.tr("按年度查看"), None)
        for key, label in VIEWS.items():
            self.combo_view.addItem(self.tr(label), key)
        self.combo_view.setToolTip(self.tr("未登记考勤：各年度已召开、考勤尚未结束的会议；"
                                           "未按期召开：按“设置 → 三会一课提醒”应召开而未召开的"))
        self.combo_kind = QComboBox(self)
        self.combo_kind.setObjectName("combo_meeting_kind")
        self.combo_kind.addItem(self.tr("全部会议"), None)
        for k in MEETING_KINDS:
            self.combo_kind.addItem(k, k)
        self.btn_new = QPushButton(self.tr("登记会议…"), self)
        self.btn_new.setObjectName("btn_new_meeting")
        self.btn_edit = QPushButton(self.tr("修改…"), self)
        self.btn_edit.setObjectName("btn_edit_meeting")
        self.btn_cancel = QPushButton(self.tr("取消会议…"), self)
        self.btn_cancel.setObjectName("btn_cancel_meeting")
        for w in (self.combo_view, self.spin_year, self.combo_kind, self.btn_new, self.btn_edit, self.btn_cancel):
            bar.addWidget(w)
        bar.addStretch(1)
        outer.addLayout(bar)

        split = QSplitter(Qt.Orientation.Horizontal, self)
        outer.addWidget(split, 1)
        self.lists = QStackedWidget(split)
        self.table_meetings = DataTable("table_meetings", self.lists)
        count, page = list_source(self._list_meetings)
        self.meetings_model: LazyTableModel[MeetingRow] = LazyTableModel(MEETING_COLUMNS, count, page, parent=self)
        self.table_meetings.setModel(self.meetings_model)
        self.table_meetings.setSortingEnabled(False)
        self.table_meetings.selectionModel().currentRowChanged.connect(lambda *_: self.load_attendance())
        self.table_behind = DataTable("table_meetings_behind", self.lists)
        self.behind_model: LazyTableModel[Behind] = LazyTableModel(
            BEHIND_COLUMNS, *list_source(lambda: self.ctx.call(schedule.behind_schedule, self.unit_id)), parent=self)
        self.table_behind.setModel(self.behind_model)
        self.table_behind.setSortingEnabled(False)
        self.table_behind.setToolTip(self.tr("双击一行（或选中后点“登记会议…”）补登这次会议"))
        self.table_behind.doubleClicked.connect(lambda _i: self.new_meeting())
        self.lists.addWidget(self.table_meetings)
        self.lists.addWidget(self.table_behind)

        right = QWidget(split)
        rl = QVBoxLayout(right)
        rl.setContentsMargins(0, 0, 0, 0)
        self.label_meeting = QLabel(right)
        self.label_meeting.setObjectName("label_meeting")
        self.label_meeting.setWordWrap(True)
        rl.addWidget(self.label_meeting)
        self.table_attendance = QTableWidget(0, 6, right)
        self.table_attendance.setObjectName("table_attendance")
        self.table_attendance.setHorizontalHeaderLabels(
            [self.tr("姓名"), self.tr("党小组"), *[self.tr(s) for s in ATTENDANCE], self.tr("请假原因")])
        self.table_attendance.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table_attendance.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
        self.table_attendance.verticalHeader().setDefaultSectionSize(self.fontMetrics().height() + 10)
        header = self.table_attendance.horizontalHeader()
        header.setStretchLastSection(True)
        for col in STATE_COLUMNS.values():
            header.setSectionResizeMode(col, QHeaderView.ResizeMode.Fixed)
            self.table_attendance.setColumnWidth(col, self.fontMetrics().horizontalAdvance("中") * 4)
        self.table_attendance.setToolTip(self.tr("点“出席”“请假”“缺席”列的格子即可登记，一次点击一人"))
        self.table_attendance.cellClicked.connect(self.on_cell)
        rl.addWidget(self.table_attendance, 1)
        buttons = QHBoxLayout()
        self.btn_rest_present = QPushButton(self.tr("其余全部出席"), right)
        self.btn_rest_present.setObjectName("btn_rest_present")
        self.btn_close = QPushButton(self.tr("结束考勤并计分"), right)
        self.btn_close.setObjectName("btn_close_attendance")
        self.info = InfoLabel("info_attendance", right)
        buttons.addWidget(self.btn_rest_present)
        buttons.addWidget(self.btn_close)
        buttons.addWidget(self.info, 1)
        rl.addLayout(buttons)
        em = self.fontMetrics().horizontalAdvance("中")
        split.setSizes([em * 42, em * 50])

        self.spin_year.valueChanged.connect(lambda _v: self.refresh())
        self.combo_kind.currentIndexChanged.connect(lambda _i: self.refresh())
        self.combo_view.currentIndexChanged.connect(lambda _i: self.refresh())
        self.btn_new.clicked.connect(self.new_meeting)
        self.btn_edit.clicked.connect(self.edit_meeting)
        self.btn_cancel.clicked.connect(self.cancel_meeting)
        self.btn_rest_present.clicked.connect(self.rest_present)
        self.btn_close.clicked.connect(self.close_attendance)
        self.sheet: list[AttendanceRow] = []
        self.refresh()

    # ---- meetings -------------------------------------------------------------------------------

    def current(self) -> MeetingRow | None:
        if self.lists.currentWidget() is not self.table_meetings:
            return None
        return self.meetings_model.row_at(self.table_meetings.current_row())

    def _list_meetings(self) -> list[MeetingRow]:
        if self.combo_view.currentData() == "unregistered":
            rows = self.ctx.call(meetings.list_unregistered, self.unit_id)
            kind = self.combo_kind.currentData()
            return [m for m in rows if kind is None or m.kind == kind]
        return self.ctx.call(meetings.list_meetings, self.unit_id, self.spin_year.value(), self.combo_kind.currentData())

    def show_filter(self, key: str) -> None:
        """A 工作台 line: the meetings whose attendance is open (unregistered), the orgs behind schedule (behind)."""
        set_filters(None, (self.combo_view, key), (self.combo_kind, None))
        self.refresh()

    def refresh(self, select_id: int | None = None) -> None:
        view = self.combo_view.currentData()
        self.spin_year.setEnabled(view is None)  # the other views are of every year
        self.combo_kind.setEnabled(view != "behind")
        if view == "behind":
            self.lists.setCurrentWidget(self.table_behind)
            self.behind_model.refresh()
            self.table_behind.select_row(0)
            self.load_attendance()
            return
        self.lists.setCurrentWidget(self.table_meetings)
        keep = select_id or getattr(self.current(), "id", None)
        self.meetings_model.refresh()
        rows = self.meetings_model.rows
        self.table_meetings.select_row(next((i for i, m in enumerate(rows) if m.id == keep), 0))
        self.load_attendance()

    def new_meeting(self) -> None:
        with user_errors(self):
            behind = self.behind_model.row_at(self.table_behind.current_row()) if self.current() is None else None
            preset = (behind.org_id, behind.kind) if behind is not None else None
            dialog = MeetingDialog(self.ctx, self.unit_id, parent=self, preset=preset)
            if dialog.exec() == QDialog.DialogCode.Accepted:
                self.announce("meeting")  # the 工作台's 三会一课 lines
                if self.combo_view.currentData() == "behind":  # the list it was picked from, one line fewer
                    self.refresh()
                    return
                set_filters(None, (self.combo_view, None), (self.combo_kind, None))
                self.refresh(select_id=dialog.result_value)

    def edit_meeting(self) -> None:
        m = self.current()
        if m is None:
            return
        with user_errors(self):
            if MeetingDialog(self.ctx, self.unit_id, m.id, self).exec() == QDialog.DialogCode.Accepted:
                self.refresh(select_id=m.id)

    def cancel_meeting(self) -> None:
        m = self.current()
        if m is None:
            return
        reason, ok = QInputDialog.getText(self, self.tr("取消会议"), self.tr("取消“{0} {1}”的原因：").format(
            m.held_at.strftime("%Y-%m-%d"), m.kind))
        if ok:
            with user_errors(self):
                self.ctx.call(meetings.cancel_meeting, m.id, reason)
            self.refresh(select_id=m.id)

    # ---- attendance grid ------------------------------------------------------------------------

    def load_attendance(self) -> None:
        m = self.current()
        self.sheet = []
        if m is None and self.combo_view.currentData() == "behind":
            self.label_meeting.setText(self.tr("左侧是应召开而未召开的三会一课。选中一项后点“登记会议…”补登。"))
        elif m is None:
            self.label_meeting.setText(self.tr("本年度还没有会议，点“登记会议…”添加"))
        else:
            with user_errors(self):
                self.sheet = self.ctx.call(meetings.attendance_sheet, m.id)
            title = f"<b>{m.held_at:%Y-%m-%d %H:%M} {m.org_name} {m.kind}</b>　{m.title}　（{m.state}）"
            self.label_meeting.setText(title)
        open_ = m is not None and m.state == "登记中"
        for w in (self.btn_rest_present, self.btn_close, self.btn_cancel):
            w.setEnabled(open_)
        self.btn_edit.setEnabled(m is not None and not m.cancelled)
        self.table_attendance.setRowCount(len(self.sheet))
        for i, row in enumerate(self.sheet):
            self._show_row(i, row)
        self._show_counts()

    def _show_row(self, i: int, row: AttendanceRow) -> None:
        self.table_attendance.setItem(i, 0, QTableWidgetItem(row.name))
        self.table_attendance.setItem(i, 1, QTableWidgetItem(row.group_name or ""))
        for status, col in STATE_COLUMNS.items():
            item = QTableWidgetItem(MARK if row.status == status else "")
            item.setTextAlignment(Qt.AlignmentFlag.AlignCenter)
            if row.status == status:
                item.setBackground(QBrush(QColor(STATE_COLORS[status])))
            self.table_attendance.setItem(i, col, item)
        self.table_attendance.setItem(i, 5, QTableWidgetItem(row.reason))

    def _show_counts(self) -> None:
        done = [r.status for r in self.sheet if r.status]
        counts = "，".join(f"{s} {done.count(s)}" for s in ATTENDANCE)
        self.info.show_info(self.tr("应到 {0} 人：{1}，未登记 {2}").format(len(self.sheet), counts,
                                                                       len(self.sheet) - len(done)))

    def on_cell(self, row: int, column: int) -> None:
        m = self.current()
        status = next((s for s, c in STATE_COLUMNS.items() if c == column), None)
        if m is None or status is None or not 0 <= row < len(self.sheet) or m.state != "登记中":
            return
        person = self.sheet[row]
        reason = ""
        if status == "请假":
            reason, ok = QInputDialog.getText(self, self.tr("请假"), self.tr("{0} 请假的原因：").format(person.name),
                                              text=person.reason)
            if not ok:
                return
        with user_errors(self):
            self.ctx.call(meetings.set_attendance, m.id, person.member_id, status, reason)
            self.sheet[row] = AttendanceRow(person.member_id, person.name, person.group_name, person.category,
                                            status, reason if status == "请假" else "")
            self._show_row(row, self.sheet[row])
            self._show_counts()
            self._reread_meeting()

    def _reread_meeting(self) -> None:
        """The meeting's 出席/应到 in the list follows each mark (one row read again, not the whole year)."""
        index = self.table_meetings.current_row()
        m = self.current()
        if m is not None:
            self.meetings_model.replace_row(index, self.ctx.call(meetings.get_meeting, m.id))

    def rest_present(self) -> None:
        m = self.current()
        if m is None:
            return
        with user_errors(self):
            self.ctx.call(meetings.mark_rest, m.id, "出席")
            self._reread_meeting()
        self.load_attendance()

    def close_attendance(self) -> None:
        m = self.current()
        if m is None:
            return
        answer = QMessageBox.question(self, self.tr("结束考勤并计分"), self.tr(
            "结束后考勤不能再改，并按积分规则给出席的党员加分、无故缺席的扣分。确定结束吗？"))
        if answer != QMessageBox.StandardButton.Yes:
            return
        with user_errors(self):
            result = self.ctx.call(meetings.close_attendance, m.id)
            self.info.show_info(self.tr("考勤已结束，生成积分记录 {0} 条").format(result.entries))
            self.refresh(select_id=m.id)
            self.info.show_info(self.tr("考勤已结束，生成积分记录 {0} 条").format(result.entries))
            self.announce("points")
            self.announce("meeting")
