"""The personal fields every person dialog shares (居民, 党员 …): build, fill and read them once."""

from __future__ import annotations

from typing import Any, Protocol

from PySide6.QtWidgets import QComboBox, QLineEdit

from app.services.errors import FieldProblem
from app.services.people.residents import EDUCATIONS, GENDERS

from .form import DateText, FormDialog, select_combo_data


class PersonData(Protocol):
    name: str
    id_number: str
    gender: str | None
    birth_date: Any
    ethnicity: str
    phone: str
    education: str


class PersonFields:
    """姓名, 身份证号, 性别, 出生日期, 民族, 联系电话, 学历 on a FormDialog (field names = service fields)."""

    def __init__(self, form: FormDialog, id_required: bool = False, id_tooltip: str = "") -> None:
        tr = form.tr
        self.form = form
        self.name: QLineEdit = form.add_line("name", tr("姓名"), required=True, max_length=40)
        self.id_number: QLineEdit = form.add_line(
            "id_number", tr("身份证号"), required=id_required, placeholder=tr("18位，最后一位可能是 X")
        )
        self.id_number.setMaxLength(24)  # room for spaces a user pastes; the service strips them
        if id_tooltip:
            self.id_number.setToolTip(id_tooltip)
        self.gender: QComboBox = form.add_combo("gender", tr("性别"), list(GENDERS), blank=tr("（按身份证号）"))
        self.birth: DateText = form.add_date("birth_date", tr("出生日期"))
        self.birth.setPlaceholderText(tr("空着则按身份证号"))
        self.ethnicity: QLineEdit = form.add_line("ethnicity", tr("民族"), max_length=20)
        self.ethnicity.setText("汉族")
        self.phone: QLineEdit = form.add_line("phone", tr("联系电话"), placeholder=tr("手机号或带区号的固定电话"))
        self.education: QComboBox = form.add_combo("education", tr("学历"), list(EDUCATIONS), blank="")

    def load(self, data: PersonData) -> None:
        self.name.setText(data.name)
        self.id_number.setText(data.id_number)
        select_combo_data(self.gender, data.gender)
        self.birth.set_date(data.birth_date)
        self.ethnicity.setText(data.ethnicity)
        self.phone.setText(data.phone)
        select_combo_data(self.education, data.education or None)

    def values(self, problems: list[FieldProblem]) -> dict[str, Any]:
        """The fields as service input; a date that cannot be read is added to problems."""
        return {
            "name": self.name.text(),
            "id_number": self.id_number.text(),
            "gender": self.gender.currentData(),
            "birth_date": self.form.date_value("birth_date", problems),
            "ethnicity": self.ethnicity.text(),
            "phone": self.phone.text(),
            "education": self.education.currentData() or "",
        }
