from __future__ import annotations

import shutil
from pathlib import Path

import click
from flask.cli import AppGroup

from lms.content import packages
from lms.extensions import db

courses_cli = AppGroup("courses", help="Import and export course packages.")


@courses_cli.command("import")
@click.argument("root", type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.option("--overwrite", is_flag=True,
              help="Where an item changed both in the package and in the browser since the last import, "
                   "take the package's version (by default the browser's version is kept).")
def import_command(root: Path, overwrite: bool) -> None:
    """Import or update the course package ROOT, or every package under ROOT.

    Every package is checked first; if any has a problem, nothing is imported. Only what changed
    in a package since its last import is applied; what authors changed in the browser is kept.
    """
    try:
        specs = packages.read_packages(packages.find_packages(root))
    except packages.PackageError as error:
        for problem in error.problems:
            click.echo(f"error: {problem}", err=True)
        raise click.ClickException(
            f"{len(error.problems)} problem(s) found; nothing was imported"
        ) from None
    steps = list(packages.import_items(specs))
    policy = packages.Policy.OVERWRITE if overwrite else packages.Policy.KEEP
    with click.progressbar(steps, label="Importing courses", item_show_func=_step_label) as bar:
        result = packages.import_packages(bar, policy=policy)
    db.session.commit()
    click.echo(
        f"{len(specs)} course(s): {result.courses_created} new, {result.courses_updated} updated, "
        f"{result.revisions_added} text(s) added, {result.modules_archived} module(s) archived"
    )
    for kept in result.kept:
        click.echo(f"kept the version changed in NordLearn since the last import: {kept}", err=True)
    if result.kept:
        click.echo(f"{len(result.kept)} change(s) of the package not applied; run again with --overwrite to "
                   "apply them", err=True)


def _step_label(step) -> str | None:
    if step is None:
        return None
    spec, module = step
    return f"{spec.slug}/{module.slug}" if module else spec.slug


@courses_cli.command("export")
@click.argument("slug")
@click.argument("path", type=click.Path(file_okay=False, path_type=Path))
@click.option("--force", is_flag=True, help="Replace the package if PATH/SLUG exists already.")
def export_command(slug: str, path: Path, force: bool) -> None:
    """Write course SLUG as the package folder PATH/SLUG."""
    target = path / slug
    if target.exists() and any(target.iterdir()):
        if not force:
            raise click.ClickException(f"{target} exists and is not empty; use --force to replace it")
        (target / packages.MANIFEST).unlink(missing_ok=True)
        shutil.rmtree(target / packages.MODULES_DIR, ignore_errors=True)
        shutil.rmtree(target / packages.MEDIA_DIR, ignore_errors=True)
    try:
        written = packages.export_package(slug, target)
    except packages.CourseMissing:
        raise click.ClickException(f"no course with slug {slug!r}") from None
    click.echo(f"wrote {len(written)} file(s) to {target}")
