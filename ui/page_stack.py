"""The main window's pages, each imported and built the first time something asks for it.

Building all twelve pages at start kept the window from being usable for 1.3–1.5 s on a county
database (issue 20): each page builds its widgets, models and first queries. `LazyPages` is the
window's `pages` mapping: it knows every page's name, title and class from the start (the navigation
needs no more) and builds a page — adding it to the stack — when it is first looked up: on its first
show, or when code asks for it (`window.pages["page_notices"]`, `show_page`, tests). A page that is
never opened is never built; a page not built yet needs no change notices (it queries when built).
"""

from __future__ import annotations

import importlib
import logging
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QStackedWidget

from .common.page import Page

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class PageEntry:
    """A page of the window as the navigation needs it, without importing the page's module (importing
    all of them cost 0.2–0.8 s of the start). The class says the same (tests/ui/test_lazy_pages.py)."""

    name: str  # the page's objectName
    title: str  # its navigation title
    where: str  # "module:Class"
    roles: frozenset[str] | None = None  # operator roles that get the page (None: everyone)

    def load(self) -> type[Page]:
        module, _, cls = self.where.partition(":")
        return getattr(importlib.import_module(module), cls)  # type: ignore[no-any-return]


class LazyPages(Mapping[str, Page]):
    """name → Page, in navigation order; a page is built by `build(cls)` on first lookup.

    `in`, `len`, iteration, `names()`, `entries()`, `title()` and `built()` neither import nor build
    anything; `pages[name]`, `get(name)`, `values()` and `items()` build what they return.
    """

    def __init__(self, stack: QStackedWidget, build: Callable[[type[Page]], Page]) -> None:
        self._stack = stack
        self._build = build
        self._entries: dict[str, PageEntry] = {}
        self._built: dict[str, Page] = {}

    def register(self, entry: PageEntry) -> None:
        self._entries[entry.name] = entry

    def __getitem__(self, name: str) -> Page:
        page = self._built.get(name)
        if page is not None:
            return page
        entry = self._entries[name]  # KeyError for a page this operator does not have, as before
        QApplication.setOverrideCursor(Qt.CursorShape.WaitCursor)  # a county page can take a moment
        try:
            cls = entry.load()
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
        return name in self._entries

    def __iter__(self) -> Iterator[str]:
        return iter(self._entries)

    def __len__(self) -> int:
        return len(self._entries)

    def names(self) -> list[str]:
        return list(self._entries)

    def entries(self) -> list[PageEntry]:
        return list(self._entries.values())

    def title(self, name: str) -> str:
        """The page's navigation title, without building it."""
        return self._entries[name].title

    def built(self) -> list[Page]:
        """The pages built so far (what a reload must refresh; the others query when built)."""
        return list(self._built.values())

    def is_built(self, name: str) -> bool:
        return name in self._built

    def forget_built(self) -> list[Page]:
        """Forget the pages built so far (the caller removes them from the stack): each is built again on
        its next lookup — after the window switched to another village (ui/common/unit_switcher.py)."""
        built, self._built = list(self._built.values()), {}
        return built
