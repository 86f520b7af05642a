"""What the map page draws, read in one go (no per-frame queries), and the village plan picture.

The picture (a scan or photo of the village plan, PNG or JPEG) is stored in the database so the file
can go away; its pixel size becomes the map's coordinate space. Without a picture the map is a plain
1600×1000 canvas.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass
from datetime import date

from sqlalchemy import and_, or_, select
from sqlalchemy.orm import Session, aliased

from app.models import Grid, Household, MemberContact, PartyMember, Resident, VillageMap
from app.models.org import MEMBER_STAGES
from app.models.people import HEAD_RELATION

from . import access, audit
from .errors import ServiceError
from .grid import GridInfo, list_grids, map_size
from .people import ACTIVE_STATUSES, _tags_of

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


@dataclass(frozen=True)
class MapData:
    width: int
    height: int
    has_picture: bool
    grids: list[GridInfo]
    markers: list[MapMarker]
    links: list[ContactLink]
    tags: list[str]  # tags in use, for the layer switch


def map_data(s: Session, unit_id: int, on: date | None = None) -> MapData:
    """Grids, household markers (placed or not) and 党员联系户 links as they stand on the day."""
    on = on or date.today()
    head = aliased(Resident)
    stmt = (
        select(Household.id, Household.number, Household.address, head.name, Household.grid_id, Household.map_x,
               Household.map_y)
        .outerjoin(head, and_(head.household_id == Household.id, head.relation == HEAD_RELATION,
                              head.status.in_(ACTIVE_STATUSES)))
        .where(Household.unit_id == unit_id, Household.closed_on.is_(None))
        .order_by(Household.number, head.id)
    )
    cond = access.household_filter(s)
    if cond is not None:
        stmt = stmt.where(cond)
    rows: dict[int, tuple[object, ...]] = {}
    for r in s.execute(stmt):
        rows.setdefault(r[0], tuple(r))
    tags = _tags_of(s, rows)
    markers = [
        MapMarker(hid, number, address, head_name or "", grid_id, x, y, tuple(tags.get(hid, ())))  # type: ignore[arg-type]
        for hid, (_, number, address, head_name, grid_id, x, y) in rows.items()
    ]
    member_home = (
        select(Resident.name, Resident.household_id, MemberContact.household_id)
        .join(PartyMember, PartyMember.id == MemberContact.member_id)
        .join(Resident, Resident.id == PartyMember.resident_id)
        .where(Resident.unit_id == unit_id, PartyMember.stage.in_(MEMBER_STAGES),
               or_(PartyMember.left_on.is_(None), PartyMember.left_on > on), MemberContact.since <= on,
               or_(MemberContact.until.is_(None), MemberContact.until > on))
    )
    links = [ContactLink(name, home, hid) for name, home, hid in s.execute(member_home)
             if home in rows and hid in rows]
    grids = list_grids(s, unit_id)
    scope = access.grid_scope(s)
    if scope is not None:
        grids = [g for g in grids if g.id in scope]
    used = sorted({t for m in markers for t in m.tags})
    width, height = map_size(s, unit_id)
    has_picture = s.scalar(select(VillageMap.id).where(VillageMap.unit_id == unit_id,
                                                       VillageMap.image.isnot(None)).limit(1)) is not None
    return MapData(width, height, has_picture, grids, markers, links, used)


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
