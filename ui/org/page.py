"""党组织与党员: the organisation tree beside the roster, and the selected member's details."""

from __future__ import annotations

from html import escape

from PySide6.QtCore import QEvent, Qt
from PySide6.QtGui import QResizeEvent
from PySide6.QtWidgets import (
    QBoxLayout,
    QCheckBox,
    QComboBox,
    QDialog,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSplitter,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from app.services.context import AppContext
from app.services.grid import coverage as grid_coverage
from app.services.org import members
from app.services.org.member_checks import MEMBER_TYPES, POINTS_CATEGORIES
from app.services.org.members import MemberQuery, MemberRow

from ..common.page import Changes, Page
from ..common.table_model import Column, LazyTableModel, service_source
from ..common.widgets import DataTable, InfoLabel, SearchBox, set_filters
from ..errors import user_errors
from ..imports.paste import connect_paste
from .leave_dialogs import TransferInDialog
from .member_actions import MemberActions
from .member_detail import detail_html
from .member_dialog import MemberDialog
from .tree_panel import OrgTreePanel

RIGHT = Qt.AlignmentFlag.AlignRight
ORG_ROLE = Qt.ItemDataRole.UserRole

# The page opens on 党员 (正式 + 预备): the roster a secretary counts; the pipeline is one click away.
STAGE_FILTERS: list[tuple[str, str | None]] = [
    ("党员（正式+预备）", "members"),
    ("全部（含发展党员）", None),
    ("发展中（申请至发展对象）", "pipeline"),
    ("正式党员", "正式党员"),
    ("预备党员", "预备党员"),
    ("发展对象", "发展对象"),
    ("入党积极分子", "入党积极分子"),
    ("申请入党", "申请入党"),
    *((text, key) for key, text in members.DUE_FILTERS.items()),  # what is due (the 工作台 opens these)
]


def _org_text(row: MemberRow) -> str:
    return f"{row.org_name} · {row.group_name}" if row.group_name else row.org_name


MEMBER_COLUMNS: list[Column[MemberRow]] = [
    Column("姓名", "name", sort_key="name", width=5),
    Column("性别", "gender", sort_key="gender", width=3),
    Column("年龄", "age", sort_key="age", align=RIGHT, width=3),
    Column("所在支部", _org_text, sort_key="org", width=13),
    Column("阶段", "stage", sort_key="stage", width=6),
    Column("入党日期", "joined_on", sort_key="joined_on", width=6),
    Column("转正日期", "confirmed_on", sort_key="confirmed_on", width=6),
    Column("党员类型", "member_type", sort_key="member_type", width=4),
    Column("积分类别", "points_category", sort_key="points_category", width=4),
    Column("职务", "posts", width=6),
    Column("联系电话", "phone", width=8),
    Column("身份证号", "id_number", sort_key="id_number", width=11),
    Column("离开", lambda r: f"{r.left_on.isoformat()} {'去世' if r.left_kind == '死亡' else r.left_kind or ''}"
           if r.left_on else "", sort_key="left_on", width=8),
]


class _FilterBar(QWidget):
    """The search box, then the filters on the same line where the box keeps room for its whole hint; with
    the larger font beside the tree the filters go to a line of their own (the box shrank to 「…」, issue 20)."""

    def __init__(self, search: SearchBox, filters: QWidget, parent: QWidget) -> None:
        super().__init__(parent)
        self.setObjectName("bar_member_filters")
        self.search, self.filters = search, filters
        self.box = QBoxLayout(QBoxLayout.Direction.LeftToRight, self)
        self.box.setContentsMargins(0, 0, 0, 0)
        self.box.addWidget(search, 1)
        self.box.addWidget(filters)

    def search_room(self) -> int:
        """The width the search box needs to show its placeholder whole (its frame and clear button too)."""
        return self.search.fontMetrics().horizontalAdvance(self.search.placeholderText()) + \
            self.search.sizeHint().height() + 16

    def resizeEvent(self, event: QResizeEvent) -> None:  # noqa: N802 (Qt API)
        one_line = event.size().width() >= self.search_room() + self.box.spacing() + self.filters.sizeHint().width()
        direction = QBoxLayout.Direction.LeftToRight if one_line else QBoxLayout.Direction.TopToBottom
        if self.box.direction() != direction:
            self.box.setDirection(direction)
        super().resizeEvent(event)


class MembersPage(Page):
    title = "党组织与党员"
    object_name = "page_members"  # known before the page is built (ui/page_stack.py)
    watches = frozenset({"member", "resident", "org"})

    def __init__(self, ctx: AppContext, changes: Changes, parent: QWidget | None = None) -> None:
        super().__init__(ctx, changes, parent)
        self.setObjectName("page_members")
        layout = QHBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        splitter = QSplitter(Qt.Orientation.Horizontal, self)
        splitter.setObjectName("split_members")
        layout.addWidget(splitter)

        # the organisation tree and what can be done to an org (tree_panel.py)
        self.org_panel = OrgTreePanel(ctx, splitter)
        self.tree_orgs = self.org_panel.tree
        self.org_panel.current_changed.connect(lambda: self.refresh_members())
        self.org_panel.changed.connect(self._org_changed)

        right = QWidget(splitter)
        right_layout = QVBoxLayout(right)
        right_layout.setContentsMargins(0, 0, 0, 0)

        filters = QWidget(right)
        bar = QHBoxLayout(filters)
        bar.setContentsMargins(0, 0, 0, 0)
        self.edit_search_members = SearchBox(
            "edit_search_members", self.tr("查找：姓名、拼音首字母（如 zs）、身份证号或电话的一部分"), right
        )
        self.edit_search_members.search.connect(lambda _t: self.refresh_members())
        self.combo_stage = QComboBox(filters)
        self.combo_stage.setObjectName("combo_stage")
        for text, value in STAGE_FILTERS:
            self.combo_stage.addItem(self.tr(text), value)
        self.combo_category = QComboBox(filters)
        self.combo_category.setObjectName("combo_category")
        self.combo_category.addItem(self.tr("全部类型"), None)
        for t in MEMBER_TYPES:
            self.combo_category.addItem(self.tr(t), t)
        self.combo_category.setToolTip(self.tr("党员类型（分类管理）"))
        self.combo_points_category = QComboBox(filters)
        self.combo_points_category.setObjectName("combo_points_category")
        self.combo_points_category.addItem(self.tr("全部积分类别"), None)
        for c in POINTS_CATEGORIES:
            self.combo_points_category.addItem(self.tr(c), c)
        for combo in (self.combo_stage, self.combo_category, self.combo_points_category):
            combo.currentIndexChanged.connect(lambda _i: self.refresh_members())
        bar.addWidget(QLabel(self.tr("阶段"), filters))
        bar.addWidget(self.combo_stage)
        bar.addWidget(QLabel(self.tr("类型"), filters))
        bar.addWidget(self.combo_category)
        bar.addWidget(self.combo_points_category)
        self.check_include_left = QCheckBox(self.tr("含已离开"), right)
        self.check_include_left.setObjectName("check_include_left")
        self.check_include_left.setToolTip(self.tr("同时列出已转出、去世、出党等离开党员名册的人员"))
        self.check_include_left.toggled.connect(lambda _c: self.refresh_members())
        bar.addStretch(1)  # on a line of its own the filters sit at the left
        self.bar_filters = _FilterBar(self.edit_search_members, filters, right)
        right_layout.addWidget(self.bar_filters)

        buttons = QHBoxLayout()
        self.btn_add_member = QPushButton(self.tr("新增党员"), right)
        self.btn_add_member.setObjectName("btn_add_member")
        self.btn_edit_member = QPushButton(self.tr("编辑"), right)
        self.btn_edit_member.setObjectName("btn_edit_member")
        self.btn_transfer_in = QPushButton(self.tr("转入党员…"), right)
        self.btn_transfer_in.setObjectName("btn_transfer_in")
        self.btn_transfer_in.setToolTip(self.tr("组织关系从外单位转入的党员"))
        self.info_members = InfoLabel("info_members", right)
        # a long message ("… 已离开党员名册（勾选“含已离开”可查看）") wraps instead of widening the window
        self.info_members.setWordWrap(True)
        buttons.addWidget(self.btn_add_member)
        buttons.addWidget(self.btn_edit_member)
        buttons.addWidget(self.btn_transfer_in)
        buttons.addWidget(self.check_include_left)  # beside 转入: the search row keeps room with the larger font
        buttons.addSpacing(12)
        buttons.addWidget(self.info_members, 1)
        right_layout.addLayout(buttons)

        vsplit = QSplitter(Qt.Orientation.Vertical, right)
        self.table_members = DataTable("table_members", vsplit)
        count, page = service_source(self.ctx, members.count_members, members.list_members, MemberQuery(self.unit_id))
        self.members_model: LazyTableModel[MemberRow] = LazyTableModel(MEMBER_COLUMNS, count, page, parent=self)
        self.table_members.setModel(self.members_model)
        # selectionChanged, not currentRowChanged: a mouse click moves the current row before the selection, and
        # current_member() reads the selection (the panel showed the previously selected member)
        self.table_members.selectionModel().selectionChanged.connect(lambda *_: self._on_member())
        self.table_members.doubleClicked.connect(lambda _i: self.edit_member())
        self.table_members.list_name = self.tr("党员名单")
        self.table_members.describe_filter = self._filter_words
        connect_paste(self.table_members, "members")
        self.members_model.loadFailed.connect(self.info_members.show_error)

        lower = QWidget(vsplit)  # the selected member: what can be done to them, then their panel
        lower_layout = QVBoxLayout(lower)
        lower_layout.setContentsMargins(0, 0, 0, 0)
        self.member_actions = MemberActions(self.ctx, self.unit_id, lower)
        self.member_actions.changed.connect(self._after_member_action)
        self.member_actions.message.connect(self.info_members.show_info)
        lower_layout.addWidget(self.member_actions)
        self.text_member_detail = QTextBrowser(lower)
        self.text_member_detail.setObjectName("text_member_detail")
        self.text_member_detail.setOpenLinks(False)
        lower_layout.addWidget(self.text_member_detail, 1)
        vsplit.addWidget(self.table_members)
        vsplit.addWidget(lower)
        vsplit.setStretchFactor(0, 3)
        vsplit.setStretchFactor(1, 2)
        right_layout.addWidget(vsplit, 1)

        splitter.addWidget(self.org_panel)
        splitter.addWidget(right)
        splitter.setStretchFactor(0, 0)
        splitter.setStretchFactor(1, 1)
        self.splitter = splitter
        self._fit_tree()

        self.btn_add_member.clicked.connect(self.add_member)
        self.btn_edit_member.clicked.connect(self.edit_member)
        self.btn_transfer_in.clicked.connect(self.transfer_in)
        self.refresh()

    def _fit_tree(self) -> None:
        em = self.fontMetrics().horizontalAdvance("中")
        total = max(sum(self.splitter.sizes()), em * 80)
        tree = min(em * 19, total // 3)
        self.splitter.setSizes([tree, total - tree])

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.FontChange:  # the larger-font switch: keep the org names readable
            self._fit_tree()
        super().changeEvent(event)

    # ---- queries --------------------------------------------------------------------------------

    def search_box(self) -> SearchBox:
        return self.edit_search_members

    def show_filter(self, key: str) -> None:
        """A 工作台 line: the whole village's roster with this stage filter (members.DUE_FILTERS) only."""
        top = self.tree_orgs.topLevelItem(0)
        if top is not None and self.tree_orgs.currentItem() is not top:
            self.tree_orgs.setCurrentItem(top)  # as a click on the village: the roster follows
        set_filters(self.edit_search_members, (self.combo_stage, key), (self.combo_category, None),
                    (self.combo_points_category, None))
        self.check_include_left.blockSignals(True)
        self.check_include_left.setChecked(False)
        self.check_include_left.blockSignals(False)
        self.refresh_members()

    def selected_org_id(self) -> int | None:
        item = self.tree_orgs.currentItem()
        return item.data(0, ORG_ROLE) if item is not None else None

    def query(self) -> MemberQuery:
        return MemberQuery(
            self.unit_id,
            org_id=self.selected_org_id(),
            stage=self.combo_stage.currentData(),
            member_type=self.combo_category.currentData(),
            points_category=self.combo_points_category.currentData(),
            text=self.edit_search_members.query(),
            include_left=self.check_include_left.isChecked(),
        )

    def _filter_words(self) -> str:
        """The filter in an export's or printout's title: 党组织：第一党支部，阶段：预备党员，查找：张."""
        parts = []
        item = self.tree_orgs.currentItem()
        if item is not None and item.parent() is not None:  # the top org is the whole village
            parts.append(self.tr("党组织：{0}").format(item.text(0).strip()))
        for label, combo in (("阶段", self.combo_stage), ("类型", self.combo_category),
                             ("积分类别", self.combo_points_category)):
            if combo.currentIndex() > 0:
                parts.append(f"{self.tr(label)}：{combo.currentText()}")
        if self.edit_search_members.query():
            parts.append(self.tr("查找：{0}").format(self.edit_search_members.query()))
        if self.check_include_left.isChecked():
            parts.append(self.tr("含已离开"))
        return "，".join(parts)

    def current_member(self) -> MemberRow | None:
        return self.members_model.row_at(self.table_members.current_row())

    def refresh(self) -> None:
        self.refresh_tree()
        self.refresh_members()

    def refresh_tree(self) -> None:
        self.org_panel.refresh()

    def _org_changed(self, kinds: set[str]) -> None:
        """An org was created, changed, moved or closed from the tree (which has reloaded itself)."""
        self.refresh_members()
        for kind in sorted(kinds):
            self.announce(kind)

    def refresh_members(self, select_id: int | None = None) -> None:
        keep = select_id if select_id is not None else getattr(self.current_member(), "id", None)
        count, page = service_source(self.ctx, members.count_members, members.list_members, self.query())
        self.members_model.set_query(count, page)
        self.info_members.show_info(self.tr("共 {0} 人").format(self.members_model.total))
        row = self.members_model.find_row(lambda m: m.id == keep, fetch_all=select_id is not None) if keep else -1
        self.table_members.select_row(row if row >= 0 else 0)
        self._on_member()

    # ---- detail panel ---------------------------------------------------------------------------

    def _on_member(self) -> None:
        m = self.current_member()
        self.btn_edit_member.setEnabled(m is not None)
        self.member_actions.set_member(None, None)
        if m is None:
            self.text_member_detail.setHtml(f"<p style='color:gray'>{escape(self.tr('没有选中的党员'))}</p>")
            return
        try:
            detail = self.ctx.call(members.get_member, m.id)
        except Exception:
            self.text_member_detail.setHtml(
                f"<p style='color:#c62828'>{escape(self.tr('读取党员信息时出错，详细信息已写入日志。'))}</p>"
            )
            import logging

            logging.getLogger(__name__).exception("loading member %s failed", m.id)
            return
        band = self.ctx.call(grid_coverage.contact_band, self.unit_id)
        self.member_actions.set_member(m, detail, band)
        self.text_member_detail.setHtml(detail_html(detail, band))

    # ---- actions --------------------------------------------------------------------------------

    def add_member(self) -> None:
        with user_errors(self):
            dialog = MemberDialog(self.ctx, self.unit_id, org_id=self.selected_org_id(), parent=self)
            if dialog.exec() == QDialog.DialogCode.Accepted and isinstance(dialog.result_value, int):
                new_id = dialog.result_value
                # show the new member: clear filters that would hide it
                self.edit_search_members.clear()
                self.combo_stage.setCurrentIndex(self.combo_stage.findData(None))
                self.combo_category.setCurrentIndex(0)
                self.combo_points_category.setCurrentIndex(0)
                self.refresh_tree()
                self.refresh_members(select_id=new_id)
                self.announce("member")

    def edit_member(self) -> None:
        m = self.current_member()
        if m is None:
            return
        with user_errors(self):
            dialog = MemberDialog(self.ctx, self.unit_id, member_id=m.id, parent=self)
            if dialog.exec() == QDialog.DialogCode.Accepted:
                self.refresh_tree()
                self.refresh_members(select_id=m.id)
                self.announce("member")

    def transfer_in(self) -> None:
        with user_errors(self):
            dialog = TransferInDialog(self.ctx, self.unit_id, org_id=self.selected_org_id(), parent=self)
            if dialog.exec() == QDialog.DialogCode.Accepted and isinstance(dialog.result_value, int):
                self.edit_search_members.clear()
                self.combo_stage.setCurrentIndex(self.combo_stage.findData(None))
                self.refresh_tree()
                self.refresh_members(select_id=dialog.result_value)
                self.announce("member")

    def _after_member_action(self, member_id: int | None) -> None:
        """A post, 联系户, stage, leaving or deletion was saved: show the member (a member who left is no longer
        listed unless 含已离开 is ticked: the row next to them is selected)."""
        self.refresh_tree()
        self.refresh_members(select_id=member_id)
        self.announce("member")
