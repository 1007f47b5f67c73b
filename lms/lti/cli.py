from __future__ import annotations

import click
from flask.cli import AppGroup

from lms.extensions import db
from lms.lti import keys, services
from lms.lti.models import DeploymentPolicy, DeploymentStatus

lti_cli = AppGroup("lti", help="LTI 1.3 keys and platform registrations.")


@lti_cli.command("keys")
def keys_command() -> None:
    """List the published keys; the last one signs."""
    published = keys.published_keys() or [keys.signing_key()]
    db.session.commit()
    for key in published:
        marker = "signing" if key is published[-1] else "published"
        click.echo(f"{key.kid}\t{marker}\tcreated {key.created_at:%Y-%m-%d %H:%M} UTC")


@lti_cli.command("rotate-key")
def rotate_key_command() -> None:
    """Add a new signing key; the old ones stay published until retired."""
    keys.signing_key()  # a first key exists before its successor
    key = keys.rotate()
    db.session.commit()
    click.echo(f"new signing key {key.kid}; retire the old one with `lti retire-key KID` once platforms have it")


@lti_cli.command("retire-key")
@click.argument("kid")
def retire_key_command(kid: str) -> None:
    """Stop publishing key KID."""
    try:
        keys.retire(kid)
    except keys.UnknownKey:
        raise click.ClickException(f"no published key {kid}") from None
    except keys.LastKey:
        raise click.ClickException(f"{kid} is the only published key; rotate first") from None
    db.session.commit()
    click.echo(f"retired {kid}")


@lti_cli.group("registrations")
def registrations_cli() -> None:
    """Platforms registered with NordLearn."""


@registrations_cli.command("add")
@click.option("--name", required=True, help="A name admins recognise, e.g. 'LMI Moodle'.")
@click.option("--issuer", required=True, help="The platform's issuer (iss), e.g. https://moodle.example.org")
@click.option("--client-id", required=True)
@click.option("--auth-login-url", required=True, help="The platform's OIDC authorisation endpoint.")
@click.option("--auth-token-url", required=True, help="The platform's OAuth2 token endpoint.")
@click.option("--jwks-url", "key_set_url", required=True, help="The platform's public key set.")
@click.option("--audience", default=None, help="Token audience, if the platform needs one (Brightspace).")
@click.option("--organisation", "organisation_id", type=int, required=True,
              help="Id of the partner organisation (see `flask organisations list`).")
@click.option("--deployment", "deployments", multiple=True, help="A deployment id to approve now (repeatable).")
@click.option("--accept-new-deployments", is_flag=True, help="Accept unknown deployments instead of holding them.")
def add_registration_command(name, issuer, client_id, auth_login_url, auth_token_url, key_set_url, audience,
                             organisation_id, deployments, accept_new_deployments) -> None:
    """Register a platform by hand."""
    details = services.PlatformDetails(name=name, issuer=issuer, client_id=client_id, auth_login_url=auth_login_url,
                                       auth_token_url=auth_token_url, key_set_url=key_set_url, auth_audience=audience)
    policy = DeploymentPolicy.ACCEPT if accept_new_deployments else DeploymentPolicy.APPROVE
    try:
        registration = services.add_registration(details=details, organisation_id=organisation_id, policy=policy,
                                                 deployment_ids=tuple(deployments))
    except services.RegistrationExists:
        raise click.ClickException(f"{issuer} with client id {client_id} is registered already") from None
    except services.UnknownOrganisation:
        raise click.ClickException(f"no organisation with id {organisation_id}") from None
    except services.InvalidUrl as error:
        raise click.ClickException(f"--{str(error.args[0]).replace('_', '-')} must be an http(s) URL") from None
    db.session.commit()
    click.echo(f"registered {registration.name} (id {registration.id})")


@registrations_cli.command("list")
def list_registrations_command() -> None:
    for r in services.list_registrations():
        state = "enabled" if r.enabled else "disabled"
        deployments = ", ".join(f"{d.deployment_id} ({d.status.value})" for d in r.deployments) or "none"
        click.echo(f"{r.id}\t{state}\t{r.name}\t{r.issuer}\tclient {r.client_id}\t{r.organisation.name}\t"
                   f"new deployments: {r.deployment_policy.value}\tdeployments: {deployments}")


def _set_enabled(registration_id: int, enabled: bool) -> None:
    try:
        registration = services.set_enabled(registration_id=registration_id, enabled=enabled)
    except services.UnknownRegistration:
        raise click.ClickException(f"no registration {registration_id}") from None
    db.session.commit()
    click.echo(f"{registration.name}: {'enabled' if enabled else 'disabled'}")


@registrations_cli.command("disable")
@click.argument("registration_id", type=int)
def disable_command(registration_id: int) -> None:
    """Refuse every launch from this registration."""
    _set_enabled(registration_id, False)


@registrations_cli.command("enable")
@click.argument("registration_id", type=int)
def enable_command(registration_id: int) -> None:
    _set_enabled(registration_id, True)


@registrations_cli.command("deployment")
@click.argument("registration_id", type=int)
@click.argument("deployment_id")
@click.argument("status", type=click.Choice([s.value for s in DeploymentStatus]))
def deployment_command(registration_id: int, deployment_id: str, status: str) -> None:
    """Approve, hold or reject a deployment of a registration."""
    try:
        services.set_deployment_status(registration_id=registration_id, deployment_id=deployment_id,
                                       status=DeploymentStatus(status))
    except services.UnknownRegistration:
        raise click.ClickException(f"no registration {registration_id}") from None
    db.session.commit()
    click.echo(f"deployment {deployment_id}: {status}")


@lti_cli.command("sync-grades")
@click.option("--all", "send_all", is_flag=True, help="Also send scores whose next attempt is not due yet.")
def sync_grades_command(send_all: bool) -> None:
    """Send the scores platforms have not taken yet (run it from a scheduler, e.g. every 5 minutes)."""
    from lms.lti import grades

    report = grades.deliver(due_only=not send_all)
    for error in report.errors or []:
        click.echo(f"not sent: {error}", err=True)
    waiting, _rows = grades.waiting_scores(limit=0)
    click.echo(f"sent {report.sent}, failed {report.failed}, superseded {report.superseded}, "
               f"waiting {waiting}")
