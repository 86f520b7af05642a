"""Demo data of the grid area: a generated plain village canvas, and a few 联系户 gaps to show.

The demo village already has its 7 grids / 14 micro-grids as polygons and every household placed.
This adds the picture (roads along the grid borders, lanes between micro-grids, drawn as a PNG
without any imaging library) and makes the coverage report non-empty: a few households whose
contact member moved away (no contact member now) and one member over the 4–30 band.
"""

from __future__ import annotations

import random
import struct
import zlib
from datetime import date

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.models import Grid, Household, MemberContact, PartyMember, Resident, VillageMap

GAP_HOUSEHOLDS = 3  # households left with no contact member
OVER_BAND = 33  # households looked after by the one member over the band
GAP_DAY = date(2026, 10, 15)
EXTRA_SINCE = date(2026, 9, 1)

BACKGROUND = (241, 236, 221)
ROAD = (206, 198, 180)
LANE = (224, 217, 199)


def extend(s: Session, unit_id: int, rng: random.Random) -> list[str]:
    width, height = 1600, 1000
    grids = list(s.scalars(select(Grid).where(Grid.unit_id == unit_id)))
    png = village_canvas(width, height, grids)
    s.add(VillageMap(unit_id=unit_id, name="东坟村平面示意图", image=png, mime="image/png", width=width, height=height))
    over = _member_over_band(s, unit_id, rng)
    gaps = _contact_gaps(s, unit_id, rng)
    s.flush()
    return [f"地图底图：村庄平面示意图 {width}×{height}；联系户缺口 {gaps} 户，联系户超过 30 户的党员 {over} 名（供覆盖情况演示）"]


# ---------------------------------------------------------------- the canvas


def village_canvas(width: int, height: int, grids: list[Grid]) -> bytes:
    """A PNG: plain ground, roads on grid borders, lanes on micro-grid borders (axis-parallel edges only)."""
    strips: list[tuple[str, float, float, float, int, tuple[int, int, int]]] = []  # axis, at, from, to, half, colour
    for g in grids:
        pts = g.polygon if isinstance(g.polygon, list) else []
        half, colour = (7, ROAD) if g.parent_id is None else (3, LANE)
        for (x1, y1), (x2, y2) in zip(pts, pts[1:] + pts[:1], strict=False):
            if x1 == x2:
                strips.append(("v", x1, min(y1, y2), max(y1, y2), half, colour))
            elif y1 == y2:
                strips.append(("h", y1, min(x1, x2), max(x1, x2), half, colour))
    strips.sort(key=lambda st: st[4])  # roads over lanes
    base = bytes(BACKGROUND) * width
    raw = bytearray()
    for y in range(height):
        row = bytearray(base)
        for axis, at, lo, hi, half, colour in strips:
            if axis == "v" and lo - half <= y <= hi + half:
                x0, x1 = max(0, int(at) - half), min(width, int(at) + half)
                row[x0 * 3:x1 * 3] = bytes(colour) * (x1 - x0)
            elif axis == "h" and abs(y - at) < half:
                x0, x1 = max(0, int(lo) - half), min(width, int(hi) + half)
                row[x0 * 3:x1 * 3] = bytes(colour) * (x1 - x0)
        raw += b"\x00" + row
    return _png(width, height, bytes(raw))


def _png(width: int, height: int, raw: bytes) -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(raw, 6)) + chunk(b"IEND", b"")


# ---------------------------------------------------------------- coverage gaps


def _contact_gaps(s: Session, unit_id: int, rng: random.Random) -> int:
    """End every contact of a few households (their member went to work in the city)."""
    single = (
        select(MemberContact.household_id)
        .join(Household, Household.id == MemberContact.household_id)
        .where(Household.unit_id == unit_id, MemberContact.until.is_(None))
        .group_by(MemberContact.household_id)
        .having(func.count(MemberContact.id) == 1)
        .order_by(MemberContact.household_id)
    )
    chosen = rng.sample(list(s.scalars(single)), GAP_HOUSEHOLDS)
    for row in s.scalars(select(MemberContact).where(MemberContact.household_id.in_(chosen))):
        row.until = GAP_DAY
        row.note = "演示：联系党员外出务工，待重新安排"
    return len(chosen)


def _member_over_band(s: Session, unit_id: int, rng: random.Random) -> int:
    """One keen member takes on neighbours beyond 30 households (the report asks to share them out)."""
    load = (
        select(MemberContact.member_id, func.count(MemberContact.id).label("n"))
        .join(PartyMember, PartyMember.id == MemberContact.member_id)
        .join(Resident, Resident.id == PartyMember.resident_id)
        .where(Resident.unit_id == unit_id, MemberContact.until.is_(None))
        .group_by(MemberContact.member_id)
        .order_by(func.count(MemberContact.id).desc(), MemberContact.member_id)
    )
    member_id, n = s.execute(load).first()  # type: ignore[misc]
    home = s.scalar(select(Resident.household_id).join(PartyMember, PartyMember.resident_id == Resident.id)
                    .where(PartyMember.id == member_id))
    grid_id = s.scalar(select(Household.grid_id).where(Household.id == home))
    parent = s.scalar(select(Grid.parent_id).where(Grid.id == grid_id)) or grid_id
    near_grids = select(Grid.id).where((Grid.id == parent) | (Grid.parent_id == parent))
    linked = select(MemberContact.household_id).where(MemberContact.member_id == member_id)
    cands = list(s.scalars(select(Household.id).where(Household.grid_id.in_(near_grids), Household.id != home,
                                                      Household.id.not_in(linked)).order_by(Household.id)))
    for hid in rng.sample(cands, min(len(cands), OVER_BAND - n)):
        s.add(MemberContact(member_id=member_id, household_id=hid, since=EXTRA_SINCE, note="演示：主动多联系邻户"))
    return 1
