"""上报密钥 (issue 23): the township issues each village an Ed25519 key pair; the village installs it once."""

from __future__ import annotations

import json
import stat
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import select

from app.db import Database
from app.models import AuditEntry, Unit, VillageKey
from app.services.errors import ServiceError, ValidationError
from app.services.township import keys


def _township(db: Database) -> int:
    with db.session() as s:
        return keys.create_township(s, "阳曲镇", county="阳曲县")


def test_issue_keys_writes_the_pair_and_registers_the_public_half(db: Database, tmp_path: Path) -> None:
    tid = _township(db)
    with db.session() as s:
        issued = keys.issue_keys(s, tid, "东坟村", tmp_path / "keys", district="第一片区")
    assert issued.private_path == tmp_path / "keys" / "东坟村.vdkey"
    assert stat.S_IMODE(issued.private_path.stat().st_mode) == 0o600  # the private key is the village's alone
    private = json.loads(issued.private_path.read_text("utf-8"))
    public = json.loads(issued.public_path.read_text("utf-8"))
    assert private["village"] == public["village"] == "东坟村" and private["township"] == "阳曲镇"
    assert private["key_id"] == public["key_id"] == issued.key_id and len(issued.key_id) == 16
    assert len(bytes.fromhex(private["private_key"])) == 32 and "private_key" not in public
    with db.session() as s:
        unit = s.get(Unit, issued.unit_id)
        assert unit is not None and (unit.kind, unit.parent_id, unit.district) == ("村", tid, "第一片区")
        row = s.scalar(select(VillageKey).where(VillageKey.key_id == issued.key_id))
        assert row is not None and row.public_key == public["public_key"]
        assert keys.key_id_of(bytes.fromhex(row.public_key)) == issued.key_id
        listed = keys.list_keys(s, tid)
        assert [(k.village, k.district, k.key_id, k.status) for k in listed] == [("东坟村", "第一片区", issued.key_id, "有效")]
        # the 操作日志 names the key, never the private half
        logged = " ".join(json.dumps(e.detail, ensure_ascii=False) for e in s.scalars(select(AuditEntry)))
        assert issued.key_id in logged and private["private_key"] not in logged


def test_a_second_key_only_with_replace_and_the_old_one_is_revoked(db: Database, tmp_path: Path) -> None:
    tid = _township(db)
    with db.session() as s:
        first = keys.issue_keys(s, tid, "东坟村", tmp_path)
    with pytest.raises(ServiceError) as caught, db.session() as s:
        keys.issue_keys(s, tid, "东坟村", tmp_path / "again")
    assert f"已有上报密钥（编号 {first.key_id}" in str(caught.value) and "--replace" in str(caught.value)
    assert not (tmp_path / "again").exists()
    with db.session() as s:
        second = keys.issue_keys(s, tid, "东坟村", tmp_path, replace=True)
        rows = {k.key_id: k for k in keys.list_keys(s, tid)}
    assert second.unit_id == first.unit_id and rows[second.key_id].revoked_on is None
    assert rows[first.key_id].revoked_on is not None and "重新签发" in rows[first.key_id].note
    with db.session() as s:
        row = keys.revoke_key(s, tid, second.key_id, note="电脑丢失")
    assert row.status.startswith("已作废") and "电脑丢失" in row.note
    with pytest.raises(ServiceError, match="没有编号为 ffff"), db.session() as s:
        keys.revoke_key(s, tid, "ffff")


def test_create_township_refuses_a_village_kind_and_a_second_of_the_same_name(db: Database) -> None:
    with pytest.raises(ValidationError, match="类型"), db.session() as s:
        keys.create_township(s, "阳曲镇", kind="村")
    tid = _township(db)
    with pytest.raises(ServiceError, match=f"已有镇“阳曲镇”（编号 {tid}）"), db.session() as s:
        keys.create_township(s, "阳曲镇")
    with pytest.raises(ServiceError, match="找不到该乡镇"), db.session() as s:
        keys.issue_keys(s, tid + 100, "东坟村", Path("/nonexistent"))


def test_install_key_checks_the_file_and_the_village(db: Database, demo_db: Database, tmp_path: Path) -> None:
    tid = _township(db)
    with db.session() as s:
        west = keys.issue_keys(s, tid, "西坟村", tmp_path)
        east = keys.issue_keys(s, tid, "东坟村", tmp_path)
    with demo_db.session() as s:
        uid = s.scalars(select(Unit.id).order_by(Unit.id)).first()
        assert uid is not None and keys.installed_key(s, uid) is None
    cases = [
        (west.private_path, "该密钥是发给“西坟村”的，本村(社区)是“东坟村”，未安装"),
        (east.public_path, "这是公钥文件（.pub），应安装 .vdkey 文件"),
        (tmp_path / "none.vdkey", "找不到密钥文件"),
    ]
    broken = tmp_path / "broken.vdkey"
    data = json.loads(east.private_path.read_text("utf-8"))
    broken.write_text(json.dumps({**data, "private_key": "00" * 32}), "utf-8")
    cases.append((broken, "已损坏（密钥编号不符）"))
    junk = tmp_path / "junk.vdkey"
    junk.write_bytes(b"\xff\xfe not json")
    cases.append((junk, "不是上报密钥文件"))
    for path, message in cases:
        with pytest.raises(ServiceError) as caught, demo_db.session() as s:
            keys.install_key(s, uid, path)
        assert message in str(caught.value)
    with demo_db.session() as s:
        assert keys.installed_key(s, uid) is None
        assert keys.install_key(s, uid, east.private_path) == east.key_id
    with demo_db.session() as s:
        installed = keys.installed_key(s, uid)
        assert installed == keys.InstalledKey(east.key_id, date.today(), "阳曲镇")  # from the .vdkey
        assert installed.text == f"编号 {east.key_id}，颁发于 {date.today().isoformat()}（阳曲镇）"
        logged = " ".join(json.dumps(e.detail, ensure_ascii=False) for e in s.scalars(select(AuditEntry)))
        assert data["private_key"] not in logged
