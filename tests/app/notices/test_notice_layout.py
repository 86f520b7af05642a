"""公示 layout after GB/T 9704-2012, measured on the PDF (pypdfium2 character boxes, tests/notice_measure.py):
天头 37 mm, 订口 28 mm, 版心 156 × 225 mm, 22 lines × 28 characters of 3号 仿宋, a balanced 2号 title,
「— N —」 page numbers, 成文日期 右空四字 under the issuer(s), and no character without a glyph."""

from __future__ import annotations

import math
from datetime import date
from pathlib import Path

import pytest

from app.io.notice_grid import balanced_lines, units, wrap
from app.io.notices import NoticeColumn, NoticeDocument, render_notice
from app.io.pdf_fonts import has_glyph, pdf_fonts
from tests.notice_measure import Line, Page, face_name, glyph_faces, pages

START = date(2026, 11, 23)
TOP, LEFT, WIDTH, HEIGHT = 37.0, 28.0, 156.0, 225.0  # the 版心 on A4, mm
RIGHT, BOTTOM = LEFT + WIDTH, TOP + HEIGHT
PITCH_X, PITCH_Y = WIDTH / 28, HEIGHT / 22
# a paragraph of Chinese text without Latin letters or digits: every full line holds exactly 28 characters
PARAGRAPH = "为进一步加强基层党组织建设，充分发挥党员先锋模范作用，推动乡村振兴各项工作落到实处" * 4


def doc(**kw: object) -> NoticeDocument:
    values: dict[str, object] = dict(
        title="关于测试事项的公示", body="\n".join([PARAGRAPH] * 8),
        columns=[NoticeColumn("姓名", "name"), NoticeColumn("家庭住址")],
        rows=[["王小明", "东坟村一街1号"], ["李喆", "东坟村二街2号"]], period_start=START, period_end=date(2026, 11, 27),
        issuer="东坟村村民委员会", issued_on=START, number="2026-0007", contact_person="李德明",
        contact_phone="13912345678",
    )
    values.update(kw)
    return NoticeDocument(**values)  # type: ignore[arg-type]


def body_lines(page: Page) -> list[Line]:
    """The lines inside the 版心 (not the page number or the stamp below it)."""
    return [line for line in page.lines() if line.top < BOTTOM]


@pytest.fixture(scope="module")
def long_notice(tmp_path_factory: pytest.TempPathFactory) -> list[Page]:
    out = render_notice(doc(), tmp_path_factory.mktemp("layout") / "long.pdf")
    return list(pages(out.path))


def test_version_margins_and_grid_on_a_full_page(long_notice: list[Page]) -> None:
    page = long_notice[1]  # all body text: the paragraphs run over from page 1
    assert round(page.width) == 210 and round(page.height) == 297
    lines = body_lines(page)
    assert len(lines) == 22  # lines per page
    assert all(c.size == 16 for line in lines for c in line.chars)  # 3号
    assert abs(lines[0].em_top - TOP) < 0.05  # the first line starts at the 天头 (37 mm) …
    assert TOP <= lines[0].top <= TOP + 1.0  # … and so does its ink
    gaps = [b.baseline - a.baseline for a, b in zip(lines, lines[1:], strict=False)]
    assert all(abs(g - PITCH_Y) < 0.02 for g in gaps)  # 225/22 mm apart
    assert max(c.bottom for c in lines[-1].ink) < BOTTOM
    filled = [line for line in lines if line.cell_right > RIGHT - 1]  # not a paragraph's last line
    assert all(RIGHT - 0.1 <= line.cell_right <= RIGHT + 0.1 for line in filled)  # the 版心 is 156 mm wide
    # a line not spread out (the 标点禁则 may carry a character down and spread the rest) holds 28
    full = [line for line in filled if all(abs(b.cell_left - a.cell_left - PITCH_X) < 0.02
                                           for a, b in zip(line.ink, line.ink[1:], strict=False))]
    assert len(full) >= 15
    for line in full:
        assert len(line.ink) == 28, line.text  # characters per line
    unindented = [line for line in lines if line.cell_left < LEFT + 1]
    assert unindented and all(abs(line.cell_left - LEFT) < 0.02 for line in unindented)  # 订口 28 mm
    indented = [line for line in lines if line.cell_left > LEFT + 1]  # a paragraph's first line: 空二字
    assert indented and all(abs(line.cell_left - (LEFT + 2 * PITCH_X)) < 0.02 for line in indented)
    # characters sit on the grid: each one 156/28 mm after the one before


def test_title_first_line_at_the_top_and_body_on_the_grid(long_notice: list[Page]) -> None:
    lines = body_lines(long_notice[0])
    title = lines[0]
    assert title.text == "关于测试事项的公示" and {c.size for c in title.chars} == {22}
    assert abs(title.em_top - TOP) < 0.05 and TOP <= title.top <= TOP + 1.0
    assert abs((title.cell_left + title.cell_right) / 2 - (LEFT + WIDTH / 2)) < 0.05  # centred
    # a blank row after the title, then the body on the grid: 1 + 1 + 20 rows on page 1
    first_body = lines[1]
    assert abs(first_body.em_top - title.em_top - 2 * PITCH_Y) < 0.02
    assert sum(1 for line in lines if {c.size for c in line.chars} == {16}) == 20


