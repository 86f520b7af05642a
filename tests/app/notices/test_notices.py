"""公示 PDFs: masking, text, embedded fonts, pages, archive, objections, verify, CLI."""

from __future__ import annotations

import re
from datetime import date, timedelta
from pathlib import Path

import pytest
from pypdf import PdfReader
from reportlab.lib.enums import TA_CENTER
from reportlab.lib.styles import ParagraphStyle
from reportlab.platypus import Paragraph
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.cli import main
from app.db import Database
from app.io.masking import mask_id_number, mask_name, mask_phone
from app.io.notice_pdf import plain_cell_text, widest_texts
from app.io.notices import NoticeColumn, NoticeDocument, cn_date, public_rows, render_notice
from app.io.pdf_fonts import pdf_fonts
from app.models import GridPost, Notice, Resident
from app.services.errors import ValidationError
from app.services.notices import archive as notices
from app.services.notices.verify import verify_pdf
from app.services.settings import set_setting
from app.services.units import current_unit_id, get_unit

START = date(2026, 11, 23)


def pdf_text(path: Path) -> list[str]:
    """Text of each page with all whitespace removed (wrapped cells split words across lines)."""
    return ["".join(page.extract_text().split()) for page in PdfReader(path).pages]


def demo_unit(s: Session) -> int:
    unit_id = current_unit_id(s)
    assert unit_id is not None
    return unit_id


# ---------------------------------------------------------------- masking


def test_masking() -> None:
    assert mask_id_number("110111198001011234") == "110111********1234"
    assert mask_id_number("11010519491231002X") == "110105********002X"
    assert mask_id_number(mask_id_number("110111198001011234")) == "110111********1234"  # idempotent
    assert mask_phone("13812345678") == "138****5678"
    assert mask_phone("0351-1234567") == "0351-***4567"
    assert mask_phone("010-62345678") == "010-****5678"
    assert mask_phone("") == ""
    assert mask_name("张三") == "张*" and mask_name("张小明") == "张**" and mask_name("欧阳修") == "欧阳*"


def test_engine_masks_whatever_the_caller_passes() -> None:
    cols = [NoticeColumn("姓名", "name_sensitive"), NoticeColumn("身份证号", "id"), NoticeColumn("电话", "phone"),
            NoticeColumn("公开电话", "phone_public")]
    rows = public_rows(cols, [["张小明", "110111198001011234", "13812345678", "13912345678"]])
    assert rows == [["张**", "110111********1234", "138****5678", "13912345678"]]


# ---------------------------------------------------------------- the engine


def document(n: int, **kw: object) -> NoticeDocument:
    cols = [NoticeColumn("类别", "group"), NoticeColumn("姓名", "name"), NoticeColumn("身份证号", "id"),
            NoticeColumn("联系电话", "phone"), NoticeColumn("家庭住址")]
    rows = [["第一组" if i < n // 2 else "第二组", f"王{'小明' * (1 + i % 3)}{i}", "110111198001011234",
             "13812345678", "东坟村一街" + "很长的地址" * (i % 4) + f"{i}号"] for i in range(n)]
    values: dict[str, object] = dict(
        title="关于测试事项的公示", body="现将有关情况予以公示。", columns=cols, rows=rows, period_start=START,
        period_end=date(2026, 11, 27), issuer="东坟村村民委员会", issued_on=START, number="2026-0007",
        contact_person="李德明", contact_phone="13912345678", objection_box="村委会大门东侧",
    )
    values.update(kw)
    return NoticeDocument(**values)  # type: ignore[arg-type]


