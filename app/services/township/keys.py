"""Each village's 上报 signing key: issued by the township, installed once by the village.

The township runs `township keys --village 村名 -o DIR`: an Ed25519 key pair is made, the public half
registered (VillageKey) and both halves written to DIR — <村名>.vdkey (the private key, 0600, carried to
the village on a USB stick) and <村名>.pub (a record for the township's files). The village installs the
.vdkey once (`package key FILE` or 设置 → 上报数据包); its private key then lives in the village's
database (Setting "package.signing_key") and signs every package it exports. A package is accepted only
when signed by a key the township registered for that village and has not revoked.
"""

from __future__ import annotations

import hashlib
import json
import os
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.io.atomic import atomic_path
from app.models import Setting, Unit, VillageKey
from app.models.unit import TOWNSHIP_KINDS, UNIT_KINDS

from .. import access, audit
from ..errors import NotFound, ServiceError
from ..units import check_fields
from ..validation import Problems

KEY_FORMAT = "villagedesk-key-1"
PUB_FORMAT = "villagedesk-pubkey-1"
SIGNING_KEY = "package.signing_key"  # Setting key of the village's installed private key
_MAX_KEY_FILE = 64 * 1024  # a key file is a few hundred bytes


@dataclass(frozen=True)
class IssuedKey:
    unit_id: int
    village: str
    key_id: str
    private_path: Path
    public_path: Path


@dataclass(frozen=True)
class KeyRow:
    unit_id: int
    village: str
    district: str
    key_id: str
    issued_on: date
    revoked_on: date | None
    note: str

    @property
    def status(self) -> str:
        return f"已作废（{self.revoked_on.isoformat()}）" if self.revoked_on else "有效"


@dataclass(frozen=True)
class SigningKey:
    """The village's installed key (village side)."""

    key_id: str
    private_key: bytes  # raw 32 bytes
    village: str
    township: str


def key_id_of(public_raw: bytes) -> str:
    """First 16 hex of sha256(raw public key): the key's name in files, packages and lists."""
    return hashlib.sha256(public_raw).hexdigest()[:16]


def _township(s: Session, township_id: int) -> Unit:
    unit = s.get(Unit, township_id)
    if unit is None or unit.kind not in TOWNSHIP_KINDS:
        raise NotFound("找不到该乡镇(街道)：请先用 villagedesk township init --name 镇名 建立本镇")
    return unit


def create_township(s: Session, name: str, kind: str = "镇", county: str = "") -> int:
    """The township unit of a township database (or a shared server). Refused when one of that name exists."""
    access.require_role(s, "admin", action="建立乡镇(街道)")
    p = Problems()
    values = check_fields(p, {"name": name, "kind": kind, "county": county})
    if values.get("kind") and values["kind"] not in TOWNSHIP_KINDS:
        p.add("kind", "类型", f"应为{'、'.join(TOWNSHIP_KINDS)}之一")
    p.raise_if_any()
    existing = s.scalar(select(Unit).where(Unit.name == values["name"], Unit.kind.in_(TOWNSHIP_KINDS)))
    if existing is not None:
        raise ServiceError(f"数据库中已有{existing.kind}“{existing.name}”（编号 {existing.id}），未新建。")
    unit = Unit(name=values["name"], kind=values["kind"], county=values["county"], township="")
    s.add(unit)
    s.flush()
    audit.record(s, unit.id, "create", "unit", unit.id, f"新建{unit.kind}：{unit.name}")
    from ..safety.auth import ensure_admin

    ensure_admin(s, unit.id)  # the township's own 管理员, as a village gets on its first start
    s.flush()
    return unit.id


def _village_under(s: Session, township: Unit, village: str, district: str) -> Unit:
    """The township's village of that name, created (kind 村, no operators, no defaults) when missing:
    its rows come from its packages."""
    p = Problems()
    values = check_fields(p, {"name": village, "district": district})
    p.raise_if_any()
    unit = s.scalar(select(Unit).where(Unit.parent_id == township.id, Unit.name == values["name"]))
    if unit is None:
        unit = Unit(name=values["name"], kind="村", township=township.name, county=township.county,
                    parent_id=township.id, district=values["district"])
        s.add(unit)
        s.flush()
        audit.record(s, unit.id, "create", "unit", unit.id, f"新建村(社区)：{unit.name}（{township.name}）")
    elif values["district"] and unit.district != values["district"]:
        audit.record_change(s, unit.id, "unit", unit.id, f"修改所属片区：{unit.name}",
                            {"district": unit.district}, {"district": values["district"]})
        unit.district = values["district"]
    return unit


