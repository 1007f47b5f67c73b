"""The certificate page and PDF (for the learner and admins), the public verification page, and revoking."""

from __future__ import annotations

import json

from flask import Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from lms.accounts import permissions
from lms.catalog import services as catalog
from lms.certificates import bp, credentials, pdf, services
from lms.core.types import utcnow
from lms.core.urls import external_url
from lms.extensions import db, limiter
from lms.i18n import current_language
from lms.i18n.languages import UI_LANGUAGES


def _language() -> str:
    """The language the reader picked for the certificate (``?lang=``), else the page's."""
    chosen = request.args.get("lang", "")
    return chosen if chosen in UI_LANGUAGES else current_language()


@bp.get("/certificates/<code>")
@login_required
def page(code: str):
    certificate = services.for_viewer(code=code, viewer=current_user)  # NotFound for anyone else
    language = _language()
    title, title_language = services.title(certificate, language)
    return render_template("certificates/certificate.html", certificate=certificate, title=title,
                           title_language=title_language, language=language,
                           code=services.display_code(certificate.code),
                           verify_url=external_url("certificates.verify", code=certificate.code),
                           can_revoke=permissions.is_admin(current_user))


@bp.get("/certificates/<code>.pdf")
@login_required
def pdf_file(code: str):
    certificate = services.for_viewer(code=code, viewer=current_user)
    language = _language()
    data = pdf.render(certificate, language=language,
                      verify_url=external_url("certificates.verify", code=certificate.code))
    name = f"nordlearn-certificate-{certificate.code[:8].lower()}-{language}.pdf"
    return Response(data, mimetype="application/pdf", headers={
        "Content-Disposition": f'attachment; filename="{name}"', "Cache-Control": "private, no-store"})


@bp.get("/verify/<code>")
@limiter.limit("60 per minute")  # per address: codes cannot be guessed, nor should they be tried in bulk
def verify(code: str):
    """Public: valid or revoked (since when), with the course, version, hours, date and name; nothing else."""
    try:
        result = services.verification(code=code, language=current_language())
    except services.CertificateNotFound:
        response = Response(render_template("certificates/verify.html", result=None), status=404)
    else:
        response = Response(render_template("certificates/verify.html", result=result,
                                            code=services.display_code(result.code)))
    response.headers["X-Robots-Tag"] = "noindex, nofollow"
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.post("/certificates/<code>/revoke")
@login_required
def revoke(code: str):
    certificate = services.by_code(code)
    try:
        services.revoke(admin=current_user, certificate=certificate, reason=request.form.get("reason", ""),
                        at=utcnow())
    except services.ReasonRequired:
        flash(_("Give the reason for revoking (at most %(max)d characters). Nothing was changed.",
                max=services.MAX_REASON), "error")
        return redirect(url_for(".page", code=certificate.code))
    except services.AlreadyRevoked:
        flash(_("This certificate was revoked already."), "error")
        return redirect(url_for(".page", code=certificate.code))
    db.session.commit()
    flash(_("The certificate is revoked. The verification page now says so."), "success")
    return redirect(url_for(".page", code=certificate.code))


# ---------------------------------------------------------------- Open Badges 3.0


def _json(document: dict, media_type: str = "application/json"):
    response = Response(json.dumps(document, ensure_ascii=False, indent=2), mimetype=media_type)
    response.headers["Access-Control-Allow-Origin"] = "*"  # verifiers in other sites' pages may read it
    return response


@bp.get("/certificates/<code>/credential")
@login_required
def credential(code: str):
    """The learner's Open Badges 3.0 credential, signed (VC-JWT), to keep in a wallet or pass on."""
    certificate = services.for_viewer(code=code, viewer=current_user)
    token = credentials.signed_credential(certificate)
    db.session.commit()  # the first signing key, if this made it
    name = f"nordlearn-credential-{certificate.code[:8].lower()}.jwt"
    return Response(token, mimetype="application/vc+jwt", headers={
        "Content-Disposition": f'attachment; filename="{name}"', "Cache-Control": "private, no-store"})


@bp.get("/credentials/issuer")
def issuer():
    return _json(credentials.issuer_profile(), "application/ld+json")


@bp.get("/credentials/jwks")
def jwks():
    document = credentials.jwks()
    db.session.commit()
    return _json(document)


@bp.get("/credentials/keys/<kid>")
def credential_key(kid: str):
    key = credentials.key_by_kid(kid)
    if key is None:
        abort(404)
    return _json(credentials.public_jwk(key), "application/jwk+json")


@bp.get("/credentials/achievements/<slug>/<version>")
def achievement(slug: str, version: str):
    course = catalog.get_course(slug)  # CourseNotFound is the 404 page
    if not services.version_certified(course=course, version=version):
        abort(404)
    return _json({"@context": credentials.CONTEXTS, **credentials.achievement(course, version=version,
                                                                               language=course.default_language)},
                 "application/ld+json")


@bp.get("/credentials/status/<int(min=0, max=1000):number>")
def status_list(number: int):
    """A revocation status list: JSON, or signed when asked for with ``Accept: application/vc+jwt``."""
    if request.accept_mimetypes.best_match(["application/json", "application/vc+jwt"]) == "application/vc+jwt":
        token = credentials.signed_status_list(number)
        db.session.commit()
        response = Response(token, mimetype="application/vc+jwt")
    else:
        response = _json(credentials.status_list(number))
    response.headers["Cache-Control"] = "public, max-age=60"  # a revocation shows within a minute
    response.headers["Access-Control-Allow-Origin"] = "*"
    response.vary.add("Accept")
    return response
