"""设置 → 三会一课提醒: how often each meeting of the 三会一课 is due, which the 工作台's 「未按期召开的三会一课」
line checks (app.services.workbench.schedule). Each choice is saved as it is made, like the other switches.
"""

from __future__ import annotations

from PySide6.QtWidgets import QComboBox, QFormLayout, QGroupBox, QLabel, QVBoxLayout, QWidget

from app.services.context import AppContext
from app.services.workbench import schedule

from ..common.list_editor import announce
from ..common.status import show_status
from ..common.widgets import InfoLabel
from ..errors import user_errors

CHANGE_KIND = "meeting"  # the 工作台 and the 三会一课 page count 未按期召开 again


class MeetingScheduleBox(QGroupBox):
    """box_meeting_schedule: combo_schedule_<会议类型> (data: month / quarter / half / year / none)."""

    def __init__(self, ctx: AppContext, unit_id: int, editable: bool, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("box_meeting_schedule")
        self.setTitle(self.tr("三会一课提醒（工作台“未按期召开的三会一课”）"))
        self.ctx, self.unit_id = ctx, unit_id
        layout = QVBoxLayout(self)
        intro = QLabel(self.tr(
            "党支部、党小组在上一个周期（上月、上季度、上半年或上一年）内没有召开的会议，工作台会提醒。"
            "选“不提醒”则不检查这类会议。"), self)
        intro.setWordWrap(True)
        layout.addWidget(intro)
        form = QFormLayout()
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.FieldsStayAtSizeHint)  # a short choice, not a bar
        self.combos: dict[str, QComboBox] = {}
        for kind in schedule.HELD_BY:
            combo = QComboBox(self)
            combo.setObjectName(f"combo_schedule_{kind}")
            for key, label in schedule.PERIODS.items():
                combo.addItem(self.tr(label), key)
            combo.setEnabled(editable)
            if not editable:
                combo.setToolTip(self.tr("只有书记和文书可以修改"))
            combo.currentIndexChanged.connect(lambda _i, k=kind: self.save(k))
            form.addRow(self.tr(kind) + self.tr("："), combo)
            self.combos[kind] = combo
        layout.addLayout(form)
        self.info = InfoLabel("info_meeting_schedule", self)
        layout.addWidget(self.info)
        self.refresh()

    def refresh(self) -> None:
        with user_errors(self):
            stored = self.ctx.call(schedule.schedule_choices, self.unit_id)
            for kind, combo in self.combos.items():
                combo.blockSignals(True)
                combo.setCurrentIndex(max(combo.findData(stored.get(kind, "none")), 0))
                combo.blockSignals(False)

    def save(self, kind: str) -> None:
        chosen = {k: str(c.currentData()) for k, c in self.combos.items()}
        saved = False
        with user_errors(self):
            self.ctx.call(schedule.save_meeting_schedule, self.unit_id, chosen)
            saved = True
        if not saved:
            self.refresh()  # back to what is stored
            return
        period = self.combos[kind].currentText()
        text = self.tr("已保存：{0}不再提醒。").format(kind) if chosen[kind] == "none" else \
            self.tr("已保存：{0}应{1}召开。").format(kind, period)
        self.info.show_info(text)
        show_status(self, text)
        announce(self, CHANGE_KIND)
