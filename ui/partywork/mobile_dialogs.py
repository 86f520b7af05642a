"""流动与失联 dialogs: 登记外出 / 修改 (dlg_mobile_out), 登记流入 / 修改 (dlg_mobile_in), 登记返回 / 流入离开
(dlg_mobile_end), 登记失联 / 修改 (dlg_lost), 记录查找 (dlg_lost_search), 结束失联 (dlg_lost_close).
Members are picked by typing (姓名, 拼音首字母) with the shared SearchPicker."""

from __future__ import annotations

from datetime import date
from typing import Any

from PySide6.QtWidgets import QCheckBox, QLabel, QWidget

from app.services.context import AppContext
from app.services.errors import FieldProblem, ValidationError
from app.services.org import members
from app.services.org.members import MemberQuery
from app.services.partywork import lost, mobile
from app.services.partywork.lost import LOST_OUTCOMES, SEARCH_METHODS, STOP_MONTHS, LostRow
from app.services.partywork.mobile import MobileInput, MobileRow

from ..common.form import FormDialog, select_combo_data
from ..common.search_picker import SearchPicker
from ..org.contact_dialogs import PICK_LIMIT, PICK_WIDTH_EM

PICK_HINT = "姓名、拼音首字母（如 zs）"


def _member_picker(dialog: FormDialog, ctx: AppContext, unit_id: int, name: str) -> SearchPicker:
    def find(text: str) -> list[tuple[str, object]]:
        rows = ctx.call(members.list_members, MemberQuery(unit_id, stage="members", text=text), 0, PICK_LIMIT)
        return [(" ".join(x for x in (r.name, r.org_name, f"{r.age}岁" if r.age is not None else "") if x), r.id)
                for r in rows]

    picker = SearchPicker(name, find, dialog.tr(PICK_HINT), dialog)
    picker.setMinimumWidth(dialog.fontMetrics().horizontalAdvance("中") * PICK_WIDTH_EM)
    return picker


def _fixed(picker: SearchPicker, text: str, value: object) -> None:
    picker.edit.setText(text)
    picker.value = value


class MobileOutDialog(FormDialog):
    """登记外出 (row None) or 修改 a 流出 record (the member fixed)."""

    def __init__(self, ctx: AppContext, unit_id: int, row: MobileRow | None = None,
                 parent: QWidget | None = None) -> None:
        title = self.tr("登记外出") if row is None else self.tr("修改外出记录：{0}").format(row.name)
        super().__init__("dlg_mobile_out", title, parent, scroll=True)
        self.ctx, self.unit_id, self.row = ctx, unit_id, row
        self.person = _member_picker(self, ctx, unit_id, "mobile_member")
        self.add_field("member_id", self.tr("姓名"), self.person, required=True)
        self.place = self.add_line("place", self.tr("流向地"), required=True, max_length=100,
                                   placeholder=self.tr("如 广东省深圳市宝安区"))
        self.employer = self.add_line("employer", self.tr("工作单位"), max_length=100)
        self.phone = self.add_line("phone", self.tr("联系电话"), max_length=20)
        self.since = self.add_date("since", self.tr("外出时间"), required=True)
        self.other_org = self.add_line("other_org", self.tr("流入地党组织"), max_length=100,
                                       placeholder=self.tr("已在流入地参加组织生活的，填写该党组织"))
        self.keeper = _member_picker(self, ctx, unit_id, "mobile_keeper")
        self.add_field("keeper_id", self.tr("支部联系人"), self.keeper)
        self.participation = self.add_line("participation", self.tr("参加组织生活方式"), max_length=200,
                                           placeholder=self.tr("如 线上学习、返乡时参加支部会"))
        self.dues_way = self.add_line("dues_way", self.tr("交纳党费方式"), max_length=100,
                                      placeholder=self.tr("如 微信转账按月交纳"))
        self.note = self.add_line("note", self.tr("备注"), max_length=200)
        if row is None:
            self.since.set_date(date.today())
            self.person.setFocus()
        else:
            _fixed(self.person, row.name, row.member_id)
            self.person.setEnabled(False)
            self.place.setText(row.place)
            self.employer.setText(row.employer)
            self.phone.setText(row.phone)
            self.since.set_date(row.since)
            self.other_org.setText(row.other_org)
            if row.keeper_id is not None:
                _fixed(self.keeper, row.keeper_name, row.keeper_id)
            self.participation.setText(row.participation)
            self.dues_way.setText(row.dues_way)
            self.note.setText(row.note)
            self.place.setFocus()

    def values(self) -> dict[str, Any]:
        problems: list[FieldProblem] = []
        since = self.date_value("since", problems)
        if self.keeper.text() and self.keeper.value is None:
            problems.append(FieldProblem("keeper_id", self.labels["keeper_id"], self.tr("请在列表中选中联系人")))
        if problems:
            raise ValidationError(problems)
        return {"data": MobileInput(
            since, place=self.place.text(), employer=self.employer.text(), phone=self.phone.text(),
            other_org=self.other_org.text(), keeper_id=self.keeper.value,  # type: ignore[arg-type]
            participation=self.participation.text(), dues_way=self.dues_way.text(),
            member_id=self.person.value, note=self.note.text())}  # type: ignore[arg-type]

    def save(self, values: dict[str, Any]) -> int:
        if self.row is None:
            return self.ctx.call(mobile.register_out, self.unit_id, values["data"])
        self.ctx.call(mobile.correct_mobile, self.row.id, values["data"])
        return self.row.id


