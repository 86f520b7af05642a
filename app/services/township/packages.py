"""上报数据包: a village exports its data signed; the township verifies and merges it by unit.

export_package (village side) writes every row of the unit (app/services/township/merge) into a .vdpkg
(package_file), stamped with the schema revision and the date the data stands at (as_of), and signed
with the village's installed key. import_package (township side) believes nothing before it checked:
the signature with the key the township registered for that village, the payload's hash, the schema
revision, and the date against the village's current snapshot. Then, in the caller's transaction, the
village's previous rows are replaced and the file kept as a PackageSnapshot by date: one per village and
date, the newest marked current, earlier dates kept. The same file again changes nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import inspect, select, text, update
from sqlalchemy.orm import Session

from app.models import PackageSnapshot, Unit, VillageKey
from app.models.base import utcnow
from app.models.unit import UNIT_KINDS

from .. import access, audit
from ..errors import NotFound, ServiceError
from . import keys, merge, package_file
from .package_file import PackageRefused

__all__ = ["ImportOutcome", "PackageInfo", "PackageRefused", "SnapshotRow", "export_package", "import_package",
           "list_snapshots"]

# the unit's own settings a package carries to the township (not its name, 镇 or 片区: the township's)
_UNIT_FIELDS = {"kind": str, "county": str, "contact_person": str, "contact_phone": str, "committee_phone": str,
                "objection_box": str, "notice_days": int, "notice_workdays": bool}


@dataclass(frozen=True)
class PackageInfo:
    path: Path
    village: str
    as_of: date
    exported_at: datetime
    key_id: str
    rows: int
    size: int
    sha256: str
    counts: dict[str, int]


@dataclass(frozen=True)
class ImportOutcome:
    status: str  # "imported" | "unchanged"
    file_name: str
    unit_id: int
    village: str
    as_of: date
    rows: int
    replaced_same_day: bool = False  # a newer package of the same date took that date's place

    @property
    def message(self) -> str:
        if self.status == "unchanged":
            return f"{self.file_name}：未变化（已导入过）——{self.village}，数据截至 {self.as_of.isoformat()}"
        again = "，替换同一日期先前导入的数据包" if self.replaced_same_day else ""
        return f"{self.file_name}：已导入——{self.village}，数据截至 {self.as_of.isoformat()}，{self.rows} 行{again}"


@dataclass(frozen=True)
class SnapshotRow:
    unit_id: int
    village: str
    district: str
    as_of: date
    exported_at: datetime
    imported_at: datetime
    rows: int
    size: int
    key_id: str
    is_current: bool


def _db_revision(s: Session) -> str:
    """The database's schema revision (a database made without Alembic, as in some tests: the head)."""
    from app.migrate import head_revision

    if not inspect(s.connection()).has_table("alembic_version"):
        return head_revision()
    return str(s.scalar(text("SELECT version_num FROM alembic_version")) or head_revision())


def export_package(s: Session, unit_id: int, out_path: Path, as_of: date | None = None) -> PackageInfo:
    """Write the unit's 上报数据包, signed with its installed key."""
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    from app import __version__

    access.require_role(s, "admin", "clerk", action="导出上报数据包")
    access.check_unit(s, unit_id, action="导出上报数据包")
    unit = s.get(Unit, unit_id)
    if unit is None or unit.kind not in UNIT_KINDS:
        raise NotFound("上报数据包只能由村(社区)导出。")
    key = keys.signing_key(s, unit_id)
    if key.village != unit.name:
        raise ServiceError(f"已安装的上报密钥是发给“{key.village}”的，本村(社区)现名“{unit.name}”：请向镇里重新领取密钥。")
    today = date.today()
    as_of = as_of or today
    if as_of > today:
        raise ServiceError(f"数据截至日期 {as_of.isoformat()} 晚于今天，请改为今天或更早的日期。")
    exported_at = utcnow()
    tables = list(merge.unit_rows(s, unit_id))
    manifest: dict[str, object] = {
        "village": unit.name, "township": key.township or unit.township, "unit_kind": unit.kind,
        "unit": {k: getattr(unit, k) for k in _UNIT_FIELDS}, "key_id": key.key_id,
        "schema_revision": _db_revision(s), "program_version": __version__,
        "as_of": as_of.isoformat(), "exported_at": exported_at.isoformat(),
    }
    signer = Ed25519PrivateKey.from_private_bytes(key.private_key)
    sha256, size, _ = package_file.write_package(Path(out_path), manifest, tables, signer.sign)
    counts = {name: len(rows) for name, _cols, rows in tables}
    rows = sum(counts.values())
    audit.record(s, unit_id, "export", "package", None, f"导出上报数据包：数据截至 {as_of.isoformat()}，{rows} 行",
                 {"file": Path(out_path).name, "sha256": sha256, "key_id": key.key_id})
    return PackageInfo(Path(out_path), unit.name, as_of, exported_at, key.key_id, rows, size, sha256, counts)


