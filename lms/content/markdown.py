"""Module Markdown → safe HTML. The only place in NordLearn that renders Markdown.

Raw HTML is never passed through (``js-default`` preset: ``html`` off) and
links are validated (no ``javascript:``, ``vbscript:``, ``file:`` or
non-image ``data:`` URLs), so what authors write cannot run in a learner's
browser.
"""

from __future__ import annotations

import re
from html import escape

from markdown_it import MarkdownIt
from markdown_it.renderer import RendererHTML
from markdown_it.token import Token
from markupsafe import Markup
from mdit_py_plugins.container import container_plugin
from mdit_py_plugins.footnote import footnote_plugin

# Bump when the output of the renderer changes, so cached HTML is not reused.
RENDERER_VERSION = 1
CALLOUT_TYPES = ("note", "tip", "warning", "important")
_TITLE_LINE = re.compile(r"\A# +(?P<title>[^\n]*?)[ #]*(\r?\n|\Z)")
_SAFE_URL = re.compile(r"^(https?:|mailto:|#|/|\.{0,2}/|[^:]*$)", re.IGNORECASE)


def split_title(text: str) -> tuple[str | None, str]:
    """Split a module file into its ``# Title`` first line and the body after it."""
    match = _TITLE_LINE.match(text)
    if not match or not match.group("title").strip():
        return None, text
    return match.group("title").strip(), text[match.end():]


def _callout_renderer(kind: str):
    def render(self: RendererHTML, tokens: list[Token], idx: int, options, env) -> str:
        token = tokens[idx]
        if token.nesting == 1:
            title = token.info.strip()[len(kind):].strip()
            heading = f'<p class="callout-title">{escape(title)}</p>\n' if title else ""
            return f'<div class="callout callout-{kind}" role="note">\n{heading}'
        return "</div>\n"

    return render


def _link_open(self: RendererHTML, tokens: list[Token], idx: int, options, env) -> str:
    token = tokens[idx]
    href = str(token.attrGet("href") or "")
    if href.lower().startswith(("http://", "https://")):
        token.attrSet("rel", "noopener noreferrer")
    return self.renderToken(tokens, idx, options, env)


def _image(self: RendererHTML, tokens: list[Token], idx: int, options, env) -> str:
    token = tokens[idx]
    src = str(token.attrGet("src") or "")
    if env.get("media_base") and src.startswith("media/"):
        token.attrSet("src", env["media_base"] + src[len("media/"):])
    token.attrSet("loading", "lazy")
    return self.image(tokens, idx, options, env)


def _validate_link(url: str) -> bool:
    stripped = url.strip()
    if stripped.lower().startswith("data:image/"):
        return bool(re.match(r"data:image/(png|gif|jpeg|webp);", stripped, re.IGNORECASE))
    return bool(_SAFE_URL.match(stripped))


def _build() -> MarkdownIt:
    md = MarkdownIt("js-default", {"typographer": False}).use(footnote_plugin)
    for kind in CALLOUT_TYPES:
        md.use(container_plugin, name=kind, render=_callout_renderer(kind))
    md.validateLink = _validate_link
    md.add_render_rule("link_open", _link_open)
    md.add_render_rule("image", _image)
    return md


_MD = _build()


def render(text: str, *, media_base: str | None = None) -> Markup:
    """Render a module body (without its title line) to HTML that is safe to embed.

    ``media_base`` is the URL that the course's ``media/`` images are served from.
    """
    return Markup(_MD.render(text, {"media_base": media_base}))


def render_module_file(text: str, *, media_base: str | None = None) -> Markup:
    """Render a whole module file: the title line is shown by the page, not repeated."""
    _title, body = split_title(text)
    return render(body, media_base=media_base)
