"""Attachments: copied under their hash (the same scan once), type and size checked, withdrawn rows kept."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from sqlalchemy.orm import Session

from app.services.affairs import attachments, decisions
from app.services.affairs.decisions import DecisionInput
from app.services.errors import ServiceError, ValidationError

from .decision_village import make_village


@pytest.fixture
def decision(session: Session) -> tuple[int, int]:
    v = make_village(session)
    return v.unit_id, decisions.open_decision(session, v.unit_id, DecisionInput("修桥", date(2026, 3, 2)))


def test_same_scan_stored_once(session: Session, decision: tuple[int, int], tmp_path: Path) -> None:
    uid, did = decision
    scan = tmp_path / "会议记录.JPG"
    scan.write_bytes(b"\xff\xd8scan of the minutes")
    copy = tmp_path / "again.jpg"
    copy.write_bytes(scan.read_bytes())
    first = attachments.add_attachment(session, uid, "decision", did, scan)
    second = attachments.add_attachment(session, uid, "decision", did, copy)
    a, b = attachments.attachment_path(session, first), attachments.attachment_path(session, second)
    assert a == b and a.read_bytes() == scan.read_bytes() and a.parent.name == a.stem[:2]
    assert [r.file_name for r in attachments.list_attachments(session, "decision", did)] == ["会议记录.JPG", "again.jpg"]
    attachments.withdraw_attachment(session, first, date(2026, 3, 3))
    assert [r.id for r in attachments.list_attachments(session, "decision", did)] == [second]
    assert len(attachments.list_attachments(session, "decision", did, include_withdrawn=True)) == 2
    assert a.is_file()  # the file stays
    with pytest.raises(ServiceError, match="已于 2026-03-03 撤回"):
        attachments.withdraw_attachment(session, first)


def test_type_and_size_refused_with_a_message(session: Session, decision: tuple[int, int], tmp_path: Path,
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    uid, did = decision
    exe = tmp_path / "setup.exe"
    exe.write_bytes(b"MZ")
    with pytest.raises(ValidationError, match="“setup.exe”的类型不能作为附件，只能添加 PDF、JPG"):
        attachments.add_attachment(session, uid, "decision", did, exe)
    monkeypatch.setattr(attachments, "MAX_BYTES", 10)
    big = tmp_path / "scan.pdf"
    big.write_bytes(b"%PDF" + b"0" * 20)
    with pytest.raises(ValidationError, match="超过了 0 MB 的上限"):
        attachments.add_attachment(session, uid, "decision", did, big)
    with pytest.raises(ServiceError, match="找不到该会议"):
        attachments.add_attachment(session, uid, "affairs_meeting", 999, big)
    assert attachments.list_attachments(session, "decision", did, include_withdrawn=True) == []


def test_content_kept_in_the_database_and_written_again_when_the_folder_lost_it(
        session: Session, decision: tuple[int, int], tmp_path: Path) -> None:
    """A restored backup or another computer has the records but not the data folder's files."""
    from sqlalchemy import func, select

    from app.models.affairs import AttachmentContent

    uid, did = decision
    scan = tmp_path / "决议.pdf"
    scan.write_bytes(b"%PDF-1.4 signed resolution")
    first = attachments.add_attachment(session, uid, "decision", did, scan)
    attachments.add_attachment(session, uid, "decision", did, scan)
    assert session.scalar(select(func.count()).select_from(AttachmentContent)) == 1
    stored = attachments.attachment_path(session, first)
    stored.unlink()
    again = attachments.attachment_path(session, first)
    assert again == stored and again.read_bytes() == scan.read_bytes()
    again.write_bytes(b"%PDF-1.4 signed resolutioN")  # same size, changed: replaced, not opened
    assert attachments.attachment_path(session, first).read_bytes() == scan.read_bytes()
