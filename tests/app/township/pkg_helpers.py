"""Shared by the 上报数据包 tests: a village with its key installed, a township that issued it, packages
exported from it, and a way to rewrite a package (tampered, re-signed with a key a test holds)."""

from __future__ import annotations

import io
import json
import shutil
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.db import Database, open_database, resolve_url
from app.models import Unit
from app.services.township import keys, merge
from app.services.township.package_file import MANIFEST, PAYLOAD, SIGNATURE


@dataclass(frozen=True)
class World:
    village: Path  # SQLite village with its key installed
    village_unit: int
    township: Path  # SQLite township that issued the key
    township_id: int
    keyfile: Path  # the village's .vdkey
    key_dir: Path


def make_world(folder: Path, demo_file: Path, empty_file: Path) -> World:
    village = shutil.copyfile(demo_file, folder / "village.sqlite")
    township = shutil.copyfile(empty_file, folder / "township.sqlite")
    vdb, tdb = open_database(resolve_url(village)), open_database(resolve_url(township))
    try:
        with vdb.session() as s:
            unit = s.scalars(select(Unit).order_by(Unit.id)).first()
            assert unit is not None
            uid, name = unit.id, unit.name
        with tdb.session() as s:
            tid = keys.create_township(s, "城关街道", kind="街道", county="房山区")
            issued = keys.issue_keys(s, tid, name, folder / "keys", district="第一片区")
        with vdb.session() as s:
            keys.install_key(s, uid, issued.private_path)
    finally:
        vdb.dispose()
        tdb.dispose()
    return World(Path(village), uid, Path(township), tid, issued.private_path, folder / "keys")


def export(village: Database, unit_id: int, out: Path, as_of: date) -> Path:
    from app.services.township import packages

    with village.session() as s:
        packages.export_package(s, unit_id, out, as_of=as_of)
    return out


def private_hex(keyfile: Path) -> str:
    return str(json.loads(keyfile.read_text("utf-8"))["private_key"])


def rewrite(src: Path, dst: Path, *, manifest: Callable[[dict], None] | None = None,
            payload: bytes | None = None, sign_with: str | None = None, signature: bytes | None = None) -> Path:
    """A copy of a package with its manifest edited, its payload swapped (the manifest's hash follows
    when re-signed) and signed again with sign_with (a private key, hex) or given signature bytes."""
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    with zipfile.ZipFile(src) as z:
        parts = {n: z.read(n) for n in z.namelist()}
    m = json.loads(parts[MANIFEST])
    if payload is not None:
        parts[PAYLOAD] = payload
        if sign_with is not None:
            import hashlib

            m["payload_sha256"], m["payload_size"] = hashlib.sha256(payload).hexdigest(), len(payload)
    if manifest is not None:
        manifest(m)
    if manifest is not None or sign_with is not None:
        parts[MANIFEST] = json.dumps(m, ensure_ascii=False, sort_keys=True, indent=1).encode("utf-8")
    if sign_with is not None:
        parts[SIGNATURE] = Ed25519PrivateKey.from_private_bytes(bytes.fromhex(sign_with)).sign(parts[MANIFEST])
    if signature is not None:
        parts[SIGNATURE] = signature
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_STORED) as z:
        for n, data in parts.items():
            if n == SIGNATURE and signature == b"":
                continue
            z.writestr(n, data)
    dst.write_bytes(buf.getvalue())
    return dst


def counts(s: Session, unit_id: int) -> dict[str, int]:
    """Rows per carried table belonging to the unit."""
    return {t.name: int(s.scalar(select(func.count()).select_from(t).where(merge.unit_filter(t, unit_id))) or 0)
            for t in merge.carried_tables()}


def resolved_rows(s: Session, unit_id: int) -> dict[str, list[tuple[object, ...]]]:
    """Every carried row of the unit with ids replaced by their rank in their table (rows in id order), so
    two databases holding the same unit under different ids compare equal; unit_id and left-out
    tables' keys (operators, import batches) are left out of the comparison."""
    tables = merge.carried_tables()
    ids: dict[str, dict[object, int]] = {}
    data: dict[str, list[tuple[object, ...]]] = {}
    for t in tables:
        order = [t.c.id] if "id" in t.c else list(t.primary_key)
        rows = [tuple(r) for r in s.execute(select(t).where(merge.unit_filter(t, unit_id)).order_by(*order))]
        if "id" in t.c:
            at = list(t.c.keys()).index("id")
            ids[t.name] = {r[at]: i for i, r in enumerate(rows)}
        data[t.name] = rows
    out: dict[str, list[tuple[object, ...]]] = {}
    for t in tables:
        fks = {fk.parent.name: fk.column.table.name for fk in t.foreign_keys}
        names = list(t.c.keys())
        resolved = []
        for row in data[t.name]:
            values = []
            for name, v in zip(names, row, strict=True):
                if name == "unit_id" or fks.get(name) in merge.LEFT_OUT:
                    continue
                target = t.name if name == "id" else fks.get(name)
                if t.name == "attachments" and name == "owner_id":
                    target = {"decision": "decisions", "affairs_meeting": "affairs_meetings", "topic": "topics"}[
                        row[names.index("owner_kind")]]
                if t.name == "settings" and name == "value" and str(row[names.index("key")]).startswith(
                        "points.tie_decisions.") and isinstance(v, dict):
                    v = {ids["party_members"][int(k)]: g for k, g in v.items()}
                values.append(ids[target][v] if target in ids and v is not None else v)
            resolved.append(tuple(values))
        out[t.name] = sorted(resolved, key=repr) if "id" not in t.c else resolved
    return out
