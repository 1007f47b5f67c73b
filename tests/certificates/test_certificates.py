"""Certificates: issued on completion with what they must carry, a PDF in any interface language, a
public verification page that says only what it must, and revocation by admins."""

from __future__ import annotations

import io
import re
from datetime import date
from html import unescape

import pytest
from pypdf import PdfReader
from sqlalchemy import select

from lms.accounts.models import Role
from lms.catalog.models import Course
from lms.certificates import services
from lms.certificates.models import Certificate
from lms.extensions import db
from lms.learning.models import CourseCompletion
from tests.conftest import login, post_form
from tests.factories import make_quiz_course, make_user
from tests.helpers import finish_module
from tests.mail.test_email import translated


def complete(client, course) -> Certificate:
    for slug in ("module-1", "module-2"):
        finish_module(client, course.slug, slug)
    db.session.expire_all()
    return db.session.scalar(select(Certificate))


@pytest.fixture
def course(app):
    course = make_quiz_course(pool=4, draw=2)
    course.law_as_at, course.provider = date(2026, 12, 1), "Läkemedelsakademin"
    course.partner, course.review_status = "Lääketietokeskus", "pending"
    course.texts[0].title = "Vigilance for medical devices"
    db.session.commit()
    return db.session.get(Course, course.id)


def pdf_text(data: bytes) -> tuple[str, PdfReader]:
    reader = PdfReader(io.BytesIO(data))
    return " ".join(page.extract_text() for page in reader.pages), reader


def test_completing_the_course_issues_one_certificate_with_everything_it_carries(client, course):
    make_user(email="aino@example.fi", name="Aino Virtanen")
    login(client, "aino@example.fi")
    certificate = complete(client, course)
    completion = db.session.scalar(select(CourseCompletion))
    assert certificate.completion_id == completion.id and certificate.learner_name == "Aino Virtanen"
    assert (certificate.course_version, certificate.law_as_at, certificate.hours) == ("1.0", date(2026, 12, 1), 2)
    assert certificate.completed_at == completion.completed_at and certificate.score == 1
    assert (certificate.provider, certificate.partner) == ("Läkemedelsakademin", "Lääketietokeskus")
    assert re.fullmatch(r"[A-Z2-7]{24}", certificate.code), "120 random bits"
    page = unescape(client.get(f"/certificates/{certificate.code}").get_data(as_text=True))
    for text in ("Aino Virtanen", "Vigilance for medical devices", "Completed on", "Hours: 2", "Final score: 100%",
                 "Content version 1.0", "law as at December 1, 2026", "Provided by Läkemedelsakademin",
                 "Partner organisation: Lääketietokeskus", "pending expert review",
                 services.display_code(certificate.code)):
        assert text in page, text
    record = unescape(client.get("/dashboard").get_data(as_text=True))
    assert f"/certificates/{certificate.code}" in record


@pytest.mark.parametrize("language", ["en", "fi", "lv"])
def test_the_pdf_has_selectable_text_in_the_chosen_language(client, course, language):
    make_user(email="aino@example.fi", name="Aino Virtanen")
    login(client, "aino@example.fi")
    certificate = complete(client, course)
    response = client.get(f"/certificates/{certificate.code}.pdf?lang={language}")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    text, reader = pdf_text(response.data)
    words = " ".join(text.split())
    assert "Aino Virtanen" in words and "Vigilance for medical devices" in words
    assert services.display_code(certificate.code) in words and f"/verify/{certificate.code}" in words
    heading = "Certificate of completion" if language == "en" else translated(language, "Certificate of completion")
    assert heading in words
    assert reader.trailer["/Root"]["/Lang"] == language
    assert reader.metadata.title.startswith(heading)


