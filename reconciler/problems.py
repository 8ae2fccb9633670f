"""A problem found in the config: anchored to a file and a field, never carrying a secret value."""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Iterable
from dataclasses import dataclass

ERROR = "error"
WARNING = "warning"
UNSET = "unset"  # a keyword without a value: an error for plan/apply, a note for validate
NOTE = "note"


@dataclass(frozen=True)
class Problem:
    path: str  # the file the problem is in (or the config path / variable name)
    field: str  # "triggerId", "secrets.API_KEY", "script", "(file)", ...
    message: str
    severity: str = ERROR

    def __str__(self) -> str:
        prefix = f"{self.severity}: " if self.severity in (WARNING, NOTE) else ""
        return f"{self.path}: {prefix}{self.field}: {self.message}"

    @property
    def is_error(self) -> bool:
        return self.severity in (ERROR, UNSET)


def error(path: object, field: str, message: str) -> Problem:
    return Problem(str(path), field, message, ERROR)


def warning(path: object, field: str, message: str) -> Problem:
    return Problem(str(path), field, message, WARNING)


def unset(path: object, field: str, message: str) -> Problem:
    return Problem(str(path), field, message, UNSET)


def soften(problems: Iterable[Problem]) -> list[Problem]:
    """Keywords without a value as notes (``reconciler validate`` checks without values)."""
    return [dataclasses.replace(p, severity=NOTE) if p.severity == UNSET else p for p in problems]


_KEYWORD = re.compile(r"unresolved keyword (?:##|@@)(\w+)(?:##|@@)")


class Findings:
    """What a report of ``problems`` says about them (mixed into the validation reports)."""

    problems: tuple[Problem, ...]

    @property
    def errors(self) -> tuple[Problem, ...]:
        return tuple(p for p in self.problems if p.is_error)

    @property
    def warnings(self) -> tuple[Problem, ...]:
        return tuple(p for p in self.problems if p.severity == WARNING)

    @property
    def notes(self) -> tuple[Problem, ...]:
        return tuple(p for p in self.problems if p.severity == NOTE)

    @property
    def unset_keywords(self) -> tuple[str, ...]:
        """Keywords without a value (notes with ``offline``), as written."""
        found = (_KEYWORD.search(p.message) for p in self.problems if p.severity in (UNSET, NOTE))
        return tuple(sorted({m.group(1) for m in found if m}))

    def ok(self, strict: bool = False) -> bool:
        return not self.errors and not (strict and self.warnings)