class MobileInDialog(FormDialog):
    """登记流入 (row None) or 修改 a 流入 record: a member from elsewhere living in the village."""

    def __init__(self, ctx: AppContext, unit_id: int, row: MobileRow | None = None,
                 parent: QWidget | None = None) -> None:
        title = self.tr("登记流入党员") if row is None else self.tr("修改流入记录：{0}").format(row.name)
        super().__init__("dlg_mobile_in", title, parent, scroll=True)
        self.ctx, self.unit_id, self.row = ctx, unit_id, row
        self.name = self.add_line("name", self.tr("姓名"), required=True, max_length=40)
        self.id_number = self.add_line("id_number", self.tr("身份证号"), max_length=18)
        self.phone = self.add_line("phone", self.tr("联系电话"), max_length=20)
        self.other_org = self.add_line("other_org", self.tr("原所在党组织"), required=True, max_length=100)
        self.place = self.add_line("place", self.tr("在本村居住地"), required=True, max_length=100,
                                   placeholder=self.tr("如 第三村民小组12号"))
        self.employer = self.add_line("employer", self.tr("工作单位"), max_length=100)
        self.since = self.add_date("since", self.tr("来村时间"), required=True)
        self.dual = QCheckBox(self.tr("已到村党组织报到"), self)
        self.add_field("dual_report", self.tr("双报到"), self.dual)
        self.participation = self.add_line("participation", self.tr("参加组织生活方式"), max_length=200)
        self.note = self.add_line("note", self.tr("备注"), max_length=200)
        if row is None:
            self.since.set_date(date.today())
        else:
            self.name.setText(row.name)
            self.id_number.setText(row.id_number)
            self.phone.setText(row.phone)
            self.other_org.setText(row.other_org)
            self.place.setText(row.place)
            self.employer.setText(row.employer)
            self.since.set_date(row.since)
            self.dual.setChecked(row.dual_report)
            self.participation.setText(row.participation)
            self.note.setText(row.note)
        self.name.setFocus()

    def values(self) -> dict[str, Any]:
        problems: list[FieldProblem] = []
        since = self.date_value("since", problems)
        if problems:
            raise ValidationError(problems)
        return {"data": MobileInput(
            since, place=self.place.text(), employer=self.employer.text(), phone=self.phone.text(),
            other_org=self.other_org.text(), participation=self.participation.text(), name=self.name.text(),
            id_number=self.id_number.text(), dual_report=self.dual.isChecked(), note=self.note.text())}

    def save(self, values: dict[str, Any]) -> int:
        if self.row is None:
            return self.ctx.call(mobile.register_in, self.unit_id, values["data"])
        self.ctx.call(mobile.correct_mobile, self.row.id, values["data"])
        return self.row.id