def test_text_fonts_and_masks(tmp_path: Path) -> None:
    doc = document(12)
    out = render_notice(doc, tmp_path / "n.pdf")
    pages = pdf_text(out.path)
    text = "".join(pages)
    assert "关于测试事项的公示" in text
    assert cn_date(START) in text and "2026年11月27日" in text
    for row in doc.rows:
        assert str(row[1]) in text
    assert "110111********1234" in text and "138****5678" in text
    assert "110111198001011234" not in text and "13812345678" not in text
    assert "13912345678" in text  # the office's own contact number is public
    assert "—1—" in pages[0] and f"校验码{out.content_code}" in pages[0]  # GB/T 9704 page number
    reader = PdfReader(out.path)
    fonts = {}
    for page in reader.pages:
        for f in page["/Resources"]["/Font"].values():
            f = f.get_object()
            fonts[str(f["/BaseFont"])] = f
    assert fonts
    for name, f in fonts.items():
        assert re.match(r"^/[A-Z]{6}\+", name), name  # subset
        assert "/FontFile2" in f["/FontDescriptor"].get_object()  # embedded TrueType outlines


def test_pages_grow_and_header_repeats(tmp_path: Path) -> None:
    small = render_notice(document(6), tmp_path / "small.pdf")
    big = render_notice(document(160), tmp_path / "big.pdf")
    assert big.pages > small.pages >= 1
    pages = pdf_text(big.path)
    assert len(pages) == big.pages
    for number, page in enumerate(pages, 1):
        assert f"—{number}—" in page
        if "王" in page:  # every page holding rows shows the column header
            assert "身份证号" in page and "联系电话" in page


def test_same_input_same_bytes(tmp_path: Path) -> None:
    a = render_notice(document(20), tmp_path / "a.pdf")
    b = render_notice(document(20), tmp_path / "b.pdf")
    assert a.sha256 == b.sha256
    assert render_notice(document(20, title="另一个标题"), tmp_path / "c.pdf").sha256 != a.sha256


def test_a3(tmp_path: Path) -> None:
    out = render_notice(document(10, paper="A3"), tmp_path / "a3.pdf")
    box = PdfReader(out.path).pages[0].mediabox
    assert round(float(box.width)) == 842 and round(float(box.height)) == 1191


def paragraph_lines(text: str, font: str, size: float, room: float) -> list[str]:
    """The lines of a centred CJK Paragraph `room` points wide: what a table cell used to be."""
    style = ParagraphStyle("t", fontName=font, fontSize=size, leading=size * 1.3, alignment=TA_CENTER,
                           wordWrap="CJK")
    para = Paragraph(text.replace("&", "&amp;").replace("<", "&lt;"), style)
    para.wrap(room, 10_000)
    return [" ".join(words) for _extra, words in para.blPara.lines]


@pytest.mark.parametrize("text", ["第1村党支部", "中共香河县城关镇第一村党支部委员会", "东坟村一街25号", "（退休），党员；",
                                  "勤劳敬业星、孝老爱亲星，团结友善星", "Abc1234567890123456789", "John Smith Jr"])
def test_plain_cells_break_where_a_paragraph_did(text: str) -> None:
    font = pdf_fonts().body
    for room in (30.0, 45.0, 60.0, 200.0):
        plain = plain_cell_text(text, font, 12, room)
        if plain is not None:  # None: left to a Paragraph (a Latin break that drops a space)
            assert plain.split("\n") == paragraph_lines(text, font, 12, room), room
    assert plain_cell_text(text, font, 12, 500.0) == text  # fits: one line, as typed


def test_what_plain_cells_leave_to_a_paragraph() -> None:
    font = pdf_fonts().body
    assert plain_cell_text("第一行\n第二行", font, 12, 500.0) is None  # an explicit line break
    assert plain_cell_text("a  b c d e f g h", font, 12, 30.0) is None  # wraps: a Paragraph folds spaces
    assert plain_cell_text("a  b", font, 12, 500.0) == "a  b"  # one line keeps them
    assert plain_cell_text("John Smith Jr", font, 12, 30.0) is None  # the split strips a space
    assert plain_cell_text("A&B<C>D" * 3, font, 12, 30.0) is None  # escaped: a Paragraph of several fragments


def test_widest_texts() -> None:
    font = pdf_fonts().body
    assert widest_texts([["a", "中文"], ["中文字", "bb"]], 2, font) == ["中文字", "中文"]
    assert widest_texts([], 2, font) == ["", ""]


