from __future__ import annotations

import click
from flask.cli import AppGroup
from sqlalchemy import select

from lms.accounts.models import Role, User
from lms.authoring import services
from lms.catalog.models import Course
from lms.extensions import db

authors_cli = AppGroup("authors", help="Who may change which course.")


def _admin_and_course(slug: str) -> tuple[User, Course]:
    course = db.session.scalar(select(Course).where(Course.slug == slug))
    if course is None:
        raise click.ClickException(f"no course with slug {slug!r}")
    admin = db.session.scalar(select(User).where(User.role == Role.ADMIN).order_by(User.id).limit(1))
    if admin is None:
        raise click.ClickException("create an admin first: flask --app wsgi users create EMAIL --role admin")
    return admin, course


@authors_cli.command("add")
@click.argument("slug")
@click.argument("email")
def add_command(slug: str, email: str) -> None:
    """Let the author with EMAIL change course SLUG."""
    admin, course = _admin_and_course(slug)
    try:
        author = services.assign_author(admin=admin, course=course, email=email)
    except services.NotAnAuthor:
        raise click.ClickException(f"{email} is not a user with the author role") from None
    db.session.commit()
    click.echo(f"{author.display_name} is an author of {slug}")


@authors_cli.command("list")
@click.argument("slug")
def list_command(slug: str) -> None:
    admin, course = _admin_and_course(slug)
    for author in services.course_authors(admin=admin, course=course):
        click.echo(f"{author.id}\t{author.email}\t{author.display_name}")
