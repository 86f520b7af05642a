"""The 党组织 tree of the 党组织与党员 page and what can be done to an org from it: 新建 (top or 下级),
编辑, 移到… (or drag it onto another org), 联建单位, 跨支部党员, 撤销 (moving the members first when some
remain) and 删除（误录）. Closed orgs are hidden unless 「显示已撤销」 is ticked.

Every change goes through the services; the panel reloads itself and tells the page (`changed`) which
kinds of data changed ("org", and "member" when members moved).
"""

from __future__ import annotations

import logging

from PySide6.QtCore import QByteArray, QMimeData, QPoint, Qt, QTimer, Signal
from PySide6.QtGui import QAction, QBrush, QColor, QDropEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QDialog,
    QGridLayout,
    QHeaderView,
    QLabel,
    QMenu,
    QMessageBox,
    QPushButton,
    QToolButton,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from app.services.context import AppContext
from app.services.org import org_changes
from app.services.org import tree as org
from app.services.org.tree import CROSS_BRANCH_KINDS, GROUP_KINDS, OrgInfo, OrgNode

from ..errors import user_errors
from .org_dialogs import CloseOrgDialog, MoveOrgDialog, OrgDialog
from .org_members import OrgMembersDialog
from .partners import PartnersDialog

log = logging.getLogger(__name__)
ORG_ROLE = Qt.ItemDataRole.UserRole
RIGHT = Qt.AlignmentFlag.AlignRight
ORG_MIME = "application/x-villagedesk-org"


