"""The syntax of a module file, owned in one place: its ``# Title`` line, and the blocks NordLearn
adds to Markdown. The Markdown parser (``lms.content.markdown``) finds the blocks; the checks
(``lms.content.checks``) and the renderer both read what it found, so they never disagree.

A question (documented in courses/README.md)::

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
A ``numeric`` question has one answer line instead of options, with an optional
tolerance, and lines ``  > …`` under it that explain the answer::

    ::: question numeric
    Within how many days at most must a serious incident be reported?
    = 15
      > MDR Article 87(3).
    :::

(``= 2.5 ± 0.5`` or ``= 2.5 +- 0.5`` accepts 2 to 3.)

A recorded lecture::

    ::: video media/lecture.webm
    An optional caption.
    :::
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from flask_babel import lazy_gettext as _l

MAX_TITLE = 300
QUESTION_KINDS = ("single", "multiple", "true-false", "numeric")
TITLE_LINE = re.compile(r"\A# +(?P<title>[^\n]*?)[ #]*(\r?\n|\Z)")
OPEN_RE = re.compile(r"^::: *question\b(?P<rest>.*)$")
VIDEO_OPEN_RE = re.compile(r"^::: *video +(?P<src>\S+) *$")
CLOSE_RE = re.compile(r"^::: *$")
OPTION_RE = re.compile(r"^[-*] \[(?P<mark>[ xX])\] +(?P<text>\S.*?) *$")
FEEDBACK_RE = re.compile(r"^ {2,}> ?(?P<text>.*?) *$")
NUMBER = r"[-−]?\d{1,12}(?:[.,]\d{1,6})?"
ANSWER_RE = re.compile(rf"^= *(?P<value>{NUMBER})(?: *(?:±|\+-|\+/-) *(?P<tolerance>{NUMBER}))? *$")


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
    # A numeric question: the right answer, how far from it an answer may be, and the explanation.
    answer: Decimal | None = None
    tolerance: Decimal = Decimal(0)
    explanation: list[str] = field(default_factory=list)

    @property
    def key(self) -> str:
        """The question's identity: a hash of everything it says, so that an answer names the
        question it answers (and an answer to any other question is recognised as such)."""
        parts = [self.kind, *self.prompt, str(self.answer), str(self.tolerance), *self.explanation]
        for option in self.options:
            parts += ["x" if option.correct else " ", option.text, *option.feedback]
        return hashlib.sha256("\n".join(parts).encode("utf-8")).hexdigest()[:16]


def parse_number(text: str) -> Decimal | None:
    """A number as people write it in any of the languages: ``12``, ``2.5``, ``2,5``, ``−3``."""
    cleaned = text.strip().replace("−", "-").replace(",", ".").replace("\u00a0", "").replace(" ", "")
    if not re.fullmatch(r"-?\d{1,12}(?:\.\d{1,6})?", cleaned):
        return None
    try:
        return Decimal(cleaned)
    except InvalidOperation:  # pragma: no cover - the pattern admits only numbers
        return None


def split_title(text: str) -> tuple[str | None, str]:
    """Split a module file into its ``# Title`` first line and the body after it."""
    match = TITLE_LINE.match(text)
    if not match or not match.group("title").strip():
        return None, text
    return match.group("title").strip(), text[match.end():]


def content_hash(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def parse_question(lines: list[str], first_line: int) -> tuple[Question | None, list[Problem]]:
    """One ``::: question`` block (its opening line to the line before ``:::``); ``first_line``
    is the opening line's number in the file."""
    problems: list[Problem] = []
    kind = OPEN_RE.match(lines[0]).group("rest").strip()
    if kind not in QUESTION_KINDS:
        problems.append(Problem(first_line, str(_l("say which kind of question this is: “::: question single”, "
                                                  "“multiple”, “true-false” or “numeric”"))))
    question = Question(kind=kind, line=first_line)
    for offset, line in enumerate(lines[1:], start=1):
        number = first_line + offset
        option = OPTION_RE.match(line)
        feedback = FEEDBACK_RE.match(line)
        answer = ANSWER_RE.match(line) if kind == "numeric" else None
        if answer:
            if question.answer is not None:
                problems.append(Problem(number, str(_l("a numeric question has one answer line “= …”"))))
            question.answer = parse_number(answer.group("value"))
            question.tolerance = abs(parse_number(answer.group("tolerance") or "0"))
        elif option and kind != "numeric":
            question.options.append(Option(option.group("text"), option.group("mark") != " ", number))
        elif feedback and question.answer is not None:
            question.explanation.append(feedback.group("text"))
        elif feedback and question.options:
            question.options[-1].feedback.append(feedback.group("text"))
        elif not line.strip():
            continue
        elif question.answer is not None:
            problems.append(Problem(number, str(_l("after the answer “= …”, write only its explanation “  > …”"))))
        elif question.options:
            problems.append(Problem(number, str(_l("after the options, write only more options “- [ ] …” / "
                                                   "“- [x] …” or their feedback “  > …”"))))
        else:
            question.prompt.append(line.strip())
    problems.extend(_answer_problems(question))
    return (None if problems else question), problems


def _answer_problems(question: Question) -> list[Problem]:
    right = sum(1 for o in question.options if o.correct)
    line, kind = question.line, question.kind
    if not question.prompt:
        return [Problem(line, str(_l("the question has no text before its options")))]
    if kind == "numeric":
        if question.answer is None:
            return [Problem(line, str(_l("a numeric question needs its answer on a line “= 15”, with an optional "
                                         "tolerance “= 2.5 ± 0.5”")))]
        return []
    if len(question.options) < 2:
        return [Problem(line, str(_l("a question needs at least two options, each on a line “- [ ] …”, "
                                     "the right ones “- [x] …”")))]
    if kind == "single" and right != 1:
        return [Problem(line, str(_l("a single-choice question needs exactly one right option “- [x] …”")))]
    if kind == "multiple" and right < 1:
        return [Problem(line, str(_l("a multiple-choice question needs at least one right option “- [x] …”")))]
    if kind == "true-false" and (len(question.options) != 2 or right != 1):
        return [Problem(line, str(_l("a true-false question has exactly two options, one of them right "
                                     "“- [x] …”")))]
    return []
