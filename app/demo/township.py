"""The seed township (`villagedesk demo --township DIR`): 阳曲镇's 13 villages as signed 上报 packages.

Seed 004 (尖草坪区阳曲镇, 太原市): 「全镇13个行政村已全部完成评选，共评选出五星级217户、四星级352户、三星级405户、
二星级48户、一星级36户，合计1058户，占全镇总户数的31.5%」 → 3,355 households. The seed names two of the
villages (郭家窑村, 歇子寨村); the other eleven names and the three 片区党委 are invented.

Each village is built in its own temporary SQLite database (copies of one migrated template, so the
schema is migrated once), gets its key (issued on the township's database, installed on the village's)
and is exported as DIR/<村名>.vdpkg signed by it. DIR/township.sqlite (or the server given by --db-url)
holds the township unit and the villages' public keys and 片区, but no village data until imported.
Each level of the 2026 round is split over the villages by largest remainder, so the villages add up to
the seed exactly: `package import DIR/*.vdpkg` then `township stats` shows 217/352/405/48/36 = 1,058, 31.5 %.
"""

from __future__ import annotations

import random
import shutil
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import update

from app.models import Unit

from ..db import Database, open_database, resolve_url
from ..services.errors import ServiceError
from .stars import PARTICIPATION, SEED_HOUSEHOLDS, SEED_LEVELS
from .township_village import VillageCounts, VillageSpec, build_village

SEED = 20261203
TOWNSHIP = "阳曲镇"
COUNTY = "尖草坪区"
CITY = "太原市"
PEOPLE_PER_HOUSEHOLD = 2.7
# (村名, 片区党委, 户数): 郭家窑村 and 歇子寨村 are named in seed 004, the rest are invented; 户数 add up to 3,355.
VILLAGES: tuple[tuple[str, str, int], ...] = (
    ("郭家窑村", "第一片区党委", 412), ("歇子寨村", "第一片区党委", 356), ("东庄村", "第一片区党委", 318),
    ("柳林村", "第一片区党委", 297), ("河湾村", "第一片区党委", 281),
    ("王家坪村", "第二片区党委", 265), ("杏园村", "第二片区党委", 248), ("石门村", "第二片区党委", 236),
    ("韩家庄村", "第二片区党委", 222),
    ("南岭村", "第三片区党委", 207), ("西沟村", "第三片区党委", 189), ("红崖村", "第三片区党委", 174),
    ("柏树坪村", "第三片区党委", 150),
)


@dataclass(frozen=True)
class TownshipSummary:
    out_dir: Path
    database: str  # where the township's database is (a path, or the server URL without its password)
    local: bool  # database is DIR/township.sqlite
    villages: list[VillageCounts] = field(default_factory=list)
    packages: list[Path] = field(default_factory=list)
    seconds: float = 0.0

    def lines(self) -> list[str]:
        households = sum(v.households for v in self.villages)
        starred = sum(v.starred for v in self.villages)
        share = f"{starred * 100 / households:.1f}" if households else "0.0"
        return [
            f"演示镇：{CITY}{COUNTY}{TOWNSHIP}，{len(self.villages)} 个行政村的上报数据包已写入 {self.out_dir}",
            f"居民 {sum(v.residents for v in self.villages)} 人，{households} 户，"
            f"党员 {sum(v.members for v in self.villages)} 名，工单 {sum(v.tickets for v in self.villages)} 件",
            f"2026年度星级文明户 {starred} 户，占总户数 {share}%",
            f"镇级数据库：{self.database}（已登记各村公钥，尚未导入村数据）",
            f"下一步：villagedesk {'--db' if self.local else '--db-url'} {self.database} "
            f"package import {self.out_dir / '*.vdpkg'}，再用 township stats 查看汇总",
            f"用时 {self.seconds:.1f} 秒",
        ]


def largest_remainder(total: int, weights: list[int]) -> list[int]:
    """`total` split in proportion to `weights`, whole numbers adding up to `total` exactly."""
    whole = sum(weights)
    exact = [total * w / whole for w in weights]
    out = [int(x) for x in exact]
    for i in sorted(range(len(weights)), key=lambda i: (out[i] - exact[i], i))[: total - sum(out)]:
        out[i] += 1
    return out


