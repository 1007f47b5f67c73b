"""No input gives a 500: every page and every form and JSON endpoint is sent hostile values (ids
beyond any integer column, dates outside the calendar, NaN and infinity, unknown languages,
over-long keys, deeply nested JSON, long fields), by a stranger, a learner and an admin."""

from __future__ import annotations

import io
import re
from datetime import timedelta
from html.parser import HTMLParser

import pytest
from sqlalchemy import select

from lms.accounts.models import Role
from lms.core.types import utcnow
from lms.extensions import db
from lms.live import services as live
from tests.conftest import csrf_token, login
from tests.factories import make_user

HUGE = "99999999999999999999999999"
LONG = "k" * 5000
TEXTS = [HUGE, "-1", "NaN", "Infinity", "-Infinity", "1e309", LONG, "../../etc/passwd", "\x00", "xx-ZZ" * 40,
         "ä€𝄞\u202e", "<script>alert(1)</script>", "%(name)s {0} %s", " "]
DATES = ["99999-12-31T00:00", "9999-12-31T23:59", "0001-01-01T00:00", "2026-02-30T10:00", "2026-13-01T25:61", "NaN"]
FIELD_VALUES = {
    "starts_at": DATES, "ends_at": DATES, "capacity": [HUGE, "NaN", "-5", "1e309"],
    "estimated_hours": ["NaN", "Infinity", "-Infinity", "1e309", HUGE, "0.001"],
    "percent": ["NaN", HUGE, "1e309", "-1"], "base": [HUGE, "-1", "NaN"], "organisation": [HUGE, "-1", "NaN"],
    "language": ["xx", "en" * 100, ""], "default_language": ["xx", ""], "timezone": ["Mars/Olympus", "../../x", ""],
    "country": ["ZZ", "XXX"], "attended": [HUGE, "-1", "NaN"], "decision": ["confirm", "decline", LONG],
    "direction": ["sideways", LONG], "published": [LONG], "status": [LONG, "approved"], "enabled": [LONG],
    "key": [LONG, "", "../x"], "launch": [LONG], "binding": [LONG], "state": [LONG], "id_token": ["a.b.c", LONG],
    "email": ["a" * 300 + "@example.org", "not-an-address", "x@" + "y" * 300],
}


class _Forms(HTMLParser):
    """The forms of a page: their actions and methods and the names of their fields."""

    def __init__(self) -> None:
        super().__init__()
        self.forms: list[dict] = []

    def handle_starttag(self, tag, attrs):
        values = dict(attrs)
        if tag == "form":
            self.forms.append({"action": values.get("action"), "method": (values.get("method") or "get").lower(),
                               "fields": set(), "multipart": "multipart" in (values.get("enctype") or "")})
        elif tag in ("input", "select", "textarea", "button") and self.forms and values.get("name"):
            self.forms[-1]["fields"].add(values["name"])


def _forms(html: str) -> list[dict]:
    parser = _Forms()
    parser.feed(html)
    return parser.forms


@pytest.fixture
def world(app, sample_courses, runner):
    """Everything the pages show: courses, a live session, users of each kind, a platform."""
    admin = make_user(email="admin@example.org", role=Role.ADMIN)
    make_user(email="learner@example.org")
    make_user(email="manager@example.org", role=Role.MANAGER, organisation_id=4)
    from lms.catalog.models import Course

    course = db.session.scalar(select(Course).where(Course.slug == "eu-mdr-ivdr-essentials"))
    start = (utcnow() + timedelta(days=30)).replace(tzinfo=None, microsecond=0)
    session = live.create_session(user=admin, course=course, details=live.SessionDetails(
        starts_at=start, ends_at=start + timedelta(hours=1), timezone="Europe/Oslo", capacity=10,
        join_url="https://meet.example.org/x", speakers="", titles={"en": "Q&A"}, descriptions={}))
    db.session.commit()
    runner.invoke(args=["lti", "registrations", "add", "--name", "P", "--issuer", "http://127.0.0.1:9/p",
                        "--client-id", "c", "--auth-login-url", "http://127.0.0.1:9/auth", "--auth-token-url",
                        "http://127.0.0.1:9/token", "--jwks-url", "http://127.0.0.1:9/jwks", "--organisation", "4"])
    return {"course": course.slug, "module": "classification", "session": session.id}


