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
RENDERER_VERSION = 3
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


def _question_rule(state, start_line: int, end_line: int, silent: bool) -> bool:
    """``::: question KIND`` … ``:::``: one knowledge-check question (lms.content.checks)."""
    from lms.content import checks

    if state.sCount[start_line] - state.blkIndent >= 4:
        return False
    first = state.src[state.bMarks[start_line] + state.tShift[start_line]:state.eMarks[start_line]]
    if not checks.OPEN_RE.match(first):
        return False
    close = start_line + 1
    while close < end_line:
        text = state.src[state.bMarks[close] + state.tShift[close]:state.eMarks[close]]
        if checks.CLOSE_RE.match(text) and state.sCount[close] < state.blkIndent + 4:
            break
        close += 1
    else:
        return False  # never closed: shown as the text it is
    if silent:
        return True
    lines = [first] + [state.src[state.bMarks[i]:state.eMarks[i]] for i in range(start_line + 1, close)]
    question, _problems = checks.parse_block(lines, start_line + 1)
    token = state.push("knowledge_check", "", 0)
    token.meta = {"question": question, "raw": "\n".join(lines)}
    token.map = [start_line, close + 1]
    token.block = True
    state.line = close + 1
    return True


VIDEO_OPEN_RE = re.compile(r"^::: *video +(?P<src>\S+) *$")


def _video_rule(state, start_line: int, end_line: int, silent: bool) -> bool:
    """``::: video media/lecture.webm`` (or an https address) … ``:::``: a recorded lecture."""
    from lms.content import checks

    if state.sCount[start_line] - state.blkIndent >= 4:
        return False
    first = state.src[state.bMarks[start_line] + state.tShift[start_line]:state.eMarks[start_line]]
    match = VIDEO_OPEN_RE.match(first)
    if not match:
        return False
    close = start_line + 1
    while close < end_line:
        text = state.src[state.bMarks[close] + state.tShift[close]:state.eMarks[close]]
        if checks.CLOSE_RE.match(text):
            break
        close += 1
    else:
        return False
    if silent:
        return True
    token = state.push("video", "", 0)
    token.meta = {"src": match.group("src"),
                  "caption": " ".join(state.src[state.bMarks[i]:state.eMarks[i]].strip()
                                      for i in range(start_line + 1, close)).strip()}
    token.map = [start_line, close + 1]
    token.block = True
    state.line = close + 1
    return True


def _clock(value: float) -> str:
    total = int(value)
    hours, rest = divmod(total, 3600)
    return f"{hours}:{rest // 60:02d}:{rest % 60:02d}" if hours else f"{rest // 60}:{rest % 60:02d}"


def _render_video(self: RendererHTML, tokens: list[Token], idx: int, options, env) -> str:
    """The browser's own player with every subtitle track (the reader's language by default)
    and, below it, the transcript of that track."""
    meta = tokens[idx].meta
    src = meta["src"]
    caption = f"<figcaption>{_MD.renderInline(meta['caption'], env)}</figcaption>\n" if meta["caption"] else ""
    labels = env.get("labels") or {}
    if not src.startswith("media/"):
        if not re.match(r"^https://[^\s\"'<>]+$", src):
            return f"<p>{escape(src)}</p>\n"
        if not src.lower().split("?")[0].endswith((".mp4", ".webm")):
            host = src.split("/")[2]
            text = escape(labels.get("watch_at", "%(host)s") % {"host": host})
            return (f'<figure class="video video-external"><p><a href="{escape(src)}" rel="noopener noreferrer">'
                    f"{text}</a></p>\n{caption}</figure>\n")
    video = env["video"](src) if env.get("video") else None
    url = video.url if video else escape(src)
    html = [f'<figure class="video"><video controls preload="metadata" playsinline '
            f'data-video="{escape(src)}" src="{escape(url)}">\n']
    for track in video.tracks if video else ():
        default = " default" if track.default else ""
        html.append(f'<track kind="subtitles" srclang="{track.language}" label="{escape(track.label)}" '
                    f'src="{escape(track.url)}"{default}>\n')
    html.append("</video>\n")
    html.append(caption)
    if video and video.transcript:
        heading = escape(labels.get("transcript", "Transcript"))
        html.append(f'<details class="transcript" open lang="{video.transcript_language}"><summary>{heading}'
                    f'</summary>\n')
        for start, text in video.transcript:
            html.append(f'<p><span class="cue-time">{_clock(start)}</span> {escape(text)}</p>\n')
        html.append("</details>\n")
    html.append("</figure>\n")
    return "".join(html)