class OrgTree(QTreeWidget):
    """The tree (tree_orgs). Dragging an org onto another asks to move it there (`org_dropped`); the items
    never move by themselves: the panel moves the org through the service and reloads."""

    org_dropped = Signal(int, object)  # the org, the new parent's id (None: a top org)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("tree_orgs")
        self.setDragEnabled(True)
        self.setAcceptDrops(True)
        self.setDropIndicatorShown(True)
        self.setDragDropMode(QAbstractItemView.DragDropMode.DragDrop)
        self.setDefaultDropAction(Qt.DropAction.MoveAction)

    def mimeTypes(self) -> list[str]:  # noqa: N802 (Qt API)
        return [ORG_MIME]

    def mimeData(self, items: list[QTreeWidgetItem]) -> QMimeData:  # noqa: N802 (Qt API)
        data = QMimeData()
        ids = [item.data(0, ORG_ROLE) for item in items if item.data(0, ORG_ROLE) is not None]
        if ids:
            data.setData(ORG_MIME, QByteArray(str(ids[0]).encode()))
        return data

    def drop_parent(self, pos: QPoint) -> int | None:
        """The org a drop at `pos` puts the dragged org under: the item itself in its middle, the item's
        parent at its upper or lower edge (dropped between two orgs), None on the empty area (top)."""
        item = self.itemAt(pos)
        if item is None:
            return None
        rect = self.visualItemRect(item)
        edge = max(2, rect.height() // 4)
        if rect.top() + edge <= pos.y() <= rect.bottom() - edge:
            return item.data(0, ORG_ROLE)
        above = item.parent()
        return above.data(0, ORG_ROLE) if above is not None else None

    def dropEvent(self, event: QDropEvent) -> None:  # noqa: N802 (Qt API)
        raw = event.mimeData().data(ORG_MIME) if event.mimeData().hasFormat(ORG_MIME) else None
        if raw is None or event.source() not in (self, None):
            event.ignore()
            return
        event.setDropAction(Qt.DropAction.IgnoreAction)  # the tree is rebuilt from the database instead
        event.accept()
        org_id, parent_id = int(bytes(raw.data()).decode()), self.drop_parent(event.position().toPoint())
        # once the drag has ended: the confirmation and the rebuilt tree must not run inside it
        QTimer.singleShot(0, lambda: self.org_dropped.emit(org_id, parent_id))


class OrgTreePanel(QWidget):
    current_changed = Signal()  # another org (or none) selected
    changed = Signal(object)  # the kinds of data changed: a set of "org", "member"

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.setObjectName("panel_orgs")
        self.nodes: dict[int, OrgNode] = {}
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)

        self.tree = OrgTree(self)
        self.tree.setHeaderLabels([self.tr("党组织"), self.tr("党员")])
        self.tree.setColumnCount(2)
        self.tree.header().setStretchLastSection(False)
        self.tree.header().setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        self.tree.header().setSectionResizeMode(1, QHeaderView.ResizeMode.ResizeToContents)
        self.tree.setMinimumWidth(self.fontMetrics().horizontalAdvance("中") * 12)
        self.tree.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.tree.customContextMenuRequested.connect(self._context_menu)
        self.tree.currentItemChanged.connect(self._on_current)
        self.tree.org_dropped.connect(self.move_to)
        layout.addWidget(self.tree, 1)
        self.lbl_org_info = QLabel(self)  # the selected org: kind, code, dates; why and when it closed
        self.lbl_org_info.setObjectName("lbl_org_info")
        self.lbl_org_info.setWordWrap(True)
        self.lbl_org_info.setStyleSheet("color: #555;")
        layout.addWidget(self.lbl_org_info)

        def action(name: str, text: str, slot: object) -> QAction:
            a = QAction(text, self)
            a.setObjectName(name)
            a.triggered.connect(lambda _checked=False: slot())  # type: ignore[operator]
            return a

        self.action_new_org = action("action_new_org", self.tr("新建党组织…"), self.new_org)
        self.action_new_child_org = action("action_new_child_org", self.tr("新建下级组织…"), self.new_child_org)
        self.action_edit_org = action("action_edit_org", self.tr("编辑…"), self.edit_org)
        self.action_move_org = action("action_move_org", self.tr("移到…"), self.move_org)
        self.action_org_partners = action("action_org_partners", self.tr("联建单位…"), self.partners)
        self.action_org_members = action("action_org_members", self.tr("跨支部党员…"), self.org_members)
        self.action_close_org = action("action_close_org", self.tr("撤销…"), self.close_org)
        self.action_delete_org = action("action_delete_org", self.tr("删除（误录）"), self.delete_org)
        self.menu = QMenu(self)
        self.menu.setObjectName("menu_org")
        for a in (self.action_new_child_org, self.action_edit_org, self.action_move_org, None,
                  self.action_org_partners, self.action_org_members, None, self.action_close_org,
                  self.action_delete_org):
            if a is None:
                self.menu.addSeparator()
            else:
                self.menu.addAction(a)

        buttons = QGridLayout()
        buttons.setContentsMargins(0, 0, 0, 0)
        self.btn_new_org = QPushButton(self.tr("新建党组织"), self)
        self.btn_new_org.setObjectName("btn_new_org")
        self.btn_new_org.setToolTip(self.tr("新建最上级的党组织（党委、党总支或党支部）"))
        self.btn_new_child_org = QPushButton(self.tr("新建下级组织"), self)
        self.btn_new_child_org.setObjectName("btn_new_child_org")
        self.btn_new_child_org.setToolTip(self.tr("在选中的组织下新建党支部或党小组"))
        self.btn_org_actions = QToolButton(self)
        self.btn_org_actions.setObjectName("btn_org_actions")
        self.btn_org_actions.setText(self.tr("组织操作"))
        self.btn_org_actions.setToolTip(self.tr("编辑、移到…、联建单位、跨支部党员、撤销（也可在树上点右键）"))
        self.btn_org_actions.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        self.btn_org_actions.setMenu(self.menu)
        self.check_show_closed = QCheckBox(self.tr("显示已撤销"), self)
        self.check_show_closed.setObjectName("check_show_closed")
        buttons.addWidget(self.btn_new_org, 0, 0)
        buttons.addWidget(self.btn_new_child_org, 0, 1)
        buttons.addWidget(self.check_show_closed, 1, 0)
        buttons.addWidget(self.btn_org_actions, 1, 1)
        layout.addLayout(buttons)

        self.btn_new_org.clicked.connect(self.new_org)
        self.btn_new_child_org.clicked.connect(self.new_child_org)
        self.check_show_closed.toggled.connect(lambda _on: self._reload())
        self._update_actions()

    # ---- the tree -----------------------------------------------------------------------------------

    @property
    def unit_id(self) -> int:
        unit_id = self.ctx.unit_id
        assert unit_id is not None
        return unit_id

    def selected_org_id(self) -> int | None:
        item = self.tree.currentItem()
        return item.data(0, ORG_ROLE) if item is not None else None

    def selected_node(self) -> OrgNode | None:
        org_id = self.selected_org_id()
        return self.nodes.get(org_id) if org_id is not None else None

    def refresh(self, select_id: int | None = None) -> None:
        """Reload the tree, keeping the selection (or selecting `select_id`); no current_changed."""
        keep = select_id if select_id is not None else self.selected_org_id()
        nodes: list[OrgNode] = self.ctx.call(org.list_org_tree, self.unit_id, self.check_show_closed.isChecked())
        self.nodes = {n.id: n for n in nodes}
        self.tree.blockSignals(True)
        self.tree.clear()
        items: dict[int, QTreeWidgetItem] = {}
        roots = [n for n in nodes if n.parent_id is None or n.parent_id not in self.nodes]
        top: QTreeWidget | QTreeWidgetItem = self.tree
        if len(roots) != 1:
            all_item = QTreeWidgetItem(self.tree, [self.tr("全部党组织"), ""])
            all_item.setData(0, ORG_ROLE, None)
            if not roots:
                all_item.setToolTip(0, self.tr("还没有党组织：请点“新建党组织”"))
            top = all_item
        grey = QBrush(QColor("#888888"))
        for n in nodes:
            parent = items.get(n.parent_id) if n.parent_id is not None else None
            name = n.name + (self.tr("（已撤销）") if n.closed else "")
            item = QTreeWidgetItem(parent if parent is not None else top, [name, str(n.member_count)])
            item.setData(0, ORG_ROLE, n.id)
            item.setToolTip(0, f"{n.kind}：{n.name}")
            item.setTextAlignment(1, RIGHT | Qt.AlignmentFlag.AlignVCenter)
            if n.closed:
                item.setForeground(0, grey)
                item.setForeground(1, grey)
            items[n.id] = item
        self.tree.expandAll()
        current = items.get(keep) if keep is not None else None
        if current is None:
            current = self.tree.topLevelItem(0)
        if current is not None:
            self.tree.setCurrentItem(current)
        self.tree.blockSignals(False)
        self._update_actions()

    def select_org(self, org_id: int | None) -> None:
        """Select an org as a user would (the roster follows)."""
        for item in self._items():
            if item.data(0, ORG_ROLE) == org_id:
                self.tree.setCurrentItem(item)
                return

    def item_for(self, org_id: int) -> QTreeWidgetItem | None:
        return next((i for i in self._items() if i.data(0, ORG_ROLE) == org_id), None)

    def _items(self) -> list[QTreeWidgetItem]:
        out: list[QTreeWidgetItem] = []
        todo = [self.tree.topLevelItem(i) for i in range(self.tree.topLevelItemCount())]
        while todo:
            item = todo.pop(0)
            out.append(item)
            todo.extend(item.child(i) for i in range(item.childCount()))
        return out

    def _reload(self) -> None:
        before = self.selected_org_id()
        self.refresh()
        if self.selected_org_id() != before:
            self.current_changed.emit()

    def _on_current(self, *_: object) -> None:
        self._update_actions()
        self.current_changed.emit()

    def _show_info(self) -> None:
        org_id = self.selected_org_id()
        if org_id is None:
            self.lbl_org_info.setText(self.tr("还没有党组织：请先点“新建党组织”") if not self.nodes else "")
            return
        try:
            info: OrgInfo = self.ctx.call(org.get_org, org_id)
        except Exception:  # the line is a convenience: never let it break the tree
            log.exception("reading org %s failed", org_id)
            self.lbl_org_info.setText("")
            return
        parts = [info.kind]
        if info.code:
            parts.append(self.tr("代码 {0}").format(info.code))
        if info.established_on:
            parts.append(self.tr("{0} 成立").format(info.established_on.isoformat()))
        text = " · ".join(parts)
        if info.closed_on:
            text += "\n" + self.tr("已于 {0} 撤销：{1}").format(info.closed_on.isoformat(), info.close_reason)
        self.lbl_org_info.setText(text)

    def _update_actions(self) -> None:
        self._show_info()
        node = self.selected_node()
        open_ = node is not None and not node.closed
        can_hold = open_ and node is not None and node.kind not in GROUP_KINDS
        self.btn_new_child_org.setEnabled(can_hold)
        self.action_new_child_org.setEnabled(can_hold)
        for a in (self.action_edit_org, self.action_org_partners, self.action_delete_org):
            a.setEnabled(node is not None)
        for a in (self.action_move_org, self.action_close_org):
            a.setEnabled(open_)
        self.action_org_members.setEnabled(node is not None and node.kind in CROSS_BRANCH_KINDS)

    def _context_menu(self, pos: QPoint) -> None:
        item = self.tree.itemAt(pos)
        if item is not None:
            self.tree.setCurrentItem(item)
        menu = QMenu(self)
        menu.addAction(self.action_new_org)
        menu.addActions(self.menu.actions())
        menu.exec(self.tree.viewport().mapToGlobal(pos))

    def _done(self, kinds: set[str], select_id: int | None = None) -> None:
        self.refresh(select_id)
        self.current_changed.emit()
        self.changed.emit(kinds)

    # ---- actions ------------------------------------------------------------------------------------

    def new_org(self, parent_id: int | None = None) -> None:
        with user_errors(self):
            dialog = OrgDialog(self.ctx, self.unit_id, list(self.nodes.values()), parent_id=parent_id, parent=self)
            if dialog.exec() == QDialog.DialogCode.Accepted:
                self._done({"org"}, dialog.result_value)

    def new_child_org(self) -> None:
        node = self.selected_node()
        if node is not None and not node.closed and node.kind not in GROUP_KINDS:
            self.new_org(node.id)

    def edit_org(self) -> None:
        node = self.selected_node()
        if node is None:
            return
        with user_errors(self):
            dialog = OrgDialog(self.ctx, self.unit_id, list(self.nodes.values()), org_id=node.id, parent=self)
            if dialog.exec() == QDialog.DialogCode.Accepted:
                self._done({"org"}, node.id)

    def move_org(self) -> None:
        node = self.selected_node()
        if node is None or node.closed:
            return
        with user_errors(self):
            dialog = MoveOrgDialog(self.ctx, node, self)
            if dialog.exec() == QDialog.DialogCode.Accepted:
                self._done({"org", "member"} if node.kind in GROUP_KINDS else {"org"}, node.id)

    def move_to(self, org_id: int, parent_id: int | None) -> None:
        """A drop: confirm, then the same service as 「移到…」; the service refuses cycles and wrong kinds."""
        node = self.nodes.get(org_id)
        if node is None or parent_id == node.parent_id or parent_id == org_id:
            return
        target = self.nodes.get(parent_id) if parent_id is not None else None
        where = self.tr("“{0}”之下").format(target.name) if target else self.tr("最上级")
        text = self.tr("把“{0}”移到{1}？").format(node.name, where)
        if node.kind in GROUP_KINDS and node.own_member_count:
            text += "\n" + self.tr("该党小组的党员将随之改到新的上级支部（记入操作日志）。")
        if QMessageBox.question(self, self.tr("调整隶属关系"), text) != QMessageBox.StandardButton.Yes:
            return
        with user_errors(self):
            self.ctx.call(org.move_org, org_id, parent_id)
            self._done({"org", "member"} if node.kind in GROUP_KINDS else {"org"}, org_id)

    def partners(self) -> None:
        node = self.selected_node()
        if node is None:
            return
        with user_errors(self):
            dialog = PartnersDialog(self.ctx, node, self)
            dialog.exec()
            if dialog.changed:
                self._done({"org"}, node.id)

    def org_members(self) -> None:
        node = self.selected_node()
        if node is None or node.kind not in CROSS_BRANCH_KINDS:
            return
        with user_errors(self):
            dialog = OrgMembersDialog(self.ctx, node, self)
            dialog.exec()
            if dialog.changed:
                self._done({"org"}, node.id)

    def close_org(self) -> None:
        node = self.selected_node()
        if node is None or node.closed:
            return
        with user_errors(self):
            check = self.ctx.call(org_changes.close_check, node.id)
            if check.members:
                answer = QMessageBox.question(self, self.tr("撤销党组织"), self.tr(
                    "“{0}”还有 {1} 名党员（含入党申请人等），不能直接撤销。\n"
                    "先把他们全部调整到其他支部，再撤销吗？").format(node.name, check.members))
                if answer != QMessageBox.StandardButton.Yes:
                    return
            dialog = CloseOrgDialog(self.ctx, node, list(self.nodes.values()), check, self)
            if dialog.exec() == QDialog.DialogCode.Accepted:
                self._done({"org", "member"} if check.members else {"org"}, node.parent_id)

    def delete_org(self) -> None:
        node = self.selected_node()
        if node is None:
            return
        answer = QMessageBox.question(self, self.tr("删除（误录）"), self.tr(
            "删除误录的{0}“{1}”？\n只有今天录入、没有党员和下级组织等引用的组织可以删除；删除记入操作日志。\n"
            "已在使用的组织请用“撤销”。").format(node.kind, node.name))
        if answer != QMessageBox.StandardButton.Yes:
            return
        with user_errors(self):
            self.ctx.call(org_changes.delete_org, node.id)
            self._done({"org"}, node.parent_id)
