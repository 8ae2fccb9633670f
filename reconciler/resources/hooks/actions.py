"""The hook operations (a step's ``operation``), one Management API request each."""

from __future__ import annotations

from enum import StrEnum


class Action(StrEnum):
    CREATE = "create"
    UPDATE = "update"
    ENABLE = "enable"
    DISABLE = "disable"
    DELETE = "delete"
    SECRETS_ADD = "secrets-add"
    SECRETS_UPDATE = "secrets-update"
    SECRETS_DELETE = "secrets-delete"


TOGGLE_ACTIONS = (Action.ENABLE, Action.DISABLE)
