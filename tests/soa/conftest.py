"""Shared SoA fixtures: actors per persona, an implemented control, a helper deciding every control."""

from __future__ import annotations

from typing import Any

import pytest

from steward.audit.context import Actor
from steward.core.services import create_object
from steward.implementation.models import Control
from steward.soa import services
from steward.soa.models import StatementOfApplicability


@pytest.fixture
def actors(personas: dict[str, Any]) -> dict[str, Actor]:
    return {name: Actor.for_user(p.user) for name, p in personas.items()}


@pytest.fixture
def control(personas: Any, actors: Any) -> Control:
    return create_object(
        Control,
        organisation_id=personas["manager"].organisation.pk,
        data={"title": "Model validation procedure", "status": "implemented"},
        by=actors["manager"],
    )


def complete(soa: StatementOfApplicability, control: Control, by: Actor, exclude: str = "A.10.4") -> None:
    """Decide every control: all applicable and implemented by ``control``, except one justified exclusion."""
    for entry in soa.entries.select_related("node"):
        if entry.control_id == exclude:
            services.update_entry(
                entry, {"applicable": False, "justification_exclusion": "No customer organisations."}, by=by
            )
        else:
            services.update_entry(
                entry,
                {
                    "applicable": True,
                    "justification_inclusion": "Needed to treat our AI risks.",
                    "implementing_controls": [control],
                    "implementation_status": "implemented",
                },
                by=by,
            )
