"""编辑申报 (dlg_star_edit_application): the claimed stars, 自报/推荐, 推荐人 and 事迹 of one application,
while the round is at 农户申报 or 两会审核 (the service refuses other steps and says which it allows).

A star already reviewed keeps its review; unticking it is refused beside the stars (change its review to
不通过 instead), so the dialog shows which ones are reviewed.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtWidgets import QCheckBox, QHBoxLayout, QWidget

from app.services.context import AppContext
from app.services.stars import applications
from app.services.stars.applications import ApplicationRow
from app.services.stars.rounds import CategoryInfo

from ..common.form import FormDialog, select_combo_data


class EditApplicationDialog(FormDialog):
    def __init__(self, ctx: AppContext, application_id: int, categories: list[CategoryInfo],
                 parent: QWidget | None = None) -> None:
        super().__init__("dlg_star_edit_application", self.tr("编辑申报"), parent)
        self.ctx, self.application_id = ctx, application_id
        app: ApplicationRow = ctx.call(applications.get_application, application_id)  # as saved now
        self.application = app
        self.add_section(f"{app.household_number}  {app.head_name}  {app.address}")
        box = QWidget(self)
        row = QHBoxLayout(box)
        row.setContentsMargins(0, 0, 0, 0)
        self.checks: dict[int, QCheckBox] = {}
        shown = {c.id: c.name for c in categories}
        for item in app.items:  # a claimed star whose category was stopped since stays listed
            shown.setdefault(item.category_id, item.category)
        for cid, name in shown.items():
            item = app.item_for(cid)
            reviewed = item is not None and item.decision != "pending"
            check = QCheckBox(name + (self.tr("（已审核：{0}）").format(item.decision_label) if reviewed and item else ""),
                              box)
            check.setObjectName(f"chk_edit_star_{cid}")
            check.setChecked(item is not None)
            row.addWidget(check)
            self.checks[cid] = check
        row.addStretch(1)
        self.add_field("categories", self.tr("申报星类"), box, required=True)
        self.combo_source = self.add_combo("source", self.tr("申报方式"), [(self.tr("自报"), "自报"),
                                                                        (self.tr("群众推荐"), "推荐")])
        select_combo_data(self.combo_source, app.source)
        self.edit_recommender = self.add_line("recommender", self.tr("推荐人"), max_length=40)
        self.edit_recommender.setText(app.recommender)
        self.edit_evidence = self.add_text("evidence", self.tr("事迹/证明材料"))
        self.edit_evidence.setPlainText(app.evidence)

    def values(self) -> dict[str, Any]:
        return {"category_ids": [cid for cid, c in self.checks.items() if c.isChecked()],
                "source": self.combo_source.currentData(), "recommender": self.edit_recommender.text(),
                "evidence": self.edit_evidence.toPlainText()}

    def save(self, values: dict[str, Any]) -> None:
        self.ctx.call(applications.update_application, self.application_id, **values)
