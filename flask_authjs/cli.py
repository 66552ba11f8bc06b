"""``flask authjs ...``: secrets, users and configuration checks from the command line."""

from __future__ import annotations

import secrets

import click
from flask import current_app
from flask.cli import AppGroup

from .adapters import DuplicateEmail, StoreUnavailable
from .emails import normalize_email
from .exceptions import InvalidInput
from .loop import page_problems
from .passwords import password_problem

authjs_cli = AppGroup("authjs", help="flask-authjs: secrets, users and checks.")


@authjs_cli.command("secret", with_appcontext=False)
def print_secret() -> None:
    """Print a new random value for AUTHJS_SECRET."""
    click.echo(secrets.token_urlsafe(48))


def _checked_email(_ctx: click.Context, _param: click.Parameter, value: str) -> str:
    """Runs before the password prompt, so a typo in the email costs no typing."""
    try:
        return normalize_email(value)
    except InvalidInput as error:
        raise click.BadParameter(f"{value!r} {error.problem}", param_hint="EMAIL") from error


@authjs_cli.command("create-user")
@click.argument("email", callback=_checked_email)
@click.option("--name", default=None, help="Display name.")
@click.password_option(help="Asked for (twice, not echoed) when not given.")
def create_user(email: str, name: str | None, password: str) -> None:
    """Create a user who signs in with EMAIL and a password."""
    context = current_app.extensions["authjs"]
    normalized = email
    problem = password_problem(password, for_new_password=True)
    if problem:
        raise click.BadParameter(problem, param_hint="password")
    try:
        user = context.adapter.create_user(
            normalized, name=name, password_hash=context.password_hasher.hash(password)
        )
    except DuplicateEmail as error:
        raise click.ClickException(f"a user with the email {normalized} exists already") from error
    click.echo(f"created user {user['id']} <{normalized}>")


@authjs_cli.command("check")
def check() -> None:
    """Check the pages setup (loops, missing routes); exit 1 if anything is wrong."""
    problems = page_problems(current_app)
    if not problems:
        click.echo("flask-authjs: no problems found.")
        return
    click.echo(f"flask-authjs: {len(problems)} problem(s) found:")
    for problem in problems:
        click.echo(f"\n- pages[{problem.page!r}] = {problem.path!r}")
        click.echo(f"  Problem: {problem.problem}")
        click.echo(f"  Fix: {problem.fix}")
    raise click.exceptions.Exit(1)


@authjs_cli.command("init-db")
def init_db() -> None:
    """Create the store's tables (SQL) or indexes (MongoDB); touch nothing that exists.

    Tables that exist with another shape are refused, with the reason: the adapter never
    migrates them (hand the tables to Alembic/Flask-Migrate for that).
    """
    adapter = current_app.extensions["authjs"].adapter
    create_tables = getattr(adapter, "create_tables", None)
    try:
        if create_tables is not None:
            created = create_tables()
            click.echo(
                f"created tables: {', '.join(created)}" if created else "all tables exist already"
            )
        elif hasattr(adapter, "ensure_indexes"):
            adapter.ensure_indexes()
            click.echo("MongoDB indexes are in place")
        else:
            adapter.get_user("init-db")  # the SQLite store creates its schema on first use
            click.echo("the SQLite store is ready")
    except ValueError as error:
        raise click.ClickException(f"refusing to touch existing tables: {error}") from error
    except StoreUnavailable as error:
        raise click.ClickException(f"the store cannot be reached: {error}") from error
