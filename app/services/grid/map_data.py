"""What the map page draws, read in one go (no per-frame queries), and the village plan picture.

The picture (a scan or photo of the village plan, PNG or JPEG) is stored in the database so the file
can go away; its pixel size becomes the map's coordinate space. Without a picture the map is a plain
1600×1000 canvas.
"""

from __future__ import annotations

import struct
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlalchemy import ColumnElement, Select, and_, func, or_, select
from sqlalchemy.orm import Session, aliased

from app.models import Grid, Household, MemberContact, PartyMember, Resident, Tag, VillageMap, household_tags
from app.models.org import MEMBER_STAGES
from app.models.people import HEAD_RELATION

from .. import access, audit
from ..errors import ServiceError
from ..people.households import tags_of
from ..people.residents import ACTIVE_STATUSES
from .grids import GridInfo, grid_and_parents, list_grids, map_size

MAX_PICTURE_BYTES = 40 * 1024 * 1024
MAX_PICTURE_SIDE = 12000


@dataclass(frozen=True)
class MapMarker:
    id: int
    number: str
    address: str
    head_name: str
    grid_id: int | None
    x: float | None  # None: not yet placed on the map
    y: float | None
    tags: tuple[str, ...]


@dataclass(frozen=True)
class ContactLink:
    member_name: str
    member_household_id: int  # where the member lives (the line starts there)
    household_id: int
    # Where both ends are on the map: a partial map (map_markers) may not hold the far end's marker.
    member_at: tuple[float, float] | None = None
    household_at: tuple[float, float] | None = None


@dataclass(frozen=True)
class MapData:
    width: int
    height: int
    has_picture: bool
    grids: list[GridInfo]
    markers: list[MapMarker]
    links: list[ContactLink]
    tags: list[str]  # tags in use, for the layer switch
    households: int = 0  # open households in view (placed or not)
    # More households than the caller's marker_limit: `markers` holds only households not yet placed
    # (at most UNPLACED_LIMIT of them), `links` is empty; map_markers reads the placed ones by area.
    partial: bool = False
    unplaced: int = 0  # households with no spot on the map yet
    counts: dict[int, int] = field(default_factory=dict)  # open households per grid (a grid counts its micro-grids)


@dataclass(frozen=True)
class MarkerSet:
    """Placed households of some grids and/or a rectangle of the map, with the 联系户 lines touching them."""

    markers: list[MapMarker]
    links: list[ContactLink]
    truncated: bool  # more households matched than the limit


UNPLACED_LIMIT = 1000  # a partial map lists at most this many households not yet placed


def _open_households(s: Session, unit_id: int, table: type[Household] | Any = Household) -> list[ColumnElement[bool]]:
    """Open households of the unit that the operator may see (grid staff: their grids)."""
    where = [table.unit_id == unit_id, table.closed_on.is_(None)]
    scope = access.household_filter(s, table)
    return where if scope is None else [*where, scope]


def _markers(s: Session, where: list[ColumnElement[bool]], limit: int | None = None) -> list[MapMarker]:
    """Markers of the households matching `where`, by 户号 (the first `limit` of them)."""
    if limit is not None:
        ids = select(Household.id).where(*where).order_by(Household.number).limit(limit).scalar_subquery()
        where = [Household.id.in_(ids)]
    head = aliased(Resident)
    stmt = (
        select(Household.id, Household.number, Household.address, head.name, Household.grid_id, Household.map_x,
               Household.map_y)
        .outerjoin(head, and_(head.household_id == Household.id, head.relation == HEAD_RELATION,
                              head.status.in_(ACTIVE_STATUSES)))
        .where(*where)
        .order_by(Household.number, head.id)
    )
    rows: dict[int, tuple[object, ...]] = {}
    for r in s.execute(stmt):
        rows.setdefault(r[0], tuple(r))
    tags = tags_of(s, rows)
    return [
        MapMarker(hid, number, address, head_name or "", grid_id, x, y, tuple(tags.get(hid, ())))  # type: ignore[arg-type]
        for hid, (_, number, address, head_name, grid_id, x, y) in rows.items()
    ]


def _scoped_grids(s: Session, unit_id: int) -> list[GridInfo]:
    grids = list_grids(s, unit_id)
    scope = access.grid_scope(s)
    return grids if scope is None else [g for g in grids if g.id in scope]


