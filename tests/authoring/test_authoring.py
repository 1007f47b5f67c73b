"""Course authors write, translate, publish and restore modules in the browser (server side)."""

from __future__ import annotations

import re
from html import unescape

from sqlalchemy import func, select

from lms.accounts.models import Role
from lms.authoring.models import CourseAuthor
from lms.core.audit import AuditEvent
from lms.catalog.models import Course, Module, ModuleRevision, RevisionStatus
from lms.extensions import db
from tests.conftest import login, post_form
from tests.factories import make_course, make_user

ENGLISH = """# Post-market surveillance

::: warning Sample material
Sample material pending expert review.
:::

Manufacturers keep a post-market surveillance system (MDR Article 83).

::: question single
Which article of the MDR requires a post-market surveillance system?
- [ ] Article 10
  > Article 10 lists the manufacturer's general obligations.
- [x] Article 83
  > Yes: Article 83(1).
:::
"""


def author_client(app, email: str = "author@example.org", role: Role = Role.AUTHOR):
    make_user(email=email, role=role, name=email.split("@")[0].title())
    client = app.test_client()
    login(client, email)
    return client


def learner_client(app, language: str = "en"):
    client = app.test_client()
    email = f"learner-{language}@example.org"
    make_user(email=email, language=language)
    login(client, email)
    return client


def textarea(html: str) -> str:
    match = re.search(r'<textarea[^>]*name="text"[^>]*>(?:\r?\n)?(.*?)</textarea>', html, re.S)
    assert match, "no text area"
    return unescape(match.group(1))  # a browser drops the newline right after <textarea>


def edit(client, path: str, text: str, action: str, base: str | None = None):
    page = client.get(path).get_data(as_text=True)
    return post_form(client, path, {"text": text, "action": action, "base": base or _base(page)}, token_from=path)


def _base(html: str) -> str:
    match = re.search(r'id="base" name="base" type="hidden" value="(\d+)"', html)
    assert match, "no base revision in the editor"
    return match.group(1)


def create_course(client, slug: str = "post-market", published: bool = True):
    fields = {"slug": slug, "default_language": "en", "version": "1.0", "estimated_hours": "2",
              "title_en": "Post-market duties", "summary_en": "What manufacturers do after placing a device.",
              "title_sv": "Skyldigheter efter utsläppande"}
    if published:
        fields["published"] = "y"
    response = post_form(client, "/author/new", fields, token_from="/author/new")
    assert response.status_code == 302, response.get_data(as_text=True)
    return response


def add_module(client, course: str, slug: str = "surveillance", title: str = "Post-market surveillance"):
    response = post_form(client, f"/author/{course}", {"slug": slug, "title": title}, token_from=f"/author/{course}")
    assert response.status_code == 302, response.get_data(as_text=True)
    return f"/author/{course}/modules/{slug}"


def test_an_author_creates_writes_previews_and_publishes_and_learners_never_see_drafts(app):
    author = author_client(app)
    create_course(author)
    editor = add_module(author, "post-market") + "/en"
    assert textarea(author.get(editor).get_data(as_text=True)) == "# Post-market surveillance\n"

    preview = post_form(author, editor, {"text": ENGLISH, "action": "preview", "base": "0"}, token_from=editor)
    html = preview.get_data(as_text=True)
    assert '<fieldset class="knowledge-check" data-kind="single">' in html  # the learners' renderer
    assert "Right answer" in html and "Yes: Article 83(1)." in html  # the author sees answers and feedback
    assert textarea(html) == ENGLISH  # nothing typed is lost

    assert edit(author, editor, ENGLISH, "save").status_code == 302
    learner = app.test_client()
    make_user(email="learner@example.org")
    login(learner, "learner@example.org")
    assert learner.get("/courses/post-market/modules/surveillance").status_code == 404  # a draft only

    assert edit(author, editor, ENGLISH, "publish").status_code == 302
    page = learner.get("/courses/post-market/modules/surveillance").get_data(as_text=True)
    assert "MDR Article 83" in page
    assert "Right answer" not in page and "Yes: Article 83(1)." not in page  # learners get no answers

    draft = ENGLISH.replace("Article 83)", "Article 83) and report trends (Article 88)")
    assert edit(author, editor, draft, "save").status_code == 302
    assert "Article 88" not in learner.get("/courses/post-market/modules/surveillance").get_data(as_text=True)
    statuses = db.session.scalars(select(ModuleRevision.status).order_by(ModuleRevision.id)).all()
    assert statuses == [RevisionStatus.DRAFT, RevisionStatus.DRAFT, RevisionStatus.PUBLISHED, RevisionStatus.DRAFT]


