"""Guard against the PySide6 6.12.0 bug that drops a reference to None on every void Qt call.

With Python 3.11 the count of None runs out after a few thousand calls and the interpreter aborts
("Fatal Python error: none_dealloc") in the middle of a user's session.
"""

from __future__ import annotations

import sys

from PySide6.QtCore import QObject


def test_void_qt_calls_keep_the_reference_count_of_none() -> None:
    obj = QObject()
    obj.setObjectName("warm-up")
    before = sys.getrefcount(None)
    for _ in range(1000):
        obj.setObjectName("x")
    lost = before - sys.getrefcount(None)
    assert lost < 50, f"每次 Qt 调用都少了一个 None 的引用（共 {lost} 个）：请换用没有这个缺陷的 PySide6 版本"
