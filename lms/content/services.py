"""Rendered module HTML, cached per revision: a revision never changes, so its HTML never does."""

from __future__ import annotations

from markupsafe import Markup

from lms.catalog.models import ModuleRevision
from lms.content import markdown
from lms.extensions import cache


def module_html(revision: ModuleRevision) -> Markup:
    key = f"module-html:{markdown.RENDERER_VERSION}:{revision.id}"
    html = cache.get(key)
    if html is None:
        html = str(markdown.render_module_file(revision.body))
        cache.set(key, html, timeout=0)
    return Markup(html)
