"""The first start: an empty database offers the demo village or a short set-up of the real village.

The set-up asks for the village, its top 党组织, its 书记 and the 公示 numbers; 新建本村 hands everything
to setup.first_start.found_village in one call, so a refused field leaves nothing half-written and every
problem shows beside its field. What is left (branches, members, households, grids) is the 开始使用
checklist's job in the main window.
"""

from __future__ import annotations

import logging
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QProgressDialog,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from app.services.context import AppContext
from app.services.errors import FieldProblem, ServiceError, ValidationError
from app.services.setup.first_start import TOP_ORG_KINDS, VillageSetup, found_village
from app.services.units import UNIT_KINDS

from ..common.background import BackgroundJob
from ..common.form import FormDialog
from ..errors import show_service_error, show_unexpected

log = logging.getLogger(__name__)

# How a village's top 党组织 is usually named, by its kind ({0}: the village's name).
ORG_NAME_PATTERNS = {"党支部": "中共{0}支部委员会", "党总支": "中共{0}总支部委员会", "党委": "中共{0}委员会"}


class FirstStartDialog(FormDialog):
    """dlg_first_start. Accepted once a unit exists (ctx.unit_id is set); rejected if the user closes it."""

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        # scroll: with the larger font the whole form is taller than a 1366×768 screen
        super().__init__("dlg_first_start", self.tr("欢迎使用村级党建工作台"), parent, scroll=True)
        self.ctx = ctx
        self._org_name_typed = False  # the user typed an org name: stop suggesting one
        self.demo_job: BackgroundJob | None = None  # 使用演示村 while it builds
        self.demo_progress: QProgressDialog | None = None
        self._build_intro()

        self.add_section(self.tr("本村（社区）"))
        self.edit_name = self.add_line("name", self.tr("村/社区名称"), True, self.tr("如 东坟村"), 60)
        self.combo_kind = self.add_combo("kind", self.tr("村或社区"), list(UNIT_KINDS), True)
        self.edit_township = self.add_line("township", self.tr("所属乡镇/街道"), False, self.tr("如 城关街道"), 60)
        self.edit_county = self.add_line("county", self.tr("县/区"), False, self.tr("如 房山区"), 60)
        self.add_section(self.tr("公示"))
        self.edit_contact = self.add_line("contact_person", self.tr("公示联系人"), False, self.tr("可以以后填写"), 30)
        self.edit_contact_phone = self.add_line("contact_phone", self.tr("公示联系电话"), False,
                                                self.tr("手机号或带区号的固定电话"), 20)
        self.edit_committee_phone = self.add_line("committee_phone", self.tr("村委会电话"), False,
                                                  self.tr("与公示联系电话不同"), 20)
        self.new_column()
        self.add_section(self.tr("本村党组织"))
        self.edit_org_name = self.add_line("org_name", self.tr("党组织名称"), True, self.tr("如 中共东坟村支部委员会"), 80)
        self.combo_org_kind = self.add_combo("org_kind", self.tr("组织类别"), list(TOP_ORG_KINDS), True)
        self.combo_org_kind.setCurrentIndex(self.combo_org_kind.findData("党支部"))
        self.edit_branch = self.add_line("branch_name", self.tr("书记所在党支部"), True, self.tr("如 第一党支部"), 80)
        self.add_section(self.tr("书记"))
        self.edit_secretary = self.add_line("secretary_name", self.tr("姓名"), True, "", 40)
        self.edit_secretary_id = self.add_line("secretary_id_number", self.tr("身份证号"), True,
                                               self.tr("18位，性别和出生日期由此读出"), 18)
        self.edit_secretary_phone = self.add_line("secretary_phone", self.tr("手机号"), False, self.tr("可以以后填写"), 20)
        self.date_joined = self.add_date("secretary_joined_on", self.tr("入党日期"), True)
        self.date_since = self.add_date("secretary_since", self.tr("任职日期"), True)
        note = QLabel(self.tr("书记登记为本组织的正式党员并任书记；其他信息可以以后在“党员”页补充。"), self.body)
        note.setObjectName("label_secretary_note")
        note.setWordWrap(True)
        note.setStyleSheet("color: #555;")
        self.grid.addWidget(note, self.grid.rowCount(), 0, 1, self.grid.columnCount())  # across both columns

        self.btn_save.setText(self.tr("新建本村"))
        self.btn_save.setToolTip(self.tr("按以上信息新建本村（Ctrl+S）"))
        self.btn_save.setObjectName("btn_create_unit")
        self.btn_create_unit = self.btn_save
        self.btn_cancel.setText(self.tr("退出"))
        self.edit_name.textChanged.connect(self._suggest_org_name)
        self.combo_kind.currentIndexChanged.connect(self._suggest_org_name)
        self.combo_org_kind.currentIndexChanged.connect(self._org_kind_changed)
        self.edit_org_name.textEdited.connect(self._org_name_edited)
        self._org_kind_changed()
        self.edit_name.setFocus()

    def _build_intro(self) -> None:
        outer = self.layout()
        assert isinstance(outer, QVBoxLayout)
        welcome = QLabel(self.tr(
            "<h2>欢迎使用村级党建工作台</h2>"
            "<p>这台电脑上还没有本村的数据。可以先打开一个演示村熟悉功能，也可以直接新建本村：填写下面几项，"
            "之后按“开始使用”清单逐步录入党组织、党员、居民和网格。</p>"), self)
        welcome.setWordWrap(True)
        demo_box = QGroupBox(self.tr("先看看演示村"), self)
        demo_layout = QHBoxLayout(demo_box)
        demo_text = QLabel(
            self.tr("演示村里有虚构的党组织、党员、居民和户，可以随意试用，不影响正式数据。"), demo_box)
        demo_text.setWordWrap(True)
        self.btn_use_demo = QPushButton(self.tr("使用演示村"), demo_box)
        self.btn_use_demo.setObjectName("btn_use_demo")
        self.btn_use_demo.setAutoDefault(False)
        demo_layout.addWidget(demo_text, 1)
        demo_layout.addWidget(self.btn_use_demo, 0, Qt.AlignmentFlag.AlignVCenter)
        title = QLabel(self.tr("<b>新建本村</b>（带 <span style='color:#c62828'>*</span> 的必须填写）"), self)
        outer.insertWidget(0, welcome)
        outer.insertWidget(1, demo_box)
        outer.insertWidget(2, title)
        self.btn_use_demo.clicked.connect(self.use_demo)

    # ---- suggestions ----------------------------------------------------------------------------

    def _org_name_edited(self, text: str) -> None:
        self._org_name_typed = bool(text.strip())

    def _suggest_org_name(self) -> None:
        if self._org_name_typed:
            return
        name = self.edit_name.text().strip()
        pattern = ORG_NAME_PATTERNS.get(self.combo_org_kind.currentData() or "", "")
        self.edit_org_name.setText(pattern.format(name) if name and pattern else "")

    def _org_kind_changed(self) -> None:
        committee = self.combo_org_kind.currentData() == "党委"
        for name in ("branch_name",):  # a 党委 has no members of its own: the 书记 sits in one of its 党支部
            self.fields[name].setVisible(committee)
            label = self.findChild(QLabel, f"label_{name}")
            if label is not None:
                label.setVisible(committee)
            if not committee:
                self.errors[name].hide()
        self._suggest_org_name()

    # ---- saving ---------------------------------------------------------------------------------

    def values(self) -> dict[str, Any]:
        problems: list[FieldProblem] = []
        joined = self.date_value("secretary_joined_on", problems)
        since = self.date_value("secretary_since", problems)
        if problems:
            raise ValidationError(problems)
        committee = self.combo_org_kind.currentData() == "党委"
        return dict(
            name=self.edit_name.text(), kind=self.combo_kind.currentData() or "", township=self.edit_township.text(),
            county=self.edit_county.text(), org_name=self.edit_org_name.text(),
            org_kind=self.combo_org_kind.currentData() or "", branch_name=self.edit_branch.text() if committee else "",
            secretary_name=self.edit_secretary.text(), secretary_id_number=self.edit_secretary_id.text(),
            secretary_phone=self.edit_secretary_phone.text(), secretary_joined_on=joined, secretary_since=since,
            contact_person=self.edit_contact.text(), contact_phone=self.edit_contact_phone.text(),
            committee_phone=self.edit_committee_phone.text(),
        )

    def save(self, values: dict[str, Any]) -> int:
        unit_id = self.ctx.call(found_village, VillageSetup(**values))
        self.ctx.set_unit(unit_id)
        return unit_id

    # ---- the demo -------------------------------------------------------------------------------

    def use_demo(self) -> None:
        from app.demo import village as demo

        self.clear_problems()
        # offered on an empty database only; someone may have set up the village elsewhere meanwhile
        # (build_demo would refuse too, but with the command line's words)
        if self.ctx.call(demo.has_data):
            show_service_error(self, ServiceError(
                "数据库中已经有村(社区)的数据（可能刚在另一个程序中建立），不能再使用演示村。请关闭本窗口后重新打开程序。"))
            return
        # Building it takes seconds: on the thread pool, behind a progress dialog, the window still answering.
        ctx = self.ctx
        job = self.demo_job = BackgroundJob(lambda _progress, _cancel: ctx.call(demo.build_demo), self)
        busy = self.demo_progress = QProgressDialog(self.tr("正在建立演示村，请稍候……"), "", 0, 0, self)
        busy.setObjectName("dlg_demo_progress")
        busy.setWindowTitle(self.tr("使用演示村"))
        busy.setCancelButton(None)  # one transaction: nothing to stop half-way
        busy.setWindowModality(Qt.WindowModality.WindowModal)
        busy.setMinimumDuration(0)
        self.btn_use_demo.setEnabled(False)
        self.btn_save.setEnabled(False)

        def ended() -> None:
            busy.reset()
            self.btn_use_demo.setEnabled(True)
            self.btn_save.setEnabled(True)

        def finished(_result: object) -> None:
            ended()
            self.ctx.set_unit(None)  # read it again: the demo's unit
            if self.ctx.unit_id is None:
                show_unexpected(self)
                return
            self.accept()

        def failed(message: str) -> None:
            ended()
            show_service_error(self, message)

        job.finished.connect(finished)
        job.failed.connect(failed)
        job.start()
        busy.show()

    def reject(self) -> None:
        if self.demo_job is not None and self.demo_job.running:
            return  # the demo is being written: closing now would leave the program without a village
        super().reject()
