"""班子与代表: the posts of the village bodies (filter by body, ended posts on request) with 新增任职 / 修改 /
结束任职 and a 代表's 联系户; below, the 届期 of the elected bodies with their 换届 state (the 工作台's
「需准备换届的班子」 line opens this list filtered)."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from app.services.affairs import bodies, terms
from app.services.affairs.bodies import BODIES, BodyPostRow
from app.services.affairs.terms import TermRow
from app.services.context import AppContext

from ..common.form import FormDialog
from ..common.page import Changes
from ..common.table_model import Column, LazyTableModel, list_source
from ..common.widgets import DataTable, InfoLabel
from ..errors import user_errors
from .body_dialogs import BodyPostDialog, EndBodyPostDialog, RepHouseholdsDialog, TermDialog

DUE_STATES = ("即将届满", "已届满")
DUE_BG = QColor("#fff3cd")

POST_COLUMNS: list[Column[BodyPostRow]] = [
    Column("班子", "body", width=7),
    Column("职务", "title", width=10),
    Column("姓名", "name", width=5),
    Column("性别", lambda r: r.gender or "", width=2),
    Column("村民小组", "group_name", width=7),
    Column("联系户", lambda r: f"{len(r.households)} 户" if r.body == "村民代表" else "", width=4),
    Column("任职日期", "since", width=6),
    Column("届期", "term_name", width=5),  # 第十一届; the dates in its tooltip and in the 届期 list below
    Column("状态", lambda r: r.state if r.until is None else f"{r.until.isoformat()} {r.end_reason}", width=8),
    Column("备注", "note", width=10),
]
TERM_COLUMNS: list[Column[TermRow]] = [
    Column("班子", "body", width=7),
    Column("届次", "name", width=5),
    Column("开始日期", "starts_on", width=6),
    Column("结束日期", "ends_on", width=6),
    Column("状态", "state", width=5),
    Column("备注", "note", width=10),
]


TITLE_COL = next(i for i, c in enumerate(POST_COLUMNS) if c.header == "职务")
TERM_COL = next(i for i, c in enumerate(POST_COLUMNS) if c.header == "届期")


class _PostModel(LazyTableModel[BodyPostRow]):
    def data(self, index, role=Qt.ItemDataRole.DisplayRole):  # type: ignore[no-untyped-def, override]
        if role == Qt.ItemDataRole.ToolTipRole and index.column() == TERM_COL:
            row = self.row_at(index.row())
            return row.term_text if row is not None else None
        return super().data(index, role)


class _TermModel(LazyTableModel[TermRow]):
    def data(self, index, role=Qt.ItemDataRole.DisplayRole):  # type: ignore[no-untyped-def, override]
        if role == Qt.ItemDataRole.BackgroundRole:
            row = self.row_at(index.row())
            return DUE_BG if row is not None and row.state in DUE_STATES else None
        return super().data(index, role)


class BodiesTab(QWidget):
    def __init__(self, ctx: AppContext, changes: Changes, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("tab_affairs_bodies")
        self.ctx, self.changes = ctx, changes
        outer = QVBoxLayout(self)
        bar = QHBoxLayout()
        self.combo_body = QComboBox(self)
        self.combo_body.setObjectName("combo_affairs_body")
        self.combo_body.addItem(self.tr("全部班子"), None)
        for b in BODIES:
            self.combo_body.addItem(self.tr(b), b)
        self.check_ended = QCheckBox(self.tr("显示已结束的任职"), self)
        self.check_ended.setObjectName("check_affairs_ended")
        self.btn_add = self._button("btn_body_post_add", self.tr("新增任职…"))
        self.btn_edit = self._button("btn_body_post_edit", self.tr("修改…"))
        self.btn_end = self._button("btn_body_post_end", self.tr("结束任职…"))
        self.btn_households = self._button("btn_rep_households", self.tr("代表联系户…"))
        bar.addWidget(QLabel(self.tr("班子"), self))
        bar.addWidget(self.combo_body)
        bar.addWidget(self.check_ended)
        bar.addStretch(1)
        for b in (self.btn_add, self.btn_edit, self.btn_end, self.btn_households):
            bar.addWidget(b)
        outer.addLayout(bar)

        split = QSplitter(Qt.Orientation.Vertical, self)
        outer.addWidget(split, 1)
        top = QWidget(split)
        top_layout = QVBoxLayout(top)
        top_layout.setContentsMargins(0, 0, 0, 0)
        self.table_posts = DataTable("table_body_posts", top)
        self.table_posts.list_name = self.tr("村务班子成员")
        count, page = list_source(self._posts)
        self.posts_model: LazyTableModel[BodyPostRow] = _PostModel(POST_COLUMNS, count, page, parent=self)
        self.table_posts.setModel(self.posts_model)
        # 职务 (主任（书记、主任一肩挑）) takes the room the others leave, each of them as wide as its contents:
        # no sideways scroll at 1366 wide; a cut cell still shows its whole text as a tooltip
        header = self.table_posts.horizontalHeader()
        header.setStretchLastSection(False)
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(TITLE_COL, QHeaderView.ResizeMode.Stretch)
        self.info = InfoLabel("info_affairs_bodies", top)
        self.posts_model.loadFailed.connect(self.info.show_error)
        top_layout.addWidget(self.table_posts, 1)
        top_layout.addWidget(self.info)

        bottom = QWidget(split)
        low = QVBoxLayout(bottom)
        low.setContentsMargins(0, 0, 0, 0)
        term_bar = QHBoxLayout()
        self.check_due = QCheckBox(self.tr("只看需准备换届的"), bottom)
        self.check_due.setObjectName("check_terms_due")
        self.btn_term_add = self._button("btn_term_add", self.tr("新增届期…"))
        self.btn_term_edit = self._button("btn_term_edit", self.tr("更正届期…"))
        term_bar.addWidget(QLabel(self.tr("届期"), bottom))
        term_bar.addWidget(self.check_due)
        term_bar.addStretch(1)
        term_bar.addWidget(self.btn_term_add)
        term_bar.addWidget(self.btn_term_edit)
        low.addLayout(term_bar)
        self.table_terms = DataTable("table_body_terms", bottom)
        self.table_terms.list_name = self.tr("班子届期")
        count, page = list_source(self._terms)
        self.terms_model = _TermModel(TERM_COLUMNS, count, page, parent=self)
        self.table_terms.setModel(self.terms_model)
        self.terms_model.loadFailed.connect(self.info.show_error)
        low.addWidget(self.table_terms, 1)
        split.setStretchFactor(0, 3)
        split.setStretchFactor(1, 1)

        self.table_posts.enable_with_selection(self.btn_edit)
        self.table_posts.enable_with_selection(self.btn_end, allowed=lambda: self._current_ends())
        self.table_posts.enable_with_selection(self.btn_households, allowed=lambda: self._current_is_rep())
        self.table_terms.enable_with_selection(self.btn_term_edit)
        self.combo_body.currentIndexChanged.connect(lambda _i: self.refresh_posts())
        self.check_ended.toggled.connect(lambda _c: self.refresh_posts())
        self.check_due.toggled.connect(lambda _c: self.terms_model.refresh())
        self.btn_add.clicked.connect(self.add_post)
        self.btn_edit.clicked.connect(self.edit_post)
        self.btn_end.clicked.connect(self.end_post)
        self.btn_households.clicked.connect(self.edit_households)
        self.btn_term_add.clicked.connect(lambda: self._term(None))
        self.btn_term_edit.clicked.connect(lambda: self._term(self.current_term()))
        self.table_posts.doubleClicked.connect(lambda _i: self.edit_post())

    def _button(self, name: str, text: str) -> QPushButton:
        b = QPushButton(text, self)
        b.setObjectName(name)
        return b

    @property
    def unit_id(self) -> int:
        unit_id = self.ctx.unit_id
        assert unit_id is not None
        return unit_id

    # ---- lists ----------------------------------------------------------------------------------

    def _posts(self) -> list[BodyPostRow]:
        return self.ctx.call(bodies.list_posts, self.unit_id, self.combo_body.currentData(),
                             self.check_ended.isChecked())

    def _terms(self) -> list[TermRow]:
        rows: list[TermRow] = self.ctx.call(terms.list_terms, self.unit_id)
        return [t for t in rows if t.state in DUE_STATES] if self.check_due.isChecked() else rows

    def refresh(self) -> None:
        """Query the posts and terms again."""
        self.refresh_posts()
        self.terms_model.refresh()

    def refresh_posts(self) -> None:
        self.posts_model.refresh()
        current = [r for r in self.posts_model.rows if r.until is None]
        reps = [r for r in current if r.body == "村民代表"]
        text = self.tr("在任 {0} 人次").format(len(current))
        if reps:
            text += self.tr("；村民代表 {0} 名，联系 {1} 户").format(len(reps), sum(len(r.households) for r in reps))
        self.info.show_info(text)

    def show_filter(self, key: str) -> bool:
        """The 工作台's 换届 line: the terms due, every other filter off."""
        if key != "terms_due":
            return False
        self.combo_body.setCurrentIndex(0)
        self.check_ended.setChecked(False)
        self.check_due.setChecked(True)
        self.terms_model.refresh()
        return True

    def current_post(self) -> BodyPostRow | None:
        row = self.table_posts.current_row()
        return self.posts_model.row_at(row) if row >= 0 else None

    def current_term(self) -> TermRow | None:
        row = self.table_terms.current_row()
        return self.terms_model.row_at(row) if row >= 0 else None

    def _current_ends(self) -> bool:
        post = self.current_post()
        return post is not None and post.until is None

    def _current_is_rep(self) -> bool:
        post = self.current_post()
        return post is not None and post.until is None and post.body == "村民代表"

    # ---- actions --------------------------------------------------------------------------------

    def _run(self, dialog: FormDialog) -> None:
        with user_errors(self):
            if dialog.exec() == QDialog.DialogCode.Accepted:
                self.refresh()
                self.changes.changed.emit("affairs", self)

    def add_post(self) -> None:
        self._run(BodyPostDialog(self.ctx, self.unit_id, body=self.combo_body.currentData(), parent=self))

    def edit_post(self) -> None:
        post = self.current_post()
        if post is not None:
            self._run(BodyPostDialog(self.ctx, self.unit_id, post, parent=self))

    def end_post(self) -> None:
        post = self.current_post()
        if post is not None and post.until is None:
            self._run(EndBodyPostDialog(self.ctx, post, self))

    def edit_households(self) -> None:
        post = self.current_post()
        if post is not None and post.body == "村民代表":
            self._run(RepHouseholdsDialog(self.ctx, self.unit_id, post, self))

    def _term(self, term: TermRow | None) -> None:
        self._run(TermDialog(self.ctx, self.unit_id, term, self))
