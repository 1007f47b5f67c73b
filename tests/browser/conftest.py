"""A live NordLearn (gunicorn on a free 127.0.0.1 port) and Debian's Chromium, driven by Playwright."""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from tests.conftest import ROOT, unavailable

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
READER_EMAIL = "reader@example.org"
AUTHOR_EMAIL = "author@example.org"
READER_PASSWORD = "a reader's password"
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice"]


def pytest_collection_modifyitems(items):
    for item in items:
        if "tests/browser/" in str(item.path):
            item.add_marker(pytest.mark.browser)


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    if not Path(CHROMIUM).exists():
        unavailable(f"Chromium at {CHROMIUM}", "apt-get install chromium")
    return {**browser_type_launch_args, "executable_path": CHROMIUM, "args": CHROMIUM_ARGS}


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args):
    # axe-core is injected into the page; the app's strict CSP would block it.
    return {**browser_context_args, "bypass_csp": True, "locale": "en-GB"}


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


live_env: dict[str, str] = {}


@contextmanager
def running_nordlearn(folder: Path, *, embedded_cookies: bool) -> Iterator[tuple[str, dict[str, str]]]:
    """NordLearn as `make run` sets it up: migrated database, sample courses, a real server.
    Yields its address and environment."""
    env = {
        **os.environ,
        "LMS_DATABASE_URL": f"sqlite:///{folder / 'live.sqlite3'}",
        "LMS_SECRET_KEY": "browser-test-secret",
        "LMS_INSTANCE_DIR": str(folder / "instance"),  # its own cache and media
    }
    env.pop("LMS_REDIS_URL", None)
    flask = [sys.executable, "-m", "flask", "--app", "wsgi"]
    for args in (["db", "upgrade"], ["courses", "import", "courses"],
                 ["users", "create", READER_EMAIL, "--password", "-", "--name", "Reader"],
                 ["users", "create", AUTHOR_EMAIL, "--password", "-", "--name", "Annika Author", "--role", "author"]):
        done = subprocess.run(flask + args, cwd=ROOT, env=env, capture_output=True, text=True, timeout=300,
                              input=READER_PASSWORD + "\n")
        assert done.returncode == 0, done.stderr
    port = _free_port()
    # The address as a platform on another site sees it (127.0.0.1 and localhost are
    # different sites to Chromium). On localhost NordLearn sets, as `make run` does, the cookies an
    # iframe needs (SameSite=None; Secure; Partitioned); ``embedded_cookies=False`` makes them
    # SameSite=Lax ones a cross-site frame never gets.
    env["LMS_BASE_URL"] = f"http://localhost:{port}"
    env.pop("LMS_EMBEDDED_COOKIES", None)
    if not embedded_cookies:
        env["LMS_EMBEDDED_COOKIES"] = "0"
    binaries = str(Path(sys.executable).parent)
    gunicorn = shutil.which("gunicorn", path=binaries) or "gunicorn"
    server = subprocess.Popen(
        [gunicorn, "wsgi:app", "--bind", f"127.0.0.1:{port}", "--workers", "2", "--no-control-socket",
         "--log-level", "warning"],
        cwd=ROOT, env=env, start_new_session=True,
    )
    worker = subprocess.Popen(  # the background worker beside the site, as `make run` starts it
        [shutil.which("huey_consumer", path=binaries) or "huey_consumer", "worker.huey", "--workers", "2",
         "--worker-type", "thread", "--quiet"],
        cwd=ROOT, env=env, start_new_session=True,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(200):
            try:
                with urllib.request.urlopen(base + "/healthz", timeout=1) as response:
                    if response.status == 200:
                        break
            except OSError:
                time.sleep(0.1)
        else:
            raise RuntimeError("the live server did not answer /healthz")
        yield base, env
    finally:
        for process in (server, worker):
            os.killpg(process.pid, signal.SIGTERM)
            process.wait(timeout=30)


@pytest.fixture(scope="session")
def live_server(tmp_path_factory) -> Iterator[str]:
    with running_nordlearn(tmp_path_factory.mktemp("live"), embedded_cookies=True) as (base, env):
        live_env.update(env)
        yield base


def registered_platform(base: str, env: dict[str, str]):
    """A platform on 127.0.0.1 registered with a live NordLearn (which the browser reaches as localhost)."""
    from tests.lti.platform import Platform

    platform = Platform()
    platform.tool_base = base.replace("127.0.0.1", "localhost")
    done = subprocess.run([sys.executable, "-m", "flask", "--app", "wsgi", *platform.registration_args()],
                          cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    return platform


@pytest.fixture
def axe_check():
    """Run axe-core on the page; fail with the list of violations, if any."""
    from axe_playwright_python.sync_playwright import Axe

    axe = Axe()

    def check(page, label: str) -> None:
        results = axe.run(page, options={"runOnly": {"type": "tag", "values": AXE_TAGS}})
        violations = results.response["violations"]
        details = [
            f"{v['id']} ({v['impact']}): {v['help']} — " + "; ".join(n["target"][0] for n in v["nodes"][:3])
            for v in violations
        ]
        assert not violations, f"axe-core on {label}:\n" + "\n".join(details)

    return check


def log_in(page, base: str, email: str = READER_EMAIL, password: str = READER_PASSWORD) -> None:
    """Log in through the form, whatever language the page is in."""
    page.goto(base + "/account/login")
    page.fill("input[name=email]", email)
    page.fill("input[name=password]", password)
    page.locator("form.form button[type=submit]").click()
    page.wait_for_url(lambda url: "/account/login" not in url)


def module_questions(course: str, module: str, language: str) -> dict:
    """The questions of a sample module's text in ``language`` (as its file has them), by key."""
    from lms.content import checks

    folder = ROOT / "courses" / course / "modules" / module
    path = folder / f"{language}.md"
    text = (path if path.exists() else folder / "en.md").read_text(encoding="utf-8")
    return {question.key: question for question in checks.questions(text)[0]}


def answer_questions(scope, questions: dict, *, right: bool = True) -> None:
    """Answer the questions the page shows, as a learner does: right, or all wrong."""
    from lms.content.markdown import format_number

    for key, question in questions.items():
        name = f"q-{key}"
        if not scope.locator(f'[name="{name}"]').count():
            continue  # a final test shows only the questions its attempt drew
        if question.kind == "numeric":
            value = question.answer if right else question.answer + 1000
            scope.locator(f"#{name}-answer").fill(format_number(value))
            continue
        for number, option in enumerate(question.options, start=1):
            if option.correct == right and (question.kind == "multiple" or not scope.locator(
                    f'[name="{name}"]:checked').count()):
                scope.locator(f"#{name}-{number}").check()


def pass_module(scope, language: str, *, right: bool = True) -> None:
    """On a sample course's module page (a page or a frame): answer its questions (or start its final
    test and answer that) and send the answers; ends on the attempt's result."""
    from babel.support import Translations

    ui = Translations.load(str(ROOT / "translations"), [language])
    path = scope.locator("article.module").get_attribute("data-time-url")
    course, module = path.split("/")[2], path.split("/")[4]
    start = scope.get_by_role("button", name=ui.gettext("Start the test"))
    if start.count():
        start.click()
    answer_questions(scope, module_questions(course, module, language), right=right)
    scope.get_by_role("button", name=ui.gettext("Send my answers")).click()


def complete_module_in_finnish(scope, number: int, total: int = 6) -> None:
    """On module ``number`` of ``total`` (a page or a frame, in Finnish): pass its questions, which
    completes it, and land on the result."""
    from babel.support import Translations
    from playwright.sync_api import expect

    fi = Translations.load(str(ROOT / "translations"), ["fi"])
    position = fi.gettext("Module %(number)d of %(total)d")
    expect(scope.locator(".module-position")).to_have_text(position % {"number": number, "total": total})
    pass_module(scope, "fi")
    expect(scope.locator(".attempt-result")).to_contain_text(fi.gettext("You passed."))


def choose_language(page, code: str) -> None:
    """Use the language switcher in the page header, as a reader would."""
    page.select_option("#language-select", code)
    page.locator(".language-form button[type=submit]").click()
    page.wait_for_load_state()


@pytest.fixture(scope="session")
def lti_platform(live_server):
    platform = registered_platform(live_server, live_env)
    yield platform
    platform.close()


@pytest.fixture(scope="session")
def cookieless_platform(tmp_path_factory):
    """A platform with LTI platform storage, and a NordLearn whose cookies its frame never gets."""
    with running_nordlearn(tmp_path_factory.mktemp("cookieless"), embedded_cookies=False) as (base, env):
        platform = registered_platform(base, env)
        platform.storage_target = "_parent"
        yield platform
        platform.close()
