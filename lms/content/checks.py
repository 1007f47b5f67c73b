"""What every module text must satisfy before it is saved in the editor or imported from a
package: one check, on the token stream the renderer renders (``lms.content.markdown``), so
the editor, the package import and the page accept and refuse exactly the same texts, and
nothing inside a code block is taken for a question, a video or an image.
"""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_babel import lazy_ngettext
from markdown_it.token import Token

from lms.content import markdown, media
from lms.content.syntax import (  # noqa: F401  (the checks' vocabulary in one place)
    MAX_TITLE,
    OPEN_RE,
    VIDEO_OPEN_RE,
    Problem,
    Question,
    split_title,
)


def _walk(tokens: list[Token]):
    """Every token with its 1-based line: a block's first line; for an inline token's parts (an
    image), the line of the paragraph it stands on."""
    line = 1
    for token in tokens:
        if token.map:
            line = token.map[0] + 1
        yield token, line
        for child in token.children or ():
            yield child, line + _lines_before(token.content, child)


def _lines_before(content: str, child: Token) -> int:
    if child.type != "image":
        return 0
    at = content.find(f"]({child.attrGet('src')}")
    return content.count("\n", 0, at) if at >= 0 else 0


def questions(text: str) -> tuple[list[Question], list[Problem]]:
    """Every question of a module text, and the problems of the malformed ones."""
    found, problems = [], []
    for token, _line in _walk(markdown.parse(text)):
        if token.type == "knowledge_check_open":
            found.append(token.meta["question"])
        elif token.type == "knowledge_check_invalid":
            problems.extend(token.meta["problems"])
    return found, problems


def videos_in(text: str) -> list[str]:
    """The course media videos (names) a module text shows."""
    if "video" not in text:  # most modules: nothing to parse on every page view
        return []
    names = [token.meta["src"][len("media/"):] for token, _line in _walk(markdown.parse(text))
             if token.type == "video_open" and token.meta["src"].startswith("media/")]
    return list(dict.fromkeys(names))


def media_shown(text: str) -> set[str]:
    """The course media (names) a text shows: its images and videos (a video's subtitle tracks
    go with it: see ``media.track_names``)."""
    names = set()
    for token, _line in _walk(markdown.parse(text)):
        if token.type == "video_open":
            src = token.meta["src"]
        elif token.type == "image":
            src = str(token.attrGet("src") or "")
        else:
            continue
        if src.startswith("media/"):
            names.add(src[len("media/"):])
    return names


def _image_problems(token: Token, line: int, media_names: set[str] | None) -> list[Problem]:
    problems = []
    if not token.content.strip():
        problems.append(Problem(line, str(_l("an image needs a text alternative: ![what it shows](…)"))))
    src = str(token.attrGet("src") or "")
    if media_names is not None and src.startswith("media/") and src[len("media/"):] not in media_names:
        problems.append(Problem(line, str(_l("image %(src)s is not in the course's media", src=src))))
    return problems


def _video_problems(src: str, line: int, media_names: set[str] | None, require_tracks: bool) -> list[Problem]:
    if src.startswith("media/"):
        name = src[len("media/"):]
        if media.expected_type(name) not in media.VIDEO_TYPES:
            return [Problem(line, str(_l("a video must be an MP4 or WebM file, e.g. media/lecture.webm")))]
        if media_names is not None and name not in media_names:
            return [Problem(line, str(_l("video %(src)s is not in the course's media", src=src)))]
        if require_tracks and media_names is not None and not media.track_names(name, media_names):
            track = f"media/{name.rsplit('.', 1)[0]}.en.vtt"
            return [Problem(line, str(_l("video %(src)s needs subtitles: a track such as %(track)s",
                                         src=src, track=track)))]
        return []
    if not src.startswith("https://"):
        return [Problem(line, str(_l("a video is a file in the course's media (media/…) or an https:// address")))]
    return []


def _unclosed(token: Token, line: int) -> list[Problem]:
    """A paragraph that starts like a question or a video: its closing ``:::`` is missing."""
    first = token.content.split("\n", 1)[0].strip()
    if OPEN_RE.match(first):
        return [Problem(line, str(_l("this question is never closed with a line “:::”")))]
    if VIDEO_OPEN_RE.match(first):
        return [Problem(line, str(_l("this video is never closed with a line “:::”")))]
    return []


def title_too_long() -> str:
    return str(lazy_ngettext("the title is longer than %(num)d character", "the title is longer than %(num)d characters",
                             MAX_TITLE))


def check_module_text(text: str, *, media_names: set[str] | None = None, publishing: bool = True) -> list[Problem]:
    """What must hold for a module text to be saved: a ``# Title`` line, some text, images with a text
    alternative (and, if ``media_names`` is given, in the course's media), well-formed questions,
    videos (with subtitles, when ``publishing``). Line numbers count from 1."""
    if "\x00" in text:
        return [Problem(text[: text.index("\x00")].count("\n") + 1, str(_l("contains a NUL character")))]
    title, body = split_title(text)
    if title is None:
        return [Problem(1, str(_l("the first line must be the module title, written as “# Title”")))]
    problems: list[Problem] = []
    if len(title) > MAX_TITLE:
        problems.append(Problem(1, title_too_long()))
    if not body.strip():
        problems.append(Problem(2, str(_l("the module has a title but no text"))))
    previous = None
    keys: set[str] = set()
    for token, line in _walk(markdown.parse(text)):
        if token.type == "image":
            problems.extend(_image_problems(token, line, media_names))
        elif token.type == "knowledge_check_open":
            if token.meta["question"].key in keys:
                problems.append(Problem(line, str(_l("this question is written twice in the module"))))
            keys.add(token.meta["question"].key)
        elif token.type == "knowledge_check_invalid":
            problems.extend(token.meta["problems"])
        elif token.type == "video_open":
            problems.extend(_video_problems(token.meta["src"], line, media_names, publishing))
        elif token.type == "inline" and previous == "paragraph_open":
            problems.extend(_unclosed(token, line))
        previous = token.type if token.block else previous
    return sorted(problems, key=lambda p: p.line)