def test_only_the_learner_and_admins_see_the_certificate_and_its_pdf(client, app, course):
    make_user(email="aino@example.fi")
    login(client, "aino@example.fi")
    code = complete(client, course).code
    other = app.test_client()
    make_user(email="bo@example.se")
    login(other, "bo@example.se")
    assert other.get(f"/certificates/{code}").status_code == 404
    assert other.get(f"/certificates/{code}.pdf").status_code == 404
    anonymous = app.test_client()
    assert anonymous.get(f"/certificates/{code}").status_code == 302
    admin = app.test_client()
    make_user(email="admin@example.org", role=Role.ADMIN)
    login(admin, "admin@example.org")
    assert admin.get(f"/certificates/{code}").status_code == 200


def test_the_public_verification_page_says_valid_or_revoked_and_nothing_else(client, app, course):
    make_user(email="aino@example.fi", name="Aino Virtanen")
    login(client, "aino@example.fi")
    certificate = complete(client, course)
    visitor = app.test_client()
    typed = services.display_code(certificate.code).lower()  # as read off the paper
    response = visitor.get(f"/verify/{typed}")
    page = unescape(response.get_data(as_text=True))
    assert response.status_code == 200 and "This certificate is valid." in page
    assert response.headers["X-Robots-Tag"].startswith("noindex") and '<meta name="robots" content="noindex' in page
    for shown in ("Aino Virtanen", "Vigilance for medical devices", "1.0", "December 1, 2026", ">2<"):
        assert shown in page, shown
    for private in ("aino@example.fi", "100%", "Läkemedelsakademin", "Final score"):
        assert private not in page, private
    missing = visitor.get("/verify/" + "A" * 24)
    assert missing.status_code == 404 and "No certificate has this code" in unescape(missing.get_data(as_text=True))
    assert visitor.get("/verify/<script>").status_code == 404


def test_an_admin_revokes_with_a_reason_and_nothing_else_changes(client, app, course):
    make_user(email="aino@example.fi")
    login(client, "aino@example.fi")
    certificate = complete(client, course)
    code = certificate.code
    before = {c.name: getattr(certificate, c.name) for c in Certificate.__table__.columns}
    completion_before = {c.name: getattr(db.session.scalar(select(CourseCompletion)), c.name)
                         for c in CourseCompletion.__table__.columns}
    path = f"/certificates/{code}"
    assert post_form(client, path + "/revoke", {"reason": "Not allowed"}, token_from=path).status_code == 404

    admin = app.test_client()
    make_user(email="admin@example.org", role=Role.ADMIN)
    login(admin, "admin@example.org")
    refused = post_form(admin, path + "/revoke", {"reason": "   "}, token_from=path)
    assert "Give the reason" in unescape(admin.get(refused.headers["Location"]).get_data(as_text=True))
    assert post_form(admin, path + "/revoke", {"reason": "Attempts made by another person"},
                     token_from=path).status_code == 302
    db.session.expire_all()
    after = db.session.scalar(select(Certificate))
    changed = {name for name, value in before.items() if getattr(after, name) != value}
    assert changed == {"revoked_at", "revoked_reason", "revoked_by_id"}
    assert {c.name: getattr(db.session.scalar(select(CourseCompletion)), c.name)
            for c in CourseCompletion.__table__.columns} == completion_before
    page = unescape(app.test_client().get(f"/verify/{code}").get_data(as_text=True))
    assert "This certificate was revoked on" in page and "Attempts made by another person" not in page
    again = post_form(admin, path + "/revoke", {"reason": "Twice"}, token_from=path)
    assert "revoked already" in unescape(admin.get(again.headers["Location"]).get_data(as_text=True))
    text, _reader = pdf_text(client.get(f"{path}.pdf").data)
    assert "Revoked on" in " ".join(text.split())


@pytest.mark.app_settings(RATELIMIT_ENABLED=True)
def test_verification_is_rate_limited(client, course):
    statuses = [client.get("/verify/" + "B" * 24).status_code for _ in range(61)]
    assert statuses[:60] == [404] * 60 and statuses[60] == 429


def test_codes_are_unique_and_unguessable(app):
    codes = {services.new_code() for _ in range(2000)}
    assert len(codes) == 2000 and all(len(c) == 24 for c in codes)
