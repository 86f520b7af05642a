"""上报数据包 (issue 23): a village exports its data signed, the township verifies and merges it by unit.

The demo village is exported once per module (a package of 2026-11-30 and, after a resident is added,
one of 2026-12-01); each test imports into its own copy of the township's database.
"""

from __future__ import annotations

import gzip
import json
import shutil
import time
import zipfile
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.db import Database, open_database, resolve_url
from app.migrate import head_revision
from app.models import PackageSnapshot, Resident, Unit
from app.services.errors import ServiceError
from app.services.org import members
from app.services.people import residents
from app.services.township import keys, packages
from app.services.township.package_file import PAYLOAD, PackageRefused

from .pkg_helpers import World, counts, export, make_world, private_hex, resolved_rows, rewrite

NOV30, DEC1 = date(2026, 11, 30), date(2026, 12, 1)


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory, demo_template_db: Path, template_db: Path) -> World:
    return make_world(tmp_path_factory.mktemp("world"), demo_template_db, template_db)


@pytest.fixture(scope="module")
def pkgs(world: World, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """p1: the demo as of 11-30; p2: one resident more, as of 12-01; p2b: the same day, exported again."""
    out = tmp_path_factory.mktemp("pkgs")
    village = open_database(resolve_url(shutil.copyfile(world.village, out / "village.sqlite")))
    try:
        p1 = export(village, world.village_unit, out / "东坟村-2026-11.vdpkg", NOV30)
        with village.session() as s:
            residents.add_resident(s, world.village_unit, residents.ResidentInput("包新增", note="上报测试"))
        p2 = export(village, world.village_unit, out / "东坟村-2026-12-01.vdpkg", DEC1)
        time.sleep(0.01)  # exported_at orders two packages of one date
        p2b = export(village, world.village_unit, out / "东坟村-2026-12-01b.vdpkg", DEC1)
    finally:
        village.dispose()
    return {"p1": p1, "p2": p2, "p2b": p2b, "village": out / "village.sqlite"}


@pytest.fixture
def town(world: World, tmp_path: Path) -> Iterator[Database]:
    db = open_database(resolve_url(shutil.copyfile(world.township, tmp_path / "township.sqlite")))
    yield db
    db.dispose()


def _village_id(s: Session, world: World) -> int:
    return int(s.scalar(select(Unit.id).where(Unit.parent_id == world.township_id)))  # type: ignore[arg-type]


def _import(db: Database, path: Path) -> packages.ImportOutcome:
    with db.session() as s:
        return packages.import_package(s, path)


def _refused(db: Database, path: Path) -> str:
    with pytest.raises(PackageRefused) as caught, db.session() as s:
        packages.import_package(s, path)
    return str(caught.value)


def test_round_trip_sqlite_carries_every_row_of_the_village(world: World, pkgs: dict[str, Path], town: Database) -> None:
    outcome = _import(town, pkgs["p1"])
    assert outcome.status == "imported" and outcome.village == "东坟村" and outcome.as_of == NOV30
    assert "已导入" in outcome.message
    village = open_database(resolve_url(world.village))
    try:
        with village.session() as vs, town.session() as ts:
            vid = _village_id(ts, world)
            before, after = counts(vs, world.village_unit), counts(ts, vid)
            assert after == before and before["residents"] == 815 and before["party_members"] >= 59
            assert sum(after.values()) == outcome.rows
            # every row, field by field, with its foreign keys resolved to the corresponding rows
            assert resolved_rows(ts, vid) == resolved_rows(vs, world.village_unit)
            # what a user sees: the same roster, under the township's own unit
            query = members.MemberQuery(unit_id=world.village_unit)
            seen = [(m.name, m.org_name) for m in members.list_members(vs, query, 0, 500)]
            there = [(m.name, m.org_name) for m in members.list_members(ts, members.MemberQuery(unit_id=vid), 0, 500)]
            assert there == seen
            unit = ts.get(Unit, vid)
            assert unit is not None and unit.district == "第一片区" and unit.parent_id == world.township_id
            # left out: the village's operators, 操作日志 and the installed signing key
            assert ts.scalar(select(func.count()).select_from(Resident).where(Resident.import_batch_id.is_not(None))) == 0
            assert keys.installed_key(ts, vid) is None
    finally:
        village.dispose()
    assert [r.as_of for r in _snapshots(town, world)] == [NOV30]


def _snapshots(db: Database, world: World) -> list[packages.SnapshotRow]:
    with db.session() as s:
        return packages.list_snapshots(s, world.township_id)


def test_import_twice_is_import_once(world: World, pkgs: dict[str, Path], town: Database) -> None:
    _import(town, pkgs["p1"])
    with town.session() as s:
        first = counts(s, _village_id(s, world))
    again = _import(town, pkgs["p1"])
    assert again.status == "unchanged" and "未变化（已导入过）" in again.message
    with town.session() as s:
        assert counts(s, _village_id(s, world)) == first
        assert s.scalar(select(func.count()).select_from(PackageSnapshot)) == 1


def test_newer_package_replaces_rows_and_keeps_the_earlier_snapshot(world: World, pkgs: dict[str, Path],
                                                                    town: Database) -> None:
    _import(town, pkgs["p1"])
    with town.session() as s:
        vid = _village_id(s, world)
        before = counts(s, vid)
    assert _import(town, pkgs["p2"]).status == "imported"
    with town.session() as s:
        after = counts(s, vid)
        assert after["residents"] == before["residents"] + 1
        assert {k: v for k, v in after.items() if k != "residents"} == {k: v for k, v in before.items() if k != "residents"}
        assert s.scalar(select(Resident.note).where(Resident.name == "包新增", Resident.unit_id == vid)) == "上报测试"
    snaps = _snapshots(town, world)
    assert [(r.as_of, r.is_current) for r in snaps] == [(DEC1, True), (NOV30, False)]
    # a newer export of the same date takes that date's place; 11-30 stays
    out = _import(town, pkgs["p2b"])
    assert out.replaced_same_day and "替换同一日期" in out.message
    assert [(r.as_of, r.is_current) for r in _snapshots(town, world)] == [(DEC1, True), (NOV30, False)]
    with town.session() as s:
        assert counts(s, vid) == after
    # p1 is older than 12-01 but stored already: the same file again changes nothing
    assert _import(town, pkgs["p1"]).status == "unchanged"


def test_older_package_is_refused(world: World, pkgs: dict[str, Path], town: Database, tmp_path: Path) -> None:
    _import(town, pkgs["p2b"])
    # p1 was never imported here: it is older than the current 12-01 snapshot
    message = _refused(town, pkgs["p1"])
    assert "数据截至 2026-11-30，早于已导入的 2026-12-01" in message and "未导入" in message
    # same date, exported earlier than the one held
    assert "导出得更早" in _refused(town, pkgs["p2"])
    assert [r.as_of for r in _snapshots(town, world)] == [DEC1]


def test_tampered_payload_and_manifest_are_refused(world: World, pkgs: dict[str, Path], town: Database,
                                                    tmp_path: Path) -> None:
    raw = bytearray(pkgs["p1"].read_bytes())
    with zipfile.ZipFile(pkgs["p1"]) as z:
        info = z.getinfo(PAYLOAD)
    at = info.header_offset + 30 + len(info.filename) + len(info.extra) + info.compress_size // 2
    raw[at] ^= 0x01  # one bit in the middle of the stored payload
    flipped = tmp_path / "flipped.vdpkg"
    flipped.write_bytes(bytes(raw))
    assert "数据在导出后被改动过" in _refused(town, flipped)  # the zip's CRC catches it first
    # the same flip in a zip written anew (its CRC right): the manifest's hash catches it
    payload = bytearray(zipfile.ZipFile(pkgs["p1"]).read(PAYLOAD))
    payload[len(payload) // 2] ^= 0x01
    rezipped = rewrite(pkgs["p1"], tmp_path / "rezipped.vdpkg", payload=bytes(payload))
    assert "数据在导出后被改动过" in _refused(town, rezipped)
    edited = rewrite(pkgs["p1"], tmp_path / "edited.vdpkg", manifest=lambda m: m.update(as_of="2026-12-31"))
    assert "签名不符" in _refused(town, edited)
    with town.session() as s:
        assert counts(s, _village_id(s, world))["residents"] == 0
        assert s.scalar(select(func.count()).select_from(PackageSnapshot)) == 0


def test_unsigned_foreign_revoked_and_misnamed_packages_are_refused(world: World, pkgs: dict[str, Path],
                                                                    town: Database, tmp_path: Path) -> None:
    unsigned = rewrite(pkgs["p1"], tmp_path / "unsigned.vdpkg", signature=b"")
    assert "没有签名" in _refused(town, unsigned)
    # a key some other township issued (this one never registered it)
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    stranger = Ed25519PrivateKey.generate()
    foreign_id = keys.key_id_of(stranger.public_key().public_bytes_raw())
    foreign = rewrite(pkgs["p1"], tmp_path / "foreign.vdpkg", manifest=lambda m: m.update(key_id=foreign_id),
                      sign_with=stranger.private_bytes_raw().hex())
    assert f"签名密钥（编号 {foreign_id}）不是本镇签发的" in _refused(town, foreign)
    # the village's own key, but the package claims another village
    other = rewrite(pkgs["p1"], tmp_path / "other.vdpkg", manifest=lambda m: m.update(village="西坟村"),
                    sign_with=private_hex(world.keyfile))
    assert "自称来自“西坟村”，但签名密钥是发给“东坟村”的" in _refused(town, other)
    # a key another village of the township holds signs this village's data: refused as that village's
    with town.session() as s:
        west = keys.issue_keys(s, world.township_id, "西坟村", tmp_path / "k")
    posing = rewrite(pkgs["p1"], tmp_path / "posing.vdpkg", manifest=lambda m: m.update(key_id=west.key_id),
                     sign_with=private_hex(west.private_path))
    assert "签名密钥是发给“西坟村”的" in _refused(town, posing)
    # revoked
    with town.session() as s:
        key_id = next(k.key_id for k in keys.list_keys(s, world.township_id) if k.village == "东坟村")
        keys.revoke_key(s, world.township_id, key_id, note="电脑丢失")
    assert "已作废的密钥" in _refused(town, pkgs["p1"])
    assert _snapshots(town, world) == []


def test_schema_revision_newer_or_older_is_refused(world: World, pkgs: dict[str, Path], town: Database,
                                                   tmp_path: Path) -> None:
    key = private_hex(world.keyfile)
    newer = rewrite(pkgs["p1"], tmp_path / "newer.vdpkg", manifest=lambda m: m.update(schema_revision="0099_future"),
                    sign_with=key)
    message = _refused(town, newer)
    assert "较新版本" in message and "请先升级" in message and "0099_future" in message
    older = rewrite(pkgs["p1"], tmp_path / "older.vdpkg", manifest=lambda m: m.update(schema_revision="0007_party_work"),
                    sign_with=key)
    message = _refused(town, older)
    assert "较旧版本" in message and "0007_party_work" in message and f"本库为 {head_revision()}" in message


def test_hostile_packages_end_in_a_message(world: World, pkgs: dict[str, Path], town: Database, tmp_path: Path) -> None:
    key = private_hex(world.keyfile)
    # a signed gzip bomb: the ratio cap stops it after about a megabyte
    bomb_payload = _gzip_bomb()
    bomb = rewrite(pkgs["p1"], tmp_path / "bomb.vdpkg", payload=bomb_payload, sign_with=key)
    assert "异常庞大" in _refused(town, bomb)
    many = tmp_path / "many.vdpkg"
    with zipfile.ZipFile(many, "w") as z:
        for i in range(5000):
            z.writestr(f"m{i}", b"")
    assert "不应有的内容" in _refused(town, many)
    junk = tmp_path / "junk.vdpkg"
    junk.write_bytes(b"PK\x03\x04" + b"\x00" * 200)
    assert "不是有效的上报数据包" in _refused(town, junk)
    # well signed, but a table this program does not have
    odd = gzip.compress((json.dumps({"table": "secrets", "columns": ["id"], "rows": 1}) + "\n[1]\n").encode())
    strange = rewrite(pkgs["p1"], tmp_path / "odd.vdpkg", payload=odd, sign_with=key,
                      manifest=lambda m: m.update(counts={"secrets": 1}))
    assert "数据表“secrets”与本程序不符" in _refused(town, strange)
    # more rows than the signed manifest counts
    lying = gzip.compress((json.dumps({"table": "tags", "columns": ["id"], "rows": 3}) + "\n[1]\n[2]\n[3]\n").encode())
    liar = rewrite(pkgs["p1"], tmp_path / "liar.vdpkg", payload=lying, sign_with=key,
                   manifest=lambda m: m.update(counts={"tags": 1}))
    assert "数据内容不符" in _refused(town, liar)
    assert _snapshots(town, world) == []


def _gzip_bomb() -> bytes:
    """64 MB of blanks (one endless line) that gzip packs into ~64 KB."""
    import zlib

    packer = zlib.compressobj(9, zlib.DEFLATED, 31)
    block = b" " * (1 << 20)
    return b"".join(packer.compress(block) for _ in range(64)) + packer.flush()


def test_export_needs_an_installed_key(demo_db: Database, tmp_path: Path) -> None:
    with pytest.raises(ServiceError) as caught, demo_db.session() as s:
        uid = s.scalars(select(Unit.id).order_by(Unit.id)).first()
        assert uid is not None
        packages.export_package(s, uid, tmp_path / "x.vdpkg")
    assert "本村还没有安装上报密钥" in str(caught.value)
    assert not (tmp_path / "x.vdpkg").exists()


def test_only_an_operator_who_may_write_the_village_imports(world: World, pkgs: dict[str, Path],
                                                            town: Database) -> None:
    from app.services.context import AppContext
    from app.services.errors import PermissionDenied
    from app.services.safety import auth

    with town.session() as s:
        reader = auth.create_operator(s, world.township_id, "zhen", "镇干部", role="township", password="zhen-2026!")
        writer = auth.create_operator(s, world.township_id, "zhen2", "镇文书", role="township", password="zhen-2026!",
                                      can_write=True)
        west = keys.issue_keys(s, world.township_id, "西坟村", pkgs["p1"].parent / "west")
        neighbour = auth.create_operator(s, west.unit_id, "xifen", "西坟村书记", role="admin", password="xifen-2026!")
    ctx = AppContext(town)
    for operator, message in ((reader, "无权导入上报数据包：镇级操作员只能查看各村数据"),
                              (neighbour, "无权导入东坟村的上报数据包：不能修改其他村(社区)的数据")):
        ctx.operator_id = operator
        with pytest.raises(PermissionDenied) as caught:
            ctx.call(packages.import_package, pkgs["p1"])
        assert message in str(caught.value)
    assert _snapshots(town, world) == []
    ctx.operator_id = writer
    assert ctx.call(packages.import_package, pkgs["p1"]).status == "imported"
    assert [r.as_of for r in ctx.call(packages.list_snapshots, world.township_id)] == [NOV30]


def test_every_foreign_key_between_carried_tables_is_indexed() -> None:
    """Replacing a village deletes its rows; each delete looks for rows still pointing at it. Without an
    index on the pointing column that is a scan of the whole (all villages') table per deleted row."""
    from app.services.township import merge

    carried = {t.name for t in merge.carried_tables()}
    missing = []
    for t in merge.carried_tables():
        leading = {i.columns[0].name for i in t.indexes} | {list(t.primary_key)[0].name}
        leading |= {c.columns[0].name for c in t.constraints if hasattr(c, "columns") and len(c.columns) and
                    type(c).__name__ == "UniqueConstraint"}
        missing += [f"{t.name}.{fk.parent.name}" for fk in t.foreign_keys
                    if fk.column.table.name in carried and fk.parent.name not in leading]
    assert missing == []
