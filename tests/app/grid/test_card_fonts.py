"""便民服务卡 fonts: a name outside GB 2312 (堃, 喆 …: not in the shipped 仿宋) prints in a face that has it,
never as an empty box; nothing on the sheet is smaller than 8 pt. Measured from the PDF with pypdfium2."""

from __future__ import annotations

from pathlib import Path

from app.io.card_pdf import SMALL, _fit
from app.io.cards import ServiceCard, render_cards
from app.io.pdf_fonts import has_glyph, pdf_fonts
from tests.notice_measure import face_name, glyph_faces

RARE = "堃喆珺赟犇昇䶮垚"  # outside GB 2312; FandolFang lacks them, the fallback faces have most


def test_rare_characters_drawn_with_a_glyph_and_nothing_below_8pt(tmp_path: Path) -> None:
    fonts = pdf_fonts()
    faces = [fonts.body, fonts.title, fonts.page, *fonts.fallbacks]
    drawable = "".join(ch for ch in RARE if any(has_glyph(f, ch) for f in faces))
    assert drawable  # some face on the machine has them (the fallback CJK font)
    card = ServiceCard(
        village=f"城关街道{drawable[:2]}村", grid_name=f"第一网格{drawable[2:3]}", area_name="",
        holder=f"户号 0001 · 户主 王{drawable}", staff=(("网格长", f"李{drawable[:2]}", "13800138000"),
                                                     ("网格员", f"张{drawable[2:4]}", "13900139000")),
        hotline="010-61234567")
    out = render_cards([card] * 3, tmp_path / "cards.pdf", qr=True)
    seen, smallest = glyph_faces(out.path, faces)
    assert set(drawable) <= set(seen)  # every rare character is on the sheet
    lacking = [ch for ch in drawable if not has_glyph(fonts.body, ch)]
    if lacking:  # the shipped 仿宋 (FandolFang): those come from a fallback face
        assert all(seen[ch] <= {face_name(f) for f in fonts.fallbacks} for ch in lacking)
    assert face_name(fonts.body) in seen["户"] and face_name(fonts.title) in seen["便"]
    assert smallest >= SMALL >= 8  # the household line, slogan and footer were 7.5 / 7 pt


def test_fit_measures_fallback_characters_as_drawn() -> None:
    """A name cut to the card's 14 mm column is measured in the faces that draw it."""
    fonts = pdf_fonts()
    name = "欧阳" + "堃" * 6
    fitted = _fit(name, fonts.body, 9, 40, fonts.fallbacks)
    assert fitted.endswith("…") and 2 < len(fitted) < len(name)
    assert _fit("王堃", fonts.body, 9, 40, fonts.fallbacks) == "王堃"