def _render_question(self: RendererHTML, tokens: list[Token], idx: int, options, env) -> str:
    """A question as a fieldset of options. Learners see no answer; an author's preview
    (``env["preview"]``, the labels in the author's language) marks the right options
    and shows each option's feedback."""
    question = tokens[idx].meta["question"]
    if question is None:
        return f'<pre class="knowledge-check-invalid"><code>{escape(tokens[idx].meta["raw"])}</code></pre>\n'
    env["questions"] = number = env.get("questions", 0) + 1
    name = f"question-{number}"
    kind = "checkbox" if question.kind == "multiple" else "radio"
    preview = env.get("preview")
    html = [f'<fieldset class="knowledge-check" data-kind="{question.kind}">\n',
            f'<legend>{_MD.renderInline(" ".join(question.prompt), env)}</legend>\n',
            '<ul class="knowledge-check-options">\n']
    for position, option in enumerate(question.options, start=1):
        field = f"{name}-{position}"
        html.append(f'<li><input type="{kind}" name="{name}" id="{field}" disabled> '
                    f'<label for="{field}">{_MD.renderInline(option.text, env)}</label>')
        if preview and option.correct:
            html.append(f' <strong class="knowledge-check-right">{escape(preview["right"])}</strong>')
        if preview and option.feedback:
            html.append(f'<p class="knowledge-check-feedback">{_MD.renderInline(" ".join(option.feedback), env)}</p>')
        html.append("</li>\n")
    html.append("</ul>\n</fieldset>\n")
    return "".join(html)


def _validate_link(url: str) -> bool:
    stripped = url.strip()
    if stripped.lower().startswith("data:image/"):
        return bool(re.match(r"data:image/(png|gif|jpeg|webp);", stripped, re.IGNORECASE))
    return bool(_SAFE_URL.match(stripped))


def _build() -> MarkdownIt:
    md = MarkdownIt("js-default", {"typographer": False}).use(footnote_plugin)
    for kind in CALLOUT_TYPES:
        md.use(container_plugin, name=kind, render=_callout_renderer(kind))
    md.block.ruler.before("fence", "knowledge_check", _question_rule,
                          {"alt": ["paragraph", "reference", "blockquote", "list"]})
    md.add_render_rule("knowledge_check", _render_question)
    md.block.ruler.before("fence", "video", _video_rule, {"alt": ["paragraph", "reference", "blockquote", "list"]})
    md.add_render_rule("video", _render_video)
    md.validateLink = _validate_link
    md.add_render_rule("link_open", _link_open)
    md.add_render_rule("image", _image)
    return md


_MD = _build()


def render(text: str, *, media_base: str | None = None, preview: dict[str, str] | None = None,
           video=None, labels: dict[str, str] | None = None) -> Markup:
    """Render a module body (without its title line) to HTML that is safe to embed.

    ``media_base`` is the URL that the course's ``media/`` images are served from;
    ``preview`` (labels in the author's language) shows questions' answers and feedback;
    ``video(src)`` tells a video's URL, subtitle tracks and transcript; ``labels`` are the
    few interface words a module shows (in the reader's language).
    """
    return Markup(_MD.render(text, {"media_base": media_base, "preview": preview, "video": video,
                                    "labels": labels}))


def render_module_file(text: str, *, media_base: str | None = None, preview: dict[str, str] | None = None,
                       video=None, labels: dict[str, str] | None = None) -> Markup:
    """Render a whole module file: the title line is shown by the page, not repeated."""
    _title, body = split_title(text)
    return render(body, media_base=media_base, preview=preview, video=video, labels=labels)
