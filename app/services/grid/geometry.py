"""Plane geometry of the village map: point-in-polygon, areas, checking a drawn boundary.

Pure functions (no database, no Qt) so the service and the map view decide the same way which
grid a point falls in.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Protocol

Point = tuple[float, float]
MAX_VERTICES = 500


class HasPolygon(Protocol):
    @property
    def polygon(self) -> Sequence[Point] | None: ...

    @property
    def parent_id(self) -> int | None: ...


def point_in_polygon(x: float, y: float, polygon: Sequence[Sequence[float]]) -> bool:
    """Ray casting. A point on an edge or a vertex counts as inside (a household on the line is not lost)."""
    n = len(polygon)
    if n < 3:
        return False
    inside = False
    for i in range(n):
        x1, y1 = polygon[i][0], polygon[i][1]
        x2, y2 = polygon[(i + 1) % n][0], polygon[(i + 1) % n][1]
        if _on_segment(x, y, x1, y1, x2, y2):
            return True
        if (y1 > y) != (y2 > y) and x < (x2 - x1) * (y - y1) / (y2 - y1) + x1:
            inside = not inside
    return inside


def _on_segment(x: float, y: float, x1: float, y1: float, x2: float, y2: float, eps: float = 1e-9) -> bool:
    cross = (x2 - x1) * (y - y1) - (y2 - y1) * (x - x1)
    if abs(cross) > eps * max(1.0, math.hypot(x2 - x1, y2 - y1)):
        return False
    return min(x1, x2) - eps <= x <= max(x1, x2) + eps and min(y1, y2) - eps <= y <= max(y1, y2) + eps


def polygon_area(polygon: Sequence[Sequence[float]]) -> float:
    """Absolute area (shoelace)."""
    n = len(polygon)
    if n < 3:
        return 0.0
    twice = sum(polygon[i][0] * polygon[(i + 1) % n][1] - polygon[(i + 1) % n][0] * polygon[i][1] for i in range(n))
    return abs(twice) / 2


def containing_area(areas: Sequence[HasPolygon], x: float, y: float) -> HasPolygon | None:
    """The finest area holding the point: a micro-grid before a grid, the smaller one where two overlap."""
    hits = [a for a in areas if a.polygon and point_in_polygon(x, y, a.polygon)]
    if not hits:
        return None
    return min(hits, key=lambda a: (a.parent_id is None, polygon_area(a.polygon or ())))


def clean_polygon(points: Sequence[Sequence[float]]) -> list[list[float]]:
    """Round to 0.1 map units, drop repeated neighbours and a closing point equal to the first."""
    out: list[list[float]] = []
    for p in points:
        q = [round(float(p[0]), 1), round(float(p[1]), 1)]
        if not out or out[-1] != q:
            out.append(q)
    if len(out) > 1 and out[0] == out[-1]:
        out.pop()
    return out


def polygon_problem(points: Sequence[Sequence[float]], width: float, height: float) -> str | None:
    """Why a drawn boundary cannot be kept (Chinese), or None."""
    if any(len(p) < 2 or not all(math.isfinite(float(v)) for v in p[:2]) for p in points):
        return "边界点的坐标无效"
    if len(points) < 3:
        return f"边界至少要有 3 个点，现在只有 {len(points)} 个"
    if len(points) > MAX_VERTICES:
        return f"边界最多 {MAX_VERTICES} 个点"
    if polygon_area(points) < 1.0:
        return "边界围成的面积太小（各点几乎在一条线上）"
    margin = 0.05 * max(width, height)
    if any(not (-margin <= p[0] <= width + margin and -margin <= p[1] <= height + margin) for p in points):
        return "边界超出了地图范围"
    return None
