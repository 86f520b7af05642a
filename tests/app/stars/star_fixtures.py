"""A small village for the 星级文明户 tests: households with a 户主 each, in two grids (bulk inserts)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from app.models import Grid, Household, Resident
from app.services.stars import applications
from app.services.stars import publicity as star_publicity
from app.services.stars import rounds as stars
from app.services.stars.applications import ItemReview

TODAY = date.today()
PAST = TODAY - timedelta(days=30)  # a 公示 started then has long ended


@dataclass
class Village:
    unit_id: int
    households: list[int]
    heads: list[str]
    categories: list[int]


def make_village(s: Session, unit_id: int, n: int = 8) -> Village:
    grids = list(s.scalars(insert(Grid).returning(Grid.id, sort_by_parameter_order=True), [
        {"unit_id": unit_id, "code": f"G{i}", "name": f"第{'一二'[i]}网格", "sort_order": i} for i in range(2)]))
    hids = list(s.scalars(insert(Household).returning(Household.id, sort_by_parameter_order=True), [
        {"unit_id": unit_id, "number": f"{i + 1:04d}", "address": f"东坟村一街{i + 1}号", "grid_id": grids[i % 2]}
        for i in range(n)]))
    heads = [f"{'李王张刘陈杨赵黄'[i % 8]}{'建国秀英志强海燕'[i % 8]}{i}" for i in range(n)]
    s.execute(insert(Resident), [
        {"unit_id": unit_id, "name": name, "household_id": h, "relation": "户主", "status": "在册"}
        for h, name in zip(hids, heads, strict=True)])
    cats = [c.id for c in stars.ensure_categories(s, unit_id)]
    return Village(unit_id, hids, heads, cats)


def approve_all(s: Session, application_id: int, reject: set[int] = frozenset()) -> None:  # type: ignore[assignment]
    app = applications.get_application(s, application_id)
    applications.review_application(s, application_id, [
        ItemReview(i.category_id, "rejected" if i.category_id in reject else "approved", "道德评议会",
                   "事迹不足" if i.category_id in reject else "同意") for i in app.items])


def round_in_publicity(s: Session, v: Village, tmp: Path, levels: list[int] | None = None) -> tuple[int, list[int]]:
    """A round taken to 张榜公示 (公示 started 30 days ago): household k claims levels[k] stars, all approved."""
    levels = levels if levels is not None else [5, 4, 3, 2, 1, 0]
    rid = stars.create_round(s, v.unit_id, TODAY.year, started_on=PAST - timedelta(days=20))
    stars.advance_round(s, rid, PAST - timedelta(days=15))
    apps = []
    for h, lv in zip(v.households, levels, strict=False):
        claimed = v.categories[: max(lv, 1)]
        apps.append(applications.add_application(s, rid, h, claimed, applied_on=PAST - timedelta(days=14)))
    stars.advance_round(s, rid, PAST - timedelta(days=10))
    for a, lv in zip(apps, levels, strict=False):
        approve_all(s, a, reject=set() if lv else set(v.categories[:1]))
    star_publicity.publicize_round(s, rid, tmp / "notice.pdf", start=PAST, days=5, issued_on=PAST)
    return rid, apps


def household_ids(s: Session, unit_id: int) -> list[int]:
    return list(s.scalars(select(Household.id).where(Household.unit_id == unit_id).order_by(Household.id)))
