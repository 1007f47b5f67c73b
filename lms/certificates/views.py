"""The certificate page and PDF (for the learner and admins), the public verification page, and revoking."""

from __future__ import annotations

from flask import Response, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from lms.accounts import permissions
from lms.certificates import bp, pdf, services
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
