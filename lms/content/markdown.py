"""Module Markdown → safe HTML. The only place in NordLearn that renders Markdown.

Raw HTML is never passed through (``js-default`` preset: ``html`` off) and
links are validated (no ``javascript:``, ``vbscript:``, ``file:`` or
non-image ``data:`` URLs), so what authors write cannot run in a learner's
browser.

NordLearn's blocks (questions, videos; see ``lms.content.syntax``) become tokens of
the one token stream markdown-it makes, their texts ``inline`` tokens parsed in the
same pass as everything else: footnotes referred to from a question or a caption are
numbered with the others and listed once, at the end. ``lms.content.checks`` reads
the same stream, so what is checked is exactly what is rendered.
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

from lms.content.syntax import CLOSE_RE, OPEN_RE, VIDEO_OPEN_RE, parse_question, split_title

# Bump when the output of the renderer changes, so cached HTML is not reused.
RENDERER_VERSION = 5
CALLOUT_TYPES = ("note", "tip", "warning", "important")
_SAFE_URL = re.compile(r"^(https?:|mailto:|#|/|\.{0,2}/|[^:]*$)", re.IGNORECASE)

# How questions show: answerable by a learner (inputs belong to the page's form ``knowledge-check``),
# left out (a final test's pool: its questions are drawn per attempt), or read-only.
ANSWER, HIDE, READ = "answer", "hide", "read"
ANSWER_FORM = "knowledge-check"

__all__ = ["ANSWER", "ANSWER_FORM", "HIDE", "Markup", "READ", "RENDERER_VERSION", "inline", "parse", "render",
           "render_module_file", "split_title"]


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


# ---------------------------------------------------------------- NordLearn's blocks: finding them


def _line(state, number: int) -> str:
    return state.src[state.bMarks[number] + state.tShift[number]:state.eMarks[number]]


def _closing_line(state, start_line: int, end_line: int) -> int | None:
    for number in range(start_line + 1, end_line):
        if CLOSE_RE.match(_line(state, number)) and state.sCount[number] < state.blkIndent + 4:
            return number
    return None


def _inline(state, content: str, line: int) -> None:
    token = state.push("inline", "", 0)
    token.content, token.map, token.children = content, [line, line + 1], []


def _question_rule(state, start_line: int, end_line: int, silent: bool) -> bool:
    """``::: question KIND`` … ``:::``: one knowledge-check question. Never closed, it is no question
    (a paragraph, which the checks report)."""
    if state.sCount[start_line] - state.blkIndent >= 4 or not OPEN_RE.match(_line(state, start_line)):
        return False
    close = _closing_line(state, start_line, end_line)
    if close is None:
        return False
    if silent:
        return True
    lines = [_line(state, start_line)] + [state.src[state.bMarks[i]:state.eMarks[i]]
                                         for i in range(start_line + 1, close)]
    question, problems = parse_question(lines, start_line + 1)
    if question is None:
        token = state.push("knowledge_check_invalid", "", 0)
        token.meta = {"raw": "\n".join(lines), "problems": problems}
        token.map, token.block = [start_line, close + 1], True
    else:
        _question_tokens(state, question, start_line, close)
    state.line = close + 1
    return True


def _question_tokens(state, question, start_line: int, close: int) -> None:
    opening = state.push("knowledge_check_open", "fieldset", 1)
    opening.meta, opening.map, opening.block = {"question": question}, [start_line, close + 1], True
    _inline(state, " ".join(question.prompt), start_line)
    if question.kind == "numeric":
        state.push("knowledge_check_number", "input", 0).meta = {"question": question}
        if question.explanation:
            state.push("knowledge_check_feedback_open", "p", 1)
            _inline(state, " ".join(question.explanation), start_line)
            state.push("knowledge_check_feedback_close", "p", -1)
        state.push("knowledge_check_close", "fieldset", -1)
        return
    state.push("knowledge_check_options_open", "ul", 1)
    for position, option in enumerate(question.options, start=1):
        token = state.push("knowledge_check_option_open", "li", 1)
        token.meta = {"option": option, "position": position}
        _inline(state, option.text, option.line - 1)
        if option.feedback:
            state.push("knowledge_check_feedback_open", "p", 1)
            _inline(state, " ".join(option.feedback), option.line - 1)
            state.push("knowledge_check_feedback_close", "p", -1)
        state.push("knowledge_check_option_close", "li", -1)
    state.push("knowledge_check_options_close", "ul", -1)
    state.push("knowledge_check_close", "fieldset", -1)


def _video_rule(state, start_line: int, end_line: int, silent: bool) -> bool:
    """``::: video media/lecture.webm`` (or an https address) … ``:::``: a recorded lecture."""
    if state.sCount[start_line] - state.blkIndent >= 4:
        return False
    match = VIDEO_OPEN_RE.match(_line(state, start_line))
    if not match:
        return False
    close = _closing_line(state, start_line, end_line)
    if close is None:
        return False
    if silent:
        return True
    opening = state.push("video_open", "figure", 1)
    opening.meta, opening.map, opening.block = {"src": match.group("src")}, [start_line, close + 1], True
    caption = " ".join(state.src[state.bMarks[i]:state.eMarks[i]].strip() for i in range(start_line + 1, close))
    if caption.strip():
        state.push("video_caption_open", "figcaption", 1)
        _inline(state, caption.strip(), start_line + 1)
        state.push("video_caption_close", "figcaption", -1)
    closing = state.push("video_close", "figure", -1)
    closing.meta = opening.meta
    state.line = close + 1
    return True


# ---------------------------------------------------------------- NordLearn's blocks: rendering them


def _clock(value: float) -> str:
    total = int(value)
    hours, rest = divmod(total, 3600)
    return f"{hours}:{rest // 60:02d}:{rest % 60:02d}" if hours else f"{rest // 60}:{rest % 60:02d}"


def _video_kind(src: str) -> str:
    """"media" (a course file), "file" (an https MP4/WebM), "page" (another https page) or "invalid"."""
    if src.startswith("media/"):
        return "media"
    if not re.match(r"^https://[^\s\"'<>]+$", src):
        return "invalid"
    return "file" if src.lower().split("?")[0].endswith((".mp4", ".webm")) else "page"


def _render_video_open(self: RendererHTML, tokens: list[Token], idx: int, options, env) -> str:
    """The browser's own player with every subtitle track (the reader's language by default)."""
    src = tokens[idx].meta["src"]
    kind = _video_kind(src)
    if kind == "invalid":
        return f'<figure class="video"><p>{escape(src)}</p>\n'
    if kind == "page":
        labels = env.get("labels") or {}
        text = escape(labels.get("watch_at", "%(host)s") % {"host": src.split("/")[2]})
        return (f'<figure class="video video-external"><p><a href="{escape(src)}" rel="noopener noreferrer">'
                f"{text}</a></p>\n")
    video = env["video"](src) if env.get("video") else None
    tokens[idx].meta["resolved"] = video  # shared with the closing token, which shows the transcript
    url = video.url if video else src
    html = [f'<figure class="video"><video controls preload="metadata" playsinline '
            f'data-video="{escape(src)}" src="{escape(url)}">\n']
    for track in video.tracks if video else ():
        default = " default" if track.default else ""
        html.append(f'<track kind="subtitles" srclang="{track.language}" label="{escape(track.label)}" '
                    f'src="{escape(track.url)}"{default}>\n')
    html.append("</video>\n")
    return "".join(html)


def _render_video_close(self: RendererHTML, tokens: list[Token], idx: int, options, env) -> str:
    """Below the player (and its caption): the transcript of the chosen track."""
    video = tokens[idx].meta.get("resolved")
    html = []
    if video is not None and video.transcript:
        labels = env.get("labels") or {}
        heading = escape(labels.get("transcript", "Transcript"))
        html.append(f'<details class="transcript" open lang="{video.transcript_language}"><summary>{heading}'
                    f'</summary>\n')
        for start, text in video.transcript:
            html.append(f'<p><span class="cue-time">{_clock(start)}</span> {escape(text)}</p>\n')
        html.append("</details>\n")
    html.append("</figure>\n")
    return "".join(html)


def _render_question_open(self: RendererHTML, tokens: list[Token], idx: int, options, env) -> str:
    """A question as a fieldset. Learners answer it (``env["questions"] == ANSWER``: each input names
    the question by its key and belongs to the page's answer form) or read it; an author's preview
    (``env["preview"]``, the labels in the author's language) marks the right options and shows the
    feedback. The prompt (the next, inline token) is the legend."""
    question = tokens[idx].meta["question"]
    answering = env.get("questions") == ANSWER
    env["question"] = {"name": f"q-{question.key}", "answering": answering,
                       "kind": "checkbox" if question.kind == "multiple" else "radio"}
    legend = self.renderInline(tokens[idx + 1].children or [], options, env)
    tokens[idx + 1].hidden = True
    tokens[idx + 1].children = []
    return f'<fieldset class="knowledge-check" data-kind="{question.kind}">\n<legend>{legend}</legend>\n'


def _input_attributes(env) -> str:
    question = env["question"]
    return f' form="{ANSWER_FORM}"' if question["answering"] else " disabled"


def _render_option_open(self: RendererHTML, tokens: list[Token], idx: int, options, env) -> str:
    meta, question = tokens[idx].meta, env["question"]
    field = f"{question['name']}-{meta['position']}"
    label = self.renderInline(tokens[idx + 1].children or [], options, env)
    tokens[idx + 1].children = []
    html = (f'<li><input type="{question["kind"]}" name="{question["name"]}" id="{field}" '
            f'value="{meta["position"]}"{_input_attributes(env)}> <label for="{field}">{label}</label>')
    preview = env.get("preview")
    if preview and meta["option"].correct:
        html += f' <strong class="knowledge-check-right">{escape(preview["right"])}</strong>'
    return html


def _render_number(self: RendererHTML, tokens: list[Token], idx: int, options, env) -> str:
    question, field = tokens[idx].meta["question"], env["question"]["name"]
    label = escape((env.get("labels") or {}).get("answer", "Your answer"))
    html = (f'<p><label for="{field}-answer">{label}</label> <input type="text" inputmode="decimal" autocomplete="off" '
            f'name="{field}" id="{field}-answer" size="12"{_input_attributes(env)}>')
    preview = env.get("preview")
    if preview:
        answer = format_number(question.answer, question.tolerance)
        html += f' <strong class="knowledge-check-right">{escape(preview["right"])}: {escape(answer)}</strong>'
    return html + "</p>\n"


def format_number(value, tolerance=None) -> str:
    """``15``, ``2.5 ± 0.5``: an answer as the author wrote it, without trailing zeros."""
    if value is None:
        return ""
    text = format(value.normalize(), "f")
    return text + (f" ± {format(tolerance.normalize(), 'f')}" if tolerance else "")


def _render_feedback_open(self: RendererHTML, tokens: list[Token], idx: int, options, env) -> str:
    if not env.get("preview"):
        tokens[idx + 1].children = []  # learners see no feedback before they answer
        env["feedback_hidden"] = True
        return ""
    env["feedback_hidden"] = False
    return '<p class="knowledge-check-feedback">'


def _render_feedback_close(self: RendererHTML, tokens: list[Token], idx: int, options, env) -> str:
    return "" if env.get("feedback_hidden") else "</p>"


def _render_invalid_question(self: RendererHTML, tokens: list[Token], idx: int, options, env) -> str:
    return f'<pre class="knowledge-check-invalid"><code>{escape(tokens[idx].meta["raw"])}</code></pre>\n'


def _validate_link(url: str) -> bool:
    stripped = url.strip()
    if stripped.lower().startswith("data:image/"):
        return bool(re.match(r"data:image/(png|gif|jpeg|webp);", stripped, re.IGNORECASE))
    return bool(_SAFE_URL.match(stripped))


def _build() -> MarkdownIt:
    md = MarkdownIt("js-default", {"typographer": False}).use(footnote_plugin)
    for kind in CALLOUT_TYPES:
        md.use(container_plugin, name=kind, render=_callout_renderer(kind))
    alternatives = {"alt": ["paragraph", "reference", "blockquote", "list"]}
    md.block.ruler.before("fence", "knowledge_check", _question_rule, alternatives)
    md.block.ruler.before("fence", "video", _video_rule, alternatives)
    md.validateLink = _validate_link
    rules = {
        "knowledge_check_open": _render_question_open,
        "knowledge_check_close": lambda self, tokens, idx, options, env: "</fieldset>\n",
        "knowledge_check_options_open": lambda self, tokens, idx, options, env: '<ul class="knowledge-check-options">\n',
        "knowledge_check_options_close": lambda self, tokens, idx, options, env: "</ul>\n",
        "knowledge_check_number": _render_number,
        "knowledge_check_option_open": _render_option_open,
        "knowledge_check_option_close": lambda self, tokens, idx, options, env: "</li>\n",
        "knowledge_check_feedback_open": _render_feedback_open,
        "knowledge_check_feedback_close": _render_feedback_close,
        "knowledge_check_invalid": _render_invalid_question,
        "video_open": _render_video_open,
        "video_close": _render_video_close,
        "video_caption_open": lambda self, tokens, idx, options, env: "<figcaption>",
        "video_caption_close": lambda self, tokens, idx, options, env: "</figcaption>\n",
        "link_open": _link_open,
        "image": _image,
    }
    for name, rule in rules.items():
        md.add_render_rule(name, rule)
    return md


_MD = _build()


def parse(text: str) -> list[Token]:
    """The token stream of ``text`` (a whole module file: line numbers in ``map`` count from 0)."""
    return _MD.parse(text, {})


def inline(text: str) -> Markup:
    """One line of Markdown (a question's text or an option) as safe inline HTML."""
    return Markup(_MD.renderInline(text))


def _without_questions(tokens: list[Token]) -> list[Token]:
    kept, depth = [], 0
    for token in tokens:
        if token.type == "knowledge_check_open":
            depth += 1
        elif token.type == "knowledge_check_close":
            depth -= 1
        elif not depth:
            kept.append(token)
    return kept


def render(text: str, *, media_base: str | None = None, preview: dict[str, str] | None = None,
           video=None, labels: dict[str, str] | None = None, questions: str = READ) -> Markup:
    """Render a module body (without its title line) to HTML that is safe to embed.

    ``media_base`` is the URL that the course's ``media/`` images are served from;
    ``preview`` (labels in the author's language) shows questions' answers and feedback;
    ``video(src)`` tells a video's URL, subtitle tracks and transcript; ``labels`` are the
    few interface words a module shows (in the reader's language); ``questions`` says how
    questions show (``ANSWER``, ``HIDE`` or ``READ``).
    """
    env = {"media_base": media_base, "preview": preview, "video": video, "labels": labels, "questions": questions}
    tokens = _MD.parse(text, env)
    if questions == HIDE:
        tokens = _without_questions(tokens)
    return Markup(_MD.renderer.render(tokens, _MD.options, env))


def render_module_file(text: str, *, media_base: str | None = None, preview: dict[str, str] | None = None,
                       video=None, labels: dict[str, str] | None = None, questions: str = READ) -> Markup:
    """Render a whole module file: the title line is shown by the page, not repeated."""
    _title, body = split_title(text)
    return render(body, media_base=media_base, preview=preview, video=video, labels=labels, questions=questions)