def test_long_values_wrap_inside_their_cells(tmp_path: Path) -> None:
    long_branch = "中共香河县城关镇第一村党支部委员会第二党小组"
    cols = [NoticeColumn("姓名", "name"), NoticeColumn("所在支部"), NoticeColumn("身份证号", "id"),
            NoticeColumn("联系电话", "phone"), NoticeColumn("入党日期", "date"), NoticeColumn("备注")]
    rows = [["欧阳娜娜·买买提江", long_branch, "110111198001011234", "13812345678", "2020-01-01", "（退休），党员；"]] * 3
    out = render_notice(document(3, columns=cols, rows=rows), tmp_path / "wrap.pdf")
    text = PdfReader(out.path).pages[0].extract_text()
    assert long_branch not in text  # broken over lines inside the cell …
    assert long_branch in "".join(text.split())  # … with nothing lost
    assert "欧阳娜娜·买买提江" in "".join(text.split())


# ---------------------------------------------------------------- the archive on the demo village


def test_party_candidates(demo_db: Database, tmp_path: Path) -> None:
    out = tmp_path / "发展党员公示.pdf"
    with demo_db.session() as s:
        unit_id = demo_unit(s)
        info = notices.publish_notice(s, unit_id, "party-candidates", out, start=START, issued_on=START)
        columns, rows = notices.notice_table(s, info.id)
        ids = set(s.scalars(select(Resident.id_number).where(Resident.id_number.isnot(None))))
        phones = set(s.scalars(select(Resident.phone).where(Resident.phone != "")))
        contact = get_unit(s, unit_id).contact_phone
    assert info.rows == len(rows) >= 3
    text = "".join(pdf_text(out))
    assert info.title in text and "2026年11月23日至2026年11月27日" in text
    assert {r[0] for r in rows} >= {"拟接收为预备党员"}
    for row in rows:
        assert row[1] in text
    assert not any(number in text for number in ids)
    assert not any(phone in text for phone in phones - {contact})
    assert f"公示编号{info.number}" in text


def test_grid_contacts_phones_follow_the_setting(demo_db: Database, tmp_path: Path) -> None:
    with demo_db.session() as s:
        unit_id = demo_unit(s)
        staff = set(s.scalars(select(GridPost.phone).where(GridPost.phone != "")))
        contact = get_unit(s, unit_id).contact_phone
        shown = notices.publish_notice(s, unit_id, "grid-contacts", tmp_path / "shown.pdf", start=START)
        set_setting(s, unit_id, notices.GRID_PHONES_MASKED, True, "网格员电话打码")
        masked = notices.publish_notice(s, unit_id, "grid-contacts", tmp_path / "masked.pdf", start=START)
    text = "".join(pdf_text(shown.path))
    assert staff and all(p in text for p in staff)  # published on purpose by default
    text = "".join(pdf_text(masked.path))
    assert not any(p in text for p in staff - {contact})
    assert re.search(r"1\d\d\*\*\*\*\d{4}", text)
    assert masked.pages >= 2


