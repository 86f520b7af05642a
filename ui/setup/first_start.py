"""The first start: an empty database offers the demo village or a new, blank village."""

from __future__ import annotations

import logging

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QApplication,
    QDialog,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from app.services.context import AppContext
from app.services.errors import ServiceError, ValidationError
from app.services.setup import founding

from .common.form import ERROR_STYLE, INVALID_STYLE
from .errors import show_service_error, show_unexpected

log = logging.getLogger(__name__)


class FirstStartDialog(QDialog):
    """Accepted once a unit exists (ctx.unit_id is set); rejected if the user closes it."""

    FIELDS = (
        ("name", "edit_unit_name", "村(社区)名称", "如 东坟村", True),
        ("township", "edit_township", "乡镇/街道", "如 城关街道", False),
        ("county", "edit_county", "县/区", "如 房山区", False),
    )

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.setObjectName("dlg_first_start")
        self.setWindowTitle(self.tr("欢迎使用村级党建工作台"))
        self.setModal(True)
        self.edits: dict[str, QLineEdit] = {}
        self.errors: dict[str, QLabel] = {}

        outer = QVBoxLayout(self)
        outer.setSpacing(14)
        welcome = QLabel(
            self.tr(
                "<h2>欢迎使用村级党建工作台</h2>"
                "<p>这台电脑上还没有本村的数据。可以先打开一个演示村熟悉功能，"
                "也可以直接新建本村，从空白开始录入。</p>"
            ),
            self,
        )
        welcome.setWordWrap(True)
        outer.addWidget(welcome)

        demo_box = QGroupBox(self.tr("先看看演示村"), self)
        demo_layout = QHBoxLayout(demo_box)
        demo_text = QLabel(
            self.tr("演示村里有虚构的党组织、党员、居民和户，可以随意试用，不影响正式数据。"), demo_box
        )
        demo_text.setWordWrap(True)
        self.btn_use_demo = QPushButton(self.tr("使用演示村"), demo_box)
        self.btn_use_demo.setObjectName("btn_use_demo")
        demo_layout.addWidget(demo_text, 1)
        demo_layout.addWidget(self.btn_use_demo, 0, Qt.AlignmentFlag.AlignVCenter)
        outer.addWidget(demo_box)

        new_box = QGroupBox(self.tr("新建空白村"), self)
        grid = QGridLayout(new_box)
        grid.setColumnStretch(1, 1)
        for row, (field, object_name, label, placeholder, required) in enumerate(self.FIELDS):
            caption = QLabel(label + ("<span style='color:#c62828'> *</span>" if required else ""), new_box)
            caption.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            edit = QLineEdit(new_box)
            edit.setObjectName(object_name)
            edit.setPlaceholderText(placeholder)
            caption.setBuddy(edit)
            error = QLabel(new_box)
            error.setObjectName(f"err_{field}")
            error.setStyleSheet(ERROR_STYLE)
            error.setWordWrap(True)
            error.hide()
            grid.addWidget(caption, row, 0)
            grid.addWidget(edit, row, 1)
            grid.addWidget(error, row, 2)
            self.edits[field] = edit
            self.errors[field] = error
        self.btn_create_unit = QPushButton(self.tr("新建本村"), new_box)
        self.btn_create_unit.setObjectName("btn_create_unit")
        self.btn_create_unit.setDefault(True)
        grid.addWidget(self.btn_create_unit, len(self.FIELDS), 1, 1, 1, Qt.AlignmentFlag.AlignRight)
        outer.addWidget(new_box)

        self.form_error = QLabel(self)
        self.form_error.setObjectName("err_form")
        self.form_error.setStyleSheet(ERROR_STYLE)
        self.form_error.setWordWrap(True)
        self.form_error.hide()
        outer.addWidget(self.form_error)

        self.btn_use_demo.clicked.connect(self.use_demo)
        self.btn_create_unit.clicked.connect(self.create_unit)
        self.edits["name"].setFocus()
        self.setMinimumWidth(self.fontMetrics().horizontalAdvance("中") * 40)

    def _clear(self) -> None:
        for field, label in self.errors.items():
            label.hide()
            label.clear()
            self.edits[field].setStyleSheet("")
        self.form_error.hide()

    def create_unit(self) -> None:
        self._clear()
        try:
            unit_id = self.ctx.call(
                founding.create_unit,
                self.edits["name"].text(),
                township=self.edits["township"].text(),
                county=self.edits["county"].text(),
            )
        except ValidationError as e:
            for p in e.problems:
                if p.field in self.errors:
                    self.errors[p.field].setText("\n".join(e.for_field(p.field)))
                    self.errors[p.field].show()
                    self.edits[p.field].setStyleSheet(INVALID_STYLE)
                else:
                    self.form_error.setText(str(p))
                    self.form_error.show()
            return
        except ServiceError as e:
            show_service_error(self, e)
            return
        except Exception:
            log.exception("creating the unit failed")
            show_unexpected(self)
            return
        self.ctx.set_unit(unit_id)
        self.accept()

    def use_demo(self) -> None:
        from app.demo import village as demo

        self._clear()
        QApplication.setOverrideCursor(Qt.CursorShape.WaitCursor)
        try:
            self.ctx.call(demo.build_demo)
        except ServiceError as e:
            QApplication.restoreOverrideCursor()
            show_service_error(self, e)
            return
        except Exception:
            QApplication.restoreOverrideCursor()
            log.exception("building the demo village failed")
            show_unexpected(self)
            return
        QApplication.restoreOverrideCursor()
        self.ctx.set_unit(None)  # read it again: the demo's unit
        if self.ctx.unit_id is None:
            show_unexpected(self)
            return
        self.accept()
