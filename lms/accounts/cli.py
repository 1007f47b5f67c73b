from __future__ import annotations

import sys

import click
from flask.cli import AppGroup

from lms.accounts import services
from lms.accounts.models import Role
from lms.extensions import db
from lms.i18n.languages import UI_LANGUAGES

users_cli = AppGroup("users", help="Manage user accounts.")
organisations_cli = AppGroup("organisations", help="Manage organisations.")


@users_cli.command("create")
@click.argument("email")
@click.option("--password", required=True, help="The password, or - to read it from standard input.")
@click.option("--role", type=click.Choice([r.value for r in Role]), default=Role.LEARNER.value, show_default=True)
@click.option("--name", "display_name", help="Display name (default: the part of the e-mail before @).")
@click.option("--language", type=click.Choice(list(UI_LANGUAGES)), default="en", show_default=True)
def create_user_command(email: str, password: str, role: str, display_name: str | None, language: str) -> None:
    """Create a local account."""
    if password == "-":
        password = sys.stdin.readline().rstrip("\r\n")
    profile = services.Profile(
        display_name=display_name or email.split("@")[0],
        country=None,
        organisation_id=None,
        preferred_language=language,
    )
    try:
        user = services.create_user(email=email, password=password, profile=profile, role=Role(role))
    except services.EmailTaken:
        raise click.ClickException(f"a user with e-mail {email} already exists") from None
    except services.WeakPassword:
        raise click.ClickException(f"the password must have at least {services.MIN_PASSWORD_LENGTH} characters") from None
    db.session.commit()
    click.echo(f"created {user.role.value} {user.email} (id {user.id})")


@organisations_cli.command("list")
def list_organisations_command() -> None:
    """List organisations."""
    for organisation in services.list_organisations():
        click.echo(f"{organisation.id}\t{organisation.country}\t{organisation.name}")


@organisations_cli.command("add")
@click.argument("name")
@click.option("--country", required=True, help="ISO 3166 two-letter country code, e.g. FI.")
def add_organisation_command(name: str, country: str) -> None:
    """Add an organisation."""
    if len(country) != 2 or not country.isalpha():
        raise click.BadParameter("use a two-letter country code such as FI", param_hint="--country")
    if any(o.name == name.strip() for o in services.list_organisations()):
        raise click.ClickException(f"organisation {name!r} exists already")
    organisation = services.add_organisation(name=name, country=country)
    db.session.commit()
    click.echo(f"added {organisation.name} ({organisation.country}), id {organisation.id}")