def issue_keys(s: Session, township_id: int, village: str, out_dir: Path, district: str = "",
               replace: bool = False) -> IssuedKey:
    """A new key pair for a village of the township (the village created if missing). A village that
    already holds a valid key gets a new one only with replace=True (a lost key): the old one is revoked."""
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    access.require_role(s, "admin", action="签发上报密钥")
    access.check_unit(s, township_id, write=True, action="签发上报密钥")
    township = _township(s, township_id)
    unit = _village_under(s, township, village, district)
    active = list(s.scalars(select(VillageKey).where(VillageKey.unit_id == unit.id, VillageKey.revoked_on.is_(None))))
    if active and not replace:
        k = active[0]
        raise ServiceError(f"{unit.name}已有上报密钥（编号 {k.key_id}，{k.issued_on.isoformat()} 签发）。"
                           "如密钥丢失需要重新签发，请加 --replace（旧密钥随即作废，用它签名的数据包不再接收）。")
    today = date.today()
    for k in active:
        k.revoked_on, k.note = today, (k.note + "；" if k.note else "") + "重新签发，旧密钥作废"
    private = Ed25519PrivateKey.generate()
    private_raw = private.private_bytes_raw()
    public_raw = private.public_key().public_bytes_raw()
    key_id = key_id_of(public_raw)
    s.add(VillageKey(unit_id=unit.id, key_id=key_id, public_key=public_raw.hex(), issued_on=today, note=""))
    s.flush()
    common = {"village": unit.name, "township": township.name, "district": unit.district, "key_id": key_id,
              "public_key": public_raw.hex(), "issued_on": today.isoformat()}
    out_dir = Path(out_dir)
    private_path, public_path = out_dir / f"{unit.name}.vdkey", out_dir / f"{unit.name}.pub"
    _write_json(private_path, {"format": KEY_FORMAT, **common, "private_key": private_raw.hex()}, 0o600)
    _write_json(public_path, {"format": PUB_FORMAT, **common}, 0o644)
    audit.record(s, unit.id, "create", "village_key", None, f"签发上报密钥：{unit.name}（编号 {key_id}）",
                 {"key_id": key_id, "replaced": [k.key_id for k in active]})
    return IssuedKey(unit.id, unit.name, key_id, private_path, public_path)


def _write_json(path: Path, value: dict[str, object], mode: int) -> None:
    with atomic_path(path) as tmp:  # mkstemp makes the temp file 0600: the private key is never readable by others
        tmp.write_text(json.dumps(value, ensure_ascii=False, indent=1), encoding="utf-8")
        os.chmod(tmp, mode)


def revoke_key(s: Session, township_id: int, key_id: str, note: str = "") -> KeyRow:
    """Revoke a village's key (lost, or the computer given away): packages signed with it are refused."""
    access.require_role(s, "admin", action="作废上报密钥")
    access.check_unit(s, township_id, write=True, action="作废上报密钥")
    _township(s, township_id)
    row = s.scalar(select(VillageKey).join(Unit, Unit.id == VillageKey.unit_id)
                   .where(VillageKey.key_id == key_id.strip().lower(), Unit.parent_id == township_id))
    if row is None:
        raise NotFound(f"本镇没有编号为 {key_id} 的上报密钥（villagedesk township keys --list 列出全部）")
    if row.revoked_on is None:
        row.revoked_on = date.today()
        row.note = (row.note + "；" if row.note else "") + (note.strip() or "作废")
        audit.record(s, row.unit_id, "update", "village_key", row.id, f"作废上报密钥：编号 {row.key_id}")
        s.flush()
    return _key_row(row, s.get(Unit, row.unit_id))


def _key_row(k: VillageKey, unit: Unit | None) -> KeyRow:
    return KeyRow(k.unit_id, unit.name if unit else "", unit.district if unit else "", k.key_id, k.issued_on,
                  k.revoked_on, k.note)


def list_keys(s: Session, township_id: int) -> list[KeyRow]:
    """Every key issued to the township's villages, by 片区, village, date."""
    rows = s.execute(select(VillageKey, Unit).join(Unit, Unit.id == VillageKey.unit_id)
                     .where(Unit.parent_id == township_id)
                     .order_by(Unit.district, Unit.name, VillageKey.issued_on, VillageKey.id))
    return [_key_row(k, u) for k, u in rows]


# ---------------------------------------------------------------- village side