def _check_revision(name: str, revision: str, ours: str) -> None:
    if revision == ours:
        return
    from app.migrate import known_revisions

    if revision not in known_revisions():
        raise PackageRefused(f"{name} 由较新版本的村级党建工作台生成（数据版本 {revision}），本程序无法读取，未导入。"
                             "请先升级本程序后再导入。")
    raise PackageRefused(f"{name} 由较旧版本的村级党建工作台生成（数据版本 {revision}，本库为 {ours}），未导入。"
                         "请村里升级程序后重新导出。")


def _date(name: str, value: object, parse: type[date] | type[datetime]) -> date:
    try:
        return parse.fromisoformat(str(value))
    except ValueError:
        raise package_file._not_a_package(name, "清单中的日期不对") from None


def _verified(s: Session, data: package_file.PackageData) -> tuple[Any, Unit]:
    """The village key and unit the package proves it comes from; refused otherwise."""
    name, m = data.name, data.manifest
    if not data.signature:
        package_file.verify(data, b"")  # says: unsigned
    key_id = str(m.get("key_id") or "")
    # the registry read whole (not through the operator's unit filter): a key of a village the operator
    # may not see is refused for that reason (check_unit), not mistaken for a foreign one
    vk = s.connection().execute(select(VillageKey.__table__).where(VillageKey.key_id == key_id)).first()
    if vk is None:
        raise PackageRefused(f"{name} 的签名密钥（编号 {key_id or '无'}）不是本镇签发的，无法确认来自哪个村，未导入。"
                             "请确认数据包来自本镇的村，并且已用 township keys 为该村签发密钥。")
    if vk.revoked_on is not None:
        raise PackageRefused(f"{name} 是用已作废的密钥（编号 {key_id}，{vk.revoked_on.isoformat()} 作废）签名的，未导入。"
                             "请村里安装新密钥后重新导出。")
    package_file.verify(data, bytes.fromhex(vk.public_key))
    unit = s.get(Unit, vk.unit_id)
    if unit is None:  # a village the operator may not see
        access.check_unit(s, vk.unit_id, write=True, action=f"导入{m.get('village') or '该村'}的上报数据包")
        raise NotFound("找不到该数据包所属的村(社区)")
    if m.get("village") != unit.name:
        raise PackageRefused(f"{name} 自称来自“{m.get('village')}”，但签名密钥是发给“{unit.name}”的，未导入。")
    return vk, unit


