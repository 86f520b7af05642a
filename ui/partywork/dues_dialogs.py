"""党费 dialogs: 核定 / 修改核定 (dlg_dues_assess), 批量核定 (dlg_dues_bulk), 登记交费 (dlg_dues_payment),
作废 (dlg_dues_void), 党费规则 (dlg_dues_rules, with 修改 → dlg_dues_rule_change) and 欠交名单 (dlg_dues_arrears).
Amounts are typed in 元; the services keep 分 and say what is wrong beside the field."""

from __future__ import annotations

from datetime import date
from typing import Any

from PySide6.QtWidgets import QCheckBox, QDialog, QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from app.services import access
from app.services.context import AppContext
from app.services.errors import FieldProblem, ValidationError
from app.services.partywork import dues, dues_rules
from app.services.partywork.dues import (
    CATEGORY_OF_TYPE,
    DUES_CATEGORIES,
    PAYMENT_WAYS,
    AssessInput,
    DuesRow,
    PaymentRow,
)
from app.services.partywork.dues_rules import RATE_CATEGORIES, DuesRuleRow, yuan_text

from ..common.form import FormDialog, select_combo_data
from ..common.table_model import Column, LazyTableModel, list_source
from ..common.widgets import DataTable
from ..errors import user_errors

MONTHS = [(f"{m}月", m) for m in range(1, 13)]


class AssessDialog(FormDialog):
    """年度核定 of a member not yet 核定 for the year, or 修改核定 (from a month, with a reason)."""

    def __init__(self, ctx: AppContext, unit_id: int, year: int, row: DuesRow, change: bool = False,
                 parent: QWidget | None = None) -> None:
        title = self.tr("修改核定：{0}（{1}年）") if change else self.tr("年度核定：{0}（{1}年）")
        super().__init__("dlg_dues_assess", title.format(row.name, year), parent)
        self.ctx, self.unit_id, self.year, self.row, self.change = ctx, unit_id, year, row, change
        self.category = self.add_combo("category", self.tr("交纳类别"), [self.tr(c) for c in DUES_CATEGORIES],
                                       required=True)
        self.base = self.add_line("base", self.tr("计算基数（元/月）"), max_length=12,
                                  placeholder=self.tr("税后月收入或离退休费，如 4800"))
        self.monthly = self.add_line("monthly", self.tr("每月交纳（元）"), max_length=8, placeholder=self.tr("如 0.20"))
        self.from_month = self.add_combo("from_month", self.tr("起始月份"), MONTHS, required=True)
        self.decided_on = self.add_date("decided_on", self.tr("核定日期"), required=True)
        self.reason = self.add_line("reason", self.tr("变更原因"), required=change, max_length=200,
                                    placeholder=self.tr("如 工资调整、退休、录入有误"))
        self.hint = QLabel(self.body)
        self.hint.setObjectName("label_dues_rule_hint")
        self.hint.setWordWrap(True)
        self.grid.addWidget(self.hint, self.grid.rowCount(), 0, 1, 3)
        self.rules = ctx.call(dues_rules.list_rules, unit_id, year)
        self.show_field("reason", change)
        if change and row.assessment_id is not None:
            start = ctx.call(dues.assessment_input, row.assessment_id)
            select_combo_data(self.category, start.category)
            self.base.setText(str(start.base))
            self.monthly.setText(str(start.monthly))
            select_combo_data(self.from_month, min(date.today().month, 12) if year == date.today().year else 1)
        else:
            select_combo_data(self.category, CATEGORY_OF_TYPE.get(row.member_type, "农民"))
            self.monthly.setText("0.20")
            select_combo_data(self.from_month, 1)
        self.decided_on.set_date(date.today())
        self.category.currentIndexChanged.connect(self._category_changed)
        self._category_changed()
        self.category.setFocus()

    def _category_changed(self) -> None:
        category = self.category.currentData()
        rate = category in RATE_CATEGORIES
        self.show_field("base", rate)
        self.show_field("monthly", not rate)
        bands = [r for r in self.rules if r.category == category]
        self.hint.setText(self.tr("{0}年{1}党员：{2}").format(
            self.year, category, "；".join(f"{r.band_text} {r.charge_text}".replace("— ", "") for r in bands)))

    def values(self) -> dict[str, Any]:
        problems: list[FieldProblem] = []
        on = self.date_value("decided_on", problems)
        if problems:
            raise ValidationError(problems)
        rate = self.category.currentData() in RATE_CATEGORIES
        return {"data": AssessInput(self.row.member_id, self.year, self.category.currentData(),
                                    self.base.text() if rate else "", "" if rate else self.monthly.text(),
                                    self.from_month.currentData(), on, self.reason.text())}

    def save(self, values: dict[str, Any]) -> int:
        service = dues.change_assessment if self.change else dues.assess
        return self.ctx.call(service, self.unit_id, values["data"])