def test_errors_are_reported_by_line_and_nothing_is_saved(app):
    author = author_client(app)
    create_course(author)
    editor = add_module(author, "post-market") + "/en"
    broken = "# Title\n\nText.\n\n::: question single\nWhich one?\n- [x] A\n- [x] B\n:::\n\n![](media/missing.png)\n"
    before = db.session.scalar(select(func.count()).select_from(ModuleRevision))
    response = edit(author, editor, broken, "save")
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert "Line 5: a single-choice question needs exactly one right option" in unescape(html)
    assert "Line 11: an image needs a text alternative" in unescape(html)
    assert "Line 11: image media/missing.png is not in the course" in unescape(html)
    assert textarea(html) == broken
    assert db.session.scalar(select(func.count()).select_from(ModuleRevision)) == before


def two_authors_of_one_module(app):
    """Two logged-in authors of one course, and the editor of its module in English."""
    first = author_client(app, "first@example.org")
    create_course(first)
    editor = add_module(first, "post-market") + "/en"
    second = author_client(app, "second@example.org")
    course = db.session.scalar(select(Course))
    db.session.add(CourseAuthor(course_id=course.id, user_id=2))
    db.session.commit()
    return first, second, editor


def test_the_second_of_two_authors_gets_the_conflict_page_with_both_texts(app):
    first, second, editor = two_authors_of_one_module(app)
    base = _base(second.get(editor).get_data(as_text=True))  # both open the same version
    assert edit(first, editor, ENGLISH, "save", base=base).status_code == 302
    mine = ENGLISH.replace("surveillance system", "surveillance plan")
    conflict = post_form(second, editor, {"text": mine, "action": "save", "base": base}, token_from=editor)
    assert conflict.status_code == 409
    html = unescape(conflict.get_data(as_text=True))
    assert "surveillance plan" in html and "surveillance system (MDR Article 83)" in html  # both texts intact
    newest = db.session.scalar(select(ModuleRevision).order_by(ModuleRevision.id.desc()))
    assert "surveillance system" in newest.body  # the first save was not overwritten
    newer_base = re.search(r'name="base" value="(\d+)"', html).group(1)
    resolved = post_form(second, editor, {"text": mine, "action": "save", "base": newer_base}, token_from=editor)
    assert resolved.status_code == 302
    assert "surveillance plan" in db.session.scalar(select(ModuleRevision).order_by(ModuleRevision.id.desc())).body


def test_history_shows_a_diff_and_restore_brings_back_an_earlier_text(app):
    author = author_client(app)
    create_course(author)
    editor = add_module(author, "post-market") + "/en"
    edit(author, editor, ENGLISH, "publish")
    edit(author, editor, ENGLISH.replace("Article 83)", "Article 84)"), "publish")
    history = author.get(editor + "/history").get_data(as_text=True)
    assert "Article 83)" in history and "Article 84)" in history and "<del>" in history and "<ins>" in history
    published = db.session.scalars(select(ModuleRevision.id).where(
        ModuleRevision.status == RevisionStatus.PUBLISHED).order_by(ModuleRevision.id)).all()
    restored = post_form(author, f"{editor}/restore/{published[0]}", token_from=editor + "/history")
    assert restored.status_code == 302
    assert "Article 83)" in textarea(author.get(editor).get_data(as_text=True))
    assert edit(author, editor, ENGLISH, "publish").status_code == 302
    learner = learner_client(app)
    assert "Article 83)" in learner.get("/courses/post-market/modules/surveillance").get_data(as_text=True)


