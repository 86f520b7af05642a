"""The dialogs of the 环形互动 tab: 新建议题, 记录意见, 支部答复, 代表会表决, 落实安排, 记录进展, 群众评价,
and 村务公开 from a sheet (opened from the tab and from the 公示 page)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from PySide6.QtWidgets import QCheckBox, QMessageBox, QPushButton, QWidget

from app.services.affairs import open_affairs, topics
from app.services.affairs.meetings import check_meeting
from app.services.affairs.topics import DIRECTIONS, VERDICTS, TopicRow
from app.services.context import AppContext
from app.services.errors import FieldProblem, ServiceError, ValidationError
from app.services.tickets import queries as ticket_queries

from ..common.files import ask_open_path, ask_save_path
from ..common.form import FormDialog
from ..common.search_picker import SearchPicker
from .decision_dialogs import StepDialog

PDF_FILTER = "PDF 文件 (*.pdf)"
SHEET_FILTER = "表格文件 (*.xlsx *.xls *.et *.csv)"


def _required(dialog: FormDialog, name: str) -> date:
    problems: list[FieldProblem] = []
    on = dialog.date_value(name, problems)
    if problems or on is None:
        raise ValidationError(problems)
    return on


def _residents(ctx: AppContext, unit_id: int):  # type: ignore[no-untyped-def]
    def search(text: str) -> list[tuple[str, object]]:
        return [(c.label, c.id) for c in ctx.call(ticket_queries.find_requesters, unit_id, text)]
    return search


class TopicDialog(FormDialog):
    """新建议题 (正序: the 支部 sets it; 倒序: raised by villagers); result_value is the new topic's id."""

    def __init__(self, ctx: AppContext, unit_id: int, parent: QWidget | None = None) -> None:
        super().__init__("dialog_topic", self.tr("新建议题"), parent)
        self.ctx, self.unit_id = ctx, unit_id
        self.add_line("title", self.tr("议题"), required=True, max_length=200,
                      placeholder=self.tr("如 村内主街路灯安装"))
        self.add_combo("direction", self.tr("方式"), [
            (self.tr("正序（支部定主题，党员征求群众意见）"), "正序"),
            (self.tr("倒序（群众提出，党员收集反馈）"), "倒序")], required=True)
        self.add_date("opened_on", self.tr("提出日期"), required=True).set_date(date.today())
        self.add_text("content", self.tr("议题内容"))
        assert DIRECTIONS == ("正序", "倒序")  # the two labels above

    def values(self) -> dict[str, Any]:
        on = _required(self, "opened_on")
        f = self.fields
        return {"title": f["title"].text(), "direction": f["direction"].currentData(),  # type: ignore[attr-defined]
                "content": f["content"].toPlainText(), "opened_on": on}  # type: ignore[attr-defined]

    def save(self, values: dict[str, Any]) -> int:
        return self.ctx.call(topics.open_topic, self.unit_id, **values)


class OpinionDialog(FormDialog):
    """记录意见: which member gathered it, from whom (a villager of the register, or a name), when, what."""

    def __init__(self, ctx: AppContext, unit_id: int, topic: TopicRow, parent: QWidget | None = None) -> None:
        super().__init__("dialog_topic_opinion", self.tr("记录群众意见"), parent)
        self.ctx, self.unit_id, self.topic = ctx, unit_id, topic
        self.add_section(f"{topic.number}　{topic.title}")
        self.member = SearchPicker("opinion_member", self._members, self.tr("党员姓名或拼音首字母"), self)
        self.add_field("member_id", self.tr("收集党员"), self.member)
        self.speaker = SearchPicker("opinion_speaker", _residents(ctx, unit_id),
                                    self.tr("姓名、拼音首字母或电话后四位；名册外的直接填写姓名"), self)
        self.add_field("speaker", self.tr("提出人"), self.speaker)
        self.add_date("gathered_on", self.tr("征求日期"), required=True).set_date(date.today())
        self.add_text("content", self.tr("意见内容"))

    def _members(self, text: str) -> list[tuple[str, object]]:
        return [(c.label, c.member_id) for c in self.ctx.call(ticket_queries.find_handlers, self.unit_id, text)
                if c.member_id is not None]

    def values(self) -> dict[str, Any]:
        on = _required(self, "gathered_on")
        member = self.member.value if isinstance(self.member.value, int) else None
        if member is None and self.member.text().strip():
            raise ValidationError([FieldProblem("member_id", self.tr("收集党员"),
                                                self.tr("请从列表中选择党员（输入姓名后在下面点选）"))])
        resident = self.speaker.value if isinstance(self.speaker.value, int) else None
        return {"content": self.fields["content"].toPlainText(), "member_id": member,  # type: ignore[attr-defined]
                "resident_id": resident, "speaker": "" if resident else self.speaker.text(), "gathered_on": on}

    def save(self, values: dict[str, Any]) -> int:
        return self.ctx.call(topics.add_opinion, self.topic.id, **values)


