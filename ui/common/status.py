"""A short message in the main window's status bar (「已保存」 after a save that has nothing else to show)."""

from __future__ import annotations

from PySide6.QtWidgets import QMainWindow, QWidget

STATUS_MS = 8000  # long enough to be read by someone who looked away


def show_status(widget: QWidget, text: str, timeout_ms: int = STATUS_MS) -> bool:
    """Show `text` in the status bar of the window holding `widget`; False when it is in no main window."""
    window = widget.window()
    if not isinstance(window, QMainWindow):
        parent = window.parentWidget()
        window = parent.window() if parent is not None else window
    if isinstance(window, QMainWindow):
        window.statusBar().showMessage(text, timeout_ms)
        return True
    return False
