"""The .vdpkg file: a village's 上报数据包, signed.

A zip (stored, not deflated) of exactly three members:
    manifest.json     what the package is: format, village, township, key id, schema revision, as_of,
                      exported_at, row counts per table, sha256 and size of the payload
    payload.jsonl.gz  the rows, gzip of JSON lines: per table a header {"table", "columns", "rows"}
                      then one JSON array per row
    signature         Ed25519 over the bytes of manifest.json (64 bytes)
The signature covers the manifest, the manifest the payload's hash: one check of each proves the whole.

Reading a file from a USB stick is bounded like an Excel import (app/io/sheet_read): file size, member
names and sizes, the manifest's size, and the payload's inflated size and ratio are capped, so a hostile
file ends in a Chinese message within seconds and bounded memory.
"""

from __future__ import annotations

import hashlib
import io
import json
import zipfile
import zlib
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

from app.io.atomic import atomic_path

from ..errors import ServiceError

FORMAT = "villagedesk-package-1"
MANIFEST, PAYLOAD, SIGNATURE = "manifest.json", "payload.jsonl.gz", "signature"
MEMBERS = (MANIFEST, PAYLOAD, SIGNATURE)
MAX_FILE_BYTES = 512 * 1024 * 1024  # a village of 10,000 residents packs into a few MB
MAX_MANIFEST_BYTES = 1024 * 1024
MAX_INFLATED_BYTES = 256 * 1024 * 1024  # the payload once decompressed (a 10,000-resident village: ~30 MB)
MAX_RATIO = 100  # inflated / compressed so far; JSON lines of real rows stay under ~20
RATIO_FLOOR = 1024 * 1024  # a small payload may compress at any ratio
MAX_LINE_BYTES = 64 * 1024 * 1024  # one row (a 村 map image is the largest value)
_CHUNK = 64 * 1024  # input fed at a time: the ratio is measured on what was consumed
_DATE_TIME = (2026, 1, 1, 0, 0, 0)  # zip member times say nothing: exported_at is in the manifest


TAMPERED = "{name} 的数据在导出后被改动过或已损坏（校验值不符），未导入。请村里重新导出。"


class PackageRefused(ServiceError):
    """A package that is not imported; str(e) says why, in Chinese."""


@dataclass(frozen=True)
class PackageData:
    """A package file read and checked for shape (not yet for its signature)."""

    name: str  # the file's name, for messages
    manifest: dict[str, object]
    manifest_bytes: bytes
    signature: bytes
    payload: bytes  # compressed
    sha256: str  # of the whole file
    size: int
    content: bytes  # the whole file, kept as the township's snapshot


Table = tuple[str, Sequence[str], Sequence[Sequence[object]]]  # name, columns, rows


def write_package(path: Path, manifest: dict[str, object], tables: Iterable[Table],
                  sign: Callable[[bytes], bytes]) -> tuple[str, int, bytes]:
    """Write the package atomically; returns (sha256 of the file, its size, manifest bytes)."""
    packer = zlib.compressobj(6, zlib.DEFLATED, 31)  # wbits 31: gzip framing
    chunks: list[bytes] = []
    counts: dict[str, int] = {}
    for name, columns, rows in tables:
        counts[name] = len(rows)
        lines = [json.dumps({"table": name, "columns": list(columns), "rows": len(rows)}, ensure_ascii=False)]
        lines += [json.dumps(list(r), ensure_ascii=False, separators=(",", ":")) for r in rows]
        chunks.append(packer.compress(("\n".join(lines) + "\n").encode("utf-8")))
    chunks.append(packer.flush())
    payload = b"".join(chunks)
    manifest = {**manifest, "format": FORMAT, "counts": counts, "rows": sum(counts.values()),
                "payload_sha256": hashlib.sha256(payload).hexdigest(), "payload_size": len(payload)}
    manifest_bytes = json.dumps(manifest, ensure_ascii=False, sort_keys=True, indent=1).encode("utf-8")
    signature = sign(manifest_bytes)
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_STORED) as z:
        for member, data in ((MANIFEST, manifest_bytes), (PAYLOAD, payload), (SIGNATURE, signature)):
            z.writestr(zipfile.ZipInfo(member, _DATE_TIME), data)
    content = buf.getvalue()
    with atomic_path(Path(path)) as tmp:
        tmp.write_bytes(content)
    return hashlib.sha256(content).hexdigest(), len(content), manifest_bytes


def _not_a_package(name: str, why: str) -> PackageRefused:
    return PackageRefused(f"{name} 不是有效的上报数据包（{why}），未导入。")