class AnswerDialog(FormDialog):
    """支部答复: what the 支部 decided after studying the opinions."""

    def __init__(self, ctx: AppContext, topic: TopicRow, parent: QWidget | None = None) -> None:
        super().__init__("dialog_topic_answer", self.tr("支部答复"), parent)
        self.ctx, self.topic = ctx, topic
        self.add_section(self.tr("{0}　{1}（已收集意见 {2} 条）").format(topic.number, topic.title, topic.opinions))
        self.add_date("answered_on", self.tr("答复日期"), required=True).set_date(date.today())
        self.add_text("answer", self.tr("支部答复"))

    def values(self) -> dict[str, Any]:
        return {"answer": self.fields["answer"].toPlainText(),  # type: ignore[attr-defined]
                "answered_on": _required(self, "answered_on")}

    def save(self, values: dict[str, Any]) -> None:
        self.ctx.call(topics.record_answer, self.topic.id, **values)


@dataclass(frozen=True)
class _VoteSubject:
    """What StepDialog reads of a decision, for a topic: its vote is the 村民代表会议决议 step's meeting."""

    id: int
    number: str
    title: str
    next_step: str = "村民代表会议决议"


class VoteDialog(StepDialog):
    """代表会表决: the 四议两公开 tab's meeting dialog (roster ticks, votes, the rule shown before 保存),
    saved as the topic's vote."""

    def __init__(self, ctx: AppContext, unit_id: int, topic: TopicRow, parent: QWidget | None = None) -> None:
        super().__init__(ctx, unit_id, _VoteSubject(topic.id, topic.number, topic.title), parent)  # type: ignore[arg-type]
        self.setObjectName("dialog_topic_vote")
        self.setWindowTitle(self.tr("代表会表决"))
        self.topic = topic

    def save(self, values: dict[str, Any]) -> Any:
        result = self.ctx.call(check_meeting, self.unit_id, values["data"])
        if not result.passed:
            answer = QMessageBox.question(self, self.tr("表决未通过"), self.tr(
                "{0}\n\n保存后议题“{1}”将结束（未通过），不能再公开和落实。确定保存吗？").format(
                result.note, self.topic.title))
            if answer != QMessageBox.StandardButton.Yes:
                raise ServiceError(self.tr("未保存。"))
        return self.ctx.call(topics.record_vote, self.topic.id, values["data"])


class ArrangeDialog(FormDialog):
    """落实安排: the 责任人 (from the register) and the 时限."""

    def __init__(self, ctx: AppContext, unit_id: int, topic: TopicRow, parent: QWidget | None = None) -> None:
        super().__init__("dialog_topic_arrange", self.tr("落实安排"), parent)
        self.ctx, self.topic = ctx, topic
        self.add_section(f"{topic.number}　{topic.title}")
        self.person = SearchPicker("topic_responsible", _residents(ctx, unit_id), self.tr("姓名或拼音首字母"), self)
        if topic.responsible_name:
            self.person.edit.setText(topic.responsible_name)
            self.person.value = topic.responsible_id
            self.person.list.hide()
        self.add_field("responsible_id", self.tr("责任人"), self.person)
        self.add_date("due_on", self.tr("落实时限"), required=True).set_date(topic.due_on)

    def values(self) -> dict[str, Any]:
        due = _required(self, "due_on")
        if not isinstance(self.person.value, int):
            raise ValidationError([FieldProblem("responsible_id", self.tr("责任人"),
                                                self.tr("请从列表中选择责任人（输入姓名后在下面点选）"))])
        return {"responsible_id": self.person.value, "due_on": due}

    def save(self, values: dict[str, Any]) -> None:
        self.ctx.call(topics.arrange, self.topic.id, **values)


