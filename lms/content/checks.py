"""Knowledge-check questions written in module Markdown, and the checks every module
text passes before it is saved or imported (title line, body, images, questions).

A question is a block (documented in courses/README.md)::

    ::: question single
    Who signs the EU declaration of conformity of a device?
    - [ ] The notified body
      > No: the notified body issues certificates (MDR Article 56).
    - [x] The manufacturer
      > Yes: MDR Article 19(1).
    :::

Kinds: ``single`` (exactly one right option), ``multiple`` (one or more),
``true-false`` (two options, one right). ``- [x]`` marks a right option; lines
``  > …`` under an option are the feedback a learner gets for choosing it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from flask_babel import lazy_gettext as _l

from lms.content.markdown import split_title

QUESTION_KINDS = ("single", "multiple", "true-false")
MAX_TITLE = 300
OPEN_RE = re.compile(r"^::: *question\b(?P<rest>.*)$")
CLOSE_RE = re.compile(r"^::: *$")
OPTION_RE = re.compile(r"^[-*] \[(?P<mark>[ xX])\] +(?P<text>\S.*?) *$")
FEEDBACK_RE = re.compile(r"^ {2,}> ?(?P<text>.*?) *$")
FENCE_RE = re.compile(r"^ {0,3}(```|~~~)")
IMAGE_RE = re.compile(r"!\[(?P<alt>[^\]]*)\]\((?P<src>[^)\s]+)(?:\s+\"[^\"]*\")?\)")


@dataclass(frozen=True)
class Problem:
    line: int
    message: str


@dataclass
class Option:
    text: str
    correct: bool
    line: int
    feedback: list[str] = field(default_factory=list)


@dataclass
class Question:
    kind: str
    line: int  # of the opening ``::: question``
    prompt: list[str] = field(default_factory=list)
    options: list[Option] = field(default_factory=list)


def parse_block(lines: list[str], first_line: int) -> tuple[Question | None, list[Problem]]:
    """One ``::: question`` block (opening line to the line before ``:::``)."""
    problems: list[Problem] = []
    kind = OPEN_RE.match(lines[0]).group("rest").strip()
    if kind not in QUESTION_KINDS:
        problems.append(Problem(first_line, str(_l("say which kind of question this is: “::: question single”, "
                                                  "“multiple” or “true-false”"))))
    question = Question(kind=kind, line=first_line)
    for offset, line in enumerate(lines[1:], start=1):
        number = first_line + offset
        option = OPTION_RE.match(line)
        feedback = FEEDBACK_RE.match(line)
        if option:
            question.options.append(Option(option.group("text"), option.group("mark") != " ", number))
        elif feedback and question.options:
            question.options[-1].feedback.append(feedback.group("text"))
        elif not line.strip():
            continue
        elif question.options:
            problems.append(Problem(number, str(_l("after the options, write only more options “- [ ] …” / "
                                                   "“- [x] …” or their feedback “  > …”"))))
        else:
            question.prompt.append(line.strip())
    right = sum(1 for o in question.options if o.correct)
    if not question.prompt:
        problems.append(Problem(first_line, str(_l("the question has no text before its options"))))
    if len(question.options) < 2:
        problems.append(Problem(first_line, str(_l("a question needs at least two options, "
                                                   "each on a line “- [ ] …”, the right ones “- [x] …”"))))
    elif kind == "single" and right != 1:
        problems.append(Problem(first_line, str(_l("a single-choice question needs exactly one right "
                                                   "option “- [x] …”"))))
    elif kind == "multiple" and right < 1:
        problems.append(Problem(first_line, str(_l("a multiple-choice question needs at least one right "
                                                   "option “- [x] …”"))))
    elif kind == "true-false" and (len(question.options) != 2 or right != 1):
        problems.append(Problem(first_line, str(_l("a true-false question has exactly two options, one of "
                                                   "them right “- [x] …”"))))
    return (None if problems else question), problems


def questions(text: str) -> tuple[list[Question], list[Problem]]:
    """Every question block of a module text, with the problems of any malformed one."""
    found: list[Question] = []
    problems: list[Problem] = []
    lines = text.splitlines()
    index = 0
    fenced = False
    while index < len(lines):
        line = lines[index]
        if FENCE_RE.match(line):
            fenced = not fenced
        elif not fenced and OPEN_RE.match(line):
            end = next((i for i in range(index + 1, len(lines)) if CLOSE_RE.match(lines[i])), None)
            if end is None:
                problems.append(Problem(index + 1, str(_l("this question is never closed with a line “:::”"))))
                break
            question, block_problems = parse_block(lines[index:end], index + 1)
            problems.extend(block_problems)
            if question is not None:
                found.append(question)
            index = end
        index += 1
    return found, problems


def videos_in(text: str) -> list[str]:
    """The course media videos (names) a module text shows."""
    from lms.content.markdown import VIDEO_OPEN_RE

    if "video" not in text:  # most modules: nothing to scan on every page view
        return []
    names, fenced = [], False
    for line in text.splitlines():
        if FENCE_RE.match(line):
            fenced = not fenced
            continue
        match = None if fenced else VIDEO_OPEN_RE.match(line)
        if match and match.group("src").startswith("media/"):
            names.append(match.group("src")[len("media/"):])
    return list(dict.fromkeys(names))


def video_problems(text: str, media_names: set[str] | None, *, require_tracks: bool = True) -> list[Problem]:
    """Each ``::: video`` names a video of the course (with at least one subtitle track, for
    captions, when ``require_tracks``) or an https address, and is closed."""
    from lms.content import media
    from lms.content.markdown import VIDEO_OPEN_RE

    problems = []
    lines = text.splitlines()
    fenced = False
    for index, line in enumerate(lines):
        if FENCE_RE.match(line):
            fenced = not fenced
            continue
        match = None if fenced else VIDEO_OPEN_RE.match(line)
        if not match:
            continue
        number, src = index + 1, match.group("src")
        if not any(CLOSE_RE.match(rest) for rest in lines[index + 1:]):
            problems.append(Problem(number, str(_l("this video is never closed with a line “:::”"))))
        elif src.startswith("media/"):
            name = src[len("media/"):]
            if media.expected_type(name) not in media.VIDEO_TYPES:
                problems.append(Problem(number, str(_l("a video must be an MP4 or WebM file, e.g. media/lecture.webm"))))
            elif media_names is not None and name not in media_names:
                problems.append(Problem(number, str(_l("video %(src)s is not in the course's media", src=src))))
            elif require_tracks and media_names is not None and not media.track_names(name, media_names):
                problems.append(Problem(number, str(_l("video %(src)s needs subtitles: a track such as %(track)s",
                                                       src=src, track=f"media/{name.rsplit('.', 1)[0]}.en.vtt"))))
        elif not src.startswith("https://"):
            problems.append(Problem(number, str(_l("a video is a file in the course's media (media/…) or an "
                                                   "https:// address"))))
    return problems


def check_module_text(text: str, *, media_names: set[str] | None = None, publishing: bool = True) -> list[Problem]:
    """What must hold for a module text to be saved: a ``# Title`` line, some text, images with
    a text alternative (and, if ``media_names`` is given, in the course's media), well-formed
    questions, videos (with subtitles, when ``publishing``). Line numbers count from 1."""
    problems: list[Problem] = []
    if "\x00" in text:
        return [Problem(text[: text.index("\x00")].count("\n") + 1, str(_l("contains a NUL character")))]
    title, body = split_title(text)
    if title is None:
        return [Problem(1, str(_l("the first line must be the module title, written as “# Title”")))]
    if len(title) > MAX_TITLE:
        problems.append(Problem(1, str(_l("the title is longer than %(max)d characters", max=MAX_TITLE))))
    if not body.strip():
        problems.append(Problem(2, str(_l("the module has a title but no text"))))
    for number, line in enumerate(text.splitlines(), start=1):
        for image in IMAGE_RE.finditer(line):
            if not image.group("alt").strip():
                problems.append(Problem(number, str(_l("an image needs a text alternative: ![what it shows](…)"))))
            src = image.group("src")
            if media_names is not None and src.startswith("media/") and src[len("media/"):] not in media_names:
                problems.append(Problem(number, str(_l("image %(src)s is not in the course's media", src=src))))
    problems.extend(questions(text)[1])
    problems.extend(video_problems(text, media_names, require_tracks=publishing))
    return sorted(problems, key=lambda p: p.line)