def map_data(s: Session, unit_id: int, on: date | None = None, marker_limit: int | None = None) -> MapData:
    """Grids, household markers (placed or not) and 党员联系户 links as they stand on the day.

    With more open households than `marker_limit` (a township or county) only the counts per grid and
    the households not yet placed come back (partial=True); map_markers reads the rest area by area.
    """
    on = on or date.today()
    where = _open_households(s, unit_id)
    own: dict[int | None, int] = {}
    total = placed = 0
    for gid, n, on_map in s.execute(select(Household.grid_id, func.count(), func.count(Household.map_x))
                                    .where(*where).group_by(Household.grid_id)):
        own[gid] = n
        total += n
        placed += on_map
    grids = _scoped_grids(s, unit_id)
    counts = {g.id: 0 for g in grids}
    parent = {g.id: g.parent_id for g in grids}
    for gid, n in own.items():
        for area in grid_and_parents(parent, gid):
            counts[area] += n
    width, height = map_size(s, unit_id)
    has_picture = s.scalar(select(VillageMap.id).where(VillageMap.unit_id == unit_id,
                                                       VillageMap.image.isnot(None)).limit(1)) is not None
    if marker_limit is not None and total > marker_limit:
        unplaced = _markers(s, [*where, Household.map_x.is_(None)], UNPLACED_LIMIT)
        used = s.scalars(select(Tag.name).distinct().select_from(household_tags)
                         .join(Tag, Tag.id == household_tags.c.tag_id)
                         .join(Household, Household.id == household_tags.c.household_id).where(*where))
        return MapData(width, height, has_picture, grids, unplaced, [], sorted(used), total, True, total - placed,
                       counts)
    markers = _markers(s, where)
    rows = {m.id for m in markers}
    links = [ContactLink(name, home, hid) for name, home, hid, *_ in s.execute(_links_stmt(unit_id, on)[0])
             if home in rows and hid in rows]
    used_tags = sorted({t for m in markers for t in m.tags})
    return MapData(width, height, has_picture, grids, markers, links, used_tags, total, False, total - placed, counts)


def _links_stmt(unit_id: int, on: date) -> tuple[Select[Any], Any, Any]:
    """党员联系户 on the day: (member's name, member's household, household, both spots on the map).

    Also returns the two aliased households (the member's home, the one looked after) for more conditions.
    """
    home, there = aliased(Household), aliased(Household)
    stmt = (
        select(Resident.name, Resident.household_id, MemberContact.household_id, home.map_x, home.map_y,
               there.map_x, there.map_y)
        .select_from(MemberContact)
        .join(PartyMember, PartyMember.id == MemberContact.member_id)
        .join(Resident, Resident.id == PartyMember.resident_id)
        .join(home, home.id == Resident.household_id)
        .join(there, there.id == MemberContact.household_id)
        .where(Resident.unit_id == unit_id, PartyMember.stage.in_(MEMBER_STAGES),
               or_(PartyMember.left_on.is_(None), PartyMember.left_on > on), MemberContact.since <= on,
               or_(MemberContact.until.is_(None), MemberContact.until > on))
    )
    return stmt, home, there


def map_markers(s: Session, unit_id: int, grid_ids: Sequence[int] = (),
                rect: tuple[float, float, float, float] | None = None, limit: int = 5000,
                on: date | None = None) -> MarkerSet:
    """Placed households in the grids `grid_ids` or inside `rect` (x0, y0, x1, y1), at most `limit` of them.

    For a map with too many households to draw at once (see map_data's marker_limit): the page asks
    for the grid the user picked and for the part of the map in view once zoomed in. The 联系户 lines
    touching those households come with both ends' spots (the far end may lie outside the area).
    """
    on = on or date.today()

    def area(h: Any) -> ColumnElement[bool] | None:
        parts: list[ColumnElement[bool]] = []
        if grid_ids:
            parts.append(h.grid_id.in_(list(grid_ids)))
        if rect is not None:
            x0, y0, x1, y1 = rect
            parts.append(and_(h.map_x.between(x0, x1), h.map_y.between(y0, y1)))
        return or_(*parts) if parts else None

    mine = area(Household)
    if mine is None:
        return MarkerSet([], [], False)
    placed = [Household.map_x.isnot(None), Household.map_y.isnot(None)]
    markers = _markers(s, [*_open_households(s, unit_id), *placed, mine], limit + 1)
    truncated = len(markers) > limit
    markers = markers[:limit]
    stmt, home, there = _links_stmt(unit_id, on)
    stmt = stmt.where(*_open_households(s, unit_id, home), *_open_households(s, unit_id, there),
                      home.map_x.isnot(None), home.map_y.isnot(None), there.map_x.isnot(None),
                      there.map_y.isnot(None), or_(area(home), area(there)))
    links = [ContactLink(name, a, b, (ax, ay), (bx, by)) for name, a, b, ax, ay, bx, by in s.execute(stmt)]
    return MarkerSet(markers, links, truncated)


