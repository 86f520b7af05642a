"""居民与户: households and their people, and the list of all residents."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSplitter,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from app.services.context import AppContext
from app.services.people import households
from app.services.people import residents as people
from app.services.people.households import HouseholdQuery, HouseholdRow
from app.services.people.residents import RESIDENT_STATUSES, ResidentQuery, ResidentRow

from ..common.page import Changes, Page
from ..common.table_model import Column, LazyTableModel, list_source, service_source
from ..common.widgets import DataTable, InfoLabel, SearchBox
from ..errors import user_errors
from ..imports.paste import connect_paste
from ..org.contact_dialogs import assign_household_contact
from .dialogs import HouseholdDialog, ResidentDialog
from .household_actions import HouseholdActions, ResidentActions

RIGHT = Qt.AlignmentFlag.AlignRight


def resident_columns(in_household: bool = False) -> list[Column[ResidentRow]]:
    sortable = not in_household  # a household's people come in their own order (户主 first)

    def key(name: str) -> str | None:
        return name if sortable else None

    columns: list[Column[ResidentRow]] = [
        Column("姓名", "name", sort_key=key("name"), width=5),
        Column("性别", "gender", sort_key=key("gender"), width=3),
        Column("年龄", "age", sort_key=key("age"), align=RIGHT, width=3),
        Column("身份证号", "id_number", sort_key=key("id_number"), width=11),
        Column("联系电话", "phone", sort_key=key("phone"), width=8),
    ]
    if not in_household:
        columns.append(Column("户号", "household_number", sort_key="household_number", width=5))
    columns += [
        Column("与户主关系", "relation", sort_key=key("relation"), width=5),
        Column("学历", "education", width=7),
        Column("状态", "status", sort_key=key("status"), width=4),
        Column("变动日期", "status_date", width=6),
    ]
    return columns


HOUSEHOLD_COLUMNS: list[Column[HouseholdRow]] = [
    Column("户号", "number", sort_key="number", width=5),
    Column("户主", "head_name", sort_key="head_name", width=5),
    Column("人数", "size", sort_key="size", align=RIGHT, width=3),
    Column("户主电话", "head_phone", width=8),
    Column("门牌/住址", "address", sort_key="address", width=10),
    Column("网格", "grid_name", sort_key="grid_name", width=6),
    Column("标签", "tags", width=10),
    Column("销户日期", "closed_on", width=6),  # shown with 含已销户
]

STATUS_FILTERS: list[tuple[str, dict[str, object]]] = [
    ("在册和外出务工", {}),
    *[(s, {"status": s}) for s in RESIDENT_STATUSES],
    ("全部（含迁出、死亡）", {"include_gone": True}),
]


class ResidentsPage(Page):
    title = "居民与户"
    object_name = "page_residents"  # known before the page is built (ui/page_stack.py)
    waits_for_show = True  # heavy at county scale: query when first shown (issue 11)
    watches = frozenset({"resident", "household", "member"})

    def __init__(self, ctx: AppContext, changes: Changes, parent: QWidget | None = None) -> None:
        super().__init__(ctx, changes, parent)
        self.setObjectName("page_residents")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        self.tabs = QTabWidget(self)
        self.tabs.setObjectName("tabs_residents")
        layout.addWidget(self.tabs)
        self.tabs.addTab(self._build_households_tab(), self.tr("按户查看"))
        self.tabs.addTab(self._build_residents_tab(), self.tr("全部居民"))
        self.tabs.currentChanged.connect(lambda _i: self._update_buttons())
        self.refresh()

    # ---- households tab -------------------------------------------------------------------------

    def _build_households_tab(self) -> QWidget:
        tab = QWidget(self)
        tab.setObjectName("tab_households")
        layout = QVBoxLayout(tab)

        bar = QHBoxLayout()
        self.edit_search_households = SearchBox(
            "edit_search_households", self.tr("查找户：户号、门牌、家庭成员姓名或拼音首字母、身份证号、电话"), tab
        )
        self.edit_search_households.search.connect(lambda _t: self.refresh_households())
        bar.addWidget(self.edit_search_households, 1)
        self.combo_household_tag = QComboBox(tab)  # 低保户, 五保户 …: a list to print or export
        self.combo_household_tag.setObjectName("combo_household_tag")
        self.combo_household_tag.addItem(self.tr("全部户"), None)
        self.combo_household_tag.setToolTip(self.tr("只列出有这个标签的户"))
        self.combo_household_tag.currentIndexChanged.connect(lambda _i: self.refresh_households())
        bar.addWidget(self.combo_household_tag)
        self.check_closed_households = QCheckBox(self.tr("含已销户"), tab)
        self.check_closed_households.setObjectName("check_closed_households")
        self.check_closed_households.toggled.connect(lambda _on: self.refresh_households())
        bar.addWidget(self.check_closed_households)
        self.btn_add_household = QPushButton(self.tr("新增户"), tab)
        self.btn_add_household.setObjectName("btn_add_household")
        self.btn_edit_household = QPushButton(self.tr("编辑户"), tab)
        self.btn_edit_household.setObjectName("btn_edit_household")
        bar.addWidget(self.btn_add_household)
        bar.addWidget(self.btn_edit_household)
        layout.addLayout(bar)

        splitter = QSplitter(Qt.Orientation.Horizontal, tab)
        splitter.setObjectName("split_households")
        self.table_households = DataTable("table_households", splitter)
        count, page = service_source(self.ctx, households.count_households, households.list_households, self._household_query())
        self.households_model: LazyTableModel[HouseholdRow] = LazyTableModel(HOUSEHOLD_COLUMNS, count, page, parent=self)
        self.table_households.setModel(self.households_model)
        # selectionChanged, not currentRowChanged: a click moves the current row before the selection, and
        # current_row() reads the selection (the panel showed the household clicked before)
        self.table_households.selectionModel().selectionChanged.connect(lambda *_: self._on_household())
        self.table_households.doubleClicked.connect(lambda _i: self.edit_household())
        self.table_households.list_name = self.tr("户名单")
        self.table_households.describe_filter = self._household_filter_words
        connect_paste(self.table_households, "households")

        right = QWidget(splitter)
        right_layout = QVBoxLayout(right)
        right_layout.setContentsMargins(0, 0, 0, 0)
        self.label_household = QLabel(right)
        self.label_household.setObjectName("label_household")
        self.label_household.setWordWrap(True)
        self.label_household.setTextFormat(Qt.TextFormat.RichText)
        self.label_household.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        right_layout.addWidget(self.label_household)
        self.household_actions = HouseholdActions(self.ctx, self.unit_id, right)
        self._connect_actions(self.household_actions)
        right_layout.addWidget(self.household_actions)
        self.table_household_residents = DataTable("table_household_residents", right)
        count, page = list_source(self._current_household_residents)
        self.household_residents_model: LazyTableModel[ResidentRow] = LazyTableModel(
            resident_columns(in_household=True), count, page, parent=self
        )
        self.table_household_residents.setModel(self.household_residents_model)
        self.table_household_residents.setSortingEnabled(False)
        self.table_household_residents.doubleClicked.connect(lambda _i: self.edit_household_resident())
        right_layout.addWidget(self.table_household_residents, 1)
        rbar = QHBoxLayout()
        self.btn_household_contact = QPushButton(self.tr("指定联系党员…"), right)  # 党员联系户 (org area's dialog)
        self.btn_household_contact.setObjectName("btn_household_contact")
        self.btn_household_contact.clicked.connect(self.assign_contact)
        rbar.addWidget(self.btn_household_contact)
        self.check_household_gone = QCheckBox(self.tr("含迁出/死亡"), right)
        self.check_household_gone.setObjectName("check_household_gone")
        self.check_household_gone.toggled.connect(lambda _on: self._on_household())
        rbar.addWidget(self.check_household_gone)
        rbar.addStretch(1)
        self.btn_add_household_resident = QPushButton(self.tr("在本户新增居民"), right)
        self.btn_add_household_resident.setObjectName("btn_add_household_resident")
        self.btn_edit_household_resident = QPushButton(self.tr("编辑居民"), right)
        self.btn_edit_household_resident.setObjectName("btn_edit_household_resident")
        rbar.addWidget(self.btn_add_household_resident)
        rbar.addWidget(self.btn_edit_household_resident)
        right_layout.addLayout(rbar)
        self.household_resident_actions = ResidentActions(self.ctx, self.unit_id, "household_resident", right)
        self._connect_actions(self.household_resident_actions)
        right_layout.addWidget(self.household_resident_actions)
        splitter.addWidget(self.table_households)
        splitter.addWidget(right)
        splitter.setStretchFactor(0, 3)
        splitter.setStretchFactor(1, 2)
        layout.addWidget(splitter, 1)

        self.info_households = InfoLabel("info_households", tab)
        layout.addWidget(self.info_households)
        self.households_model.loadFailed.connect(self.info_households.show_error)

        self.btn_add_household.clicked.connect(self.add_household)
        self.btn_edit_household.clicked.connect(self.edit_household)
        self.btn_add_household_resident.clicked.connect(self.add_household_resident)
        self.btn_edit_household_resident.clicked.connect(self.edit_household_resident)
        self.table_household_residents.selectionModel().selectionChanged.connect(lambda *_: self._update_buttons())
        return tab

    # ---- residents tab --------------------------------------------------------------------------

    def _build_residents_tab(self) -> QWidget:
        tab = QWidget(self)
        tab.setObjectName("tab_residents")
        layout = QVBoxLayout(tab)
        bar = QHBoxLayout()
        self.edit_search_residents = SearchBox(
            "edit_search_residents", self.tr("查找居民：姓名、拼音首字母（如 zs）、身份证号或电话的一部分"), tab
        )
        self.edit_search_residents.search.connect(lambda _t: self.refresh_residents())
        bar.addWidget(self.edit_search_residents, 1)
        self.combo_resident_status = QComboBox(tab)
        self.combo_resident_status.setObjectName("combo_resident_status")
        for text, value in STATUS_FILTERS:
            self.combo_resident_status.addItem(self.tr(text), value)
        self.combo_resident_status.currentIndexChanged.connect(lambda _i: self.refresh_residents())
        bar.addWidget(QLabel(self.tr("状态"), tab))
        bar.addWidget(self.combo_resident_status)
        self.btn_add_resident = QPushButton(self.tr("新增居民"), tab)
        self.btn_add_resident.setObjectName("btn_add_resident")
        self.btn_edit_resident = QPushButton(self.tr("编辑居民"), tab)
        self.btn_edit_resident.setObjectName("btn_edit_resident")
        bar.addWidget(self.btn_add_resident)
        bar.addWidget(self.btn_edit_resident)
        layout.addLayout(bar)

        self.table_residents = DataTable("table_residents", tab)
        count, page = service_source(self.ctx, people.count_residents, people.list_residents, self._resident_query())
        self.residents_model: LazyTableModel[ResidentRow] = LazyTableModel(resident_columns(), count, page, parent=self)
        self.table_residents.setModel(self.residents_model)
        self.table_residents.doubleClicked.connect(lambda _i: self.edit_resident())
        self.table_residents.list_name = self.tr("居民名单")
        self.table_residents.describe_filter = self._resident_filter_words
        connect_paste(self.table_residents, "residents")
        self.table_residents.selectionModel().selectionChanged.connect(lambda *_: self._update_buttons())
        layout.addWidget(self.table_residents, 1)
        self.resident_actions = ResidentActions(self.ctx, self.unit_id, "resident", tab)
        self._connect_actions(self.resident_actions)
        layout.addWidget(self.resident_actions)
        self.info_residents = InfoLabel("info_residents", tab)
        layout.addWidget(self.info_residents)
        self.residents_model.loadFailed.connect(self.info_residents.show_error)

        self.btn_add_resident.clicked.connect(self.add_resident)
        self.btn_edit_resident.clicked.connect(self.edit_resident)
        return tab

    # ---- queries --------------------------------------------------------------------------------

    def _household_query(self) -> HouseholdQuery:
        return HouseholdQuery(self.unit_id, text=self.edit_search_households.query(),
                              tag=self.combo_household_tag.currentData(),
                              include_closed=self.check_closed_households.isChecked())

    def _household_filter_words(self) -> str:
        """The filter in an export's or printout's title: 户标签：低保，查找：张，含已销户."""
        parts = []
        if self.combo_household_tag.currentData():
            parts.append(self.tr("户标签：{0}").format(self.combo_household_tag.currentData()))
        if self.edit_search_households.query():
            parts.append(self.tr("查找：{0}").format(self.edit_search_households.query()))
        if self.check_closed_households.isChecked():
            parts.append(self.tr("含已销户"))
        return "，".join(parts)

    def _resident_filter_words(self) -> str:
        parts = []
        if self.combo_resident_status.currentIndex() > 0:
            parts.append(self.tr("状态：{0}").format(self.combo_resident_status.currentText()))
        if self.edit_search_residents.query():
            parts.append(self.tr("查找：{0}").format(self.edit_search_residents.query()))
        return "，".join(parts)

    def _fill_tags(self) -> None:
        """The tag filter's choices: the village's tags (a tag added in 标签 shows up at the next refresh)."""
        combo = self.combo_household_tag
        keep = combo.currentData()
        names = [t.name for t in self.ctx.call(households.list_tags, self.unit_id)]
        combo.blockSignals(True)
        while combo.count() > 1:
            combo.removeItem(1)
        for name in names:
            combo.addItem(name, name)
        combo.setCurrentIndex(max(combo.findData(keep), 0) if keep else 0)
        combo.blockSignals(False)

    def _resident_query(self) -> ResidentQuery:
        extra = self.combo_resident_status.currentData() or {}
        return ResidentQuery(self.unit_id, text=self.edit_search_residents.query(), **extra)

    def _current_household(self) -> HouseholdRow | None:
        return self.households_model.row_at(self.table_households.current_row())

    def _current_household_residents(self) -> list[ResidentRow]:
        h = self._current_household()
        gone = self.check_household_gone.isChecked()
        return [] if h is None else self.ctx.call(people.household_residents, h.id, gone)

    def search_box(self) -> SearchBox:
        return self.edit_search_households if self.tabs.currentIndex() == 0 else self.edit_search_residents

    def refresh(self) -> None:
        with user_errors(self):
            self._fill_tags()
        self.refresh_households()
        self.refresh_residents()

    def refresh_households(self, select_id: int | None = None) -> None:
        keep = select_id if select_id is not None else getattr(self._current_household(), "id", None)
        count, page = service_source(self.ctx, households.count_households, households.list_households, self._household_query())
        self.households_model.set_query(count, page)
        self.info_households.show_info(self.tr("共 {0} 户").format(self.households_model.total))
        row = self.households_model.find_row(lambda h: h.id == keep, fetch_all=select_id is not None) if keep else -1
        self.table_households.select_row(max(row, 0))
        self._on_household()

    def refresh_residents(self, select_id: int | None = None) -> None:
        count, page = service_source(self.ctx, people.count_residents, people.list_residents, self._resident_query())
        self.residents_model.set_query(count, page)
        self.info_residents.show_info(self.tr("共 {0} 人").format(self.residents_model.total))
        if select_id is not None:
            self.table_residents.select_row(self.residents_model.find_row(lambda r: r.id == select_id, fetch_all=True))
        self._update_buttons()

    def _on_household(self) -> None:
        h = self._current_household()
        if h is None:
            self.label_household.setText(self.tr("（没有选中的户）"))
        else:
            lines = [f"<b>{self.tr('户号')} {h.number}</b>　{h.address}"]
            lines.append(
                self.tr("户主：{0}　电话：{1}　在册人数：{2}").format(h.head_name or "—", h.head_phone or "—", h.size)
            )
            if h.grid_name:
                lines.append(self.tr("网格：{0}").format(h.grid_name))
            if h.tags:
                lines.append(self.tr("标签：{0}").format("、".join(h.tags)))
            if h.closed_on:
                lines.append(self.tr("已于 {0} 销户：{1}").format(h.closed_on.isoformat(), h.close_reason))
            self.label_household.setText("<br>".join(lines))
        self.household_actions.set_household(h)
        self.household_residents_model.refresh()
        self._update_buttons()

    def _update_buttons(self) -> None:
        has_household = self._current_household() is not None
        self.btn_edit_household.setEnabled(has_household)
        self.btn_add_household_resident.setEnabled(has_household)
        self.btn_household_contact.setEnabled(has_household)
        self.btn_edit_household_resident.setEnabled(self.table_household_residents.current_row() >= 0)
        self.btn_edit_resident.setEnabled(self.table_residents.current_row() >= 0)
        self.household_resident_actions.set_resident(
            self.household_residents_model.row_at(self.table_household_residents.current_row()))
        self.resident_actions.set_resident(self.residents_model.row_at(self.table_residents.current_row()))

    # ---- actions --------------------------------------------------------------------------------

    def _connect_actions(self, bar: HouseholdActions | ResidentActions) -> None:
        bar.changed.connect(self._after_action)
        bar.message.connect(lambda text: self.info_households.show_info(text) if self.tabs.currentIndex() == 0
                            else self.info_residents.show_info(text))

    def _after_action(self, kinds: tuple[str, ...], household_id: int | None) -> None:
        """A bar changed data: show it again here, and tell the other pages."""
        self.refresh_households(select_id=household_id)
        self.refresh_residents()
        for kind in kinds:
            self.announce(kind)

    def _run(self, dialog: QDialog) -> object | None:
        if dialog.exec() == QDialog.DialogCode.Accepted:
            return getattr(dialog, "result_value", None)
        return None

    def add_household(self) -> None:
        with user_errors(self):
            hid = self._run(HouseholdDialog(self.ctx, self.unit_id, parent=self))
            if isinstance(hid, int):
                self.edit_search_households.clear()
                self.refresh_households(select_id=hid)
                self.announce("household")

    def edit_household(self) -> None:
        h = self._current_household()
        if h is None:
            return
        with user_errors(self):
            if self._run(HouseholdDialog(self.ctx, self.unit_id, h.id, parent=self)) is not None:
                self.refresh_households(select_id=h.id)
                self.announce("household")

    def _after_resident_saved(self, rid: int) -> None:
        self.refresh_households()
        self.refresh_residents(select_id=rid)
        self.announce("resident")

    def add_resident(self, household_id: int | None = None) -> None:
        with user_errors(self):
            rid = self._run(ResidentDialog(self.ctx, self.unit_id, household_id=household_id, parent=self))
            if isinstance(rid, int):
                self._after_resident_saved(rid)

    def add_household_resident(self) -> None:
        h = self._current_household()
        if h is not None:
            self.add_resident(household_id=h.id)

    def _edit(self, resident: ResidentRow | None) -> None:
        if resident is None:
            return
        with user_errors(self):
            rid = self._run(ResidentDialog(self.ctx, self.unit_id, resident_id=resident.id, parent=self))
            if isinstance(rid, int):
                self._after_resident_saved(rid)

    def edit_resident(self) -> None:
        self._edit(self.residents_model.row_at(self.table_residents.current_row()))

    def edit_household_resident(self) -> None:
        self._edit(self.household_residents_model.row_at(self.table_household_residents.current_row()))

    def assign_contact(self) -> None:
        """党员联系户 from the household's side: pick the member who looks after it."""
        h = self._current_household()
        if h is not None and assign_household_contact(self, self.ctx, self.unit_id, h.id):
            self.refresh_households(select_id=h.id)
            self.info_households.show_info(self.tr("已为户号 {0} 指定联系党员").format(h.number))
            self.announce("member")
