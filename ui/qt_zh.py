"""Qt's own words in Chinese where the translation shipped with PySide6 lacks them.

PySide6's qtbase_zh_CN.qm was made for older Qt texts: Qt 6.11's file dialog says 「&Look in:」 and
「Files of &type:」 (the .qm only knows 「Look in:」 and 「Files of type:」) and names a file's type through
QAbstractFileIconProvider, which the .qm does not know at all — so the 导出/导入 dialog showed English (issue 20).
This translator is installed after the .qm, so Qt asks it first; for any other text it answers nothing and Qt
goes on to the .qm.
"""

from __future__ import annotations

from PySide6.QtCore import QObject, QTranslator

# (context, Qt's source text) → what the user reads. Accelerators (&L) kept, as the .qm writes them.
TEXTS: dict[tuple[str, str], str] = {
    ("QFileDialog", "&Look in:"): "查找范围(&L)：",
    ("QFileDialog", "Files of &type:"): "文件类型(&T)：",
    ("QAbstractFileIconProvider", "Drive"): "驱动器",
    ("QAbstractFileIconProvider", "Folder"): "文件夹",
    ("QAbstractFileIconProvider", "File"): "文件",
    ("QAbstractFileIconProvider", "%1 File"): "%1 文件",
    ("QAbstractFileIconProvider", "Computer"): "计算机",
}


class QtChinese(QTranslator):
    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)

    def translate(self, context: str, source: str, disambiguation: str | None = None, n: int = -1) -> str | None:
        # None (a null text) means "not mine": Qt asks the next translator, the shipped .qm. Not "": an
        # empty text counts as a translation, and every other Qt button would lose its words.
        return TEXTS.get((context, source))

    def isEmpty(self) -> bool:  # noqa: N802 - Qt's name
        return False