def _read_key_file(key_path: Path) -> dict[str, str]:
    path = Path(key_path)
    try:
        if path.stat().st_size > _MAX_KEY_FILE:
            raise ServiceError(f"{path.name} 不是上报密钥文件（文件过大）。")
        data = json.loads(path.read_bytes().decode("utf-8"))
    except FileNotFoundError:
        raise ServiceError(f"找不到密钥文件：{path}") from None
    except (OSError, UnicodeDecodeError, ValueError):
        raise ServiceError(f"{path.name} 不是上报密钥文件（无法读取）。") from None
    if not isinstance(data, dict) or data.get("format") != KEY_FORMAT:
        hint = "这是公钥文件（.pub），应安装 .vdkey 文件。" if isinstance(data, dict) and data.get("format") == PUB_FORMAT else ""
        raise ServiceError(f"{path.name} 不是上报密钥文件。{hint}")
    return {k: str(v) for k, v in data.items()}


def install_key(s: Session, unit_id: int, key_path: Path) -> str:
    """Store the village's private key from the .vdkey file the township issued; returns the key id.
    The key must be issued to this village (by name)."""
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    access.require_role(s, "admin", action="安装上报密钥")
    access.check_unit(s, unit_id, write=True, action="安装上报密钥")
    unit = s.get(Unit, unit_id)
    if unit is None or unit.kind not in UNIT_KINDS:
        raise ServiceError("上报密钥只能安装在村(社区)的数据库中。")
    data = _read_key_file(key_path)
    try:
        private = Ed25519PrivateKey.from_private_bytes(bytes.fromhex(data.get("private_key", "")))
    except ValueError:
        raise ServiceError(f"{Path(key_path).name} 已损坏（私钥无法读取），请向镇里重新领取。") from None
    key_id = key_id_of(private.public_key().public_bytes_raw())
    if key_id != data.get("key_id"):
        raise ServiceError(f"{Path(key_path).name} 已损坏（密钥编号不符），请向镇里重新领取。")
    if data.get("village") != unit.name:
        raise ServiceError(f"该密钥是发给“{data.get('village')}”的，本村(社区)是“{unit.name}”，未安装。"
                           "请确认拿到的是本村的密钥文件。")
    value = {"key_id": key_id, "private_key": data["private_key"], "village": unit.name,
             "township": data.get("township", ""), "issued_on": data.get("issued_on", "")}
    row = s.scalar(select(Setting).where(Setting.unit_id == unit_id, Setting.key == SIGNING_KEY))
    before = row.value.get("key_id") if row is not None and isinstance(row.value, dict) else None
    if row is None:
        s.add(Setting(unit_id=unit_id, key=SIGNING_KEY, value=value))
    else:
        row.value = value
    # the 操作日志 names the key, never its private half
    audit.record(s, unit_id, "update", "setting", None, f"安装上报密钥：编号 {key_id}", {"key_id": key_id, "replaced": before})
    s.flush()
    return key_id


def signing_key(s: Session, unit_id: int) -> SigningKey:
    """The village's installed key, or the message saying how to get one."""
    value = s.scalar(select(Setting.value).where(Setting.unit_id == unit_id, Setting.key == SIGNING_KEY))
    if not isinstance(value, dict) or not value.get("private_key"):
        raise ServiceError("本村还没有安装上报密钥：请向镇里领取本村的密钥文件（.vdkey），"
                           "用 villagedesk package key 文件 或“设置 → 上报数据包”安装后再导出。")
    return SigningKey(str(value["key_id"]), bytes.fromhex(str(value["private_key"])), str(value.get("village", "")),
                      str(value.get("township", "")))


@dataclass(frozen=True)
class InstalledKey:
    """What the village's installed key says of itself (from the .vdkey, stored at install)."""

    key_id: str
    issued_on: date | None  # None: a key file without the date
    township: str  # the issuing 镇/街道 ("" when the file did not name it)

    @property
    def text(self) -> str:
        """编号 0123456789abcdef，颁发于 2026-12-03（阳曲镇） — the 设置 box and `package key` say it."""
        issued = f"，颁发于 {self.issued_on.isoformat()}" if self.issued_on else ""
        return f"编号 {self.key_id}{issued}{f'（{self.township}）' if self.township else ''}"


def installed_key(s: Session, unit_id: int) -> InstalledKey | None:
    """The installed key's id, issue date and township (None: none installed), for the 设置 box and
    `package key`."""
    value = s.scalar(select(Setting.value).where(Setting.unit_id == unit_id, Setting.key == SIGNING_KEY))
    if not isinstance(value, dict) or not value.get("key_id"):
        return None
    try:
        issued: date | None = date.fromisoformat(str(value.get("issued_on") or ""))
    except ValueError:
        issued = None
    return InstalledKey(str(value["key_id"]), issued, str(value.get("township") or ""))
