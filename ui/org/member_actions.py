"""What can be done to the selected member, above their panel: 任职 / 离任, 联系户 / 结束联系, the next 发展党员
step, 转出 / 去世 / 出党, 恢复 (an ending entered by mistake) and 删除（误录）.

The bar shows what fits the member: an applicant gets the next step but no posts or 联系户, a member who left
gets only 恢复. After a change it says so (`changed`: the member to show, None when deleted) and leaves a
line for the page's status (`message`).
"""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QDialog, QMessageBox, QPushButton, QWidget

from app.services.context import AppContext
from app.services.org import roster_changes
from app.services.org.members import MemberDetail, MemberRow
from app.services.org.roster_changes import MEMBER_STAGES, RestoreResult

from ..common.flow import FlowLayout
from ..errors import user_errors
from .contact_dialogs import ContactDialog, EndContactDialog
from .leave_dialogs import LeaveDialog
from .post_dialogs import EndPostDialog, PostDialog
from .stage_dialog import STEP_NAMES, StageDialog, next_stage


class MemberActions(QWidget):
    changed = Signal(object)  # the member id to select afterwards; None when the member was deleted
    message = Signal(str)

    def __init__(self, ctx: AppContext, unit_id: int, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("bar_member_actions")
        self.ctx, self.unit_id = ctx, unit_id
        self.row: MemberRow | None = None
        self.detail: MemberDetail | None = None
        self.band: tuple[int, int] | None = None
        lay = FlowLayout(self)  # wraps onto a second line beside a narrow list (larger font on 1366 wide)
        lay.setContentsMargins(0, 2, 0, 2)

        def button(name: str, text: str, slot: object, tip: str = "") -> QPushButton:
            b = QPushButton(text, self)
            b.setObjectName(name)
            if tip:
                b.setToolTip(tip)
            b.clicked.connect(slot)
            lay.addWidget(b)
            return b

        self.btn_appoint = button("btn_appoint_post", self.tr("任职…"), self.appoint,
                                  self.tr("登记党内职务：书记、委员、党小组长、第一书记等"))
        self.btn_end_post = button("btn_end_post", self.tr("离任…"), self.end_post)
        self.btn_contact = button("btn_add_contact", self.tr("联系户…"), self.add_contact,
                                  self.tr("为该党员安排一户联系户"))
        self.btn_end_contact = button("btn_end_contact", self.tr("结束联系…"), self.end_contact)
        self.btn_stage = button("btn_next_stage", self.tr("下一阶段…"), self.next_stage,
                                self.tr("发展党员：按顺序办理下一阶段，填写该阶段的日期"))
        self.btn_leave = button("btn_leave_member", self.tr("转出/去世/出党…"), self.leave,
                                self.tr("离开党员名册：记录保留，可用“含已离开”查看"))
        self.btn_restore = button("btn_restore_member", self.tr("恢复…"), self.restore,
                                  self.tr("离开登记有误时撤销：该党员重新列入名册"))
        lay.add_stretch()
        self.btn_delete = button("btn_delete_member", self.tr("删除（误录）"), self.delete,
                                 self.tr("只能删除今天录入、且没有任何记录引用的党员"))
        self.set_member(None, None)

    # ---- state ------------------------------------------------------------------------------------

    def set_member(self, row: MemberRow | None, detail: MemberDetail | None,
                   band: tuple[int, int] | None = None) -> None:
        self.row, self.detail, self.band = row, detail, band
        active = row is not None and detail is not None and row.left_on is None
        is_member = active and row is not None and row.stage in MEMBER_STAGES
        self.btn_appoint.setEnabled(is_member)
        self.btn_end_post.setEnabled(active and detail is not None and any(p.end_on is None for p in detail.posts))
        self.btn_contact.setEnabled(is_member)
        self.btn_end_contact.setEnabled(
            active and detail is not None and any(c.until is None for c in detail.contacts))
        target = next_stage(row.stage) if row is not None else None
        self.btn_stage.setVisible(active and target is not None)
        if target is not None:
            self.btn_stage.setText(self.tr("{0}…").format(self.tr(STEP_NAMES[target])))
        self.btn_leave.setVisible(row is None or active)
        self.btn_leave.setEnabled(active)
        self.btn_restore.setVisible(row is not None and row.left_on is not None)
        self.btn_delete.setEnabled(row is not None)

    def _run(self, dialog: QDialog) -> bool:
        return dialog.exec() == QDialog.DialogCode.Accepted

    def _done(self, text: str, member_id: int | None = None) -> None:
        self.changed.emit(member_id if member_id is not None else (self.row.id if self.row else None))
        self.message.emit(text)

    # ---- actions ----------------------------------------------------------------------------------

    def appoint(self) -> None:
        if self.row is None or self.detail is None:
            return
        with user_errors(self):
            dialog = PostDialog(self.ctx, self.unit_id, self.detail, self)
            if self._run(dialog):
                self._done(self.tr("{0} 已任{1}").format(self.row.name, dialog.post.currentText()))

    def end_post(self) -> None:
        if self.row is None or self.detail is None:
            return
        with user_errors(self):
            dialog = EndPostDialog(self.ctx, self.detail, self)
            if self._run(dialog):
                self._done(self.tr("已登记离任：{0}").format(dialog.post.currentText()))

    def add_contact(self) -> None:
        if self.row is None or self.detail is None:
            return
        with user_errors(self):
            dialog = ContactDialog(self.ctx, self.unit_id, self.detail, self.band, self)
            if self._run(dialog):
                count = sum(1 for c in self.detail.contacts if c.until is None) + 1
                text = self.tr("{0} 现联系 {1} 户").format(self.row.name, count)
                if self.band is not None and count > self.band[1]:
                    text += self.tr("，超过每名党员联系 {0} 户的上限").format(self.band[1])
                self._done(text)

    def end_contact(self) -> None:
        if self.row is None or self.detail is None:
            return
        with user_errors(self):
            dialog = EndContactDialog(self.ctx, self.detail, self)
            if self._run(dialog):
                self._done(self.tr("已结束联系户：{0}").format(dialog.contact.currentText()))

    def next_stage(self) -> None:
        if self.row is None:
            return
        with user_errors(self):
            dialog = StageDialog(self.ctx, self.row, self)
            if self._run(dialog):
                self._done(self.tr("{0} 已转为{1}").format(self.row.name, dialog.target))

    def leave(self) -> None:
        if self.row is None:
            return
        with user_errors(self):
            dialog = LeaveDialog(self.ctx, self.row, parent=self)
            member_id = self.row.id
            if self._run(dialog):
                self._done(self.tr("{0} 已{1}，已离开党员名册（勾选“含已离开”可查看）").format(
                    self.row.name, dialog.kind.currentText()))
                if dialog.kind.currentData() == "转出":  # its 介绍信 (党务 → 组织关系转接 keeps it)
                    from ..partywork.transfers_tab import offer_letter

                    offer_letter(self, self.ctx, member_id)

    def restore(self) -> None:
        row = self.row
        if row is None or row.left_on is None:
            return
        kind = "去世" if row.left_kind == "死亡" else (row.left_kind or "离开")
        answer = QMessageBox.question(self, self.tr("恢复党员记录"), self.tr(
            "撤销 {0} 于 {1} 的“{2}”登记，重新列入党员名册？\n操作日志保留原来的登记；当日随之结束的职务和联系户"
            "将重新生效（已由他人接任的职务除外）。").format(row.name, row.left_on.isoformat(), kind))
        if answer != QMessageBox.StandardButton.Yes:
            return
        with user_errors(self):
            result: RestoreResult = self.ctx.call(roster_changes.restore_membership, row.id)
            lines = [self.tr("{0} 已重新列入党员名册。").format(row.name)]
            if result.reopened:
                lines.append(self.tr("重新生效：{0}").format("、".join(result.reopened)))
            if result.kept_ended:
                lines.append(self.tr("仍为结束：{0}").format("、".join(result.kept_ended)))
            lines += result.notes
            QMessageBox.information(self, self.tr("恢复党员记录"), "\n".join(lines))
            self._done(lines[0])

    def delete(self) -> None:
        row = self.row
        if row is None:
            return
        answer = QMessageBox.question(self, self.tr("删除（误录）"), self.tr(
            "删除误录的 {0}？\n只有今天录入、且没有任何记录引用的才能删除；已有职务、联系户、积分等记录的，"
            "请用“转出/去世/出党”登记离开。").format(row.name))
        if answer != QMessageBox.StandardButton.Yes:
            return
        with user_errors(self):
            what = self.ctx.call(roster_changes.delete_member, row.id)
            self.changed.emit(None)
            self.message.emit(self.tr("已删除{0}").format(what))
