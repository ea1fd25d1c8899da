"""The ``steward`` command line.

Start-up stays cheap: Django is set up only inside commands that need it, so ``steward evaluate`` (the
measurement engine) runs without importing Django at all.
"""

from __future__ import annotations

import importlib
import importlib.util
from typing import Any

import click

from steward import __version__

# name -> "module:attribute"; imported on first use.
LAZY_COMMANDS = {
    "init": "steward.cli.commands:init",
    "serve": "steward.cli.commands:serve",
    "worker": "steward.cli.commands:worker",
    "demo": "steward.cli.commands:demo",
    "org": "steward.cli.commands:org",
    "user": "steward.cli.commands:user",
    "token": "steward.cli.commands:token",
    "audit": "steward.cli.commands:audit",
    "check": "steward.cli.commands:check",
    "evaluate": "steward.measure.cli:evaluate",
    "catalog": "steward.cli.catalog:catalog",
    "soa": "steward.cli.soa:soa",
}


class LazyGroup(click.Group):
    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted({*super().list_commands(ctx), *self._available()})

    def _available(self) -> list[str]:
        names = []
        for name, target in LAZY_COMMANDS.items():
            module = target.split(":")[0]
            if importlib.util.find_spec(module) is not None:
                names.append(name)
        return names

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        target = LAZY_COMMANDS.get(cmd_name)
        if target is None:
            return super().get_command(ctx, cmd_name)
        module_name, attr = target.split(":")
        try:
            module = importlib.import_module(module_name)
        except ModuleNotFoundError as exc:
            if exc.name == module_name:
                return None
            raise
        command: Any = getattr(module, attr)
        return command


@click.group(
    cls=LazyGroup, context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100}
)
@click.version_option(__version__, prog_name="steward")
def main() -> None:
    """Steward — an ISO/IEC 42001 AI management system.

    Configuration comes from STEWARD_* environment variables: STEWARD_DATA_DIR (where the embedded
    SQLite database, secret key and media live), STEWARD_DATABASE_URL (e.g. postgresql://…),
    STEWARD_SECRET_KEY, STEWARD_DEBUG, STEWARD_ALLOWED_HOSTS, STEWARD_MEDIA_ROOT.
    """