def test_translating_side_by_side_and_seeing_what_changed_in_the_source(app):
    author = author_client(app)
    create_course(author)
    module = add_module(author, "post-market")
    edit(author, module + "/en", ENGLISH, "publish")
    swedish_editor = author.get(module + "/sv").get_data(as_text=True)
    assert 'class="source-text" lang="en"' in swedish_editor and "MDR Article 83" in unescape(swedish_editor)
    swedish = "# Övervakning efter utsläppande\n\nTillverkare har ett system (MDR artikel 83).\n"
    assert edit(author, module + "/sv", swedish, "publish").status_code == 302
    row = db.session.scalar(select(ModuleRevision).where(ModuleRevision.language == "sv"))
    english = db.session.scalar(select(ModuleRevision).where(
        ModuleRevision.language == "en", ModuleRevision.status == RevisionStatus.PUBLISHED))
    assert (row.source_language, row.source_hash, row.source_revision_id) == ("en", english.content_hash, english.id)

    table = author.get("/author/post-market/translations").get_data(as_text=True)
    assert 'href="/author/post-market/modules/surveillance/sv"' in table  # open it from the table
    edit(author, module + "/en", ENGLISH.replace("post-market surveillance system", "PMS system"), "publish")
    outdated = unescape(author.get(module + "/sv").get_data(as_text=True))
    assert "The source text changed after this translation was made" in outdated
    assert "PMS system" in outdated and "<del>" in outdated

    learner = learner_client(app, "sv")
    page = learner.get("/courses/post-market/modules/surveillance")
    assert "Tillverkare har ett system" in page.get_data(as_text=True)


def test_modules_are_added_reordered_hidden_removed_and_restored_without_losing_progress(app):
    author = author_client(app)
    create_course(author)
    for slug, title in (("one", "One"), ("two", "Two"), ("three", "Three")):
        edit(author, add_module(author, "post-market", slug, title) + "/en", f"# {title}\n\nText {title}.\n", "publish")
    post_form(author, "/author/post-market/modules/three/move", {"direction": "up"}, token_from="/author/post-market")
    order = db.session.scalars(select(Module.slug).order_by(Module.position)).all()
    assert order == ["one", "three", "two"]
    post_form(author, "/author/post-market/modules/two/published", {"published": "0"}, token_from="/author/post-market")
    learner_view = app.test_client().get("/courses/post-market").get_data(as_text=True)
    assert "Text" not in learner_view and ">Two<" not in learner_view

    confirm = author.get("/author/post-market/modules/one/remove")
    assert confirm.status_code == 200 and "progress are kept" in confirm.get_data(as_text=True)
    post_form(author, "/author/post-market/modules/one/remove", token_from="/author/post-market/modules/one/remove")
    one = db.session.scalar(select(Module).where(Module.slug == "one"))
    assert one.archived_at is not None
    assert learner_client(app).get("/courses/post-market/modules/one").status_code == 404
    post_form(author, "/author/post-market/modules/one/restore", token_from="/author/post-market")
    db.session.refresh(one)
    assert one.archived_at is None and one.position == 4
    log = author.get("/author/post-market/log").get_data(as_text=True)
    for entry in ("Course created", "Module added", "Module moved to place", "Module hidden from learners",
                  "Module removed", "Module restored", "Text published (English)"):
        assert entry in log


