"""Problems found in content: one type that carries file, line, column, field and a hint.

Every stage collects problems instead of raising on the first, so an author sees all
of them in one run; `ContentError` carries the whole list when any is an error.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Problem:
    """One finding about one place in the content; `severity` is "error" or "warning"."""

    file: str
    message: str
    line: int | None = None
    column: int | None = None
    field: str | None = None
    hint: str | None = None
    severity: str = "error"

    def __str__(self) -> str:
        where = self.file
        if self.line is not None:
            where += f":{self.line}"
            if self.column is not None:
                where += f":{self.column}"
        field = f" {self.field}:" if self.field else ""
        hint = f" (hint: {self.hint})" if self.hint else ""
        return f"{where}: {self.severity}:{field} {self.message}{hint}"


class ContentError(Exception):
    """The content cannot be published: carries every problem of the run."""

    def __init__(self, problems: list[Problem]):
        self.problems = problems
        errors = [p for p in problems if p.severity == "error"]
        super().__init__(f"{len(errors)} error(s) in content:\n" + "\n".join(f"  {p}" for p in errors))


class EntryError(ValueError):
    """A candidate record (a .bib entry, an API's answer) that cannot become a record; `field`
    names the culprit."""

    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.field = field
