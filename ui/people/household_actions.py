"""What can be done to the selected 户 and to a selected resident, in bars under the 居民与户 lists.

HouseholdActions: 变更户主, 分户, 标签, 销户 (offering first to move the people still living there),
删除（误录）. ResidentActions: 状态变动 (外出务工 / 返乡 / 迁出 / 死亡 / 更正), 转到其他户, 删除（误录）.
After a change a bar says which kinds of data changed (`changed`: kinds, the household to select) and
leaves a line for the page (`message`). What a change leaves to do next — a household whose 户主 left,
one nobody lives in any more — is offered at once.
"""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QDialog, QHBoxLayout, QMessageBox, QPushButton, QWidget

from app.services.context import AppContext
from app.services.people import households, mistakes
from app.services.people import residents as people
from app.services.people.household_changes import MoveResult
from app.services.people.households import HouseholdRow
from app.services.people.residents import ACTIVE_STATUSES, ResidentRow
from app.services.people.status_changes import StatusResult

from ..errors import user_errors
from .household_dialogs import CloseHouseholdDialog, HeadChangeDialog, HouseholdTagsDialog
from .move_dialogs import MoveResidentsDialog, SplitHouseholdDialog
from .status_dialogs import ResidentStatusDialog


def _run(dialog: QDialog) -> bool:
    return dialog.exec() == QDialog.DialogCode.Accepted


def ask(parent: QWidget, title: str, text: str) -> bool:
    return QMessageBox.question(parent, title, text) == QMessageBox.StandardButton.Yes


def tell(parent: QWidget, title: str, text: str) -> None:
    QMessageBox.information(parent, title, text)