def test_images_need_alt_text_and_a_real_image_type(app, tmp_path):
    from tests.content.test_packages import PNG

    author = author_client(app)
    create_course(author)
    editor = add_module(author, "post-market") + "/en"

    def upload(filename: str, data: bytes, alt: str = "A bar chart of incident reports"):
        import io

        page = author.get(editor).get_data(as_text=True)
        return post_form(author, editor, {"text": ENGLISH, "action": "upload", "base": _base(page), "alt": alt,
                                          "image": (io.BytesIO(data), filename)},
                         token_from=editor, content_type="multipart/form-data")

    assert upload("chart.png", PNG, alt="").status_code == 422
    refused = upload("chart.svg", b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>')
    assert refused.status_code == 422 and "SVG images are not accepted" in refused.get_data(as_text=True)
    assert upload("chart.png", b"not really a png").status_code == 422
    from lms.accounts.models import User
    from lms.authoring import services

    writer = db.session.scalar(select(User).where(User.email == "author@example.org"))
    course = db.session.scalar(select(Course))
    try:  # 5 MiB at most (checked in the service, whichever way the bytes come)
        services.upload_image(user=writer, course=course, filename="huge.png", data=PNG + b"\0" * (5 * 1024 * 1024))
    except services.InvalidMedia as refused_size:
        assert refused_size.reason == "size"
    else:
        raise AssertionError("a 5 MiB + image was accepted")
    assert db.session.scalar(select(func.count()).select_from(ModuleRevision)) == 1  # nothing saved meanwhile

    done = upload("Incident Chart.PNG", PNG)
    assert done.status_code == 200
    text = textarea(done.get_data(as_text=True))
    assert text.endswith("![A bar chart of incident reports](media/incident-chart.png)\n")
    assert edit(author, editor, text, "publish").status_code == 302
    with author.get("/author/post-market/media/incident-chart.png") as image:
        assert image.status_code == 200 and image.data == PNG


def test_an_admin_assigns_authors_and_only_authors_of_a_course_may_change_it(app):
    course = make_course(slug="assigned")
    author = author_client(app, "writer@example.org")
    assert author.get("/author/assigned").status_code == 404
    admin = author_client(app, "admin@example.org", role=Role.ADMIN)
    learner = author_client(app, "reader@example.org", role=Role.LEARNER)
    refused = post_form(admin, "/author/assigned/authors", {"email": "reader@example.org"},
                        token_from="/author/assigned/authors")
    assert refused.status_code == 422 and "author role" in refused.get_data(as_text=True)
    assert post_form(admin, "/author/assigned/authors", {"email": "writer@example.org"},
                     token_from="/author/assigned/authors").status_code == 302
    assert author.get("/author/assigned").status_code == 200
    assert author.get("/author/assigned/authors").status_code == 404  # only admins assign
    assert learner.get("/author/").status_code == 404
    writer_id = db.session.scalar(select(CourseAuthor.user_id).where(CourseAuthor.course_id == course.id))
    post_form(admin, f"/author/assigned/authors/{writer_id}/remove", token_from="/author/assigned/authors")
    assert author.get("/author/assigned").status_code == 404


def test_no_one_but_the_courses_authors_can_change_it_by_any_route(app):
    course = make_course(slug="guarded", modules=2)
    make_user(email="other-author@example.org", role=Role.AUTHOR)
    revision = db.session.scalar(select(ModuleRevision.id).limit(1))
    routes = [
        ("/author/guarded", {"slug": "x", "title": "X"}),
        ("/author/guarded/settings", {"slug": "guarded", "default_language": "en", "version": "9", "estimated_hours": "1",
                                      "title_en": "Hijacked"}),
        ("/author/guarded/modules/module-1/move", {"direction": "down"}),
        ("/author/guarded/modules/module-1/rename", {"title": "Hijacked"}),
        ("/author/guarded/modules/module-1/watch-rule", {"percent": "100"}),
        ("/author/guarded/modules/module-1/published", {"published": "0"}),
        ("/author/guarded/modules/module-1/remove", {}),
        ("/author/guarded/modules/module-1/restore", {}),
        ("/author/guarded/modules/module-1/en", {"text": "# Hijacked\n\nText.\n", "action": "publish", "base": "0"}),
        (f"/author/guarded/modules/module-1/en/restore/{revision}", {}),
        ("/author/guarded/package", {}),
        ("/author/guarded/package/apply", {"key": "x"}),
        ("/author/guarded/authors", {"email": "other-author@example.org"}),
        ("/author/guarded/authors/1/remove", {}),
    ]
    gets = ["/author/guarded", "/author/guarded/settings", "/author/guarded/modules/module-1/en",
            "/author/guarded/modules/module-1/en/history", "/author/guarded/log", "/author/guarded/package.zip",
            "/author/guarded/package", "/author/guarded/authors", "/author/guarded/modules/module-1/remove"]

    def state():
        return (db.session.scalar(select(func.count()).select_from(ModuleRevision)),
                db.session.scalar(select(func.count()).select_from(Module)),
                db.session.scalar(select(func.count()).select_from(AuditEvent)),
                db.session.scalar(select(func.count()).select_from(CourseAuthor)))

    before = state()
    for who in ("learner@example.org", "other-author@example.org", None):
        client = app.test_client()
        if who == "learner@example.org":
            make_user(email=who)
        if who:
            login(client, who)
        for path, data in routes:
            response = post_form(client, path, data, token_from="/")
            assert response.status_code in (404, 302), (who, path, response.status_code)
            if response.status_code == 302:  # anonymous: sent to log in
                assert "/account/login" in response.headers["Location"], (who, path)
        for path in gets:
            response = client.get(path)
            assert response.status_code in (404, 302), (who, path, response.status_code)
    assert state() == before
    db.session.refresh(course)
    assert course.version == "1.0"


def test_authoring_pages_run_the_same_number_of_queries_for_5_and_50_modules(app):
    from tests.conftest import count_queries

    counts: dict[tuple[str, int], int] = {}
    make_user(email="admin@example.org", role=Role.ADMIN)
    for modules in (5, 50):
        slug = make_course(slug=f"size-{modules}", modules=modules, languages=("en", "sv", "fi")).slug
        client = app.test_client()
        login(client, "admin@example.org")
        for page in ("", "/modules/module-2/sv", "/modules/module-2/sv/history", "/log"):
            path = f"/author/{slug}{page}"
            assert client.get(path).status_code == 200
            db.session.expunge_all()
            with count_queries() as statements:
                assert client.get(path).status_code == 200
            counts[(page, modules)] = len(statements)
    for page in ("", "/modules/module-2/sv", "/modules/module-2/sv/history", "/log"):
        assert counts[(page, 5)] == counts[(page, 50)], counts
    print({page: n for (page, size), n in counts.items() if size == 5})


def test_renaming_a_module_keeps_its_text_and_its_state(app):
    author = author_client(app)
    create_course(author)
    editor = add_module(author, "post-market") + "/en"
    edit(author, editor, ENGLISH, "publish")
    renamed = post_form(author, "/author/post-market/modules/surveillance/rename", {"title": "  PMS   in practice "},
                        token_from="/author/post-market")
    assert renamed.status_code == 302
    newest = db.session.scalar(select(ModuleRevision).order_by(ModuleRevision.id.desc()))
    assert newest.status is RevisionStatus.PUBLISHED and newest.title == "PMS in practice"
    assert newest.body == ENGLISH.replace("# Post-market surveillance\n", "# PMS in practice\n")
    learner = learner_client(app)
    assert "PMS in practice" in learner.get("/courses/post-market/modules/surveillance").get_data(as_text=True)
    post_form(author, "/author/post-market/modules/surveillance/rename", {"title": "x" * 301},
              token_from="/author/post-market")
    assert db.session.scalar(select(ModuleRevision).order_by(ModuleRevision.id.desc())).id == newest.id
    assert "Module renamed to" in author.get("/author/post-market/log").get_data(as_text=True)