class BulkAssessDialog(FormDialog):
    """批量核定: every member of the year not yet 核定 (last year's base, or 农民 at the amount given)."""

    def __init__(self, ctx: AppContext, unit_id: int, year: int, parent: QWidget | None = None) -> None:
        super().__init__("dlg_dues_bulk", self.tr("批量年度核定（{0}年）").format(year), parent)
        self.ctx, self.unit_id, self.year = ctx, unit_id, year
        note = QLabel(self.tr("为本年度尚未核定的党员核定党费：上年已核定的沿用上年类别和基数（按本年规则计算）；"
                              "农民党员（含流动党员）按下面的金额；在职、离退休党员没有上年基数的，请逐人核定。"), self)
        note.setWordWrap(True)
        self.grid.addWidget(note, 0, 0, 1, 3)
        self._row = 1
        self.farmer = self.add_line("monthly", self.tr("农民党员每月（元）"), required=True, max_length=8)
        self.farmer.setText("0.20")
        self.decided_on = self.add_date("decided_on", self.tr("核定日期"), required=True)
        self.decided_on.set_date(date.today())
        self.farmer.setFocus()

    def values(self) -> dict[str, Any]:
        problems: list[FieldProblem] = []
        on = self.date_value("decided_on", problems)
        if problems:
            raise ValidationError(problems)
        return {"farmer": self.farmer.text(), "on": on}

    def save(self, values: dict[str, Any]) -> dues.BulkResult:
        return self.ctx.call(dues.bulk_assess, self.unit_id, self.year, values["farmer"], values["on"])


class PaymentDialog(FormDialog):
    """登记交费 for a member: months, amount (the months' 应交 filled in), date, way, 代交人, 补交, 收款人."""

    def __init__(self, ctx: AppContext, unit_id: int, year: int, row: DuesRow, parent: QWidget | None = None) -> None:
        super().__init__("dlg_dues_payment", self.tr("登记交费：{0}（{1}年）").format(row.name, year), parent)
        self.ctx, self.unit_id, self.year, self.row = ctx, unit_id, year, row
        self.month_from = self.add_combo("month_from", self.tr("起始月份"), MONTHS, required=True)
        self.month_to = self.add_combo("month_to", self.tr("截止月份"), MONTHS, required=True)
        self.amount = self.add_line("amount", self.tr("实交金额（元）"), required=True, max_length=12)
        self.paid_on = self.add_date("paid_on", self.tr("交纳日期"), required=True)
        self.way = self.add_combo("way", self.tr("交纳方式"), [self.tr(w) for w in PAYMENT_WAYS], required=True)
        self.paid_by = self.add_line("paid_by", self.tr("代交人"), max_length=40, placeholder=self.tr("本人交纳不填"))
        self.makeup = QCheckBox(self.tr("补交（以前月份的党费）"), self)
        self.add_field("makeup", self.tr("补交"), self.makeup)
        self.collector = self.add_line("collector", self.tr("收款人"), required=True, max_length=40)
        self.note = self.add_line("note", self.tr("备注"), max_length=200, placeholder=self.tr("自愿多交请注明"))
        first = next((m for m in range(1, 13) if m not in row.paid_months), 12)
        select_combo_data(self.month_from, first)
        select_combo_data(self.month_to, max(first, min(date.today().month, 12)) if year == date.today().year else 12)
        self.paid_on.set_date(date.today())
        actor = ctx.call(access.current_actor)
        self.collector.setText(actor.display_name if actor is not None else "")
        self.month_from.currentIndexChanged.connect(self._fill_amount)
        self.month_to.currentIndexChanged.connect(self._fill_amount)
        self._fill_amount()
        self.month_from.setFocus()

    def _fill_amount(self) -> None:
        """The months' 应交 at each month's 核定 (a change in the year counted)."""
        first, last = self.month_from.currentData(), self.month_to.currentData()
        due = self.ctx.call(dues.due_for_months, self.unit_id, self.row.member_id, self.year, first, last)
        self.amount.setText(yuan_text(due) if first <= last else "")

    def values(self) -> dict[str, Any]:
        problems: list[FieldProblem] = []
        on = self.date_value("paid_on", problems)
        if problems:
            raise ValidationError(problems)
        return {"data": dues.PaymentInput(self.row.member_id, self.year, self.month_from.currentData(),
                                          self.month_to.currentData(), self.amount.text(), on,
                                          self.way.currentData(), self.paid_by.text(), self.makeup.isChecked(),
                                          self.collector.text(), self.note.text())}

    def save(self, values: dict[str, Any]) -> int:
        return self.ctx.call(dues.record_payment, self.unit_id, values["data"])


