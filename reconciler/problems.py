"""A problem found in the config: anchored to a file and a field, never carrying a secret value."""

from __future__ import annotations

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
