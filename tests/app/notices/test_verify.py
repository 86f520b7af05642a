"""核验公示文件: the marker read by a PDF parser, the 校验码 tied to the notice it names and to everything
printed, a re-saved copy recognised by its text, a changed figure or added row found (issue 19, point 6)."""

from __future__ import annotations

import shutil
import subprocess
from dataclasses import replace
from datetime import date, timedelta
from pathlib import Path

import pypdfium2 as pdfium
import pytest
from pypdf import PdfReader, PdfWriter
from sqlalchemy.orm import Session

from app.db import Database
from app.io import notice_pdf
from app.io.notices import NoticeColumn, NoticeDocument, content_code, find_marker, notice_code, render_notice
from app.io.pdf_pages import read_text
from app.models import Notice
from app.services.notices import archive as notices
from app.services.notices.verify import RESAVED, archived_code, content_difference, verify_pdf
from app.services.units import current_unit_id

START = date.today() - timedelta(days=2)
RESAVED_TEXT = "内容与存档一致（文件经其他软件另存）"


def publish(s: Session, kind: str, out: Path) -> notices.NoticeInfo:
    unit_id = current_unit_id(s)
    assert unit_id is not None
    return notices.publish_notice(s, unit_id, kind, out, start=START, days=5, issued_on=START)