class VoidPaymentDialog(FormDialog):
    """作废 a collection entry with the reason (the entry stays, marked 已作废)."""

    def __init__(self, ctx: AppContext, payment: PaymentRow, parent: QWidget | None = None) -> None:
        super().__init__("dlg_dues_void", self.tr("作废交费记录：收据 {0}").format(payment.receipt_no), parent)
        self.ctx, self.payment = ctx, payment
        what = QLabel(self.tr("{0} {1} {2} 元，{3} 交纳").format(payment.name, payment.months,
                                                             yuan_text(payment.amount_fen), payment.paid_on), self)
        self.grid.addWidget(what, 0, 0, 1, 3)
        self._row = 1
        self.reason = self.add_line("void_reason", self.tr("作废原因"), required=True, max_length=200,
                                    placeholder=self.tr("如 金额录错，已重新登记"))
        self.reason.setFocus()

    def values(self) -> dict[str, Any]:
        return {"reason": self.reason.text()}

    def save(self, values: dict[str, Any]) -> None:
        self.ctx.call(dues.void_payment, self.payment.id, values["reason"])


class RuleChangeDialog(FormDialog):
    """修改一档党费规则: the new rate (在职/离退休) or monthly amounts, and why; the old band is kept, ended."""

    def __init__(self, ctx: AppContext, rule: DuesRuleRow, parent: QWidget | None = None) -> None:
        super().__init__("dlg_dues_rule_change", self.tr("修改党费规则：{0}年 {1}").format(rule.year, rule.category),
                         parent)
        self.ctx, self.rule = ctx, rule
        band = QLabel(self.tr("档次：{0}；现行：{1}").format(rule.band_text, rule.charge_text), self)
        self.grid.addWidget(band, 0, 0, 1, 3)
        self._row = 1
        rate = rule.rate_permille is not None
        self.rate = self.add_line("rate", self.tr("交纳比例（%）"), required=rate, max_length=6)
        self.low = self.add_line("min_yuan", self.tr("每月最低（元）"), required=not rate, max_length=8)
        self.high = self.add_line("max_yuan", self.tr("每月最高（元）"), max_length=8)
        self.reason = self.add_line("reason", self.tr("修改原因"), required=True, max_length=200,
                                    placeholder=self.tr("如 按县委组织部通知调整"))
        self.show_field("rate", rate)
        self.show_field("min_yuan", not rate)
        self.show_field("max_yuan", not rate)
        if rate:
            self.rate.setText(dues_rules.rate_text(rule.rate_permille or 0).removesuffix("%"))
        else:
            self.low.setText(yuan_text(rule.min_fen or 0))
            self.high.setText(yuan_text(rule.max_fen if rule.max_fen is not None else rule.min_fen or 0))
        self.reason.setFocus()

    def values(self) -> dict[str, Any]:
        return {"rate": self.rate.text(), "low": self.low.text(), "high": self.high.text(), "reason": self.reason.text()}

    def save(self, values: dict[str, Any]) -> int:
        v = values
        return self.ctx.call(dues_rules.change_rule, self.rule.id, v["rate"], v["low"], v["high"], v["reason"])


RULE_COLUMNS: list[Column[DuesRuleRow]] = [
    Column("类别", "category", width=5),
    Column("月收入档次", "band_text", width=22),
    Column("交纳标准", "charge_text", width=16),
    Column("说明", "note", width=24),
]