def test_archive_list_objections_and_verify(demo_db: Database, tmp_path: Path) -> None:
    out = tmp_path / "gc.pdf"
    start = date.today() - timedelta(days=3)  # objections cannot be dated in the future
    day = timedelta(days=1)
    with demo_db.session() as s:
        unit_id = demo_unit(s)
        info = notices.publish_notice(s, unit_id, "grid-contacts", out, start=start, days=5, issued_on=start)
        oid = notices.add_objection(s, info.id, start, "李某", "电话号码有误", subject="第一网格")
        notices.add_objection(s, info.id, start + day, "", "匿名意见")
        with pytest.raises(ValidationError):
            notices.add_objection(s, info.id, start, "", "")
        with pytest.raises(ValidationError):
            notices.add_objection(s, info.id, start - day, "", "早于发布日期")
        notices.resolve_objection(s, oid, "已核实更正", start + 2 * day)
        # the demo may hold notices of its own (e.g. a star round's): look at this one
        def mine(today: date) -> list[notices.NoticeRow]:
            return [r for r in notices.list_notices(s, unit_id, today=today, kind="grid-contacts") if r.id == info.id]

        rows = mine(start + 2 * day)
        assert [(r.id, r.status, r.objections, r.open_objections) for r in rows] == [(info.id, "公示中", 2, 1)]
        assert rows[0].path == out.resolve() and rows[0].kind_label == "网格员联系方式公示"
        assert mine(start + 5 * day)[0].status == "已结束"
        assert mine(start - day)[0].status == "未开始"
        assert notices.list_objections(s, info.id)[0].resolution == "已核实更正"

        result = verify_pdf(s, out)
        assert result.ok and result.notice is not None and result.notice.id == info.id

        again = tmp_path / "again.pdf"
        assert notices.reprint_notice(s, info.id, again).sha256 == info.sha256  # same bytes from the archive

        # a later program version may draw the same rows with other bytes: its reprint still verifies
        stored = s.get(Notice, info.id)
        stored.pdf_sha256 = "0" * 64  # as if the first file had come from an older renderer
        s.flush()
        assert verify_pdf(s, again).status == "resaved"  # same content, bytes the archive does not know
        notices.reprint_notice(s, info.id, tmp_path / "reprint.pdf")
        result = verify_pdf(s, tmp_path / "reprint.pdf")
        assert result.status == "match" and "重新生成" in result.message
        assert verify_pdf(s, again).status == "match"  # the same bytes as that reprint
        stored.pdf_sha256 = info.sha256
        s.flush()

        tampered = tmp_path / "tampered.pdf"
        data = bytearray(out.read_bytes())
        # a byte of what the first page draws (not of the embedded font, whose change keeps the text)
        contents = PdfReader(out).pages[0]["/Contents"]
        stream = (contents[0] if isinstance(contents, list) else contents).get_object()
        at = bytes(data).find(stream._data)
        assert at > 0
        data[at + len(stream._data) // 2] ^= 0x01
        tampered.write_bytes(bytes(data))
        result = verify_pdf(s, tampered)
        assert result.status == "modified" and result.notice is not None and result.notice.id == info.id
        assert "不一致" in result.message

        other = tmp_path / "other.pdf"
        render_notice(document(3, number=""), other)
        assert verify_pdf(s, other).status == "unknown"


def test_cli_notice_and_export(demo_db_path: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    db = ["--db", str(demo_db_path)]
    pdf = tmp_path / "公示.pdf"
    assert main([*db, "notice", "party-candidates", "-o", str(pdf), "--paper", "A3", "--start", "2026-11-23"]) == 0
    out = capsys.readouterr().out
    assert "已生成公示" in out and "公示期：2026年11月23日至2026年11月27日（5个工作日）" in out  # the kind's rule
    assert main([*db, "notice", "verify", str(pdf)]) == 0
    assert "一致" in capsys.readouterr().out
    stray = tmp_path / "stray.pdf"
    stray.write_bytes(b"%PDF-1.4 not ours")
    assert main([*db, "notice", "verify", str(stray)]) == 1
    assert "没有与该文件一致的公示" in capsys.readouterr().out
    xlsx = tmp_path / "台账.xlsx"
    assert main([*db, "export", "members", "grid-posts", "-o", str(xlsx), "--year", "2026"]) == 0
    assert "党员花名册、网格员信息表" in capsys.readouterr().out and xlsx.exists()
    with pytest.raises(SystemExit) as exc:
        main([*db, "notice", "verify"])
    assert exc.value.code == 2
    with pytest.raises(SystemExit) as exc:
        main([*db, "notice", "party-candidates"])
    assert exc.value.code == 2


def test_cli_without_a_unit(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--db", str(tmp_path / "e.sqlite"), "export", "members", "-o", str(tmp_path / "x.xlsx")]) == 1
    assert "还没有本村" in capsys.readouterr().err
