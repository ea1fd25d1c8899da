"""Operator commands. Django is imported inside each command, never at module import."""

from __future__ import annotations

import contextlib
import getpass
import os
import sys
from typing import Any

import click


class BadArgument(click.ClickException):
    """Bad input: exit code 2 with a one-line reason."""

    exit_code = 2


def setup_django() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "steward.settings")
    import django

    django.setup()


def cli_actor() -> Any:
    from steward.audit.context import Actor

    try:
        who = getpass.getuser()
    except Exception:  # no login name in some containers
        who = "unknown"
    return Actor.system(f"cli ({who})")


def pending_migrations() -> int:
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    executor = MigrationExecutor(connection)
    return len(executor.migration_plan(executor.loader.graph.leaf_nodes()))


def migrate(verbose: bool = True) -> None:
    from django.core.management import call_command

    n = pending_migrations()
    if n:
        if verbose:
            click.echo(f"Applying {n} database migrations…", err=True)
        call_command("migrate", interactive=False, verbosity=0)
    load_reference_data(verbose)


def load_reference_data(verbose: bool = True) -> None:
    """Each app may ship reference data (standards, taxonomies) loaded idempotently at init/upgrade."""
    from django.apps import apps

    for config in apps.get_app_configs():
        loader = getattr(config, "load_reference_data", None)
        if loader is not None:
            loader(verbose=verbose)


def get_organisation(name: str) -> Any:
    from steward.organisations.models import Organisation

    org = Organisation.objects.filter(name=name).first() or Organisation.objects.filter(slug=name).first()
    if org is None:
        raise BadArgument(f"no organisation named {name!r} (see `steward org list`)")
    return org


def get_user(email: str) -> Any:
    from django.contrib.auth import get_user_model

    user = get_user_model().objects.filter(email__iexact=email.strip()).first()
    if user is None:
        raise BadArgument(f"no user with e-mail {email!r}")
    return user


def validation_message(exc: Any) -> str:
    return "; ".join(getattr(exc, "messages", None) or [str(exc)])


def require_database() -> None:
    from django.db import connection
    from django.db.utils import OperationalError

    try:
        connection.ensure_connection()
    except OperationalError as exc:
        raise click.ClickException(f"cannot connect to the database: {exc}".splitlines()[0]) from exc
    if pending_migrations():
        raise click.ClickException("the database is not initialised or not up to date: run `steward init`")


# ---------------------------------------------------------------------------------------------- init
@click.command()
@click.option("--no-input", is_flag=True, help="Never prompt; take values from options or environment.")
@click.option("--org", envvar="STEWARD_ORG", help="Name of the first organisation.")
@click.option("--admin-email", envvar="STEWARD_ADMIN_EMAIL", help="E-mail of the first administrator.")
@click.option(
    "--admin-password", envvar="STEWARD_ADMIN_PASSWORD", help="Password of the first administrator."
)
def init(no_input: bool, org: str | None, admin_email: str | None, admin_password: str | None) -> None:
    """Create or upgrade the database, load reference data, create the first organisation and admin.

    Safe to run again: it only applies new migrations and reference data, and creates the organisation
    and administrator only when they do not exist yet.
    """
    setup_django()
    from django.core.exceptions import ValidationError
    from django.db import transaction

    from steward.core.roles import Role
    from steward.organisations import services
    from steward.organisations.models import Organisation

    migrate()
    if not no_input:
        if org is None and not Organisation.objects.exists():
            org = click.prompt("Name of your organisation")
        if org and admin_email is None:
            admin_email = click.prompt("Administrator e-mail")
        if admin_email and admin_password is None:
            admin_password = click.prompt("Administrator password", hide_input=True, confirmation_prompt=True)
    if (admin_email or admin_password) and not org:
        raise BadArgument("--admin-email and --admin-password need --org")
    if org and not (admin_email and admin_password) and not Organisation.objects.filter(name=org).exists():
        raise BadArgument("a new organisation needs --admin-email and --admin-password")
    if not org:
        click.echo("Database ready.")
        return
    actor = cli_actor()
    from django.contrib.auth import get_user_model

    try:
        with transaction.atomic():
            organisation = Organisation.objects.filter(name=org).first()
            if organisation is None:
                organisation = services.create_organisation(org, by=actor)
                click.echo(f"Created organisation {organisation.name}.")
            if admin_email:
                user = get_user_model().objects.filter(email__iexact=admin_email).first()
                if user is None:
                    user = services.create_user(admin_email, admin_password or "")
                    click.echo(f"Created administrator {user.email}.")
                services.add_member(organisation, user, Role.ADMIN, by=actor)
    except ValidationError as exc:
        raise BadArgument(validation_message(exc)) from exc
    click.echo("Steward is ready. Start it with: steward serve")