def _pages(app, world) -> list[str]:
    slug, module, session = world["course"], world["module"], world["session"]
    return [
        "/", "/?language=xx", f"/?language={LONG}", "/dashboard", f"/courses/{slug}", f"/courses/{slug}/modules/{module}",
        f"/courses/{slug}/media/{LONG}", f"/courses/{LONG}", f"/courses/{slug}/modules/{LONG}",
        f"/users/{HUGE}/progress", "/users/-1/progress", f"/account/organisations/{HUGE}/members",
        "/account/profile", "/account/password", "/account/register", "/account/login?next=//evil.example",
        f"/account/reset/{LONG}", "/account/reset/a.b.c", "/author/", "/author/new", f"/author/{slug}",
        f"/author/{slug}/settings", f"/author/{slug}/modules/{module}/en", f"/author/{slug}/modules/{module}/xx",
        f"/author/{slug}/modules/{module}/en/history?old={HUGE}&new=-1",
        f"/author/{slug}/modules/{module}/en/history?old=NaN", f"/author/{slug}/modules/{module}/remove",
        f"/author/{slug}/subtitles/{LONG}/en", f"/author/{slug}/subtitles/x.webm/{LONG}",
        f"/author/{slug}/translations", f"/author/{slug}/log", f"/author/{slug}/package", f"/author/{slug}/authors",
        f"/author/{slug}/live", f"/author/{slug}/live/{session}", f"/author/{slug}/live/{HUGE}",
        f"/author/{slug}/media/{LONG}", f"/live/calendar/{LONG}.ics", f"/lti/continue/{LONG}", "/lti/deep-link",
        "/lti/roster", "/lti/admin", "/lti/admin/new", "/lti/jwks", "/lti/config.json",
        f"/lti/register?openid_configuration={LONG}", "/lti/register?openid_configuration=https://[::1",
        f"/lti/login?iss={LONG}&login_hint=x&target_link_uri=x&client_id=y", "/healthz",
    ]


def _clients(app):
    anonymous = app.test_client()
    clients = {"anonymous": anonymous}
    for email in ("learner@example.org", "manager@example.org", "admin@example.org"):
        client = app.test_client()
        login(client, email)
        clients[email.split("@")[0]] = client
    return clients


def _check(response, what: str, failures: list[str]) -> None:
    response.close()
    if response.status_code >= 500:
        failures.append(f"{response.status_code} {what}")


@pytest.mark.slow
def test_no_page_or_form_answers_5xx_to_hostile_values(app, world):
    failures: list[str] = []
    clients = _clients(app)
    for who, client in clients.items():
        for path in _pages(app, world):
            response = client.get(path, headers={"Accept-Language": "xx-YY;q=NaN, " + "a" * 300})
            html = response.get_data(as_text=True) if response.status_code == 200 else ""
            _check(response, f"{who} GET {path[:120]}", failures)
            token = csrf_token(client, "/")
            for form in _forms(html):
                if form["method"] != "post":
                    continue
                action = form["action"] or path
                for field in sorted(form["fields"] - {"csrf_token"}):
                    for value in FIELD_VALUES.get(field, TEXTS[:8]):
                        data = {name: "x" for name in form["fields"]} | {field: value, "csrf_token": token}
                        answer = client.post(action, data=data)
                        _check(answer, f"{who} POST {action[:100]} {field}={value[:30]!r}", failures)
    assert failures == [], "\n".join(failures[:40])