class MobileEndDialog(FormDialog):
    """登记返回 (流出) or 流入离开: the date and a note; the record stays in the history."""

    def __init__(self, ctx: AppContext, row: MobileRow, parent: QWidget | None = None) -> None:
        back = row.direction == "流出"
        title = self.tr("登记返回：{0}") if back else self.tr("流入离开：{0}")
        super().__init__("dlg_mobile_end", title.format(row.name), parent)
        self.ctx, self.row = ctx, row
        self.add_section(self.tr("外出至{0}（{1} 起）") .format(row.place, row.since.isoformat()) if back
                         else self.tr("来自{0}（{1} 起）").format(row.other_org, row.since.isoformat()))
        self.until = self.add_date("until", self.tr("返回日期") if back else self.tr("离开日期"), required=True)
        self.until.set_date(date.today())
        self.end_note = self.add_line("end_note", self.tr("说明"), max_length=200,
                                      placeholder=self.tr("如 返乡务农") if back else self.tr("如 转回原籍"))
        self.until.setFocus()

    def values(self) -> dict[str, Any]:
        problems: list[FieldProblem] = []
        until = self.date_value("until", problems)
        if problems:
            raise ValidationError(problems)
        return {"until": until, "note": self.end_note.text()}

    def save(self, values: dict[str, Any]) -> int:
        self.ctx.call(mobile.end_mobile, self.row.id, values["until"], values["note"])
        return self.row.id


class LostDialog(FormDialog):
    """登记失联 (row None) or 修改 the date contact was lost."""

    def __init__(self, ctx: AppContext, unit_id: int, row: LostRow | None = None,
                 parent: QWidget | None = None) -> None:
        title = self.tr("登记失联党员") if row is None else self.tr("修改失联记录：{0}").format(row.name)
        super().__init__("dlg_lost", title, parent)
        self.ctx, self.unit_id, self.row = ctx, unit_id, row
        self.person = _member_picker(self, ctx, unit_id, "lost_member")
        self.add_field("member_id", self.tr("姓名"), self.person, required=True)
        self.lost_since = self.add_date("lost_since", self.tr("失联时间"), required=True)
        if row is None:
            self.person.setFocus()
        else:
            _fixed(self.person, row.name, row.member_id)
            self.person.setEnabled(False)
            self.lost_since.set_date(row.lost_since)
            self.lost_since.setFocus()

    def values(self) -> dict[str, Any]:
        problems: list[FieldProblem] = []
        on = self.date_value("lost_since", problems)
        if problems:
            raise ValidationError(problems)
        return {"member_id": self.person.value, "lost_since": on}

    def save(self, values: dict[str, Any]) -> int:
        if self.row is None:
            return self.ctx.call(lost.register_lost, self.unit_id, values["member_id"], values["lost_since"])
        self.ctx.call(lost.correct_lost, self.row.id, values["lost_since"])
        return self.row.id