def test_page_numbers_outer_side_below_the_text_block(tmp_path: Path) -> None:
    out = render_notice(doc(rows=[["王小明", "东坟村一街1号"]] * 60), tmp_path / "n.pdf")
    measured = list(pages(out.path))
    assert len(measured) >= 3
    em = 14 / 72 * 25.4  # 4号 in mm: 一字
    for page in measured:
        below = [line for line in page.lines() if BOTTOM < line.top < BOTTOM + 12]
        assert [line.text.replace(" ", "") for line in below] == [f"—{page.number}—"]
        number = below[0]
        assert {c.size for c in number.chars} == {14}
        dash = number.ink[0]
        assert dash.ch == "—" and BOTTOM + 6.5 <= dash.top <= BOTTOM + 7.5  # 一字线 7 mm below the 版心
        if page.number % 2:  # odd: right, 空一字
            assert abs(number.cell_right - (RIGHT - em)) < 0.05
        else:  # even: left, 空一字
            assert abs(number.cell_left - (LEFT + em)) < 0.05
        assert "第" not in number.text and "共" not in number.text


@pytest.mark.parametrize("title", [
    "关于东坟村2026年度星级文明户评选结果的公示",
    "关于2026年度党员积分排名及评定结果的公示",
    "关于香河县城关镇东坟村2026年度乡风文明积分排名的公示",
    "关于中共香河县城关镇东坟村第一党支部委员会2026年度党员积分排名及评定结果的公示",
])
def test_title_lines_balanced_never_one_character(title: str, tmp_path: Path) -> None:
    out = render_notice(doc(title=title, body="现将有关情况公示如下。"), tmp_path / "t.pdf")
    first = next(pages(out.path))
    lines = [line for line in first.lines() if {c.size for c in line.chars} == {22}]
    assert "".join(line.text for line in lines) == title
    widths = [line.cell_right - line.cell_left for line in lines]
    assert len(lines) == math.ceil(sum(widths) / WIDTH)  # as few lines as fit
    for line in lines:
        assert len(line.ink) >= 2 and LEFT <= line.cell_left and line.cell_right <= RIGHT
        assert abs((line.cell_left + line.cell_right) / 2 - (LEFT + WIDTH / 2)) < 0.05
    em = 22 / 72 * 25.4
    assert max(widths) - min(widths) <= 4.5 * em  # near-equal (a word is not cut to save a character or two)
    assert not lines[-1].text.startswith("的") and lines[-1].text != "示"


def test_date_four_characters_from_the_right_issuer_centred_over_it(long_notice: list[Page]) -> None:
    last = body_lines(long_notice[-1])
    date_line = next(line for line in last if line.text == "2026年11月23日")
    issuer = next(line for line in last if line.text == "东坟村村民委员会")
    assert abs(date_line.cell_right - (RIGHT - 4 * PITCH_X)) < 0.1  # 右空四字
    date_centre = (date_line.cell_left + date_line.cell_right) / 2
    assert abs((issuer.cell_left + issuer.cell_right) / 2 - date_centre) < 0.2
    assert abs(date_line.baseline - issuer.baseline - PITCH_Y) < 0.05  # the date on the next row
    # room for the seal: three blank rows between the text and the issuer
    above = [line for line in last if line.baseline < issuer.baseline]
    assert abs(issuer.baseline - above[-1].baseline - 4 * PITCH_Y) < 0.05


def test_joint_issuers_each_with_room_for_a_seal(tmp_path: Path) -> None:
    party, committee = "中共东坟村支部委员会", "东坟村村民委员会"
    out = render_notice(doc(body="现将有关情况公示如下。", issuer=f"{party}\u3000{committee}"), tmp_path / "j.pdf")
    lines = body_lines(list(pages(out.path))[-1])
    date_line = next(line for line in lines if line.text == "2026年11月23日")
    row = [line for line in lines if abs(line.baseline - (date_line.baseline - PITCH_Y)) < 0.1]
    assert len(row) == 1  # both names on the row above the date: split them at the gap
    chars = row[0].ink
    split = max(range(1, len(chars)), key=lambda i: chars[i].left - chars[i - 1].right)
    names = ["".join(c.ch for c in chars[:split]), "".join(c.ch for c in chars[split:])]
    assert names == [party, committee]
    centres = [(chars[0].cell_left + chars[split - 1].cell_right) / 2,
               (chars[split].cell_left + chars[-1].cell_right) / 2]
    assert abs(centres[1] - (date_line.cell_left + date_line.cell_right) / 2) < 0.2  # the last one over the date
    assert centres[1] - centres[0] > 42  # two 42 mm seals side by side, not touching
    assert centres[0] - 21 >= LEFT and centres[1] + 21 <= RIGHT  # both seals inside the 版心
    assert chars[split].cell_left - chars[split - 1].cell_right >= PITCH_X - 0.1  # a character between names
    assert abs(date_line.cell_right - (RIGHT - 4 * PITCH_X)) < 0.1


