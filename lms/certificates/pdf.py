"""A certificate as a PDF: selectable text in an embedded font that has every letter of the ten
languages (Source Sans Pro), the document's language and title set, the QR code described for
screen readers, and the verification address written out under it."""

from __future__ import annotations

import io

import font_source_sans_pro
import segno
from flask_babel import force_locale, format_date, format_decimal, format_percent
from flask_babel import gettext as _
from fpdf import FPDF

from lms.certificates import services
from lms.certificates.models import Certificate

BRAND = (11, 79, 138)
INK = (27, 31, 36)
MUTED = (74, 85, 99)
WARN = (138, 90, 0)


def _fonts(pdf: FPDF) -> None:
    files = font_source_sans_pro.font_files_ttf
    pdf.add_font("Source Sans", "", files["SourceSansPro"])
    pdf.add_font("Source Sans", "B", files["SourceSansProBold"])


def render(certificate: Certificate, *, language: str, verify_url: str) -> bytes:
    """The certificate in ``language`` (interface words and, where it exists, the course title)."""
    course_title, _course_language = services.title(certificate, language)
    with force_locale(language):
        heading = _("Certificate of completion")
        lines = _details(certificate)
        notices = _notices(certificate)
        intro, middle = _("This certifies that"), _("has completed the course")
        verify = _("Verify this certificate at %(url)s", url=verify_url)
        code = _("Verification code: %(code)s", code=services.display_code(certificate.code))
        qr_text = _("QR code linking to the verification page")
    pdf = FPDF(orientation="L", unit="mm", format="A4")
    pdf.set_lang(language)
    pdf.set_title(f"{heading}: {course_title}")
    pdf.set_author("NordLearn")
    pdf.set_subject(f"{certificate.learner_name} · {course_title}")
    pdf.set_creator("NordLearn")
    pdf.set_auto_page_break(False)
    _fonts(pdf)
    pdf.add_page()
    pdf.set_draw_color(*BRAND)
    pdf.set_line_width(1.2)
    pdf.rect(10, 10, 277, 190)
    pdf.set_text_color(*BRAND)
    pdf.set_font("Source Sans", "B", 30)
    pdf.set_xy(20, 24)
    pdf.cell(257, 14, heading, align="C")
    pdf.set_text_color(*INK)
    pdf.set_font("Source Sans", "", 14)
    pdf.set_xy(20, 46)
    pdf.cell(257, 8, intro, align="C")
    pdf.set_font("Source Sans", "B", 24)
    pdf.set_xy(20, 56)
    pdf.multi_cell(257, 11, certificate.learner_name, align="C")
    pdf.set_font("Source Sans", "", 14)
    pdf.set_x(20)
    pdf.cell(257, 9, middle, align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Source Sans", "B", 18)
    pdf.set_x(30)
    pdf.multi_cell(237, 9, course_title, align="C")
    pdf.ln(4)
    pdf.set_font("Source Sans", "", 12)
    for line in lines:
        pdf.set_x(30)
        pdf.multi_cell(190, 6.5, line)
    pdf.set_text_color(*WARN)
    pdf.set_font("Source Sans", "B", 12)
    for notice in notices:
        pdf.set_x(30)
        pdf.multi_cell(190, 6.5, notice)
    qr = io.BytesIO()
    segno.make(verify_url, error="m").save(qr, kind="png", scale=6, border=2)
    pdf.image(qr, x=232, y=128, w=45, h=45, alt_text=qr_text)
    pdf.set_text_color(*MUTED)
    pdf.set_font("Source Sans", "", 10)
    pdf.set_xy(30, 178)
    pdf.multi_cell(197, 5, f"{code}\n{verify}")
    return bytes(pdf.output())


def _details(certificate: Certificate) -> list[str]:
    lines = [_("Completed on %(date)s", date=format_date(certificate.completed_at, "long")),
             _("Hours: %(hours)s", hours=format_decimal(certificate.hours.normalize()))]
    if certificate.score is not None:
        lines.append(_("Final score: %(score)s.", score=format_percent(certificate.score)))
    version = _("Content version %(version)s", version=certificate.course_version)
    if certificate.law_as_at:
        version += " · " + _("law as at %(date)s", date=format_date(certificate.law_as_at, "long"))
    lines.append(version)
    if certificate.provider:
        lines.append(_("Provided by %(provider)s", provider=certificate.provider))
    if certificate.partner:
        lines.append(_("Partner organisation: %(partner)s", partner=certificate.partner))
    return lines


def _notices(certificate: Certificate) -> list[str]:
    notices = []
    if certificate.review_status != "approved":
        notices.append(_("This course is sample material pending expert review."))
    if certificate.revoked_at is not None:
        notices.append(_("Revoked on %(date)s: %(reason)s", date=format_date(certificate.revoked_at, "long"),
                         reason=certificate.revoked_reason))
    return notices