class ProgressDialog(FormDialog):
    """记录进展; 「落实完成」 ticked ends the 落实 on that date."""

    def __init__(self, ctx: AppContext, topic: TopicRow, parent: QWidget | None = None) -> None:
        super().__init__("dialog_topic_progress", self.tr("记录落实进展"), parent)
        self.ctx, self.topic = ctx, topic
        self.add_section(f"{topic.number}　{topic.title}")
        self.add_date("noted_on", self.tr("日期"), required=True).set_date(date.today())
        self.add_text("content", self.tr("进展情况"))
        self.check_done = QCheckBox(self.tr("落实完成（之后请群众评价）"), self)
        self.check_done.setObjectName("check_topic_done")
        self.add_field("done", "", self.check_done)

    def values(self) -> dict[str, Any]:
        return {"content": self.fields["content"].toPlainText(),  # type: ignore[attr-defined]
                "noted_on": _required(self, "noted_on"), "done": self.check_done.isChecked()}

    def save(self, values: dict[str, Any]) -> int:
        return self.ctx.call(topics.add_progress, self.topic.id, **values)


class VerdictDialog(FormDialog):
    """群众评价 of a finished topic."""

    def __init__(self, ctx: AppContext, topic: TopicRow, parent: QWidget | None = None) -> None:
        super().__init__("dialog_topic_verdict", self.tr("群众评价"), parent)
        self.ctx, self.topic = ctx, topic
        self.add_section(f"{topic.number}　{topic.title}")
        self.add_combo("verdict", self.tr("群众评价"), list(VERDICTS), required=True)
        self.add_text("note", self.tr("评价说明"))

    def values(self) -> dict[str, Any]:
        return {"verdict": self.fields["verdict"].currentText(),  # type: ignore[attr-defined]
                "note": self.fields["note"].toPlainText()}  # type: ignore[attr-defined]

    def save(self, values: dict[str, Any]) -> None:
        self.ctx.call(topics.record_verdict, self.topic.id, **values)


class OpenAffairsDialog(FormDialog):
    """村务公开: a title and any sheet (财务收支 …) made a masked 公示; result_value is its NoticeInfo."""

    def __init__(self, ctx: AppContext, unit_id: int, parent: QWidget | None = None) -> None:
        super().__init__("dialog_open_affairs", self.tr("村务公开"), parent)
        self.ctx, self.unit_id = ctx, unit_id
        self.add_line("title", self.tr("公示标题"), required=True, max_length=100,
                      placeholder=self.tr("如 2026年第一季度财务收支情况"))
        self.table_path = self.add_line("table_path", self.tr("公开的表格"), required=True,
                                        placeholder=self.tr("第一行为表头"))
        self.btn_table = QPushButton(self.tr("选择表格…"), self)
        self.btn_table.setObjectName("btn_pick_table")
        self.btn_table.clicked.connect(self._pick_table)
        self.grid.addWidget(self.btn_table, self._row, 1)
        self._row += 1  # its own row: the next field would otherwise lie over it
        self.add_text("body", self.tr("公示正文（可不填）"))
        self.add_date("start", self.tr("公示开始日期"), required=True).set_date(date.today())
        self.out_path = self.add_line("out_path", self.tr("保存到"), required=True)
        self.btn_out = QPushButton(self.tr("选择…"), self)
        self.btn_out.setObjectName("btn_browse")
        self.btn_out.clicked.connect(self._pick_out)
        self.grid.addWidget(self.btn_out, self._row, 1)
        self.btn_save.setText(self.tr("生成并发布"))

    def _pick_table(self) -> None:
        path = ask_open_path(self, self.tr("选择要公开的表格"), self.tr(SHEET_FILTER), purpose="import")
        if path is not None:
            self.table_path.setText(str(path))
            if not self.out_path.text().strip():
                self.out_path.setText(str(Path(path).with_suffix(".pdf")))

    def _pick_out(self) -> None:
        name = Path(self.out_path.text()).name or "村务公开.pdf"
        path = ask_save_path(self, self.tr("公示保存到"), name, self.tr(PDF_FILTER), ".pdf", purpose="notice")
        if path is not None:
            self.out_path.setText(str(path))

    def values(self) -> dict[str, Any]:
        start = _required(self, "start")
        problems = [FieldProblem(name, label, self.tr("请选择{0}").format(label))
                    for name, label, w in (("table_path", self.tr("公开的表格"), self.table_path),
                                           ("out_path", self.tr("保存到"), self.out_path)) if not w.text().strip()]
        if problems:
            raise ValidationError(problems)
        return {"table_path": Path(self.table_path.text().strip()), "title": self.fields["title"].text(),  # type: ignore[attr-defined]
                "out_path": Path(self.out_path.text().strip()), "start": start,
                "body": self.fields["body"].toPlainText()}  # type: ignore[attr-defined]

    def save(self, values: dict[str, Any]) -> Any:
        return self.ctx.call(open_affairs.publish_open_affairs, self.unit_id, **values)
