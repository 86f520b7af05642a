"""pack_lines: a long list in a ledger cell breaks between items, each line within the width."""

from __future__ import annotations

from app.text import display_width, pack_lines


def test_lines_break_between_items_within_the_width() -> None:
    items = [f"{n:04d} 史秀英" for n in range(1, 12)]  # 11 cells wide each
    text = pack_lines(items, 40)
    lines = text.split("\n")
    assert [len(line.split("、")) for line in lines] == [3, 3, 3, 2]  # 3 × 11 + 2 × 2 = 37; a 4th would be 50
    assert all(display_width(line) <= 40 for line in lines)
    assert text.replace("\n", "、").split("、") == items  # nothing lost, order kept


def test_short_lists_stay_on_one_line_and_a_long_item_gets_its_own() -> None:
    assert pack_lines(["张三", "李四"], 40) == "张三、李四"
    assert pack_lines([], 40) == ""
    wide = "城关街道东坟村党群服务中心志愿服务队"  # 36 cells
    assert pack_lines(["张三", wide, "李四"], 20) == f"张三\n{wide}\n李四"
    assert pack_lines(["a", "b", "c"], 3, sep="/") == "a/b\nc"
