"""Issue 20's small things: buttons that act on a selected row wait for one; saves in 设置 say so."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt

from app.services.context import AppContext


def _go(window: Any, name: str) -> Any:
    for i in range(window.nav.count()):
        if window.nav.item(i).data(Qt.ItemDataRole.UserRole) == name:
            window.nav.setCurrentRow(i)
    return window.pages[name]


def test_row_buttons_wait_for_a_selection(qtbot: Any, window: Any, demo_ctx: AppContext) -> None:
    import ui.points.detail_dialog as dd

    settings = _go(window, "page_settings")
    rules = settings.findChild(object, "group_point_rules")
    assert rules.model.total > 0 and not rules.btn_edit.isEnabled()  # was: 修改规则 opened 「新增」
    rules.table_rules.select_row(0)
    assert rules.btn_edit.isEnabled()
    rules.combo_scope.setCurrentIndex(1)  # the list reloads: nothing is selected any more
    assert not rules.btn_edit.isEnabled()

    assert settings.operators_model.total > 0 and not settings.btn_edit_operator.isEnabled()
    settings.table_operators.select_row(0)
    assert settings.btn_edit_operator.isEnabled()
    settings.refresh()  # the admin's refresh re-enables the others, not this one without a row
    assert not settings.btn_edit_operator.isEnabled()

    page = _go(window, "page_points")
    page.spin_year.setValue(2026)
    row = page.current()
    dialog = dd.MemberPointsDialog(demo_ctx, row.member_id, row.name, 2026, page)
    qtbot.addWidget(dialog)
    assert not dialog.btn_void.isEnabled() and not dialog.btn_correct.isEnabled()
    entries = dialog.model.rows
    dialog.table.select_row(next(i for i, e in enumerate(entries) if not e.voided))
    assert dialog.btn_void.isEnabled() and dialog.btn_correct.isEnabled()

    households = _go(window, "page_household_points")
    assert not households.btn_void.isEnabled() and not households.btn_correct.isEnabled()
    households.table_ranking.select_row(0)
    assert households.history_model.total > 0
    households.table_history.select_row(0)
    assert households.btn_void.isEnabled() and households.btn_correct.isEnabled()


def test_saves_in_settings_say_so_in_the_status_bar(qtbot: Any, window: Any) -> None:
    settings = _go(window, "page_settings")
    status = window.statusBar()
    status.clearMessage()
    qtbot.mouseClick(settings.btn_save_login, Qt.MouseButton.LeftButton)
    assert "已保存登录设置" in status.currentMessage()

    status.clearMessage()
    rules = settings.findChild(object, "group_point_rules")
    qtbot.mouseClick(rules.btn_save_bands, Qt.MouseButton.LeftButton)
    assert "已保存评定档次" in status.currentMessage()

    status.clearMessage()
    qtbot.mouseClick(settings.unit_box.btn_save, Qt.MouseButton.LeftButton)
    assert "已保存本村信息" in status.currentMessage()


def test_an_empty_map_says_where_to_start(qtbot: Any, db: Any) -> None:
    from app.models import Unit
    from app.services.grid import grids
    from ui.main_window import MainWindow

    with db.session() as s:
        s.add(Unit(name="新村", kind="村", township="城关街道", county="房山区"))
    ctx = AppContext(db)
    window = MainWindow(ctx)
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    page = window.show_page("page_grid")
    hint = page.view.hint
    assert hint.isVisible() and "导入底图" in hint.text() and "新建网格" in hint.text()
    # the names it gives are the buttons' own
    assert page.btn_picture.text() == "导入底图" and page.btn_new_grid.text() == "新建网格"
    assert page.view.viewport().rect().contains(hint.geometry())

    ctx.call(grids.create_grid, ctx.unit_id, grids.GridInput(code="01", name="第一网格"))
    page.refresh()
    assert hint.isVisible() and "画边界" in hint.text() and page.btn_draw.text() == "画边界"
    ctx.call(grids.create_grid, ctx.unit_id, grids.GridInput(
        code="02", name="第二网格", polygon=[(0, 0), (100, 0), (100, 100)]))
    page.refresh()
    assert not hint.isVisible()


def test_the_demo_map_has_no_start_hint(window: Any) -> None:
    page = window.show_page("page_grid")
    assert page.data.grids and not page.view.hint.isVisible()


def test_grid_names_sit_above_markers_and_lines_on_a_plate(window: Any) -> None:
    from PySide6.QtGui import QColor, QImage, QPainter
    from PySide6.QtWidgets import QStyleOptionGraphicsItem

    page = window.show_page("page_grid")
    for box in (page.chk_markers, page.chk_tags, page.chk_links):
        box.setChecked(True)  # every layer on
    scene = page.scene
    labels = [g.label for g in scene.grids.values() if g.label.isVisible()]
    assert labels and scene.markers and scene.links_item is not None and scene.links_item.isVisible()
    below = max([m.zValue() for m in scene.markers.values()] + [scene.links_item.zValue()])
    assert all(label.zValue() > below for label in labels)
    # drawn over black, the margin around the name is its pale plate: lines and markers behind it do not show through
    label = labels[0]
    rect = label.boundingRect()
    image = QImage(int(rect.width()) + 2, int(rect.height()) + 2, QImage.Format.Format_ARGB32)
    image.fill(QColor("black"))
    painter = QPainter(image)
    painter.translate(-rect.left(), -rect.top())
    label.paint(painter, QStyleOptionGraphicsItem(), None)
    painter.end()
    edge = QColor(image.pixel(image.width() // 2, 1))  # the plate's margin above the middle of the text
    assert edge.lightness() > 150


def test_the_resident_form_shows_every_problem_at_once(qtbot: Any, demo_ctx: AppContext) -> None:
    from app.services.people import residents
    from ui.people.dialogs import ResidentDialog

    dialog = ResidentDialog(demo_ctx, demo_ctx.unit_id)
    qtbot.addWidget(dialog)
    person = dialog.person
    person.name.setText("")
    person.id_number.setText("110101199001011234")  # wrong check digit
    person.phone.setText("12345")
    dialog.fields["birth_date"].setText("1990-13-45")  # the form's own check refuses this one
    qtbot.mouseClick(dialog.btn_save, Qt.MouseButton.LeftButton)
    shown = {name for name, label in dialog.errors.items() if label.isVisibleTo(dialog)}
    assert {"name", "id_number", "phone", "birth_date"} <= shown
    assert dialog.result() != dialog.DialogCode.Accepted

    person.name.setText("赵新民")
    person.id_number.setText("")
    person.phone.setText("13800001111")
    dialog.fields["birth_date"].setText("1990-05-04")
    qtbot.mouseClick(dialog.btn_save, Qt.MouseButton.LeftButton)
    assert dialog.result() == dialog.DialogCode.Accepted
    saved = demo_ctx.call(residents.resident_input, dialog.result_value)
    assert saved.name == "赵新民" and saved.phone == "13800001111"