def read_package(path: Path) -> PackageData:
    """Read a package file and check its shape; the caller verifies the signature with the village's key."""
    path = Path(path)
    name = path.name
    try:
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:
            raise _not_a_package(name, f"文件有 {size // (1024 * 1024)} MB，超过 {MAX_FILE_BYTES // (1024 * 1024)} MB")
        content = path.read_bytes()
    except FileNotFoundError:
        raise PackageRefused(f"找不到数据包文件：{path}") from None
    except OSError as exc:
        raise PackageRefused(f"无法读取 {name}：{exc.strerror or exc}") from None
    try:
        z = zipfile.ZipFile(io.BytesIO(content))
        infos = z.infolist()
    except (zipfile.BadZipFile, ValueError, EOFError, OSError):
        raise _not_a_package(name, "文件已损坏或格式不对") from None
    names = [i.filename for i in infos]
    if len(infos) > len(MEMBERS) or len(set(names)) != len(names) or not set(names) <= set(MEMBERS):
        raise _not_a_package(name, f"含有 {len(infos)} 个不应有的内容" if len(infos) > 16 else "内容不符")
    if MANIFEST not in names or PAYLOAD not in names:
        raise _not_a_package(name, "缺少清单或数据")
    limits = {MANIFEST: MAX_MANIFEST_BYTES, SIGNATURE: 1024, PAYLOAD: MAX_FILE_BYTES}
    for info in infos:
        if info.file_size > limits[info.filename] or info.compress_type != zipfile.ZIP_STORED:
            raise _not_a_package(name, f"“{info.filename}”过大或压缩方式不对")
    try:
        manifest_bytes = z.read(MANIFEST)
        payload = z.read(PAYLOAD)
        signature = z.read(SIGNATURE) if SIGNATURE in names else b""
        manifest = json.loads(manifest_bytes.decode("utf-8"))
    except zipfile.BadZipFile as exc:
        if "CRC" in str(exc):  # a changed byte the zip's own check caught before ours
            raise PackageRefused(TAMPERED.format(name=name)) from None
        raise _not_a_package(name, "文件已损坏") from None
    except (ValueError, EOFError, OSError, RuntimeError):
        raise _not_a_package(name, "文件已损坏") from None
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise _not_a_package(name, "清单格式不对")
    return PackageData(name, manifest, manifest_bytes, signature, payload, hashlib.sha256(content).hexdigest(),
                       size, content)


def verify(data: PackageData, public_raw: bytes) -> None:
    """The signature over the manifest, then the payload against the manifest's hash."""
    from cryptography.exceptions import InvalidSignature
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

    if not data.signature:
        raise PackageRefused(f"{data.name} 没有签名，无法确认来自哪个村，未导入。请村里用本村密钥重新导出。")
    try:
        Ed25519PublicKey.from_public_bytes(public_raw).verify(data.signature, data.manifest_bytes)
    except (InvalidSignature, ValueError):
        raise PackageRefused(f"{data.name} 的签名不符：清单在导出后被改动过（或不是用该村的密钥签名），未导入。") from None
    if (hashlib.sha256(data.payload).hexdigest() != data.manifest.get("payload_sha256")
            or len(data.payload) != data.manifest.get("payload_size")):
        raise PackageRefused(TAMPERED.format(name=data.name))


def _lines(data: PackageData) -> Iterator[bytes]:
    """The payload's lines, inflated a chunk at a time with the total and the ratio capped."""
    inflater = zlib.decompressobj(31)
    total = 0
    pending = b""
    view = memoryview(data.payload)
    pos = 0
    try:
        while not inflater.eof:
            if inflater.unconsumed_tail:
                chunk: bytes | memoryview = inflater.unconsumed_tail
            elif pos < len(view):
                chunk, pos = view[pos:pos + _CHUNK], pos + _CHUNK
            else:
                raise _not_a_package(data.name, "数据不完整")
            out = inflater.decompress(chunk, 16 * _CHUNK)
            total += len(out)
            consumed = min(pos, len(view)) - len(inflater.unconsumed_tail)
            if total > MAX_INFLATED_BYTES or (total > RATIO_FLOOR and total > MAX_RATIO * max(consumed, 1)):
                raise _not_a_package(data.name, "解压后的数据异常庞大，可能是恶意文件")
            pending += out
            *done, pending = pending.split(b"\n")
            if len(pending) > MAX_LINE_BYTES:
                raise _not_a_package(data.name, "数据行异常庞大")
            yield from done
    except zlib.error:
        raise _not_a_package(data.name, "数据已损坏") from None
    if pending:
        yield pending


def read_tables(data: PackageData) -> list[tuple[str, list[str], list[list[object]]]]:
    """The payload's tables (name, columns, rows), each row as long as its columns."""
    tables: list[tuple[str, list[str], list[list[object]]]] = []
    expected = 0
    counts = data.manifest.get("counts")
    counts = counts if isinstance(counts, dict) else {}
    try:
        for line in _lines(data):
            value = json.loads(line)
            if isinstance(value, dict):
                if expected:
                    raise ValueError
                tables.append((str(value["table"]), [str(c) for c in value["columns"]], []))
                expected = int(value["rows"])
                if counts.get(tables[-1][0]) != expected:  # the signed manifest's count: no more rows than said
                    raise ValueError
            elif isinstance(value, list) and tables and expected and len(value) == len(tables[-1][1]):
                tables[-1][2].append(value)
                expected -= 1
            else:
                raise ValueError
    except (ValueError, KeyError, TypeError):
        raise _not_a_package(data.name, "数据内容不符") from None
    if expected:
        raise _not_a_package(data.name, "数据不完整")
    return tables