# --------------------------------------------------------------------------------------------- serve
@click.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="Interface to listen on.")
@click.option("--port", default=8000, show_default=True, type=click.IntRange(1, 65535))
@click.option("--threads", default=8, show_default=True, type=click.IntRange(1, 64))
@click.option("--no-worker", is_flag=True, help="Do not run the background worker in this process.")
def serve(host: str, port: int, threads: int, no_worker: bool) -> None:
    """Serve Steward with the waitress WSGI server (static files included) and a background worker."""
    setup_django()
    require_database()
    run_server(host, port, threads, worker=not no_worker)


def run_server(host: str, port: int, threads: int, worker: bool = True) -> None:
    from waitress import serve as waitress_serve

    from steward.wsgi import application

    if worker:
        from steward.jobs.queue import start_worker_thread

        start_worker_thread()
    click.echo(f"Steward is running at http://{host}:{port}/  (Ctrl+C to stop)", err=True)
    waitress_serve(application, host=host, port=port, threads=threads, ident="steward")


@click.command()
@click.option("--poll", default=1.0, show_default=True, help="Seconds between polls when idle.")
@click.option("--once", is_flag=True, help="Run the queued jobs, then exit.")
def worker(poll: float, once: bool) -> None:
    """Run background jobs from the database queue."""
    setup_django()
    require_database()
    from steward.jobs.queue import run_pending, work_forever

    if once:
        click.echo(f"Ran {run_pending()} job(s).")
        return
    click.echo("Worker started (Ctrl+C to stop).", err=True)
    with contextlib.suppress(KeyboardInterrupt):
        work_forever(poll)


# ---------------------------------------------------------------------------------------------- demo
@click.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8000, show_default=True, type=click.IntRange(1, 65535))
@click.option("--no-serve", is_flag=True, help="Build the demo database and exit.")
@click.option("--force", is_flag=True, help="Replace a database that holds non-demo organisations.")
def demo(host: str, port: int, no_serve: bool, force: bool) -> None:
    """Build a fresh demo database with a fictional organisation, then serve it."""
    setup_django()
    from steward.dashboard.demo import DEMO_PASSWORD, build_demo, reset_database

    reset_database(force=force, fail=BadArgument)
    migrate(verbose=True)
    org, users = build_demo(progress=lambda label: click.echo(f"  {label}", err=True))
    click.echo(f"Demo organisation {org.name!r} is ready.")
    click.echo(f"Sign in as {users['admin']} with password {DEMO_PASSWORD}")
    click.echo("Other demo users (same password): " + ", ".join(v for k, v in users.items() if k != "admin"))
    if no_serve:
        return
    click.echo(f"Open http://{host}:{port}/")
    run_server(host, port, 8)


# ----------------------------------------------------------------------------------------------- org
@click.group()
def org() -> None:
    """Manage organisations."""


@org.command("create")
@click.argument("name")
def org_create(name: str) -> None:
    """Create an organisation NAME."""
    setup_django()
    require_database()
    from django.core.exceptions import ValidationError

    from steward.organisations.services import create_organisation

    try:
        organisation = create_organisation(name, by=cli_actor())
    except ValidationError as exc:
        raise BadArgument(validation_message(exc)) from exc
    click.echo(organisation.name)


@org.command("list")
def org_list() -> None:
    """Print one organisation name per line."""
    setup_django()
    require_database()
    from steward.organisations.models import Organisation

    for name in Organisation.objects.order_by("name").values_list("name", flat=True):
        click.echo(name)


# ---------------------------------------------------------------------------------------------- user
@click.group()
def user() -> None:
    """Manage users."""


@user.command("create")
@click.option("--email", required=True)
@click.option("--password", required=True)
@click.option("--org", "org_name", required=True, help="Organisation the user joins.")
@click.option(
    "--role",
    required=True,
    type=click.Choice(["admin", "manager", "contributor", "auditor", "viewer"]),
    help="Role in that organisation.",
)
@click.option("--name", "full_name", default="", help="Full name.")
def user_create(email: str, password: str, org_name: str, role: str, full_name: str) -> None:
    """Create a user (or add an existing one) as ROLE in an organisation."""
    setup_django()
    require_database()
    from django.contrib.auth import get_user_model
    from django.core.exceptions import ValidationError
    from django.db import transaction

    from steward.organisations.services import add_member, create_user

    organisation = get_organisation(org_name)
    try:
        with transaction.atomic():
            account = get_user_model().objects.filter(email__iexact=email).first()
            if account is None:
                account = create_user(email, password, full_name=full_name)
            add_member(organisation, account, role, by=cli_actor())
    except ValidationError as exc:
        raise BadArgument(validation_message(exc)) from exc
    click.echo(f"{account.email} is {role} in {organisation.name}")


# --------------------------------------------------------------------------------------------- token
@click.group()
def token() -> None:
    """Manage API tokens."""