class _Bar(QWidget):
    changed = Signal(object, object)  # kinds (tuple of change kinds), the household to select (or None)
    message = Signal(str)

    def __init__(self, ctx: AppContext, unit_id: int, name: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName(name)
        self.ctx, self.unit_id = ctx, unit_id
        self.lay = QHBoxLayout(self)
        self.lay.setContentsMargins(0, 2, 0, 2)

    def button(self, name: str, text: str, slot: object, tip: str = "") -> QPushButton:
        b = QPushButton(text, self)
        b.setObjectName(name)
        if tip:
            b.setToolTip(tip)
        b.clicked.connect(slot)
        self.lay.addWidget(b)
        return b

    # ---- what a change leaves to do ----------------------------------------------------------------

    def change_head(self, household_id: int) -> bool:
        dialog = HeadChangeDialog(self.ctx, household_id, self)
        if not _run(dialog):
            return False
        notes: list[str] = dialog.result_value or []
        self.changed.emit(("household", "resident"), household_id)
        self.message.emit(self.tr("户主已变更为 {0}").format(dialog.new_head.currentText().split("（")[0]))
        if notes:
            tell(self, self.tr("变更户主"), "\n".join(notes))
        return True

    def close_household(self, household_id: int) -> bool:
        """销户; while people still live there, offer to move them first."""
        h = self.ctx.call(households.get_household, household_id)
        living = self.ctx.call(people.household_residents, household_id)
        if living:
            names = "、".join(r.name for r in living)
            if not ask(self, self.tr("销户"), self.tr(
                    "户号 {0} 还有 {1} 名在册居民：{2}。\n销户前要把他们转到其他户（或登记迁出、死亡）。\n"
                    "现在把他们转到其他户吗？").format(h.number, len(living), names)):
                return False
            if not self.move(living):
                return False
            if self.ctx.call(people.household_residents, household_id):
                return False  # some stayed: the move said what is left
        dialog = CloseHouseholdDialog(self.ctx, household_id, self)
        if not _run(dialog):
            return False
        self.changed.emit(("household",), None)
        self.message.emit(self.tr("户号 {0} 已销户（勾选“含已销户”可查看）").format(h.number))
        return True

    def follow_up(self, notes: list[str], needs_head: list[int], emptied: list[int], title: str) -> None:
        """Say what the change left to do, and offer it."""
        offered = False
        for hid in needs_head:
            offered = True
            if ask(self, title, "\n".join(notes) + "\n\n" + self.tr("现在变更户主吗？")):
                self.change_head(hid)
        for hid in emptied:
            offered = True
            if ask(self, title, "\n".join(notes) + "\n\n" + self.tr("现在销户吗？")):
                self.close_household(hid)
        if notes and not offered:
            tell(self, title, "\n".join(notes))

    def move(self, residents: list[ResidentRow]) -> bool:
        dialog = MoveResidentsDialog(self.ctx, self.unit_id, residents, self)
        if not _run(dialog):
            return False
        result: MoveResult = dialog.result_value
        self.changed.emit(("resident", "household"), None)
        self.message.emit(self.tr("{0} 已转到 {1}").format(
            "、".join(r.name for r in residents), dialog.household.currentText().split("  ")[0]))
        self.follow_up(result.notes, result.needs_head, [], self.tr("转到其他户"))
        return True


class HouseholdActions(_Bar):
    """变更户主 / 分户 / 标签 / 销户 / 删除（误录） for the selected household (bar_household_actions)."""

    def __init__(self, ctx: AppContext, unit_id: int, parent: QWidget | None = None) -> None:
        super().__init__(ctx, unit_id, "bar_household_actions", parent)
        self.row: HouseholdRow | None = None
        self.btn_head = self.button("btn_change_head", self.tr("变更户主…"), self.on_change_head)
        self.btn_split = self.button("btn_split_household", self.tr("分户…"), self.split,
                                     self.tr("把本户的部分居民分出去，另立一户"))
        self.btn_tags = self.button("btn_household_tags", self.tr("标签…"), self.edit_tags,
                                    self.tr("低保、空巢、留守儿童等"))
        self.btn_close = self.button("btn_close_household", self.tr("销户…"), self.on_close,
                                     self.tr("记录保留，勾选“含已销户”可查看"))
        self.lay.addStretch(1)
        self.btn_delete = self.button("btn_delete_household", self.tr("删除（误录）"), self.delete,
                                      self.tr("只能删除今天录入、且没有居民等记录引用的户"))
        self.set_household(None)

    def set_household(self, row: HouseholdRow | None) -> None:
        self.row = row
        open_ = row is not None and row.closed_on is None
        for b in (self.btn_head, self.btn_split, self.btn_tags, self.btn_close):
            b.setEnabled(open_)
        self.btn_head.setEnabled(open_ and row is not None and row.size > 0)
        self.btn_split.setEnabled(open_ and row is not None and row.size > 1)
        self.btn_delete.setEnabled(row is not None)

    def on_change_head(self) -> None:
        if self.row is not None:
            with user_errors(self):
                self.change_head(self.row.id)

    def on_close(self) -> None:
        if self.row is not None:
            with user_errors(self):
                self.close_household(self.row.id)

    def split(self) -> None:
        row = self.row
        if row is None:
            return
        with user_errors(self):
            dialog = SplitHouseholdDialog(self.ctx, row.id, self)
            if not _run(dialog):
                return
            result: MoveResult = dialog.result_value
            self.changed.emit(("household", "resident"), result.household_id)
            self.message.emit(self.tr("已从户号 {0} 分出户号 {1}").format(row.number, dialog.number.text().strip()))
            self.follow_up(result.notes, result.needs_head, result.emptied, self.tr("分户"))

    def edit_tags(self) -> None:
        row = self.row
        if row is None:
            return
        with user_errors(self):
            dialog = HouseholdTagsDialog(self.ctx, self.unit_id, row.id, self)
            if _run(dialog):
                self.changed.emit(("household",), row.id)
                tags = "、".join(dialog.result_value) or self.tr("无")
                self.message.emit(self.tr("户号 {0} 的标签：{1}").format(row.number, tags))

    def delete(self) -> None:
        row = self.row
        if row is None:
            return
        if not ask(self, self.tr("删除（误录）"), self.tr(
                "删除误录的户号 {0}？\n只有今天录入、且没有居民等记录引用的户才能删除；其他情况请用“销户”。").format(row.number)):
            return
        with user_errors(self):
            what = self.ctx.call(mistakes.delete_household, row.id)
            self.changed.emit(("household",), None)
            self.message.emit(self.tr("已删除{0}").format(what))


class ResidentActions(_Bar):
    """状态变动 / 转到其他户 / 删除（误录） for the selected resident (bar_<prefix>_actions)."""

    def __init__(self, ctx: AppContext, unit_id: int, prefix: str, parent: QWidget | None = None) -> None:
        super().__init__(ctx, unit_id, f"bar_{prefix}_actions", parent)
        self.row: ResidentRow | None = None
        self.btn_status = self.button(f"btn_{prefix}_status", self.tr("状态变动…"), self.change_status,
                                      self.tr("外出务工、返乡、迁出、死亡，或更正登记错误"))
        self.btn_move = self.button(f"btn_{prefix}_move", self.tr("转到其他户…"), self.on_move)
        self.lay.addStretch(1)
        self.btn_delete = self.button(f"btn_{prefix}_delete", self.tr("删除（误录）"), self.delete,
                                      self.tr("只能删除今天录入、且没有任何记录引用的居民"))
        self.set_resident(None)

    def set_resident(self, row: ResidentRow | None) -> None:
        self.row = row
        self.btn_status.setEnabled(row is not None)
        self.btn_move.setEnabled(row is not None and row.status in ACTIVE_STATUSES)
        self.btn_delete.setEnabled(row is not None)

    def change_status(self) -> None:
        row = self.row
        if row is None:
            return
        with user_errors(self):
            dialog = ResidentStatusDialog(self.ctx, row.id, parent=self)
            if not _run(dialog):
                return
            result: StatusResult = dialog.result_value
            kinds = ("resident", "household", "member") if result.member_ended else ("resident", "household")
            self.changed.emit(kinds, row.household_id)
            self.message.emit(result.summary)
            self.follow_up(result.notes, [result.household_needs_head] if result.household_needs_head else [],
                           [result.household_empty] if result.household_empty else [], self.tr("居民状态变动"))

    def on_move(self) -> None:
        if self.row is not None:
            with user_errors(self):
                self.move([self.row])

    def delete(self) -> None:
        row = self.row
        if row is None:
            return
        if not ask(self, self.tr("删除（误录）"), self.tr(
                "删除误录的居民 {0}？\n只有今天录入、且没有任何记录引用的才能删除；其他情况请用“状态变动”登记迁出或死亡。"
        ).format(row.name)):
            return
        with user_errors(self):
            what = self.ctx.call(mistakes.delete_resident, row.id)
            self.changed.emit(("resident", "household"), row.household_id)
            self.message.emit(self.tr("已删除{0}").format(what))
