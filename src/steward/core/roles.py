"""The fixed set of organisation roles and what each may do — the one place this is decided.

| Role        | view | add                         | change                     | delete | approve |
|-------------|------|-----------------------------|----------------------------|--------|---------|
| admin       | all  | all                         | all (incl. members, settings) | all | yes     |
| manager     | all  | all governance records      | all governance records     | all    | yes     |
| contributor | all  | governance records          | only records they own/created | no  | no      |
| auditor     | all  | audit findings, journal notes only | own audit findings, own journal notes | no | no |
| viewer      | all  | no                          | no                         | no     | no      |

Members and organisation settings are admin-only. Evidence and history are never writable by auditors.
"""

from __future__ import annotations

from django.db import models


class Role(models.TextChoices):
    ADMIN = "admin", "Admin"
    MANAGER = "manager", "Manager"
    CONTRIBUTOR = "contributor", "Contributor"
    AUDITOR = "auditor", "Auditor"
    VIEWER = "viewer", "Viewer"


class Action(models.TextChoices):
    VIEW = "view", "View"
    ADD = "add", "Add"
    CHANGE = "change", "Change"
    DELETE = "delete", "Delete"
    APPROVE = "approve", "Approve"


ALL_ROLES = frozenset(Role.values)


class Scope(models.TextChoices):
    """Which family of records a model belongs to; decides which roles may write it."""

    GOVERNANCE = "governance", "Governance record"
    AUDIT = "audit", "Audit record (findings, journal notes)"
    ADMINISTRATION = "administration", "Organisation administration"


# For each scope and action: (roles allowed on every record, roles allowed only on records they own).
_MATRIX: dict[str, dict[str, tuple[frozenset[str], frozenset[str]]]] = {
    Scope.GOVERNANCE: {
        Action.VIEW: (ALL_ROLES, frozenset()),
        Action.ADD: (frozenset({Role.ADMIN, Role.MANAGER, Role.CONTRIBUTOR}), frozenset()),
        Action.CHANGE: (frozenset({Role.ADMIN, Role.MANAGER}), frozenset({Role.CONTRIBUTOR})),
        Action.DELETE: (frozenset({Role.ADMIN, Role.MANAGER}), frozenset()),
        Action.APPROVE: (frozenset({Role.ADMIN, Role.MANAGER}), frozenset()),
    },
    Scope.AUDIT: {
        Action.VIEW: (ALL_ROLES, frozenset()),
        Action.ADD: (frozenset({Role.ADMIN, Role.MANAGER, Role.AUDITOR}), frozenset()),
        Action.CHANGE: (frozenset({Role.ADMIN, Role.MANAGER}), frozenset({Role.AUDITOR})),
        Action.DELETE: (frozenset({Role.ADMIN}), frozenset()),
        Action.APPROVE: (frozenset({Role.ADMIN, Role.MANAGER}), frozenset()),
    },
    Scope.ADMINISTRATION: {
        Action.VIEW: (ALL_ROLES, frozenset()),
        Action.ADD: (frozenset({Role.ADMIN}), frozenset()),
        Action.CHANGE: (frozenset({Role.ADMIN}), frozenset()),
        Action.DELETE: (frozenset({Role.ADMIN}), frozenset()),
        Action.APPROVE: (frozenset({Role.ADMIN}), frozenset()),
    },
}


def roles_for(scope: str, action: str) -> tuple[frozenset[str], frozenset[str]]:
    """Return (roles allowed on all records, roles allowed only on their own records)."""
    try:
        return _MATRIX[scope][action]
    except KeyError as exc:
        raise ValueError(f"unknown scope/action {scope!r}/{action!r}") from exc


def role_may(role: str | None, scope: str, action: str, *, owns: bool = False) -> bool:
    if role is None:
        return False
    full, own = roles_for(scope, action)
    return role in full or (owns and role in own)