def village_specs() -> list[VillageSpec]:
    """The 13 villages: each level of the seed's round split over them by their households."""
    households = [h for _, _, h in VILLAGES]
    assert sum(households) == SEED_HOUSEHOLDS
    split = {lv: largest_remainder(n, households) for lv, n in SEED_LEVELS.items()}
    specs = []
    for i, (name, district, h) in enumerate(VILLAGES):
        levels = {lv: split[lv][i] for lv in SEED_LEVELS}
        if sum(levels.values()) > round(h * PARTICIPATION):
            raise ServiceError(f"{name}：星级户多于申报户")  # cannot happen with the seed's 31.5 %
        specs.append(VillageSpec(name, district, h, round(h * PEOPLE_PER_HOUSEHOLD), levels))
    return specs


def _refuse_existing(out_dir: Path, local_db: bool, force: bool) -> None:
    if force:
        return
    packages = sorted(out_dir.glob("*.vdpkg"))
    if packages:
        raise ServiceError(f"文件夹 {out_dir} 中已有 {len(packages)} 个数据包（如 {packages[0].name}），未改动。"
                           "如确需重新生成演示镇，请加 --force（会覆盖这些数据包和镇级数据库）。")
    if local_db and (out_dir / "township.sqlite").exists():
        raise ServiceError(f"文件夹 {out_dir} 中已有镇级数据库 township.sqlite，未改动。"
                           "如确需重新生成演示镇，请加 --force（会覆盖它）。")


def _township_db(out_dir: Path, url: str | None, template: Path, force: bool, confirm_real: bool) -> Database:
    """The township's database: a copy of the template in DIR, or the database at url (emptied with force;
    real, not demo, data only with confirm_real as well)."""
    if url is None:
        path = out_dir / "township.sqlite"
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
        shutil.copyfile(template, path)
        return open_database(resolve_url(path))
    from ..services.setup import founding
    from .village import has_data, real_village

    db = open_database(url)
    try:
        with db.session() as s:
            if has_data(s):
                if not force:
                    raise ServiceError("镇级数据库中已有数据，未生成演示镇。如确需清空后重建，请加 --force。")
                real = real_village(s)
                if real is not None and not confirm_real:
                    raise ServiceError(f"镇级数据库中是正式数据（{real}）。如确需清空全部数据后重建演示镇，"
                                       "请同时加 --force --yes。")
                founding.wipe_database(s)
    except BaseException:
        db.dispose()
        raise
    return db


def build_township(out_dir: Path, url: str | None = None, force: bool = False, confirm_real: bool = False,
                   specs: list[VillageSpec] | None = None) -> TownshipSummary:
    """Write the villages' packages into out_dir and the township's database (DIR/township.sqlite, or url)."""
    from ..services.township import keys, packages

    started = time.perf_counter()
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    _refuse_existing(out_dir, url is None, force)
    specs = specs if specs is not None else village_specs()
    rng = random.Random(SEED)
    with tempfile.TemporaryDirectory(prefix="villagedesk-township-") as work_dir:
        work = Path(work_dir)
        template = work / "template.sqlite"
        open_database(resolve_url(template)).dispose()  # migrated once, copied for every database
        town = _township_db(out_dir, url, template, force, confirm_real)
        for old in out_dir.glob("*.vdpkg"):  # only with force: a village no longer listed must not stay behind
            old.unlink()
        try:
            with town.session() as s:
                township_id = keys.create_township(s, TOWNSHIP, kind="镇", county=COUNTY)
                issued = [keys.issue_keys(s, township_id, v.name, work / "keys", district=v.district) for v in specs]
                # demo units: a later `demo --township --force` may empty this database without --yes
                s.execute(update(Unit).values(is_demo=True))
        finally:
            town.dispose()
        counts: list[VillageCounts] = []
        written: list[Path] = []
        for i, (spec, key) in enumerate(zip(specs, issued, strict=True)):
            path = work / f"village-{i}.sqlite"
            shutil.copyfile(template, path)
            village = open_database(resolve_url(path), migrate=False)
            try:
                with village.session() as s:
                    made = build_village(s, spec, TOWNSHIP, COUNTY, random.Random(rng.random()))
                    keys.install_key(s, made.unit_id, key.private_path)
                out = out_dir / f"{spec.name}.vdpkg"
                with village.session() as s:
                    packages.export_package(s, made.unit_id, out)
            finally:
                village.dispose()
            counts.append(made)
            written.append(out)
    where = str(out_dir / "township.sqlite") if url is None else _safe_url(url)
    return TownshipSummary(out_dir, where, url is None, counts, written, time.perf_counter() - started)


def _safe_url(url: str) -> str:
    from sqlalchemy.engine import make_url

    return make_url(url).render_as_string(hide_password=True)
