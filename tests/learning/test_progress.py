from __future__ import annotations

import threading

from sqlalchemy import func, select

from lms.accounts.models import Organisation, Role
from lms.catalog.models import Module
from lms.core.types import utcnow
from lms.extensions import db
from lms.learning import services as learning
from lms.learning.models import Enrolment, ModuleProgress
from tests.conftest import empty_database, login, make_app, post_form
from tests.factories import make_course, make_user


def progress_rows(user_id: int) -> list[ModuleProgress]:
    return db.session.scalars(select(ModuleProgress).where(ModuleProgress.user_id == user_id)).all()


def test_double_submit_and_retries_leave_one_row(client):
    course = make_course(modules=3)
    user = make_user(email="a@example.org")
    login(client, "a@example.org")
    path = f"/courses/{course.slug}/modules/module-1"
    client.get(path)
    for _ in range(3):  # double click, a second tab, a retried request
        response = post_form(client, path + "/complete", token_from=path)
        assert response.status_code == 302
    rows = progress_rows(user.id)
    assert len(rows) == 1 and rows[0].status.value == "completed"
    first_completion = rows[0].completed_at
    post_form(client, path + "/complete", token_from=path)
    db.session.expire_all()
    assert progress_rows(user.id)[0].completed_at == first_completion
    assert db.session.scalar(select(func.count()).select_from(Enrolment)) == 1


def test_course_progress_is_derived_from_module_rows(client):
    course = make_course(modules=4)
    make_user(email="a@example.org")
    login(client, "a@example.org")
    for n in (1, 2):
        path = f"/courses/{course.slug}/modules/module-{n}"
        post_form(client, path + "/complete", token_from=path)
    html = client.get("/dashboard").get_data(as_text=True)
    assert "2 of 4 modules completed" in html and "50%" in html
    # A module unpublished later no longer counts, in either direction.
    module = db.session.scalar(select(Module).where(Module.course_id == course.id, Module.slug == "module-4"))
    module.published = False
    db.session.commit()
    html = client.get("/dashboard").get_data(as_text=True)
    assert "2 of 3 modules completed" in html and "67%" in html


def test_continue_where_you_left_off(client):
    course = make_course(modules=4)
    make_user(email="a@example.org")
    login(client, "a@example.org")
    first = f"/courses/{course.slug}/modules/module-1"
    post_form(client, first + "/complete", token_from=first)   # lands on module 2
    client.get(f"/courses/{course.slug}/modules/module-3")      # then looks at module 3
    html = client.get("/dashboard").get_data(as_text=True)
    assert f'href="/courses/{course.slug}/modules/module-3">Continue where you left off' in html
    start = post_form(client, f"/courses/{course.slug}/start", token_from=f"/courses/{course.slug}")
    assert start.headers["Location"].endswith("/modules/module-3")


def test_completing_the_last_module_reaches_100_percent(client):
    course = make_course(modules=2)
    make_user(email="a@example.org")
    login(client, "a@example.org")
    for n in (1, 2):
        path = f"/courses/{course.slug}/modules/module-{n}"
        response = post_form(client, path + "/complete", token_from=path)
    assert response.headers["Location"].endswith(f"/courses/{course.slug}")
    html = client.get("/dashboard").get_data(as_text=True)
    assert "100%" in html and "Course completed." in html


def test_unpublished_modules_and_courses_cannot_be_opened_or_completed(client):
    hidden_course = make_course(modules=1, published=False)
    course = make_course(modules=2)
    module = db.session.scalar(select(Module).where(Module.course_id == course.id, Module.slug == "module-2"))
    module.published = False
    db.session.commit()
    user = make_user(email="a@example.org")
    login(client, "a@example.org")
    ok = f"/courses/{course.slug}/modules/module-1"
    for path in (f"/courses/{course.slug}/modules/module-2", f"/courses/{hidden_course.slug}/modules/module-1"):
        assert client.get(path).status_code == 404
        assert post_form(client, path + "/complete", token_from=ok).status_code == 404
    assert client.get(f"/courses/{hidden_course.slug}").status_code == 404
    # Only the visible module the forms were read from was recorded, and not as completed.
    assert [(p.module_id, p.status.value) for p in progress_rows(user.id)] == [(course.modules[0].id, "started")]


def test_module_pages_need_a_login(client):
    course = make_course(modules=1)
    response = client.get(f"/courses/{course.slug}/modules/module-1")
    assert response.status_code == 302 and "/account/login" in response.headers["Location"]


def test_another_users_progress_is_refused(client):
    lmi = db.session.scalar(select(Organisation).where(Organisation.name.contains("LMI")))
    other_org = db.session.scalar(select(Organisation).where(Organisation.name.contains("LIF")))
    course = make_course(modules=2)
    owner = make_user(email="owner@example.org", organisation_id=lmi.id, name="Kari Nordmann")
    learning.complete_module(user=owner, module=course.modules[0], at=utcnow())
    db.session.commit()
    make_user(email="peer@example.org", organisation_id=lmi.id)
    make_user(email="manager@example.org", role=Role.MANAGER, organisation_id=other_org.id)
    make_user(email="boss@example.org", role=Role.MANAGER, organisation_id=lmi.id)
    path = f"/users/{owner.id}/progress"
    for email in ("peer@example.org", "manager@example.org"):
        login(client, email)
        response = client.get(path)
        assert response.status_code == 404
        assert "Kari Nordmann" not in response.get_data(as_text=True)
        post_form(client, "/account/logout", token_from="/dashboard")
    for email in ("boss@example.org", "owner@example.org"):
        login(client, email)
        html = client.get(path).get_data(as_text=True)
        assert "1 of 2 modules completed" in html
        post_form(client, "/account/logout", token_from="/dashboard")


def test_concurrent_completes_leave_one_row_on_postgresql(postgres_url, tmp_path):
    """Eight threads, each with its own connection, complete the same module at once."""
    app = make_app(postgres_url, tmp_path)

    with app.app_context():
        course = make_course(modules=1)
        user = make_user(email="racer@example.org")
        module_id, user_id = course.modules[0].id, user.id
        barrier = threading.Barrier(8)
        errors: list[BaseException] = []

        def complete() -> None:
            try:
                with app.app_context():
                    from lms.accounts.models import User

                    u, m = db.session.get(User, user_id), db.session.get(Module, module_id)
                    barrier.wait()
                    learning.complete_module(user=u, module=m, at=utcnow())
                    db.session.commit()
                    db.session.remove()
            except BaseException as error:  # collected and re-raised in the main thread
                errors.append(error)

        threads = [threading.Thread(target=complete) for _ in range(8)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert errors == []
        assert len(progress_rows(user_id)) == 1
        assert db.session.scalar(select(func.count()).select_from(Enrolment)) == 1
        empty_database()