class RulesDialog(QDialog):
    """The year's 党费规则 (seeded with the 2008 rules); 修改… ends a band and adds the new one."""

    def __init__(self, ctx: AppContext, unit_id: int, year: int, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("dlg_dues_rules")
        self.setWindowTitle(self.tr("{0}年党费规则").format(year))
        self.ctx, self.unit_id, self.year = ctx, unit_id, year
        self.changed = False
        outer = QVBoxLayout(self)
        intro = QLabel(self.tr("依据《关于中国共产党党费收缴、使用和管理的规定》（中组发〔2008〕3号）。"
                               "修改某一档时，原规则保留并注明修改原因；已核定的党员需重新核定才按新规则计算。"), self)
        intro.setWordWrap(True)
        outer.addWidget(intro)
        self.table = DataTable("table_dues_rules", self)
        self.table.list_name = self.tr("党费规则")
        count, page = list_source(lambda: ctx.call(dues_rules.list_rules, unit_id, year))
        self.model: LazyTableModel[DuesRuleRow] = LazyTableModel(RULE_COLUMNS, count, page, parent=self)
        self.table.setModel(self.model)
        outer.addWidget(self.table, 1)
        buttons = QHBoxLayout()
        self.btn_change = QPushButton(self.tr("修改…"), self)
        self.btn_change.setObjectName("btn_dues_rule_change")
        close = QPushButton(self.tr("关闭"), self)
        close.setObjectName("btn_close")
        buttons.addWidget(self.btn_change)
        buttons.addStretch(1)
        buttons.addWidget(close)
        outer.addLayout(buttons)
        self.table.enable_with_selection(self.btn_change)
        self.btn_change.clicked.connect(self.change)
        close.clicked.connect(self.accept)
        self.model.refresh()
        self.resize(self.fontMetrics().horizontalAdvance("中") * 60, self.fontMetrics().height() * 22)

    def change(self) -> None:
        row = self.table.current_row()
        rule = self.model.row_at(row) if row >= 0 else None
        if rule is None:
            return
        with user_errors(self):
            if RuleChangeDialog(self.ctx, rule, self).exec() == QDialog.DialogCode.Accepted:
                self.changed = True
                self.model.refresh()


ARREARS_COLUMNS: list[Column[dues.ArrearsRow]] = [
    Column("姓名", "name", width=5),
    Column("所在支部", "org_name", width=10),
    Column("欠交月份", "owed_text", width=24),
    Column("欠交月数", lambda r: len(r.owed), width=4),
    Column("欠交金额（元）", lambda r: yuan_text(r.owed_fen), width=6),
    Column("最长连续未交", lambda r: f"{r.run}个月" + ("（须处置）" if r.warn else ""), width=8),
    Column("交到", "paid_to", width=5),
]


class ArrearsDialog(QDialog):
    """欠交名单 on a day: every month over and unpaid, over the years; six in a row marked (党章 第三十八条)."""

    def __init__(self, ctx: AppContext, unit_id: int, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("dlg_dues_arrears")
        self.setWindowTitle(self.tr("欠交党费名单（截至 {0}）").format(date.today().isoformat()))
        outer = QVBoxLayout(self)
        rows = ctx.call(dues.arrears_list, unit_id)
        warn = sum(1 for r in rows if r.warn)
        intro = QLabel(self.tr("共 {0} 人欠交，其中连续六个月及以上未交 {1} 人。党章第三十八条：党员连续六个月不交纳党费，"
                               "没有正当理由的，视为自行脱党，支部应当提交党员大会决定除名。").format(len(rows), warn), self)
        intro.setObjectName("label_dues_arrears")
        intro.setWordWrap(True)
        outer.addWidget(intro)
        table = DataTable("table_dues_arrears", self)
        table.list_name = self.tr("欠交党费名单")
        count, page = list_source(lambda: rows)
        self.model: LazyTableModel[dues.ArrearsRow] = LazyTableModel(ARREARS_COLUMNS, count, page, parent=self)
        table.setModel(self.model)
        outer.addWidget(table, 1)
        close = QPushButton(self.tr("关闭"), self)
        close.setObjectName("btn_close")
        close.clicked.connect(self.accept)
        bar = QHBoxLayout()
        bar.addStretch(1)
        bar.addWidget(close)
        outer.addLayout(bar)
        self.model.refresh()
        self.resize(self.fontMetrics().horizontalAdvance("中") * 64, self.fontMetrics().height() * 22)
