"""Passwords people can keep: long enough, and not one that appears in breach lists or is
easily guessed (repeats, sequences, keyboard rows, dates, names, words).

The check uses zxcvbn, whose lists of common passwords, names and words ship with the
package; NordLearn adds the words for "password" and its own name in the region's
languages, and the user's own e-mail address and name.
"""

from __future__ import annotations

from zxcvbn import zxcvbn

MIN_LENGTH = 10
MAX_CHECKED = 100  # zxcvbn's time grows with length; a password this long is not guessable anyway
MIN_SCORE = 2  # zxcvbn's scale 0–4: 2 means more than a million guesses
LOCAL_WORDS = ("nordlearn", "nordplus", "password", "passord", "passordet", "lösenord", "losenord", "adgangskode",
               "kodeord", "salasana", "lykilorð", "lykilord", "parool", "parole", "slaptažodis", "slaptazodis",
               "qwerty", "qwertz", "asdf", "sommer", "summer", "kesä", "vinter", "talvi", "hello", "hei", "hej")


class WeakPassword(Exception):
    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason  # "short" or "guessable"


def check(password: str, *, email: str | None = None, name: str | None = None) -> None:
    """Raise WeakPassword unless ``password`` may be used."""
    if len(password) < MIN_LENGTH:
        raise WeakPassword("short")
    if len(password) > MAX_CHECKED:
        return
    personal = [part for value in (email or "", name or "") for part in value.replace("@", " ").replace(".", " ")
                .split() if len(part) > 2]
    if zxcvbn(password, user_inputs=[*LOCAL_WORDS, *personal])["score"] < MIN_SCORE:
        raise WeakPassword("guessable")
