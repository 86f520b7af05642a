"""An edit dialog open while another computer saves the same record (issue 23): 保存 is refused with the
conflict message, the dialog stays open and the other computer's change is kept."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from PySide6.QtCore import Qt

from app.services.context import AppContext
from app.services.org import members
from app.services.people import households, residents
from app.services.people.households import HouseholdQuery
from app.services.people.residents import ResidentQuery

CONFLICT = "该记录已被他人修改（例如另一台电脑），请刷新后重新修改；本次修改未保存。"


def _save_after_someone_else(qtbot: Any, dialog: Any, other_save: Any) -> None:
    qtbot.addWidget(dialog)
    other_save()  # the other computer saves while this dialog is open
    qtbot.mouseClick(dialog.btn_save, Qt.MouseButton.LeftButton)
    assert dialog.result() != dialog.DialogCode.Accepted
    assert dialog.form_error.isVisibleTo(dialog) and dialog.form_error.text() == CONFLICT


def test_resident_household_and_member_dialogs_refuse_a_stale_save(qtbot: Any, demo_ctx: AppContext) -> None:
    from ui.org.member_dialog import MemberDialog
    from ui.people.dialogs import HouseholdDialog, ResidentDialog

    uid = demo_ctx.unit_id
    other = AppContext(demo_ctx.db)

    rid = demo_ctx.call(residents.list_residents, ResidentQuery(uid), 0, 1)[0].id
    dialog = ResidentDialog(demo_ctx, uid, resident_id=rid)
    dialog.note.setPlainText("本机的修改")
    _save_after_someone_else(qtbot, dialog, lambda: other.call(
        residents.update_resident, rid, replace(other.call(residents.resident_input, rid), note="另一台电脑的修改")))
    assert demo_ctx.call(residents.get_resident, rid).note == "另一台电脑的修改"

    hid = demo_ctx.call(households.list_households, HouseholdQuery(uid), 0, 1)[0].id
    dialog = HouseholdDialog(demo_ctx, uid, household_id=hid)
    dialog.note.setPlainText("本机的修改")
    _save_after_someone_else(qtbot, dialog, lambda: other.call(
        households.update_household, hid, replace(other.call(households.household_input, hid), note="另一台")))
    assert demo_ctx.call(households.get_household, hid).note == "另一台"

    mid = demo_ctx.call(members.list_members, members.MemberQuery(uid), 0, 1)[0].id
    dialog = MemberDialog(demo_ctx, uid, member_id=mid)
    _save_after_someone_else(qtbot, dialog, lambda: other.call(
        members.update_member, mid, replace(other.call(members.member_input, mid), note="另一台")))
    assert demo_ctx.call(members.get_member, mid).note == "另一台"
