"""Languages of the interface and of course content, and the content fallback chains."""

from __future__ import annotations

from collections.abc import Iterable

# Interface and content languages, each named in itself (for the switcher).
UI_LANGUAGES: dict[str, str] = {
    "en": "English",
    "nb": "norsk bokmål",
    "nn": "norsk nynorsk",
    "sv": "svenska",
    "da": "dansk",
    "fi": "suomi",
    "is": "íslenska",
    "et": "eesti",
    "lv": "latviešu",
    "lt": "lietuvių",
}
# Languages that course content may be written in but the interface is not.
CONTENT_ONLY_LANGUAGES: dict[str, str] = {
    "se": "davvisámegiella",
    "fo": "føroyskt",
    "kl": "kalaallisut",
}
CONTENT_LANGUAGES: dict[str, str] = {**UI_LANGUAGES, **CONTENT_ONLY_LANGUAGES}

# Where a reader goes when a text is missing in their language, nearest first.
FALLBACKS: dict[str, tuple[str, ...]] = {
    "nn": ("nb", "da", "sv", "en"),
    "nb": ("nn", "da", "sv", "en"),
    "da": ("nb", "sv", "en"),
    "sv": ("nb", "da", "en"),
    "fi": ("sv", "en"),
    "is": ("da", "en"),
    "et": ("en",),
    "lv": ("en",),
    "lt": ("en",),
    "se": ("nb", "sv", "fi", "en"),
    "fo": ("da", "en"),
    "kl": ("da", "en"),
    "en": (),
}


def fallback_chain(language: str, course_default: str | None = None) -> tuple[str, ...]:
    """The languages to try for ``language``, itself first, the course's default last."""
    chain = [language, *FALLBACKS.get(language, ("en",))]
    if course_default and course_default not in chain:
        chain.append(course_default)
    return tuple(chain)


def pick(available: Iterable[str], language: str, course_default: str | None = None) -> str | None:
    """The first language of the chain that is ``available``; None if none is."""
    have = set(available)
    for candidate in fallback_chain(language, course_default):
        if candidate in have:
            return candidate
    return min(have) if have else None
