"""党费 tab: the year's members with their 核定, months paid and owed (six months in a row shaded: 党章
第三十八条), the selected member's entries below; 年度核定 / 批量核定 / 修改核定 / 登记交费 / 作废 / 打印收据,
党费规则, 欠交名单 and 按党费记录扣分. The 工作台's 「连续6个月未交党费的党员」 line opens it filtered."""

from __future__ import annotations

from datetime import date

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QHBoxLayout,
    QMessageBox,
    QPushButton,
    QSpinBox,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from app.services.context import AppContext
from app.services.partywork import dues, dues_outputs
from app.services.partywork.dues import WARN_MONTHS, DuesRow, PaymentRow
from app.services.partywork.dues_rules import yuan_text

from ..common.files import ask_save_path
from ..common.page import Changes
from ..common.table_model import Column, LazyTableModel, list_source
from ..common.widgets import DataTable, InfoLabel
from ..errors import user_errors
from .dues_dialogs import (
    ArrearsDialog,
    AssessDialog,
    BulkAssessDialog,
    PaymentDialog,
    RulesDialog,
    VoidPaymentDialog,
)

WARN_BG = QColor("#f8d7da")
OWE_BG = QColor("#fff3cd")
FILTERS = (("全部党员", ""), ("欠交的", "owed"), (f"连续{WARN_MONTHS}个月未交的", "warn"), ("未核定的", "unassessed"))


def _months(months: tuple[int, ...]) -> str:
    return f"{len(months)}个月" if months else ""


MEMBER_COLUMNS: list[Column[DuesRow]] = [
    Column("姓名", "name", width=5),
    Column("所在支部", "org_name", width=9),
    Column("类别", "category", width=3),
    Column("每月应交（元）", lambda r: yuan_text(r.monthly_fen) if r.assessment_id else "", width=6),
    Column("已交", lambda r: _months(r.paid_months), width=4),
    Column("已交金额（元）", lambda r: yuan_text(r.paid_fen) if r.paid_fen else "", width=6),
    Column("欠交", lambda r: _months(r.owed_months), width=4),
    Column("交到", "paid_to", width=5),
    Column("状态", "state", width=8),
]
PAYMENT_COLUMNS: list[Column[PaymentRow]] = [
    Column("收据编号", "receipt_no", width=6),
    Column("姓名", "name", width=5),
    Column("交纳月份", "months", width=9),
    Column("金额（元）", lambda p: yuan_text(p.amount_fen), width=5),
    Column("交纳日期", "paid_on", width=6),
    Column("方式", "way", width=4),
    Column("代交人", "paid_by", width=4),
    Column("补交", lambda p: "补交" if p.makeup else "", width=3),
    Column("收款人", "collector", width=4),
    Column("备注", lambda p: f"已作废：{p.void_reason}" if p.voided_on else p.note, width=12),
]


class _MemberModel(LazyTableModel[DuesRow]):
    def data(self, index, role=Qt.ItemDataRole.DisplayRole):  # type: ignore[no-untyped-def, override]
        if role == Qt.ItemDataRole.BackgroundRole:
            row = self.row_at(index.row())
            if row is not None and row.warn:
                return WARN_BG
            return OWE_BG if row is not None and row.owed_months else None
        return super().data(index, role)


