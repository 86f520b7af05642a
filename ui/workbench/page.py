"""工作台: the page the window opens on — 今日待办, each line a count that opens the list behind it, and the
year's key figures with 「打印年度概况…」 (a one-page PDF for the 述职).

A line names its page and a filter key (app.services.workbench.today.TodoLine); clicking it shows that
page and calls its show_filter(key), which puts the page's filters and search box so the list shows
exactly what was counted. A line with nothing to do is dimmed and says 「无」.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QFrame,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from app.services.context import AppContext

from ..common.background import BackgroundJob
from ..common.files import ask_save_path
from ..common.page import Changes, Page
from ..common.widgets import InfoLabel

if TYPE_CHECKING:
    from app.services.workbench.figures import YearFigures
    from app.services.workbench.today import TodoLine

WEEKDAYS = "一二三四五六日"
DUE_STYLE = "QPushButton { text-align: left; padding: 4px 8px; color: #b71c1c; font-weight: bold; }"
WARN_STYLE = "QPushButton { text-align: left; padding: 4px 8px; color: #e65100; font-weight: bold; }"
NONE_STYLE = "QPushButton { text-align: left; padding: 4px 8px; color: #9e9e9e; }"
GROUP_STYLE = "color: #555;"


class WorkbenchPage(Page):
    """page_workbench: btn_todo_<key> per line, label_fig_<label> per figure, btn_print_summary."""

    title = "工作台"
    object_name = "page_workbench"
    # whatever changes a count or a figure: the page queries again when next shown
    watches = frozenset({"ticket", "notice", "member", "org", "meeting", "grid", "household", "resident", "import",
                         "stars", "points", "unit"})

    def __init__(self, ctx: AppContext, changes: Changes, parent: QWidget | None = None) -> None:
        super().__init__(ctx, changes, parent)
        self.setObjectName(self.object_name)
        self.lines: list[TodoLine] = []
        self.figures: YearFigures | None = None
        self.buttons: dict[str, QPushButton] = {}
        self.job: BackgroundJob | None = None  # the PDF
        self.lines_job: BackgroundJob | None = None
        self.figures_job: BackgroundJob | None = None

        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        scroll = QScrollArea(self)  # large font on 1366×768: the figures scroll, nothing is cut
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        outer.addWidget(scroll)
        body = QWidget(scroll)
        scroll.setWidget(body)
        layout = QVBoxLayout(body)

        head = QHBoxLayout()
        self.label_date = QLabel(body)
        self.label_date.setObjectName("label_workbench_date")
        head.addWidget(self.label_date, 1)
        self.btn_refresh = QPushButton(self.tr("刷新"), body)
        self.btn_refresh.setObjectName("btn_workbench_refresh")
        self.btn_refresh.clicked.connect(self.refresh)
        head.addWidget(self.btn_refresh)
        layout.addLayout(head)

        self.box_todo = QGroupBox(self.tr("今日待办（点击一行打开对应的名单）"), body)
        self.box_todo.setObjectName("group_todo")
        self.grid_todo = QGridLayout(self.box_todo)
        self.grid_todo.setColumnStretch(2, 1)
        self.grid_todo.setVerticalSpacing(2)
        self.label_todo_wait = QLabel(self.tr("正在统计今日待办……"), self.box_todo)
        self.label_todo_wait.setObjectName("label_todo_wait")
        self.label_todo_wait.setStyleSheet(GROUP_STYLE)
        self.grid_todo.addWidget(self.label_todo_wait, 0, 0, 1, 3, Qt.AlignmentFlag.AlignTop)
        columns = QHBoxLayout()  # side by side: both fit a 1366×768 screen without scrolling
        columns.addWidget(self.box_todo, 2)  # full height (no AlignTop): wrapped notes get the height they need
        layout.addLayout(columns, 1)

        self.box_figures = QGroupBox(body)
        self.box_figures.setObjectName("group_figures")
        fig_layout = QVBoxLayout(self.box_figures)
        self.grid_figures = QGridLayout()
        self.grid_figures.setColumnStretch(2, 1)
        fig_layout.addLayout(self.grid_figures)
        bar = QHBoxLayout()
        self.btn_print = QPushButton(self.tr("打印年度概况…"), self.box_figures)
        self.btn_print.setObjectName("btn_print_summary")
        self.btn_print.setToolTip(self.tr("把本年度主要数据保存为一页 PDF（述职用）"))
        self.btn_print.clicked.connect(self.print_summary)
        self.info = InfoLabel("label_workbench_info", self.box_figures)
        self.info.setWordWrap(True)
        bar.addWidget(self.btn_print)
        bar.addWidget(self.info, 1)
        fig_layout.addLayout(bar)
        fig_layout.addStretch(1)
        columns.addWidget(self.box_figures, 3)
        self.refresh()

    # ---- data -----------------------------------------------------------------------------------

    def refresh(self) -> None:
        on = date.today()
        self.label_date.setText(self.tr("<h2>工作台</h2>今天是 {0}年{1}月{2}日 星期{3}")
                                .format(on.year, on.month, on.day, WEEKDAYS[on.weekday()]))
        if self.figures is None:  # counted after the 待办 lines; say so from the first paint
            self.info.show_info(self.tr("正在统计本年度数据……"))
        self._load_lines()

    def _load_lines(self) -> None:
        """The 待办 counts off the GUI thread too: on a county database they take 0.1–0.2 s, which kept the
        window from showing (issue 20: usable within 1 s). The year's figures are counted after them."""
        ctx, unit_id = self.ctx, self.unit_id
        job = BackgroundJob(lambda _progress, _cancel: _todo_lines(ctx, unit_id), self)
        job.finished.connect(lambda lines, job=job: self._lines_loaded(job, lines))
        job.failed.connect(lambda message, job=job: self._lines_failed(job, message))
        self.lines_job = job
        job.start()

    def _lines_loaded(self, job: BackgroundJob, lines: list[TodoLine]) -> None:
        if job is not self.lines_job:
            return  # a later 刷新 is under way: its counts are the newer ones
        self.lines = lines
        self._show_lines()
        self._load_figures()

    def _lines_failed(self, job: BackgroundJob, message: str) -> None:
        if job is not self.lines_job:
            return
        if not self.lines:
            self.label_todo_wait.setText(message)
        self.info.show_error(message)
        self._load_figures()

    def _load_figures(self) -> None:
        """The year's figures off the GUI thread: the 星级 statistics of a county's 50,000 households take
        ~0.6 s, and the 待办 lines above must not wait for them."""
        ctx, unit_id = self.ctx, self.unit_id
        job = BackgroundJob(lambda _progress, _cancel: _year_figures(ctx, unit_id), self)
        job.finished.connect(self._figures_loaded)
        job.failed.connect(self.info.show_error)
        self.figures_job = job
        if self.figures is None:
            self.info.show_info(self.tr("正在统计本年度数据……"))
        job.start()

    def _figures_loaded(self, result: YearFigures) -> None:
        self.figures = result
        self._show_figures()
        if self.info.text() == self.tr("正在统计本年度数据……"):  # not a message about the PDF
            self.info.clear()

    @staticmethod
    def _clear(grid: QGridLayout) -> None:
        while grid.count():
            item = grid.takeAt(0)
            widget = item.widget() if item is not None else None
            if widget is not None:
                widget.hide()  # gone now, not when the event loop gets to deleteLater
                widget.deleteLater()

    def _show_lines(self) -> None:
        if self.label_todo_wait.isVisibleTo(self.box_todo):  # the first counts: the wait note goes
            self.grid_todo.removeWidget(self.label_todo_wait)
            self.label_todo_wait.hide()
        self._clear(self.grid_todo)
        self.buttons.clear()
        last_group = ""
        for row, line in enumerate(self.lines):
            if line.group != last_group:
                group = QLabel(self.tr(line.group), self.box_todo)
                group.setStyleSheet(GROUP_STYLE)
                self.grid_todo.addWidget(group, row, 0, Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
                last_group = line.group
            button = QPushButton(line.text, self.box_todo)
            button.setObjectName(f"btn_todo_{line.key}")
            button.setFlat(True)
            button.setCursor(Qt.CursorShape.PointingHandCursor)
            button.setToolTip(line.hint or line.text)
            button.setStyleSheet(NONE_STYLE if not line.due else WARN_STYLE if line.warn else DUE_STYLE)
            button.clicked.connect(lambda _checked=False, key=line.key: self.open_line(key))
            self.grid_todo.addWidget(button, row, 1, 1, 2)
            self.buttons[line.key] = button
        self.grid_todo.setRowStretch(len(self.lines), 1)  # the lines at the top of their box

    def _show_figures(self) -> None:
        f = self.figures
        if f is None:
            return
        self.box_figures.setTitle(self.tr("{0}年度主要数据").format(f.year))
        self._clear(self.grid_figures)
        row = 0
        for heading, items in f.sections:
            title = QLabel(f"<b>{heading}</b>", self.box_figures)
            self.grid_figures.addWidget(title, row, 0, 1, 3)
            row += 1
            for fig in items:
                label = QLabel(fig.label, self.box_figures)
                value = QLabel(f"<b>{fig.value}</b>", self.box_figures)
                value.setObjectName(f"label_fig_{fig.label}")
                note = QLabel(fig.note, self.box_figures)
                note.setWordWrap(True)
                note.setStyleSheet(GROUP_STYLE)
                self.grid_figures.addWidget(label, row, 0)
                self.grid_figures.addWidget(value, row, 1)
                self.grid_figures.addWidget(note, row, 2)
                row += 1

    # ---- actions --------------------------------------------------------------------------------

    def line(self, key: str) -> TodoLine:
        return next(line for line in self.lines if line.key == key)

    def open_line(self, key: str) -> Page | None:
        """Show the list behind the line: its page, showing exactly the rows the line counted (the page's
        show_filter puts its own filters and search box so)."""
        line = self.line(key)
        show_page: Any = getattr(self.window(), "show_page", None)
        if show_page is None or line.page not in getattr(self.window(), "pages", {}):
            self.info.show_error(self.tr("您的账号不能打开这一页。"))
            return None
        page: Page = show_page(line.page)
        if line.filter is not None:
            page.show_filter(line.filter)
        return page

    def print_summary(self) -> None:
        f = self.figures
        year = f.year if f else date.today().year
        path = ask_save_path(self, self.tr("打印年度概况"), self.tr("{0}年度党建工作概况.pdf").format(year),
                             self.tr("PDF 文件 (*.pdf)"), ".pdf")
        if path is None:
            return
        self.save_summary(path, year)

    def save_summary(self, path: Path, year: int) -> None:
        """Write the PDF off the GUI thread (fonts load on first use); the label says where it went."""
        ctx, unit_id = self.ctx, self.unit_id
        from app.services.workbench import figures

        job = BackgroundJob(lambda _progress, _cancel: ctx.call(figures.print_summary, unit_id, path, year), self)
        job.finished.connect(lambda out: self._printed(Path(out)))
        job.failed.connect(self._print_failed)
        self.btn_print.setEnabled(False)
        self.info.show_info(self.tr("正在生成年度概况……"))
        self.job = job
        job.start()

    def _printed(self, out: Path) -> None:
        self.btn_print.setEnabled(True)
        self.info.show_info(self.tr("年度概况已保存：{0}").format(out))

    def _print_failed(self, message: str) -> None:
        self.btn_print.setEnabled(True)
        self.info.show_error(message)


def _todo_lines(ctx: AppContext, unit_id: int) -> list[TodoLine]:
    """Run on the thread pool. The services are imported here, not with the page: ~0.1 s less before the
    window shows (tests/ui/test_lazy_pages.py)."""
    from app.services.workbench import today

    lines = ctx.call(today.todo_lines, unit_id)
    lines.append(today.backup_line(ctx.db))
    return lines


def _year_figures(ctx: AppContext, unit_id: int) -> YearFigures:
    from app.services.workbench import figures

    return ctx.call(figures.year_figures, unit_id)
