"""Who is acting, and in which request: carried in context variables so that every write — web, API,
CLI or background job — is attributed. A write with no actor is a programming error (MissingActorError).
"""

from __future__ import annotations

import contextvars
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from steward.accounts.models import User


class MissingActorError(RuntimeError):
    """Raised when application code writes an audited record without saying who acts."""


@dataclass(frozen=True)
class Actor:
    """A user (through the UI, the API or a token) or a named system actor (CLI, worker, migration)."""

    label: str
    kind: str  # "user", "token" or "system"
    user: User | None = None
    token_prefix: str = ""

    @classmethod
    def for_user(cls, user: Any, *, token: Any = None) -> Actor:
        if token is not None:
            return cls(label=user.email, kind="token", user=user, token_prefix=token.prefix)
        return cls(label=user.email, kind="user", user=user)

    @classmethod
    def system(cls, name: str) -> Actor:
        if not name:
            raise ValueError("a system actor needs a name")
        return cls(label=f"system:{name}", kind="system")

    @property
    def is_system(self) -> bool:
        return self.kind == "system"


_actor: contextvars.ContextVar[Actor | None] = contextvars.ContextVar("steward_actor", default=None)
_request_id: contextvars.ContextVar[str] = contextvars.ContextVar("steward_request_id", default="")


def current_actor() -> Actor | None:
    return _actor.get()


def require_actor() -> Actor:
    actor = _actor.get()
    if actor is None:
        raise MissingActorError(
            "An audited record was written with no actor. Wrap the write in "
            "steward.audit.context.acting_as(Actor...) or call a service function with by=."
        )
    return actor


def current_request_id() -> str:
    return _request_id.get()


@contextmanager
def acting_as(actor: Actor, *, request_id: str | None = None) -> Iterator[Actor]:
    if not isinstance(actor, Actor):
        raise TypeError(f"acting_as() needs an Actor, got {type(actor).__name__}")
    token = _actor.set(actor)
    rid_token = _request_id.set(request_id or _request_id.get() or uuid.uuid4().hex)
    try:
        yield actor
    finally:
        _actor.reset(token)
        _request_id.reset(rid_token)
