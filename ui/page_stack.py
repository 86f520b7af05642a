"""The main window's pages, each built the first time something asks for it.

Building all twelve pages at start kept the window from being usable for 1.3–1.5 s on a county
database (issue 20): each page builds its widgets, models and first queries. `LazyPages` is the
window's `pages` mapping: it knows every page's name, title and class from the start (the navigation
needs no more) and builds a page — adding it to the stack — when it is first looked up: on its first
show, or when code asks for it (`window.pages["page_notices"]`, `show_page`, tests). A page that is
never opened is never built; a page not built yet needs no change notices (it queries when built).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator, Mapping

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QStackedWidget

from .common.page import Page

log = logging.getLogger(__name__)


class LazyPages(Mapping[str, Page]):
    """name → Page, in navigation order; a page is built by `build(cls)` on first lookup.

    `in`, `len`, iteration, `names()`, `classes()`, `title()` and `built()` never build anything; `pages[name]`,
    `get(name)`, `values()` and `items()` build what they return.
    """

    def __init__(self, stack: QStackedWidget, build: Callable[[type[Page]], Page]) -> None:
        self._stack = stack
        self._build = build
        self._classes: dict[str, type[Page]] = {}
        self._built: dict[str, Page] = {}

    def register(self, name: str, cls: type[Page]) -> None:
        self._classes[name] = cls

    def add(self, page: Page) -> None:
        """A page built at once (its name is only known once built)."""
        self._classes[page.objectName()] = type(page)
        self._built[page.objectName()] = page
        self._stack.addWidget(page)

    def __getitem__(self, name: str) -> Page:
        page = self._built.get(name)
        if page is not None:
            return page
        cls = self._classes[name]  # KeyError for a page this operator does not have, as before
        QApplication.setOverrideCursor(Qt.CursorShape.WaitCursor)  # a county page can take a moment
        try:
            page = self._build(cls)
        finally:
            QApplication.restoreOverrideCursor()
        if page.objectName() != name:
            raise RuntimeError(f"{cls.__name__} is named {page.objectName()!r}, registered as {name!r}")
        self._built[name] = page
        self._stack.addWidget(page)
        log.debug("page %s built on first use", name)
        return page

    def __contains__(self, name: object) -> bool:
        return name in self._classes

    def __iter__(self) -> Iterator[str]:
        return iter(self._classes)

    def __len__(self) -> int:
        return len(self._classes)

    def names(self) -> list[str]:
        return list(self._classes)

    def classes(self) -> list[type[Page]]:
        return list(self._classes.values())

    def title(self, name: str) -> str:
        """The page's navigation title, without building it."""
        return self._classes[name].title

    def built(self) -> list[Page]:
        """The pages built so far (what a reload must refresh; the others query when built)."""
        return list(self._built.values())

    def is_built(self, name: str) -> bool:
        return name in self._built