def test_fonts_fangsong_body_heavy_title_and_no_missing_glyphs(tmp_path: Path) -> None:
    rare = ["王喆", "李堃", "张垚", "赵珺"]  # 喆堃垚珺 are outside GB 2312: not in every 仿宋 face
    out = render_notice(doc(rows=[[n, "东坟村一街1号"] for n in rare], body=f"{''.join(rare)}等同志。"),
                        tmp_path / "f.pdf")
    fonts = pdf_fonts()

    drawn, _ = glyph_faces(out.path, [fonts.body, fonts.title, fonts.page, *fonts.fallbacks])
    seen = {(ch, name) for ch, names in drawn.items() for name in names}
    rare_faces = {n for ch, n in seen if ch in "喆堃垚珺"}
    if has_glyph(fonts.body, "喆"):
        assert rare_faces == {face_name(fonts.body)}
    else:  # a 仿宋 face without them (FandolFang): a fallback face draws them
        assert rare_faces and rare_faces <= {face_name(f) for f in fonts.fallbacks}
    assert ("关", face_name(fonts.title)) in seen and ("等", face_name(fonts.body)) in seen
    assert ("王", face_name(fonts.body)) in seen
    if fonts.body_file.path.parent.name == "fangsong":  # the 仿宋 the program ships, where no system 仿宋
        assert fonts.body_file.path.name == "FandolFang-Regular.ttf"
        assert (fonts.body_file.path.parent / "COPYING").is_file()


def test_table_inside_the_text_block_never_below_10_5_pt(tmp_path: Path) -> None:
    cols = [NoticeColumn("姓名", "name"), NoticeColumn("身份证号", "id"), NoticeColumn("联系电话", "phone"),
            NoticeColumn("入党日期", "date"), NoticeColumn("所在支部"), NoticeColumn("备注")]
    rows = [["欧阳娜娜", "110111198001011234", "13812345678", "2020-01-01", "中共东坟村第一党支部", "无"]] * 30
    out = render_notice(doc(columns=cols, rows=rows, body="现将有关情况公示如下。"), tmp_path / "t.pdf")
    for page in pages(out.path):
        for c in page.chars:
            if c.top < BOTTOM:
                assert LEFT - 0.1 <= c.left and c.right <= RIGHT + 0.3, c
                assert TOP - 0.1 <= c.top, c
                assert c.size >= 10.5, c


def test_a3_is_a4_scaled(tmp_path: Path) -> None:
    out = render_notice(doc(paper="A3"), tmp_path / "a3.pdf")
    page = list(pages(out.path))[1]
    k = math.sqrt(2)
    lines = [line for line in page.lines() if line.top < BOTTOM * k]
    assert len(lines) == 22 and all(abs(line.size - 16 * k) < 0.01 for line in lines)
    assert abs(lines[0].em_top - TOP * k) < 0.05 and abs(min(line.cell_left for line in lines) - LEFT * k) < 0.05
    assert max(len(line.ink) for line in lines) == 28  # 28 a line, as on A4
    assert all(abs(line.cell_right - RIGHT * k) < 0.15 for line in lines if line.cell_right > (RIGHT - 1) * k)


def test_line_breaking_rules() -> None:
    def measure(s: str) -> float:
        return sum(1.0 if not ch.isascii() else 0.5 for ch in s)

    assert units("共2026年度13812345678号") == ["共", "2026年", "度", "13812345678号"]
    lines = wrap("一二三四五六七八九，十一二三四五六七八九。", measure, 9.0)
    assert all(not line.startswith(("，", "。")) for line in lines)
    assert "".join(lines) == "一二三四五六七八九，十一二三四五六七八九。"
    assert all(measure(line) <= 9.0 for line in lines)
    assert not any(line.endswith("（") for line in wrap("一二三四五六七八（九十）", measure, 9.0))
    assert balanced_lines("关于某村某项工作结果的公示", measure, 20, 1) == ["关于某村某项工作结果的公示"]
    two = balanced_lines("关于东坟村2026年度星级文明户评选结果的公示", measure, 12, 1)
    assert two == ["关于东坟村2026年度", "星级文明户评选结果的公示"]


def test_the_closing_moves_to_a_new_page_whole(tmp_path: Path) -> None:
    """Wherever the page ends, the 公示期, the objection sentence, the contact line and the issuer with the date
    stay on one page: never a contact line alone over the issuer on a page of its own."""
    spilled = 0
    for n in range(8, 20):
        out = render_notice(doc(body="\n".join(["第一行正文"] * n)), tmp_path / f"n{n}.pdf")
        measured = [body_lines(p) for p in pages(out.path)]
        last = [line.text for line in measured[-1]]
        assert "东坟村村民委员会" in last
        assert any(t.startswith("公示期") for t in last), (n, last)
        assert any(t.startswith("公示期间，如有异议") for t in last) and any(t.startswith("联系人") for t in last)
        spilled += len(measured) > 1
    assert spilled, "some body length should push the closing onto page 2"
