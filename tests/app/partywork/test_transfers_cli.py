"""`villagedesk transfer-letter` for a member still on the roster (refused, or 转出 with --to) and one already
转出 (the same letter again); `export transfers`; a 网格员 may neither print the letter nor see the ledger."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import openpyxl
import pypdfium2 as pdfium
import pytest
from sqlalchemy import select

from app.cli import main as cli_main
from app.db import Database
from app.demo.ids import make_id_number
from app.models import PartyMember
from app.models.partywork import TransferLetter
from app.services import audit
from app.services.context import AppContext
from app.services.errors import PermissionDenied
from app.services.org import members
from app.services.org.member_checks import MemberInput
from app.services.org.tree import OrgInput, create_org
from app.services.partywork import transfers
from app.services.partywork.transfers import OutInput
from app.services.setup import founding

from ..roles import make_staff

IDN = make_id_number("110111", date(1980, 2, 2), 21)


def _text(path: Path) -> str:
    pdf = pdfium.PdfDocument(str(path))
    try:
        return "".join(p.get_textpage().get_text_range() for p in pdf).replace("\r", "").replace("\n", "")
    finally:
        pdf.close()


def test_transfer_letter_command_both_cases(db: Database, db_path: Path, tmp_path: Path,
                                            capsys: pytest.CaptureFixture[str]) -> None:
    with db.session() as s:
        vid = founding.create_unit(s, "东坟村", "城关街道", "房山区")
        org = create_org(s, vid, OrgInput("中共东坟村支部委员会", "党支部"))
        members.add_member(s, vid, MemberInput("刘洋", IDN, org_id=org, joined_on=date(2010, 7, 1),
                                               confirmed_on=date(2011, 7, 1)))
        members.add_member(s, vid, MemberInput("何静", make_id_number("110111", date(1982, 3, 3), 22), org_id=org,
                                               joined_on=date(2010, 7, 1), confirmed_on=date(2011, 7, 1)))
    db.dispose()
    base = ["--db", str(db_path)]
    pdf = tmp_path / "介绍信.pdf"
    # on the roster, no --to: refused, nothing changed, no file
    assert cli_main([*base, "transfer-letter", "--member", IDN, "-o", str(pdf)]) == 1
    assert "请先" in capsys.readouterr().err and not pdf.exists()
    # with --to: 转出 today and the letter issued
    assert cli_main([*base, "transfer-letter", "--member", IDN, "-o", str(pdf), "--to", "中共良乡镇某村支部委员会",
                     "--days", "15"]) == 0
    out = capsys.readouterr().out
    no = f"{date.today().year}001"
    assert f"第 {no} 号" in out and "已办理转出" in out
    assert IDN in _text(pdf) and "有效期十五天" in _text(pdf)
    # already 转出: the same letter again, same number
    again = tmp_path / "补打.pdf"
    assert cli_main([*base, "transfer-letter", "--member", IDN, "-o", str(again)]) == 0
    assert "已重新打印" in capsys.readouterr().out and f"第 {no} 号" in _text(again)
    # changing 去 of an issued letter is 作废 and 重开 in the window
    assert cli_main([*base, "transfer-letter", "--member", IDN, "-o", str(again), "--to", "别处"]) == 1
    assert "作废后重开" in capsys.readouterr().err
    # a number nobody has
    assert cli_main([*base, "transfer-letter", "--member", "110111199001010000", "-o", str(again)]) == 1
    with db.session() as s:
        assert s.scalar(select(PartyMember.left_kind).where(PartyMember.left_letter_no == no)) == "转出"
        assert len(s.scalars(select(TransferLetter)).all()) == 1
    db.dispose()
    sheet = tmp_path / "台账.xlsx"
    assert cli_main([*base, "export", "transfers", "-o", str(sheet)]) == 0
    ws = openpyxl.load_workbook(sheet).active
    cells = [c for row in ws.iter_rows(values_only=True) for c in row if c is not None]
    assert "组织关系转接台账" in "".join(str(c) for c in cells) and "刘洋" in cells and no in cells and "待回执" in cells


def test_grid_staff_may_not_print_the_letter(ctx: AppContext, tmp_path: Path) -> None:
    staff = make_staff(ctx)
    mid = ctx.call(lambda s: s.scalar(select(PartyMember.id).where(PartyMember.left_on.is_(None),
                                                                   PartyMember.stage == "正式党员").limit(1)))
    lid = ctx.call(transfers.transfer_out, mid, OutInput("某党支部", date.today()))
    token = audit.current_operator_id.set(staff["grid"])
    try:
        with pytest.raises(PermissionDenied, match="无权"):
            ctx.call(transfers.print_letter, lid, tmp_path / "x.pdf")
        with pytest.raises(PermissionDenied):
            ctx.call(transfers.transfer_out, mid, OutInput("某党支部", date.today()))
        with pytest.raises(PermissionDenied):
            ctx.call(transfers.record_receipt, lid, date.today())
    finally:
        audit.current_operator_id.reset(token)
    assert not (tmp_path / "x.pdf").exists()
    token = audit.current_operator_id.set(staff["clerk"])
    try:
        assert ctx.call(transfers.print_letter, lid, tmp_path / "y.pdf").exists()
    finally:
        audit.current_operator_id.reset(token)