@token.command("create")
@click.option("--user", "email", required=True, help="E-mail of the user the token acts as.")
@click.option("--org", "org_name", required=True, help="Organisation the token is bound to.")
@click.option("--read-only", is_flag=True, help="Only allow reading.")
@click.option("--expires", type=int, default=None, help="Days until the token expires.")
@click.option("--name", default="", help="A label for the token.")
def token_create(email: str, org_name: str, read_only: bool, expires: int | None, name: str) -> None:
    """Create a token and print it (only the token, shown this once)."""
    setup_django()
    require_database()
    from django.core.exceptions import ValidationError

    from steward.organisations.services import create_token

    organisation = get_organisation(org_name)
    account = get_user(email)
    try:
        _, raw = create_token(
            user=account,
            organisation=organisation,
            by=cli_actor(),
            name=name,
            read_only=read_only,
            expires_in_days=expires,
        )
    except ValidationError as exc:
        raise BadArgument(validation_message(exc)) from exc
    click.echo(raw)


@token.command("revoke")
@click.argument("prefix")
def token_revoke(prefix: str) -> None:
    """Revoke the token whose printed prefix (first 12 characters) is PREFIX."""
    setup_django()
    require_database()
    from django.core.exceptions import ValidationError

    from steward.organisations.models import ApiToken
    from steward.organisations.services import revoke_token

    found = ApiToken.objects.filter(prefix=prefix[:12]).first()
    if found is None:
        raise BadArgument(f"no token with prefix {prefix[:12]!r}")
    try:
        revoke_token(found, by=cli_actor())
    except ValidationError as exc:
        raise BadArgument(validation_message(exc)) from exc
    click.echo(f"Revoked {found.prefix}…")


# --------------------------------------------------------------------------------------------- audit
@click.group()
def audit() -> None:
    """Inspect the audit trail."""


@audit.command("verify")
@click.option("--org", "org_name", default=None, help="Only this organisation (default: all).")
def audit_verify(org_name: str | None) -> None:
    """Recompute every hash chain. Exit 0 when intact, 1 with the first broken record."""
    setup_django()
    require_database()
    from steward.audit.chain import verify
    from steward.audit.models import ChangeRecord
    from steward.organisations.models import Organisation

    orgs = [get_organisation(org_name)] if org_name else list(Organisation.objects.order_by("name"))
    broken = False
    for organisation in orgs:
        total = ChangeRecord.objects.filter(organisation=organisation).count()
        with click.progressbar(
            length=total, label=f"Verifying {organisation.name}", file=sys.stderr, show_pos=True
        ) as bar:
            report = verify(organisation, progress=bar.update)
        click.echo(report.describe())
        broken = broken or not report.ok
    sys.exit(1 if broken else 0)


# --------------------------------------------------------------------------------------------- check
@click.command()
def check() -> None:
    """Check configuration: database, migrations, secret key, data directory, hosts."""
    setup_django()
    from django.conf import settings
    from django.db import connection
    from django.db.utils import OperationalError

    from steward import config

    problems = 0

    def line(status: str, text: str) -> None:
        nonlocal problems
        problems += status == "FAIL"
        click.echo(f"[{status}] {text}")

    engine = settings.DATABASES["default"]["ENGINE"].rsplit(".", 1)[-1]
    line("OK", f"data directory: {config.data_dir()}")
    try:
        connection.ensure_connection()
        line("OK", f"database reachable ({engine})")
        n = pending_migrations()
        line(
            "OK" if n == 0 else "FAIL",
            "migrations applied" if n == 0 else f"{n} migrations pending: run init",
        )
        if engine == "sqlite3":
            with connection.cursor() as cursor:
                cursor.execute("PRAGMA journal_mode")
                mode = cursor.fetchone()[0]
            line("OK" if mode == "wal" else "WARN", f"SQLite journal mode {mode}")
    except OperationalError as exc:
        line("FAIL", f"database unreachable: {str(exc).splitlines()[0]}")
    key_source = "STEWARD_SECRET_KEY" if os.environ.get("STEWARD_SECRET_KEY") else "the data directory"
    line("OK" if len(settings.SECRET_KEY) >= 40 else "FAIL", f"secret key from {key_source}")
    line(
        "WARN" if settings.DEBUG else "OK", f"debug {'on — never in production' if settings.DEBUG else 'off'}"
    )
    line("OK", f"allowed hosts: {', '.join(settings.ALLOWED_HOSTS)}")
    media = settings.MEDIA_ROOT
    try:
        os.makedirs(media, exist_ok=True)
        writable = os.access(media, os.W_OK)
    except OSError:
        writable = False
    line(
        "OK" if writable else "FAIL", f"media directory {'writable' if writable else 'not writable'}: {media}"
    )
    sys.exit(1 if problems else 0)