# ---------------------------------------------------------------- the picture


def picture_size(data: bytes) -> tuple[str, int, int]:
    """(mime, width, height) read from a PNG or JPEG header; ServiceError for anything else."""
    if data[:8] == b"\x89PNG\r\n\x1a\n" and data[12:16] == b"IHDR":
        width, height = struct.unpack(">II", data[16:24])
        return "image/png", width, height
    if data[:2] == b"\xff\xd8":
        i = 2
        while i + 9 < len(data):
            if data[i] != 0xFF:
                i += 1
                continue
            marker = data[i + 1]
            if marker in (0xD8, 0x01) or 0xD0 <= marker <= 0xD7:
                i += 2
                continue
            length = struct.unpack(">H", data[i + 2:i + 4])[0]
            if marker in (0xC0, 0xC1, 0xC2, 0xC3, 0xC5, 0xC6, 0xC7, 0xC9, 0xCA, 0xCB, 0xCD, 0xCE, 0xCF):
                height, width = struct.unpack(">HH", data[i + 5:i + 9])
                return "image/jpeg", width, height
            i += 2 + length
        raise ServiceError("JPG 图片已损坏，读不出大小")
    raise ServiceError("底图只能是 PNG 或 JPG 图片")


def set_map_picture(s: Session, unit_id: int, data: bytes, name: str = "村庄平面图") -> tuple[int, int]:
    """Store the village plan picture (replacing any earlier one); returns its size in pixels.

    Existing boundaries and household positions are scaled to the new picture, so nothing moves off it.
    """
    access.require_role(s, *access.ENTRY_ROLES, action="更换地图底图")
    if not data:
        raise ServiceError("图片文件是空的")
    if len(data) > MAX_PICTURE_BYTES:
        raise ServiceError(f"图片太大（{len(data) // (1024 * 1024)} MB），请缩小到 40 MB 以内")
    mime, width, height = picture_size(data)
    if not (0 < width <= MAX_PICTURE_SIDE and 0 < height <= MAX_PICTURE_SIDE):
        raise ServiceError(f"图片尺寸 {width}×{height} 不合适（每边 1–{MAX_PICTURE_SIDE} 像素）")
    old_w, old_h = map_size(s, unit_id)
    _rescale(s, unit_id, width / old_w, height / old_h)
    row = s.scalar(select(VillageMap).where(VillageMap.unit_id == unit_id).order_by(VillageMap.id.desc()).limit(1))
    if row is None:
        row = VillageMap(unit_id=unit_id)
        s.add(row)
    row.name, row.image, row.mime, row.width, row.height = name.strip() or "村庄平面图", data, mime, width, height
    s.flush()
    audit.record(s, unit_id, "update", "village_map", row.id, f"更换地图底图：{row.name}（{width}×{height}）",
                 {"bytes": len(data), "mime": mime})
    return width, height


def _rescale(s: Session, unit_id: int, fx: float, fy: float) -> None:
    if abs(fx - 1) < 1e-9 and abs(fy - 1) < 1e-9:
        return
    for g in s.scalars(select(Grid).where(Grid.unit_id == unit_id, Grid.polygon.isnot(None))):
        if isinstance(g.polygon, list):
            g.polygon = [[round(p[0] * fx, 1), round(p[1] * fy, 1)] for p in g.polygon]
    for h in s.scalars(select(Household).where(Household.unit_id == unit_id, Household.map_x.isnot(None))):
        h.map_x = round((h.map_x or 0) * fx, 1)
        h.map_y = round((h.map_y or 0) * fy, 1)


def map_picture(s: Session, unit_id: int) -> bytes | None:
    return s.scalar(select(VillageMap.image).where(VillageMap.unit_id == unit_id).order_by(VillageMap.id.desc())
                    .limit(1))
