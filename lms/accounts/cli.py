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
@click.option("--organisation", "organisation_id", type=int,
              help="Id of an organisation the user is a confirmed member of (see `organisations list`).")
def create_user_command(email: str, password: str, role: str, display_name: str | None, language: str,
                        organisation_id: int | None) -> None:
    """Create a local account."""
    if password == "-":
        password = sys.stdin.readline().rstrip("\r\n")
    profile = services.Profile(display_name=display_name or email.split("@")[0], country=None,
                               preferred_language=language)
    try:
        user = services.create_user(email=email, password=password, profile=profile, role=Role(role))
        if organisation_id is not None:
            services.confirm_member(user=user, organisation_id=services.get_organisation(organisation_id).id)
    except services.EmailTaken:
        raise click.ClickException(f"a user with e-mail {email} already exists") from None
    except services.WeakPassword as weak:
        raise click.ClickException(
            f"the password must have at least {services.MIN_PASSWORD_LENGTH} characters" if weak.reason == "short"
            else "the password is too common or too easy to guess; choose a longer or less common one") from None
    except services.UnknownOrganisation:
        raise click.ClickException(f"no organisation with id {organisation_id}") from None
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


@organisations_cli.command("members")
@click.argument("organisation_id", type=int)
def members_command(organisation_id: int) -> None:
    """List an organisation's members and the requests waiting."""
    admin = _an_admin()
    try:
        _organisation, confirmed, requested = services.organisation_members(viewer=admin,
                                                                            organisation_id=organisation_id)
    except services.UnknownOrganisation:
        raise click.ClickException(f"no organisation with id {organisation_id}") from None
    for row in confirmed + requested:
        click.echo(f"{row.user.id}\t{row.membership.status.value}\t{row.user.email or '-'}\t{row.user.display_name}")


@organisations_cli.command("confirm")
@click.argument("organisation_id", type=int)
@click.argument("email")
def confirm_command(organisation_id: int, email: str) -> None:
    """Confirm the membership request of the user with EMAIL."""
    admin = _an_admin()
    user = services.find_by_email(email)
    try:
        services.decide_membership(manager=admin, organisation_id=organisation_id, user_id=user.id if user else 0,
                                   confirm=True)
    except (services.UnknownMembership, services.UnknownOrganisation):
        raise click.ClickException(f"{email} has not asked to join organisation {organisation_id}") from None
    db.session.commit()
    click.echo(f"{email} is a member of organisation {organisation_id}")


def _an_admin():
    from sqlalchemy import select

    from lms.accounts.models import User

    admin = db.session.scalar(select(User).where(User.role == Role.ADMIN).order_by(User.id).limit(1))
    if admin is None:
        raise click.ClickException("create an admin first: flask --app wsgi users create EMAIL --role admin")
    return admin
