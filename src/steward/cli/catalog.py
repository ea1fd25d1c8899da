"""``steward catalog``: list, load and export the framework catalog (global reference data).

Serves ISO/IEC 42001 6.1.3 (the Annex A reference set a Statement of Applicability is built from) and 7.5
(documented information other tools can read: OSCAL catalogs). Data goes to stdout or the ``--out`` file;
progress and summaries go to stderr. A malformed file exits 2 with one line naming the file, the line or
node and the reason, and nothing of it is written.
"""

from __future__ import annotations

import json
from pathlib import Path

import click

from steward.cli.commands import BadArgument, require_database, setup_django


@click.group()
def catalog() -> None:
    """Frameworks, taxonomies and crosswalks (ISO/IEC 42001, NIST AI RMF, EU AI Act, ISO/IEC 27001…)."""


@catalog.command("list")
def catalog_list() -> None:
    """Print one framework or taxonomy per line: identifier, version and title, separated by tabs."""
    setup_django()
    require_database()
    from steward.catalog.models import Framework

    for identifier, version, title in Framework.objects.order_by("kind", "identifier").values_list(
        "identifier", "version", "title"
    ):
        click.echo(f"{identifier}\t{version}\t{title}")


@catalog.command("load")
@click.argument("file", required=False, type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option(
    "--identifier",
    default=None,
    help="Identifier for a framework imported from OSCAL or CISO Assistant (default: from the file).",
)
def catalog_load(file: Path | None, identifier: str | None) -> None:
    """Load or upgrade the bundled catalog, or one FILE.

    FILE may be a Steward catalog file (YAML, or JSON as written by `catalog export --format json`), an
    OSCAL catalog (.json) or a CISO Assistant framework library (.yaml). Loading is idempotent; a newer
    version upgrades the framework in place, matching nodes by id, so organisations keep their assessments.
    """
    setup_django()
    require_database()
    from steward.catalog import services
    from steward.catalog.schema import CatalogError

    if identifier is not None and file is None:
        raise BadArgument("--identifier needs a FILE to import")
    try:
        if file is None:
            report = services.load_bundled()
        else:
            report = services.load_catalog_file(file, identifier=identifier)
    except CatalogError as exc:
        raise BadArgument(" ".join(str(exc).split())) from exc
    click.echo(report.summary(), err=True)
    for label, ids in (("new", report.created), ("upgraded", report.upgraded)):
        for identifier in ids:
            click.echo(f"  {label}: {identifier}", err=True)


@catalog.command("export")
@click.argument("identifier")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["oscal", "json"]),
    required=True,
    help="OSCAL catalog or Steward JSON.",
)
@click.option(
    "--out",
    "out",
    type=click.Path(dir_okay=False, path_type=Path),
    required=True,
    help="File to write; - for stdout.",
)
def catalog_export(identifier: str, fmt: str, out: Path) -> None:
    """Export the framework IDENTIFIER as an OSCAL catalog or as Steward's own JSON."""
    setup_django()
    require_database()
    from steward.catalog import services
    from steward.catalog.models import Framework
    from steward.catalog.schema import CatalogError

    framework = Framework.objects.filter(identifier=identifier).first()
    if framework is None:
        raise BadArgument(f"no framework {identifier!r} in the catalog (see `steward catalog list`)")
    try:
        document = services.export_framework(framework, fmt)
    except CatalogError as exc:
        raise click.ClickException(" ".join(str(exc).split())) from exc
    text = json.dumps(document, indent=2, ensure_ascii=False) + "\n"
    if str(out) == "-":
        click.echo(text, nl=False)
        return
    try:
        out.write_text(text, encoding="utf-8")
    except OSError as exc:
        raise BadArgument(f"cannot write {out}: {exc.strerror}") from exc
    click.echo(f"Wrote {framework.identifier} {framework.version} as {fmt} to {out}", err=True)