class DuesTab(QWidget):
    def __init__(self, ctx: AppContext, changes: Changes, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("tab_partywork_dues")
        self.ctx, self.changes = ctx, changes
        outer = QVBoxLayout(self)
        bar = QHBoxLayout()
        self.spin_year = QSpinBox(self)
        self.spin_year.setObjectName("spin_dues_year")
        self.spin_year.setRange(2000, 2100)
        self.spin_year.setValue(date.today().year)
        self.spin_year.setSuffix(self.tr(" 年度"))
        self.combo_filter = QComboBox(self)
        self.combo_filter.setObjectName("combo_dues_filter")
        for text, key in FILTERS:
            self.combo_filter.addItem(self.tr(text), key)
        self.info = InfoLabel("info_partywork_dues", self)
        bar.addWidget(self.spin_year)
        bar.addWidget(self.combo_filter)
        bar.addWidget(self.info, 1)
        self.btn_rules = self._button("btn_dues_rules", self.tr("党费规则…"))
        self.btn_arrears = self._button("btn_dues_arrears", self.tr("欠交名单"))
        self.btn_points = self._button("btn_dues_points", self.tr("按党费记录扣分"))
        for b in (self.btn_rules, self.btn_arrears, self.btn_points):
            bar.addWidget(b)
        outer.addLayout(bar)
        actions = QHBoxLayout()
        self.btn_assess = self._button("btn_dues_assess", self.tr("年度核定…"))
        self.btn_bulk = self._button("btn_dues_bulk", self.tr("批量核定…"))
        self.btn_change = self._button("btn_dues_change", self.tr("修改核定…"))
        self.btn_pay = self._button("btn_dues_pay", self.tr("登记交费…"))
        self.btn_void = self._button("btn_dues_void", self.tr("作废…"))
        self.btn_receipt = self._button("btn_dues_receipt", self.tr("打印收据"))
        for b in (self.btn_assess, self.btn_bulk, self.btn_change, self.btn_pay):
            actions.addWidget(b)
        actions.addStretch(1)
        actions.addWidget(self.btn_void)
        actions.addWidget(self.btn_receipt)
        outer.addLayout(actions)

        split = QSplitter(Qt.Orientation.Vertical, self)
        outer.addWidget(split, 1)
        self.table_members = DataTable("table_dues_members", split)
        self.table_members.list_name = self.tr("党费交纳情况")
        count, page = list_source(self._members)
        self.members_model = _MemberModel(MEMBER_COLUMNS, count, page, parent=self)
        self.table_members.setModel(self.members_model)
        self.members_model.loadFailed.connect(self.info.show_error)
        self.table_payments = DataTable("table_dues_payments", split)
        self.table_payments.list_name = self.tr("党费交纳记录")
        count, page = list_source(self._payments)
        self.payments_model: LazyTableModel[PaymentRow] = LazyTableModel(PAYMENT_COLUMNS, count, page, parent=self)
        self.table_payments.setModel(self.payments_model)
        self.payments_model.loadFailed.connect(self.info.show_error)
        split.setStretchFactor(0, 3)
        split.setStretchFactor(1, 2)

        self.table_members.enable_with_selection(self.btn_assess, allowed=lambda: self._member_is(assessed=False))
        self.table_members.enable_with_selection(self.btn_change, allowed=lambda: self._member_is(assessed=True))
        self.table_members.enable_with_selection(self.btn_pay, allowed=lambda: self._member_is(assessed=True))
        self.table_payments.enable_with_selection(self.btn_void, self.btn_receipt, allowed=self._payment_live)
        self.spin_year.valueChanged.connect(lambda _y: self.refresh())
        self.combo_filter.currentIndexChanged.connect(lambda _i: self.refresh())
        self.table_members.selectionModel().selectionChanged.connect(lambda *_a: self.payments_model.refresh())
        self.btn_assess.clicked.connect(lambda: self._assess(change=False))
        self.btn_change.clicked.connect(lambda: self._assess(change=True))
        self.btn_bulk.clicked.connect(self.bulk)
        self.btn_pay.clicked.connect(self.pay)
        self.btn_void.clicked.connect(self.void)
        self.btn_receipt.clicked.connect(self.receipt)
        self.btn_rules.clicked.connect(self.rules)
        self.btn_arrears.clicked.connect(self.arrears)
        self.btn_points.clicked.connect(self.book_points)

    def _button(self, name: str, text: str) -> QPushButton:
        b = QPushButton(text, self)
        b.setObjectName(name)
        return b

    @property
    def unit_id(self) -> int:
        unit_id = self.ctx.unit_id
        assert unit_id is not None
        return unit_id

    @property
    def year(self) -> int:
        return self.spin_year.value()

    # ---- lists ----------------------------------------------------------------------------------

    def _members(self) -> list[DuesRow]:
        rows: list[DuesRow] = self.ctx.call(dues.list_dues, self.unit_id, self.year)
        key = self.combo_filter.currentData()
        keep = {"owed": lambda r: bool(r.owed_months), "warn": lambda r: r.warn,
                "unassessed": lambda r: r.assessment_id is None}.get(key)
        return [r for r in rows if keep(r)] if keep else rows

    def _payments(self) -> list[PaymentRow]:
        member = self.current_member()
        return self.ctx.call(dues.list_payments, self.unit_id, self.year, member.member_id if member else None)

    def refresh(self) -> None:
        self.members_model.refresh()
        self.payments_model.refresh()
        rows = self.members_model.rows
        warn = sum(1 for r in rows if r.warn)
        text = self.tr("{0} 人，已核定 {1} 人，欠交 {2} 人").format(
            len(rows), sum(1 for r in rows if r.assessment_id), sum(1 for r in rows if r.owed_months))
        if warn:
            text += self.tr("；连续{0}个月以上未交 {1} 人，支部应及时处置").format(WARN_MONTHS, warn)
        self.info.show_info(text)

    def show_filter(self, key: str) -> bool:
        """The 工作台's line: this year's members six months or more behind."""
        if key != "dues_arrears":
            return False
        self.spin_year.setValue(date.today().year)
        self.combo_filter.setCurrentIndex(next(i for i, (_t, k) in enumerate(FILTERS) if k == "warn"))
        self.refresh()
        return True

    def current_member(self) -> DuesRow | None:
        row = self.table_members.current_row()
        return self.members_model.row_at(row) if row >= 0 else None

    def current_payment(self) -> PaymentRow | None:
        row = self.table_payments.current_row()
        return self.payments_model.row_at(row) if row >= 0 else None

    def _member_is(self, assessed: bool) -> bool:
        m = self.current_member()
        return m is not None and (m.assessment_id is not None) == assessed

    def _payment_live(self) -> bool:
        p = self.current_payment()
        return p is not None and p.voided_on is None

    # ---- actions --------------------------------------------------------------------------------

    def _run(self, dialog: QDialog) -> bool:
        with user_errors(self):
            if dialog.exec() == QDialog.DialogCode.Accepted:
                self._changed()
                return True
        return False

    def _changed(self) -> None:
        member = self.current_member()
        self.refresh()
        if member is not None:  # keep the member selected: the next step is usually theirs
            for i, r in enumerate(self.members_model.rows):
                if r.member_id == member.member_id:
                    self.table_members.select_row(i)
        self.changes.changed.emit("partywork", self)

    def _assess(self, change: bool) -> None:
        member = self.current_member()
        if member is not None:
            self._run(AssessDialog(self.ctx, self.unit_id, self.year, member, change, self))

    def bulk(self) -> None:
        dialog = BulkAssessDialog(self.ctx, self.unit_id, self.year, self)
        if self._run(dialog):
            result: dues.BulkResult = dialog.result_value
            text = self.tr("已核定 {0} 人。").format(result.made)
            if result.skipped:
                text += self.tr("\n以下党员未核定，请逐人核定：\n{0}").format("\n".join(result.skipped))
            QMessageBox.information(self, self.tr("批量核定"), text)

    def pay(self) -> None:
        member = self.current_member()
        if member is None:
            return
        dialog = PaymentDialog(self.ctx, self.unit_id, self.year, member, self)
        if self._run(dialog):
            answer = QMessageBox.question(self, self.tr("打印收据"), self.tr("已登记：{0}。现在打印收据吗？").format(
                self.ctx.call(dues_outputs.payment_summary, dialog.result_value)))
            if answer == QMessageBox.StandardButton.Yes:
                self._print(dialog.result_value)

    def void(self) -> None:
        payment = self.current_payment()
        if payment is not None and payment.voided_on is None:
            self._run(VoidPaymentDialog(self.ctx, payment, self))

    def receipt(self) -> None:
        payment = self.current_payment()
        if payment is not None:
            self._print(payment.id)

    def _print(self, payment_id: int) -> None:
        p: PaymentRow = self.ctx.call(dues.get_payment, payment_id)
        path = ask_save_path(self, self.tr("保存党费收据"), f"党费收据 {p.receipt_no} {p.name}.pdf",
                             self.tr("PDF 文件 (*.pdf)"), ".pdf", purpose="receipt")
        if path is None:
            return
        with user_errors(self):
            saved = self.ctx.call(dues_outputs.print_receipt, payment_id, path)
            self.info.show_info(self.tr("已生成收据：{0}").format(saved))

    def rules(self) -> None:
        dialog = RulesDialog(self.ctx, self.unit_id, self.year, self)
        dialog.exec()
        if dialog.changed:
            self._changed()

    def arrears(self) -> None:
        with user_errors(self):
            ArrearsDialog(self.ctx, self.unit_id, self).exec()

    def book_points(self) -> None:
        answer = QMessageBox.question(self, self.tr("按党费记录扣分"), self.tr(
            "按今天的党费记录，为欠交三个月及以上的党员记入“未按时交纳党费”扣分（每季度每人最多一次）。继续吗？"))
        if answer != QMessageBox.StandardButton.Yes:
            return
        with user_errors(self):
            result = self.ctx.call(dues_outputs.book_dues_points, self.unit_id)
            text = self.tr("本次扣分 {0} 人").format(len(result.booked))
            if result.booked:
                text += "：\n" + "\n".join(result.booked)
            if result.already:
                text += self.tr("\n本季度已扣过 {0} 人，未重复扣分。").format(result.already)
            if result.no_rule:
                text += self.tr("\n没有适用的积分规则（请在积分规则中启用“未按时交纳党费”）：{0}").format(
                    "、".join(result.no_rule))
            self.changes.changed.emit("points", self)
            QMessageBox.information(self, self.tr("按党费记录扣分"), text)

