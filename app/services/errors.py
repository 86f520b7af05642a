"""The errors services raise. Every message is Chinese and fit to show to a user as it is."""

from __future__ import annotations

from dataclasses import dataclass


class ServiceError(Exception):
    """A problem the user can understand and fix; str(e) is the Chinese message."""


class NotFound(ServiceError):
    pass


class PermissionDenied(ServiceError):
    pass


@dataclass(frozen=True)
class FieldProblem:
    field: str  # identifier of the field ("id_number"), so a dialog can show it beside the widget
    label: str  # its Chinese name ("身份证号")
    message: str  # what is wrong, in Chinese
    row: int | None = None  # for imports: the row in the file

    def __str__(self) -> str:
        where = f"第 {self.row} 行，" if self.row is not None else ""
        return f"{where}{self.label}：{self.message}"


class ValidationError(ServiceError):
    """Every problem found in one input, so the user sees them all at once."""

    def __init__(self, problems: list[FieldProblem]):
        self.problems = list(problems)
        super().__init__("\n".join(str(p) for p in self.problems))

    def for_field(self, field: str) -> list[str]:
        return [p.message for p in self.problems if p.field == field]