def test_every_post_route_with_hostile_path_values_answers_below_500(app, world):
    failures: list[str] = []
    slug, module = world["course"], world["module"]
    routes = [
        f"/account/organisations/{HUGE}/leave", f"/account/organisations/4/members/{HUGE}",
        f"/account/organisations/{HUGE}/members/1", f"/author/{slug}/modules/{module}/en/restore/{HUGE}",
        f"/author/{slug}/authors/{HUGE}/remove", f"/live/{HUGE}/register", f"/live/{HUGE}/unregister",
        f"/lti/admin/{HUGE}/enabled", f"/lti/admin/{HUGE}/deployment", f"/author/{slug}/modules/{LONG}/move",
        f"/courses/{slug}/start", f"/courses/{LONG}/start", f"/courses/{slug}/modules/{LONG}/complete",
        "/language", "/lti/launch", "/lti/launch/confirm", "/lti/login", f"/author/{slug}/package/apply",
    ]
    for who, client in _clients(app).items():
        token = csrf_token(client, "/")
        for path in routes:
            for data in ({"csrf_token": token}, {"csrf_token": token, **{k: v[0] for k, v in FIELD_VALUES.items()}}):
                _check(client.post(path, data=data), f"{who} POST {path[:100]}", failures)
    assert failures == [], "\n".join(failures)


@pytest.mark.parametrize("body", [
    "[" * 100_000 + "]" * 100_000,
    '{"video": "lecture.webm", "ranges": [[NaN, Infinity], [-Infinity, 1e309], ["a", null]]}',
    '{"video": "' + "v" * 100_000 + '", "ranges": []}',
    '{"video": "lecture.webm", "ranges": ' + "[[0, 1]," * 20_000 + "[0, 1]" + "]" * 20_001 + "}",
    "not json", '{"video": 5, "ranges": {}}',
])
def test_the_json_endpoint_answers_below_500(app, world, body):
    client = _clients(app)["learner"]
    path = f"/courses/{world['course']}/modules/{world['module']}"
    token = csrf_token(client, path)
    response = client.post(f"{path}/watched", data=body, headers={"Content-Type": "application/json",
                                                                   "X-CSRFToken": token})
    assert response.status_code < 500, response.get_data(as_text=True)[:300]


def test_uploads_with_hostile_files_answer_below_500(app, world):
    client = _clients(app)["admin"]
    slug, module, session = world["course"], world["module"], world["session"]
    editor = f"/author/{slug}/modules/{module}/en"
    files = [b"", b"\x00" * 1000, b"\xff\xd8\xff" + b"\x00" * 100, b"\x1aE\xdf\xa3" + b"webm" * 10,
             b"e-mail\n" + b'"' + b"x" * (128 * 1024 + 1) + b'"\n', "a,b\n\udcff".encode("utf-8", "surrogatepass")]
    failures: list[str] = []
    for data in files:
        for path, fields in ((editor, {"action": "upload", "alt": "x", "image": "upload.png"}),
                             (editor, {"action": "upload-video", "video": "upload.webm"}),
                             (f"/author/{slug}/package", {"package": "package.zip"}),
                             (f"/author/{slug}/subtitles/x.webm/en", {"upload": "subtitles.vtt"}),
                             (f"/author/{slug}/live/{session}", {"action": "import", "report": "report.csv"}),
                             (f"/author/{slug}/live/{session}", {"action": "recording", "recording": "r.mp4"})):
            form = {k: (io.BytesIO(data), v) if k in ("image", "video", "package", "upload", "report", "recording")
                    else v for k, v in fields.items()}
            form["csrf_token"] = csrf_token(client, path if "subtitles" not in path else editor)
            form["text"] = "# T\n\nx\n"
            answer = client.post(path, data=form, content_type="multipart/form-data")
            _check(answer, f"POST {path} {list(fields)} {data[:20]!r}", failures)
    assert failures == [], "\n".join(failures)


def test_with_the_database_down_pages_answer_503_with_a_page_that_needs_no_database(tmp_path):
    from tests.conftest import make_app

    app = make_app("postgresql+psycopg://nobody@127.0.0.1:1/none", tmp_path)
    client = app.test_client()
    with client.session_transaction() as session:
        session["_user_id"] = "some-login-token"  # a logged-in reader: loading them needs the database
    for path in ("/", "/courses/eu-mdr-ivdr-essentials", "/dashboard", "/account/login"):
        response = client.get(path)
        html = response.get_data(as_text=True)
        assert response.status_code == 503, (path, html[:300])
        assert "cannot reach its database" in html and re.search(r'<html lang="\w+">', html)
    assert client.post("/account/login", data={"email": "a@b.c", "password": "x"}).status_code in (400, 503)
