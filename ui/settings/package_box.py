"""设置 → 上报数据包: the village's side of the offline 上报. The township issues the village a key file
(.vdkey) once; the 书记 installs it here, and every month 导出上报数据包… writes the village's data, signed
with that key, for the USB stick to the township (which imports it on its 镇级汇总 page)."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

from PySide6.QtWidgets import QGroupBox, QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from app.services import units
from app.services.context import AppContext
from app.services.township import keys, packages

from ..common.background import BackgroundJob
from ..common.files import ask_open_path, ask_save_path
from ..common.status import show_status
from ..common.widgets import InfoLabel
from ..errors import user_errors

KEY_FILTER = "上报密钥 (*.vdkey)"
PACKAGE_FILTER = "上报数据包 (*.vdpkg)"


def default_package_name(village: str, on: date) -> str:
    return f"{village}-{on:%Y-%m}.vdpkg"


class PackageBox(QGroupBox):
    """box_packages: label_package_key, btn_install_key, btn_export_package, info_packages."""

    def __init__(self, ctx: AppContext, unit_id: int, editable: bool, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("box_packages")
        self.setTitle(self.tr("上报数据包（不联网时交镇里）"))
        self.ctx, self.unit_id, self.editable = ctx, unit_id, editable
        self.job: BackgroundJob | None = None
        layout = QVBoxLayout(self)
        intro = QLabel(self.tr(
            "不联网的村每月导出一次上报数据包，拷贝到U盘交镇里导入。数据包用本村的上报密钥签名，"
            "镇里据此确认数据来自本村、途中未被改动。密钥文件（*.vdkey）由镇里颁发，安装一次即可。"), self)
        intro.setWordWrap(True)
        layout.addWidget(intro)
        self.label_key = QLabel(self)
        self.label_key.setObjectName("label_package_key")
        self.label_key.setWordWrap(True)
        layout.addWidget(self.label_key)
        bar = QHBoxLayout()
        self.btn_install = QPushButton(self.tr("安装上报密钥…"), self)
        self.btn_install.setObjectName("btn_install_key")
        self.btn_install.clicked.connect(self.install_key)
        self.btn_install.setEnabled(editable)
        if not editable:
            self.btn_install.setToolTip(self.tr("只有书记可以安装上报密钥"))
        self.btn_export = QPushButton(self.tr("导出上报数据包…"), self)
        self.btn_export.setObjectName("btn_export_package")
        self.btn_export.clicked.connect(self.export_package)
        bar.addWidget(self.btn_install)
        bar.addWidget(self.btn_export)
        bar.addStretch(1)
        layout.addLayout(bar)
        self.info = InfoLabel("info_packages", self)
        layout.addWidget(self.info)
        self.refresh()

    def refresh(self) -> None:
        with user_errors(self):
            key = self.ctx.call(keys.installed_key, self.unit_id)
            if key is None:
                self.label_key.setText(self.tr("本村还没有安装上报密钥：请向镇里领取本村的密钥文件（*.vdkey）后安装。"))
            else:  # 编号 …，颁发于 YYYY-MM-DD（…镇）: which key, from whom, since when
                self.label_key.setText(self.tr("已安装上报密钥：{0}").format(key.text))
            self.btn_export.setEnabled(key is not None)
            self.btn_export.setToolTip("" if key else self.tr("先安装上报密钥"))

    def install_key(self) -> None:
        path = ask_open_path(self, self.tr("选择上报密钥文件"), self.tr(KEY_FILTER), "keys")
        if path is None:
            return
        with user_errors(self):
            key_id = self.ctx.call(keys.install_key, self.unit_id, path)
            text = self.tr("已安装上报密钥：编号 {0}。").format(key_id)
            self.info.show_info(text)
            show_status(self, text)
        self.refresh()

    def export_package(self) -> None:
        if self.job is not None and self.job.running:
            return
        with user_errors(self):
            village = self.ctx.call(units.get_unit, self.unit_id).name
            path = ask_save_path(self, self.tr("导出上报数据包"), default_package_name(village, date.today()),
                                 self.tr(PACKAGE_FILTER), ".vdpkg", "packages")
            if path is None:
                return
            ctx, unit_id = self.ctx, self.unit_id

            def work(_progress: Any, _cancel: Any) -> Any:
                return ctx.call(packages.export_package, unit_id, path)

            self.target = path
            self.job = BackgroundJob(work)  # no Qt parent: a closed window cannot delete it under the worker
            self.job.finished.connect(self._exported)
            self.job.failed.connect(self._failed)
            self.btn_export.setEnabled(False)
            self.info.show_info(self.tr("正在导出上报数据包……"))
            self.job.start()

    def _exported(self, info: Any) -> None:
        self.btn_export.setEnabled(True)
        text = self.tr("已导出：{0}（{1} 行）。请拷贝到U盘交镇里。").format(Path(self.target), info.rows)
        self.info.show_info(text)
        show_status(self, text)

    def _failed(self, message: str) -> None:
        self.btn_export.setEnabled(True)
        self.info.show_error(message)
