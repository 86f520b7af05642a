"""The type-to-find field of the ticket dialogs: the shared one in ui/common (also used by 任命网格员)."""

from __future__ import annotations

from ..common.search_picker import SearchFn, SearchPicker

__all__ = ["SearchFn", "SearchPicker"]
