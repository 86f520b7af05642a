"""The map page's push buttons, made one way: named (objectName), with a tooltip where one helps."""

from __future__ import annotations

from typing import Any

from PySide6.QtWidgets import QPushButton, QWidget


def button(parent: QWidget, name: str, text: str, slot: Any, tip: str = "") -> QPushButton:
    b = QPushButton(text, parent)
    b.setObjectName(name)
    if tip:
        b.setToolTip(tip)
    b.clicked.connect(slot)
    return b
