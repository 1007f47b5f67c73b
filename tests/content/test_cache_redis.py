"""Rendered module HTML is shared through Redis when LMS_REDIS_URL is set, as several instances need."""

from __future__ import annotations

import redis
from sqlalchemy import select

from lms.accounts import services as accounts
from lms.catalog.models import ModuleRevision
from lms.content import markdown
from lms.extensions import db
from tests.conftest import login, make_app
from tests.factories import make_course, make_user


def test_rendered_html_is_cached_in_redis_and_shared_between_instances(redis_url, tmp_path, monkeypatch):
    store = redis.Redis.from_url(redis_url)
    store.flushdb()
    monkeypatch.setenv("LMS_REDIS_URL", redis_url)
    database = f"sqlite:///{tmp_path / 'shared.sqlite3'}"
    first = make_app(database, tmp_path / "one", CACHE_TYPE="RedisCache")
    second = make_app(database, tmp_path / "two", CACHE_TYPE="RedisCache")
    assert first.config["CACHE_REDIS_URL"] == redis_url

    renders = []
    real = markdown.render_module_file
    monkeypatch.setattr(markdown, "render_module_file", lambda text, **kw: renders.append(text) or real(text, **kw))
    with first.app_context():
        db.create_all()
        accounts.seed_partner_organisations()
        course = make_course(modules=1)
        make_user(email="a@example.org")
        revision_id = db.session.scalar(select(ModuleRevision.id))
        slug = course.slug
    for app in (first, second):
        client = app.test_client()
        login(client, "a@example.org")
        html = client.get(f"/courses/{slug}/modules/module-1").get_data(as_text=True)
        assert "Text of module 1 in en." in html
    assert len(renders) == 1, "the second instance must reuse the first one's rendering"
    keys = [k.decode() for k in store.keys("lms:*")]
    assert any(k.startswith(f"lms:module-html:{markdown.RENDERER_VERSION}:{revision_id}:en:") for k in keys)
    store.flushdb()