def forged(doc: NoticeDocument, out: Path, code: str, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A file printing `doc` under someone else's 校验码 (as an edit in another PDF program would keep it)."""
    with monkeypatch.context() as m:
        m.setattr(notice_pdf, "notice_code", lambda _doc, _rows: code)
        render_notice(doc, out)
    return out


def pdfium_copy(src: Path, out: Path) -> Path:
    pdf = pdfium.PdfDocument(str(src))
    try:
        pdf.save(str(out))
    finally:
        pdf.close()
    return out


def cairo_copy(src: Path, out: Path) -> Path:
    """pdftocairo -pdf rewrites every stream and drops the metadata (Keywords included)."""
    if shutil.which("pdftocairo") is None:
        pytest.skip("pdftocairo (poppler-utils) is not installed: cannot simulate another program's re-save")
    subprocess.run(["pdftocairo", "-pdf", str(src), str(out)], check=True, capture_output=True, timeout=120)
    return out


def test_a_resaved_copy_is_recognised_by_its_content(demo_db: Database, tmp_path: Path) -> None:
    with demo_db.session() as s:
        info = publish(s, "grid-contacts", tmp_path / "gc.pdf")
        assert verify_pdf(s, info.path).status == "match"

        saved = pdfium_copy(info.path, tmp_path / "pdfium.pdf")
        assert saved.read_bytes() != info.path.read_bytes()
        result = verify_pdf(s, saved)
        assert result.status == RESAVED and result.ok and result.notice is not None and result.notice.id == info.id
        assert RESAVED_TEXT in result.message and info.number in result.message

        cairo = cairo_copy(info.path, tmp_path / "cairo.pdf")
        keywords, pages = read_text(cairo)
        assert "VillageDesk" not in keywords  # the metadata is gone: the footer stamp names the notice
        marker = find_marker(keywords, pages)
        assert marker.keywords is None and marker.claimed == (info.number, info.content_code)
        result = verify_pdf(s, cairo)
        assert result.status == RESAVED and RESAVED_TEXT in result.message


def test_keywords_written_with_octal_escapes_are_read(demo_db: Database, tmp_path: Path) -> None:
    """Another program may write the Keywords string as (VillageDesk\\055notice…): a byte regex missed it."""
    with demo_db.session() as s:
        info = publish(s, "grid-contacts", tmp_path / "gc.pdf")
    data = info.path.read_bytes()
    plain = f"(VillageDesk-notice:{info.number}:{info.content_code})".encode()
    assert data.count(plain) == 1
    escaped = tmp_path / "escaped.pdf"
    escaped.write_bytes(data.replace(plain, plain.replace(b"-", b"\\055")))  # PDFium mends the offsets
    assert b"VillageDesk-notice" not in escaped.read_bytes()
    keywords, pages = read_text(escaped)
    assert find_marker(keywords, pages).keywords == (info.number, info.content_code)


def test_a_changed_figure_is_found_and_named(demo_db: Database, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    with demo_db.session() as s:
        info = publish(s, "grid-contacts", tmp_path / "gc.pdf")
        notice = s.get(Notice, info.id)
        assert notice is not None
        doc = notices.archived_document(notice)
        rows = [list(r) for r in doc.rows]
        phone_at = [c.header for c in doc.columns].index("联系电话")
        old_phone = rows[2][phone_at]
        rows[2][phone_at] = old_phone[:-1] + ("1" if old_phone[-1] != "1" else "2")
        changed = forged(replace(doc, rows=rows), tmp_path / "changed.pdf", info.content_code, monkeypatch)
        for copy in (changed, cairo_copy(changed, tmp_path / "changed-cairo.pdf")):
            result = verify_pdf(s, copy)
            assert result.status == "modified" and not result.ok
            assert "内容与存档不一致：第 " in result.message and "“联系电话”" in result.message
            assert f"存档为「{old_phone}」" in result.message, result.message

        # an extra row slipped in after the first
        extra = forged(replace(doc, rows=[rows[0], list(rows[0]), *doc.rows[1:]]), tmp_path / "extra.pdf",
                       info.content_code, monkeypatch)
        result = verify_pdf(s, extra)
        assert result.status == "modified" and "内容与存档不一致" in result.message

        # the body, the contact and the date are compared too
        for change in ({"body": doc.body + "（补充）"}, {"contact_phone": "0316-0000000"},
                       {"issued_on": doc.issued_on + timedelta(days=1)}):
            other = forged(replace(doc, **change), tmp_path / "other.pdf", info.content_code, monkeypatch)  # type: ignore[arg-type]
            assert verify_pdf(s, other).status == "modified", change


def test_the_code_must_belong_to_the_notice_named(demo_db: Database, tmp_path: Path) -> None:
    with demo_db.session() as s:
        first = publish(s, "grid-contacts", tmp_path / "a.pdf")
        second = publish(s, "party-candidates", tmp_path / "b.pdf")
        notice = s.get(Notice, second.id)
        assert notice is not None
        # the second notice printed under the first's number: its 校验码 is not the first's
        posing = tmp_path / "posing.pdf"
        render_notice(replace(notices.archived_document(notice), number=first.number), posing)
        result = verify_pdf(s, posing)
        assert result.status == "modified" and result.notice is not None and result.notice.id == first.id
        assert f"存档校验码 {first.content_code}" in result.message and "不是这份公示的" in result.message

        # the Keywords changed to name the first notice, the footers still name the second
        writer = PdfWriter(clone_from=PdfReader(second.path))
        writer.add_metadata({"/Keywords": f"VillageDesk-notice:{first.number}:{first.content_code}"})
        relabelled = tmp_path / "relabelled.pdf"
        with open(relabelled, "wb") as f:
            writer.write(f)
        result = verify_pdf(s, relabelled)
        assert result.status == "modified" and "前后不一" in result.message

        # a number the archive never gave out
        render_notice(replace(notices.archived_document(notice), number="2026-9999"), tmp_path / "stray.pdf")
        assert verify_pdf(s, tmp_path / "stray.pdf").status == "unknown"


def test_old_notices_keep_their_code_definition(demo_db: Database, tmp_path: Path) -> None:
    """A notice printed before code version 2 (no code in its meta) reprints and verifies with version 1."""
    with demo_db.session() as s:
        info = publish(s, "grid-contacts", tmp_path / "gc.pdf")
        notice = s.get(Notice, info.id)
        assert notice is not None
        assert notice.meta["code_version"] == 2 and notice.meta["content_code"] == info.content_code
        notice.meta = {k: v for k, v in notice.meta.items() if k not in ("code_version", "content_code")}
        notice.pdf_sha256 = "0" * 64  # its file came from the older program
        s.flush()
        old = notices.reprint_notice(s, info.id, tmp_path / "old.pdf")
        columns = [NoticeColumn.from_json(c) for c in notice.columns]
        v1 = content_code(notice.title, notice.period_start, notice.period_end, columns, notice.rows)
        assert old.content_code == v1 == archived_code(notice) != info.content_code
        assert verify_pdf(s, old.path).status == "match"
        result = verify_pdf(s, cairo_copy(old.path, tmp_path / "old-cairo.pdf"))
        assert result.status == RESAVED, result.message
        # the new-style code does not pass for it
        assert verify_pdf(s, info.path).status == "modified"


def test_version_2_code_covers_everything_printed() -> None:
    doc = NoticeDocument(
        title="关于测试事项的公示", body="现将有关情况予以公示。", columns=[NoticeColumn("姓名", "name")],
        rows=[["王小明"]], period_start=date(2026, 11, 23), period_end=date(2026, 11, 27),
        issuer="东坟村村民委员会", issued_on=date(2026, 11, 23), number="2026-0007", contact_person="李德明",
        contact_phone="0316-8123456", objection_box="村委会大门东侧",
    )
    base = notice_code(doc, doc.rows)
    changes = {"number": "2026-0008", "body": "现将情况予以公示。", "issuer": "东坟村党总支",
               "issued_on": date(2026, 11, 24), "period_end": date(2026, 11, 28), "contact_person": "王某",
               "contact_phone": "0316-8123457", "objection_box": "村部", "objection_text": "如有异议请反映。"}
    for field, value in changes.items():
        assert notice_code(replace(doc, **{field: value}), doc.rows) != base, field  # type: ignore[arg-type]
    assert notice_code(doc, [["王小亮"]]) != base
    old = replace(doc, code_version=1)
    assert notice_code(old, doc.rows) == notice_code(replace(old, body="别的正文", contact_phone=""), doc.rows)


def test_content_difference_reads_rows_across_page_breaks(tmp_path: Path) -> None:
    rows = [["第一组" if i < 30 else "第二组", f"王小明{i}", f"东坟村一街{i}号" + "很长的地址" * (i % 3)] for i in range(70)]
    doc = NoticeDocument(
        title="关于测试事项的公示", body="现将有关情况予以公示。",
        columns=[NoticeColumn("类别", "group"), NoticeColumn("姓名", "name"), NoticeColumn("家庭住址")],
        rows=rows, period_start=date(2026, 11, 23), period_end=date(2026, 11, 27), issuer="东坟村村民委员会",
        issued_on=date(2026, 11, 23), number="2026-0007",
    )
    out = render_notice(doc, tmp_path / "long.pdf")
    assert out.pages >= 3
    _keywords, pages = read_text(out.path)
    assert content_difference(doc, pages) is None
    late = [list(r) for r in rows]
    late[55][2] = "东坟村二街1号"
    message = content_difference(replace(doc, rows=late), pages)
    assert message is not None and message.startswith("第 26 行（第二组）“家庭住址”"), message
