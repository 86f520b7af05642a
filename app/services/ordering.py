"""Moving a row of a village's short list (星类, 诉求类别, 代办清单) up or down: its sort_order."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol


class Ordered(Protocol):
    id: int
    sort_order: int


def move_in(rows: Sequence[Ordered], row_id: int, delta: int) -> bool:
    """Move row_id by delta places within rows (already in display order); renumber 0…n-1.

    Returns False when the row is not there or is already at that end (nothing changes then).
    """
    ids = [r.id for r in rows]
    if row_id not in ids:
        return False
    at = ids.index(row_id)
    to = max(0, min(len(rows) - 1, at + delta))
    if to == at:
        return False
    ordered = list(rows)
    ordered.insert(to, ordered.pop(at))
    for i, r in enumerate(ordered):
        if r.sort_order != i:
            r.sort_order = i
    return True