def import_package(s: Session, path: Path) -> ImportOutcome:
    """Verify a package and, in the caller's transaction, replace its village's rows with it."""
    access.require_role(s, "admin", action="导入上报数据包")
    data = package_file.read_package(Path(path))
    vk, unit = _verified(s, data)
    # the rows go in with Core statements, which the session's own unit check does not see
    access.check_unit(s, unit.id, write=True, action=f"导入{unit.name}的上报数据包")
    name, m = data.name, data.manifest
    _check_revision(name, str(m.get("schema_revision") or ""), _db_revision(s))
    as_of = _date(name, m.get("as_of"), date)
    exported_at = _date(name, m.get("exported_at"), datetime)
    rows = int(m.get("rows") or 0)  # type: ignore[call-overload]
    if s.scalar(select(PackageSnapshot.id).where(PackageSnapshot.unit_id == unit.id,
                                                 PackageSnapshot.sha256 == data.sha256)) is not None:
        return ImportOutcome("unchanged", name, unit.id, unit.name, as_of, rows)
    current = s.scalar(select(PackageSnapshot).where(PackageSnapshot.unit_id == unit.id)
                       .order_by(PackageSnapshot.as_of.desc(), PackageSnapshot.exported_at.desc()).limit(1))
    if current is not None and (as_of, exported_at) <= (current.as_of, current.exported_at):
        when = (f"数据截至 {as_of.isoformat()}，早于已导入的 {current.as_of.isoformat()}" if as_of < current.as_of else
                f"与已导入的数据包同为 {as_of.isoformat()}，但导出得更早")
        raise PackageRefused(f"{name}（{unit.name}）{when}，未导入：较旧的数据包不能覆盖较新的数据。")
    tables = package_file.read_tables(data)
    merge.check_tables(name, tables)
    merge.delete_unit_rows(s, unit.id)
    inserted = merge.insert_unit_rows(s, unit.id, tables)
    _update_unit(unit, m.get("unit"))
    s.execute(update(PackageSnapshot).where(PackageSnapshot.unit_id == unit.id, PackageSnapshot.is_current.is_(True))
              .values(is_current=False).execution_options(synchronize_session="fetch"))
    same_day = s.scalar(select(PackageSnapshot).where(PackageSnapshot.unit_id == unit.id, PackageSnapshot.as_of == as_of))
    values = {"exported_at": exported_at, "imported_at": utcnow(), "schema_revision": str(m["schema_revision"]),
              "key_id": vk.key_id, "sha256": data.sha256, "rows": inserted, "size": data.size, "is_current": True,
              "content": data.content}
    if same_day is None:
        snapshot = PackageSnapshot(unit_id=unit.id, as_of=as_of, **values)
        s.add(snapshot)
    else:
        snapshot = same_day
        for k, v in values.items():
            setattr(snapshot, k, v)
    s.flush()
    audit.record(s, unit.id, "import", "package", snapshot.id,
                 f"导入上报数据包：{unit.name}，数据截至 {as_of.isoformat()}，{inserted} 行",
                 {"file": name, "sha256": data.sha256, "key_id": vk.key_id, "replaced_same_day": same_day is not None})
    s.expire_all()  # ORM objects read before hold the rows just replaced
    return ImportOutcome("imported", name, unit.id, unit.name, as_of, inserted, same_day is not None)


def _update_unit(unit: Unit, fields: object) -> None:
    """The village's own settings from its package; its name, 镇 and 片区 stay as the township has them."""
    if not isinstance(fields, dict):
        return
    for key, kind in _UNIT_FIELDS.items():
        value = fields.get(key)
        if isinstance(value, kind) and (key != "kind" or value in UNIT_KINDS) and getattr(unit, key) != value:
            setattr(unit, key, value)


def list_snapshots(s: Session, township_id: int) -> list[SnapshotRow]:
    """Every package received from the township's villages, by 片区, village, newest date first."""
    stmt = (select(PackageSnapshot.unit_id, Unit.name, Unit.district, PackageSnapshot.as_of, PackageSnapshot.exported_at,
                   PackageSnapshot.imported_at, PackageSnapshot.rows, PackageSnapshot.size, PackageSnapshot.key_id,
                   PackageSnapshot.is_current)
            .join(Unit, Unit.id == PackageSnapshot.unit_id).where(Unit.parent_id == township_id)
            .order_by(Unit.district, Unit.name, PackageSnapshot.as_of.desc()))
    return [SnapshotRow(*row) for row in s.execute(stmt)]
