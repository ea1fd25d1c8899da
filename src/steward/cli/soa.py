"""``steward soa``: the Statement of Applicability (ISO/IEC 42001 6.1.3) from the command line.

Django is imported inside each command, never at module import.
"""

from __future__ import annotations

from pathlib import Path

import click

from steward.cli.commands import BadArgument, get_organisation, require_database, setup_django

FORMATS = ("xlsx", "pdf", "csv", "oscal")


@click.group()
def soa() -> None:
    """Statement of Applicability (ISO/IEC 42001 6.1.3): list versions and export them."""


@soa.command("list")
@click.option("--org", "org_name", required=True, help="Organisation name (or slug).")
def soa_list(org_name: str) -> None:
    """One version per line: version, status, key, title (and who approved it, when)."""
    setup_django()
    require_database()
    from steward.soa.models import StatementOfApplicability

    organisation = get_organisation(org_name)
    versions = (
        StatementOfApplicability.objects.filter(organisation=organisation)
        .select_related("approved_by")
        .order_by("version")
    )
    for soa_version in versions:
        line = f"v{soa_version.version}\t{soa_version.status}\t{soa_version.key}\t{soa_version.title}"
        if soa_version.approved_at is not None and soa_version.approved_by is not None:
            line += f"\tapproved by {soa_version.approved_by.email} on {soa_version.approved_at:%Y-%m-%d}"
        click.echo(line)


@soa.command("export")
@click.option("--org", "org_name", required=True, help="Organisation name (or slug).")
@click.option("--format", "fmt", required=True, type=click.Choice(FORMATS), help="File format.")
@click.option(
    "--version",
    "version",
    type=click.IntRange(min=1),
    help="Version number (default: the latest approved version, else the latest).",
)
@click.option("--out", required=True, type=click.Path(dir_okay=False, path_type=Path), help="File to write.")
def soa_export(org_name: str, fmt: str, version: int | None, out: Path) -> None:
    """Write one version of the SoA as XLSX, PDF, CSV or OSCAL JSON; prints the file's path."""
    setup_django()
    require_database()
    from steward.soa.exports import EXPORTERS, SoAExportError
    from steward.soa.services import build_document, latest_for_export

    organisation = get_organisation(org_name)
    chosen = latest_for_export(organisation, version)
    if chosen is None:
        if version is None:
            raise BadArgument(f"{organisation.name} has no Statement of Applicability yet")
        raise BadArgument(f"{organisation.name} has no Statement of Applicability version {version}")
    render, _content_type, _extension = EXPORTERS[fmt]
    try:
        data = render(build_document(chosen))
    except SoAExportError as exc:
        raise click.ClickException(f"cannot export v{chosen.version} as {fmt}: {exc}") from exc
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_bytes(data)
    except OSError as exc:
        raise BadArgument(f"cannot write {out}: {exc.strerror or exc}") from exc
    click.echo(str(out))
