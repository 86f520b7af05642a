"""Scans and photos of a decision, a meeting or a topic, kept in the data folder under their SHA-256.

The bytes are stored once per content in the database (AttachmentContent), so a backup, a restore or
a move to another computer carries them with the records; the file the program opens is
<data folder>/attachments/<sha[:2]>/<sha><ext>, written again from the database when it is missing.
The same scan added twice is stored once (two rows, one content). Only the kinds an office scans or photographs are taken, up to
MAX_BYTES. 撤回 hides a row from the list and keeps both the row and the file (the 台账 may cite it).
"""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.models.affairs import ATTACH_OWNERS, AffairsMeeting, Attachment, AttachmentContent, Decision, Topic
from app.paths import data_dir

from .. import access, audit
from ..errors import NotFound, ServiceError
from ..validation import Problems

MAX_BYTES = 50 * 1024 * 1024
ALLOWED = (".pdf", ".jpg", ".jpeg", ".png", ".tif", ".tiff", ".doc", ".docx", ".xls", ".xlsx")
OWNER_LABELS = {"decision": "事项", "affairs_meeting": "会议", "topic": "议题"}
_OWNER_MODELS = {"decision": Decision, "affairs_meeting": AffairsMeeting, "topic": Topic}


@dataclass(frozen=True)
class AttachmentRow:
    id: int
    owner_kind: str
    owner_id: int
    file_name: str
    size: int
    sha256: str
    added_on: date
    withdrawn_on: date | None

    @property
    def size_text(self) -> str:
        return f"{self.size / 1024 / 1024:.1f} MB" if self.size >= 1024 * 1024 else f"{max(1, self.size // 1024)} KB"


def _store_root() -> Path:
    return data_dir() / "attachments"


def _stored_path(sha256: str, suffix: str) -> Path:
    return _store_root() / sha256[:2] / f"{sha256}{suffix.lower()}"


def _write_store(target: Path, data: bytes) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    part = target.with_name(target.name + ".part")
    part.write_bytes(data)
    os.replace(part, target)  # never a half-written file under the final name


def _check_owner(s: Session, unit_id: int, owner_kind: str, owner_id: int) -> None:
    if owner_kind not in ATTACH_OWNERS:
        raise ServiceError(f"附件不能挂在“{owner_kind}”上")
    owner = s.get(_OWNER_MODELS[owner_kind], owner_id)
    if owner is None or owner.unit_id != unit_id:
        raise NotFound(f"找不到该{OWNER_LABELS[owner_kind]}")


def add_attachment(s: Session, unit_id: int, owner_kind: str, owner_id: int, source: Path) -> int:
    """Copy `source` into the store (once per content) and record it on the owner; returns the row id."""
    access.require_role(s, *access.ENTRY_ROLES, action="添加附件")
    _check_owner(s, unit_id, owner_kind, owner_id)
    source = Path(source)
    p = Problems()
    suffix = source.suffix.lower()
    if suffix not in ALLOWED:
        p.add("file", "附件", f"“{source.name}”的类型不能作为附件，只能添加 "
                               f"{'、'.join(x.lstrip('.').upper() for x in ALLOWED)} 文件")
    elif not source.is_file():
        p.add("file", "附件", f"找不到文件“{source.name}”")
    else:
        size = source.stat().st_size
        if size > MAX_BYTES:
            p.add("file", "附件", f"“{source.name}”有 {size / 1024 / 1024:.1f} MB，超过了 "
                                   f"{MAX_BYTES // 1024 // 1024} MB 的上限；请压缩或分开扫描")
        elif size == 0:
            p.add("file", "附件", f"“{source.name}”是空文件")
    p.raise_if_any()
    data = source.read_bytes()  # at most MAX_BYTES, checked above
    sha = hashlib.sha256(data).hexdigest()
    if s.get(AttachmentContent, sha) is None:  # the same scan added before: one content, a second row
        s.add(AttachmentContent(sha256=sha, data=data))
    target = _stored_path(sha, suffix)
    if not target.exists():
        _write_store(target, data)
    row = Attachment(unit_id=unit_id, owner_kind=owner_kind, owner_id=owner_id, file_name=source.name[:200],
                     sha256=sha, size=len(data))
    s.add(row)
    s.flush()
    audit.record(s, unit_id, "create", "attachment", row.id,
                 f"添加附件“{source.name}”到{OWNER_LABELS[owner_kind]}", {"sha256": sha, "owner_id": owner_id})
    return row.id


def _row(a: Attachment) -> AttachmentRow:
    return AttachmentRow(a.id, a.owner_kind, a.owner_id, a.file_name, a.size, a.sha256, a.created_at.date(),
                         a.withdrawn_on)


def list_attachments(s: Session, owner_kind: str, owner_id: int,
                     include_withdrawn: bool = False) -> list[AttachmentRow]:
    stmt = select(Attachment).where(Attachment.owner_kind == owner_kind, Attachment.owner_id == owner_id)
    if not include_withdrawn:
        stmt = stmt.where(Attachment.withdrawn_on.is_(None))
    return [_row(a) for a in s.scalars(stmt.order_by(Attachment.id))]


def _get(s: Session, attachment_id: int) -> Attachment:
    a = s.get(Attachment, attachment_id)
    if a is None:
        raise NotFound("找不到该附件")
    return a


def withdraw_attachment(s: Session, attachment_id: int, on: date | None = None) -> None:
    """撤回: the row leaves the list; row and file stay."""
    access.require_role(s, *access.ENTRY_ROLES, action="撤回附件")
    a = _get(s, attachment_id)
    if a.withdrawn_on is not None:
        raise ServiceError(f"附件“{a.file_name}”已于 {a.withdrawn_on.isoformat()} 撤回")
    a.withdrawn_on = on or date.today()
    s.flush()
    audit.record(s, a.unit_id, "close", "attachment", a.id, f"撤回附件“{a.file_name}”")


def attachment_path(s: Session, attachment_id: int) -> Path:
    """The file to open: the data folder's copy, written again from the database when it is missing
    or was changed on disk (a restored backup, another computer, an edited scan)."""
    a = _get(s, attachment_id)
    path = _stored_path(a.sha256, Path(a.file_name).suffix)
    if path.is_file() and path.stat().st_size == a.size and hashlib.sha256(path.read_bytes()).hexdigest() == a.sha256:
        return path
    content = s.get(AttachmentContent, a.sha256)
    if content is None:
        raise ServiceError(f"附件“{a.file_name}”的内容不在数据库中，请重新添加该附件。")
    _write_store(path, content.data)
    return path