class LostSearchDialog(FormDialog):
    """记录查找: one attempt to find the member; the attempts so far are listed above."""

    def __init__(self, ctx: AppContext, row: LostRow, parent: QWidget | None = None) -> None:
        super().__init__("dlg_lost_search", self.tr("记录查找：{0}").format(row.name), parent)
        self.ctx, self.row = ctx, row
        done = ctx.call(lost.list_searches, row.id)
        history = "\n".join(f"{x.searched_on.isoformat()} {x.method}：{x.result}" for x in done[-5:])
        info = QLabel(history or self.tr("尚无查找记录"), self)
        info.setWordWrap(True)
        self.add_field("history", self.tr("已查找 {0} 次").format(len(done)), info)
        self.searched_on = self.add_date("searched_on", self.tr("查找日期"), required=True)
        self.searched_on.set_date(date.today())
        self.method = self.add_combo("method", self.tr("查找方式"), [self.tr(m) for m in SEARCH_METHODS],
                                     required=True)
        self.method.setEditable(True)
        self.result_edit = self.add_line("result", self.tr("查找结果"), required=True, max_length=500,
                                    placeholder=self.tr("如 家属称其在外地务工，无联系方式"))
        self.by = self.add_line("by", self.tr("查找人"), max_length=40)
        self.searched_on.setFocus()

    def values(self) -> dict[str, Any]:
        problems: list[FieldProblem] = []
        on = self.date_value("searched_on", problems)
        if problems:
            raise ValidationError(problems)
        return {"on": on, "method": self.method.currentText(), "result": self.result_edit.text(), "by": self.by.text()}

    def save(self, values: dict[str, Any]) -> int:
        v = values
        return self.ctx.call(lost.add_search, self.row.id, v["on"], v["method"], v["result"], v["by"])


class LostCloseDialog(FormDialog):
    """结束失联: the outcome; 停止党籍, 除名 and 死亡 also take the member off the roster that day."""

    def __init__(self, ctx: AppContext, row: LostRow, parent: QWidget | None = None) -> None:
        super().__init__("dlg_lost_close", self.tr("结束失联：{0}").format(row.name), parent)
        self.ctx, self.row = ctx, row
        self.add_section(self.tr("{0} 起失联，已 {1} 个月，查找 {2} 次。失去联系{3}个月以上、经多方查找仍无音讯的，"
                                 "经支部大会讨论、报上级党组织批准，可停止其党籍。")
                         .format(row.lost_since.isoformat(), row.months, row.searches, STOP_MONTHS))
        self.outcome = self.add_combo("outcome", self.tr("处理结果"), [(self.tr(o), o) for o in LOST_OUTCOMES],
                                      required=True)
        self.outcome_on = self.add_date("outcome_on", self.tr("日期"), required=True)
        self.outcome_on.set_date(date.today())
        self.note = self.add_line("outcome_note", self.tr("说明"), max_length=500,
                                  placeholder=self.tr("如 经支部大会讨论，报上级党委批准"))
        self.died = QCheckBox(self.tr("同时在居民信息中登记去世"), self)
        self.add_field("resident_died", self.tr("居民信息"), self.died)
        self.hint = QLabel(self)
        self.hint.setWordWrap(True)
        self.add_field("effect", self.tr("党员名册"), self.hint)
        self.outcome.currentIndexChanged.connect(self._outcome_changed)
        select_combo_data(self.outcome, "恢复联系")
        self._outcome_changed()
        self.outcome.setFocus()

    def _outcome_changed(self) -> None:
        outcome = self.outcome.currentData()
        self.show_field("resident_died", outcome == "死亡")
        ends = outcome in lost.LEAVE_BY_OUTCOME
        self.hint.setText(self.tr("保存后该党员从党员名册中离开（{0}）").format(outcome) if ends
                          else self.tr("不影响党员名册"))

    def values(self) -> dict[str, Any]:
        problems: list[FieldProblem] = []
        on = self.date_value("outcome_on", problems)
        if problems:
            raise ValidationError(problems)
        return {"outcome": self.outcome.currentData(), "on": on, "note": self.note.text(),
                "died": self.died.isChecked() and self.outcome.currentData() == "死亡"}

    def save(self, values: dict[str, Any]) -> int:
        v = values
        self.ctx.call(lost.close_lost, self.row.id, v["outcome"], v["on"], v["note"], v["died"])
        return self.row.id
