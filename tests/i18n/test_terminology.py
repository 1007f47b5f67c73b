"""Course texts, course titles and summaries, the interface catalogs and the glossaries use the
terms of the official language versions of the EU texts and one form of address per language.

Each language lists the variants a language review found wrong. A hit names the file and line."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import pytest
import yaml
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parents[2]
COURSES = ROOT / "courses"
TRANSLATIONS = ROOT / "translations"
GLOSSARY = TRANSLATIONS / "glossary"


@dataclass(frozen=True)
class Wrong:
    pattern: str
    why: str
    example: str  # a text the pattern must catch
    flags: int = re.IGNORECASE

    @property
    def regex(self) -> re.Pattern[str]:
        return re.compile(self.pattern, self.flags)


# Estonian: the reader is addressed with the polite plural (teie, -te, -ge). Short command labels
# (buttons, links: "Salvesta", "Logi sisse") keep the imperative singular, the neutral command
# form of Estonian interfaces, and are not listed here.
ET_SINGULAR_VERBS = ("oled", "saad", "võid", "oskad", "tead", "tahad", "jäid", "muutsid", "palusid",
                     "unustasid", "lisad", "avaldad", "rakendad", "muudad")

WRONG: dict[str, list[Wrong]] = {
    "nb": [
        Wrong(r"\bekstra\s+overvåk(?:n)?ing\b",
              "additional monitoring is «særlig overvåking» (Norwegian QRD template)",
              "Dette legemidlet er underlagt ekstra overvåking."),
        Wrong(r"\btilleggsovervåk\w*",
              "additional monitoring is «særlig overvåking» (Norwegian QRD template)",
              "legemidler under tilleggsovervåking"),
    ],
    "nn": [
        Wrong(r"\b\w*medlemm\w*", "Nynorsk spells «medlem, medlemer, medlemene»", "Kursmedlemmer"),
        Wrong(r"\b(?:vert|verte|vorte)\b", "Nynorsk texts use «bli, blir» (past «vart/blei» allowed)",
              "Desse vert godkjende med ein gong."),
    ],
    "sv": [
        Wrong(r"\bni\b(?!\s+(?:dagar|veckor|månader|år|timmar|minuter|procent)\b)",
              "the reader is addressed with «du»", "innan ni skriver under ett avtal"),
        Wrong(r"\b(?:er|ert|eder)\b", "the reader is addressed with «du» (din, ditt, dina)",
              "Dokumentera ert resonemang."),
    ],
    "da": [
        Wrong(r"(?<=[a-zæøå0-9,;] )(?:De|Dem|Deres)\b", "the reader is addressed with «du», not «De»",
              "Når De har læst modulet, kan De svare.", flags=0),
        Wrong(r"\bjer(?:es)?\b", "the reader is addressed with «du» (dig, din, dit)",
              "inspektørens kort over jeres system"),
        Wrong(r"\bI\s+(?:kan|skal|må|bør|har|bedes|vil|får)\b", "the reader is addressed with «du», not «I»",
              "I kan finde listen hos EMA.", flags=0),
    ],
    "fi": [
        Wrong(r"\bmääräajoin\s+julkaista\w*",
              "the device PSUR is «määräajoin päivitettävä turvallisuuskatsaus» (MDR 86 artikla)",
              "määräajoin julkaistava turvallisuuskatsaus"),
        Wrong(r"\bvaikuttavakohtaise\w*", "per active substance is «vaikuttavan aineen mukaan»",
              "vaikuttavakohtaisesti yhdenmukaistetut viitepäivämäärät"),
        Wrong(r"\btilapäi\w+\s+peruuttami\w*", "suspension is «keskeyttäminen»",
              "säilyttäminen, muuttaminen, tilapäinen peruuttaminen tai peruuttaminen"),
        Wrong(r"^##\s+Oppimistavoitteet\b", "the section heading is «Osaamistavoitteet»",
              "## Oppimistavoitteet", flags=re.IGNORECASE | re.MULTILINE),
    ],
    "et": [
        Wrong(r"\b(?:sa|sina|sinu|sul|sulle|sinul|sind|sinust|sinuga)\b",
              "the reader is addressed with the polite plural «teie»", "Sinu parool jääb samaks."),
        Wrong(r"\b(?:" + "|".join(ET_SINGULAR_VERBS) + r")\b",
              "the reader is addressed with the polite plural (olete, saate, võite …)", "Oled registreerunud."),
    ],
    "is": [
        Wrong(r"\bnámseining\w*", "a course module is «námshluti»", "Þessi námseining er sýnishorn"),
        Wrong(r"\bm(?:ód[uú]|odú)l\w*", "a course module is «námshluti»", "Módúlar námskeiðsins"),
    ],
    "lv": [],
    "lt": [],
}

LANGUAGES = sorted(WRONG)


# ---------------------------------------------------------------- where the texts are

def module_lines(language: str):
    for path in sorted(COURSES.glob(f"*/modules/*/{language}.md")):
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            yield f"{path.relative_to(ROOT)}:{number}", line


def course_yml_lines(language: str):
    """The language's title and summary values, with their lines in course.yml."""
    for path in sorted(COURSES.glob("*/course.yml")):
        root = yaml.compose(path.read_text(encoding="utf-8"), Loader=yaml.SafeLoader)
        for key, value in root.value:
            if key.value not in ("title", "summary") or not isinstance(value, yaml.MappingNode):
                continue
            for lang, text in value.value:
                if lang.value == language:
                    yield f"{path.relative_to(ROOT)}:{text.start_mark.line + 1} ({key.value})", str(text.value)


def glossary_lines(language: str):
    path = GLOSSARY / f"{language}.md"
    if path.exists():
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if line.strip() and not line.startswith("#"):
                # the English column is not checked, only the term and its source
                yield f"{path.relative_to(ROOT)}:{number}", line.split(" | ", 1)[-1]


def catalog_lines(language: str):
    path = TRANSLATIONS / language / "LC_MESSAGES" / "messages.po"
    if not path.exists():
        return
    with open(path, "rb") as handle:
        catalog = read_po(handle, locale=language)
    for message in catalog:
        if not message.id:
            continue
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        msgid = message.id if isinstance(message.id, str) else message.id[0]
        for string in strings:
            yield f"{path.relative_to(ROOT)}:{message.lineno} (msgid {msgid[:40]!r})", string or ""


SOURCES = {
    "module": module_lines,
    "course.yml": course_yml_lines,
    "glossary": glossary_lines,
    "catalog": catalog_lines,
}


# ---------------------------------------------------------------- the checks

@pytest.mark.parametrize("source", sorted(SOURCES))
@pytest.mark.parametrize("language", LANGUAGES)
def test_no_known_wrong_variants(language, source):
    hits = []
    for where, text in SOURCES[source](language):
        for wrong in WRONG[language]:
            for match in wrong.regex.finditer(text):
                hits.append(f"{where}: «{match.group(0)}»: {wrong.why}")
    assert hits == [], f"{len(hits)} wrong variant(s):\n" + "\n".join(hits)


@pytest.mark.parametrize("wrong", [(lang, w) for lang in LANGUAGES for w in WRONG[lang]],
                         ids=lambda item: f"{item[0]}:{item[1].pattern[:30]}")
def test_each_wrong_variant_is_caught(wrong):
    """Each pattern catches the wrong text it was written for."""
    _, entry = wrong
    assert entry.regex.search(entry.example), f"{entry.pattern!r} misses {entry.example!r}"


def test_the_texts_are_found():
    """The scan reads something in every source, so an empty result means clean texts."""
    for source in ("module", "glossary", "catalog"):
        assert any(True for _ in SOURCES[source]("fi")), f"no {source} text found for fi"
    assert any(True for _ in course_yml_lines("fi"))


# A glossary entry names where its term comes from: an IATE entry, the article or annex of the
# official language version of the act that uses the term, a GVP module, or the EMA QRD template.
ACT = (r"(?:MDR|IVDR|Dir\. 2001/83/EC|Reg\. 726/2004|Impl\. Reg\. 520/2012|Reg\. 1394/2007"
       r"|Impl\. Reg\. 198/2013|Reg\. 536/2014|Reg\. 2024/1860)")
ARTICLE = rf"{ACT} (?:art\. \d+[a-z]?(?:\(\w+\))*|Annex [IVXL]+(?: Part [A-Z])?)"
GVP = r"GVP (?:Module [IVXL]+(?: Addendum [IVXL]+)?|Annex I)"
SOURCE = re.compile(rf"^(?:IATE:\d+|EMA QRD template|{ARTICLE}|{GVP}|EEA Agreement Protocol \d+)$")


@pytest.mark.parametrize("path", sorted(GLOSSARY.glob("*.md")), ids=lambda p: p.name)
def test_glossary_entries_name_their_source(path):
    problems = []
    entries = 0
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip() or line.startswith("#"):
            continue
        entries += 1
        columns = line.split(" | ")
        if len(columns) != 3 or not all(column.strip() for column in columns):
            problems.append(f"{path.name}:{number}: want «English | term | source», got {line!r}")
        elif not SOURCE.match(columns[2].strip()):
            problems.append(f"{path.name}:{number}: the source {columns[2]!r} is not an IATE id "
                            "(IATE:1234567), an article or annex reference or «EMA QRD template»")
    assert entries, f"{path.name} has no entries"
    assert problems == [], "\n".join(problems)


@pytest.mark.parametrize("source, ok", [
    ("IATE:1234567", True), ("MDR art. 2(30)", True), ("Dir. 2001/83/EC art. 1(11)", True),
    ("Dir. 2001/83/EC art. 104(3)(a)", True), ("MDR Annex XIV Part B", True), ("EMA QRD template", True),
    ("GVP Module IX Addendum I", True), ("IATE:", False), ("IATE 1234567", False), ("MDR", False),
    ("Wikipedia", False), ("", False),
])
def test_source_pattern(source, ok):
    assert bool(SOURCE.match(source)) is ok


# The black-triangle statement of the SmPC (QRD template, section 4 heading), as the official
# language versions of the EMA QRD template (for Norway: the Norwegian QRD template) write it.
QRD_STATEMENT = {
    "en": "This medicinal product is subject to additional monitoring. This will allow quick identification of "
          "new safety information. Healthcare professionals are asked to report any suspected adverse "
          "reactions. See section 4.8 for how to report adverse reactions.",
    "nb": "Dette legemidlet er underlagt særlig overvåking for å oppdage ny sikkerhetsinformasjon så raskt som "
          "mulig. Helsepersonell oppfordres til å melde enhver mistenkt bivirkning. Se pkt. 4.8 for "
          "informasjon om bivirkningsrapportering.",
    "sv": "Detta läkemedel är föremål för utökad övervakning. Detta kommer att göra det möjligt att snabbt "
          "identifiera ny säkerhetsinformation. Hälso- och sjukvårdspersonal uppmanas att rapportera varje "
          "misstänkt biverkning. Se avsnitt 4.8 om hur man rapporterar biverkningar.",
    "da": "Dette lægemiddel er underlagt supplerende overvågning. Dermed kan nye sikkerhedsoplysninger hurtigt "
          "tilvejebringes. Læger og sundhedspersonale anmodes om at indberette alle formodede bivirkninger. "
          "Se i pkt. 4.8, hvordan bivirkninger indberettes.",
    "fi": "Tähän lääkkeeseen kohdistuu lisäseuranta. Tällä tavalla voidaan havaita nopeasti uutta "
          "turvallisuutta koskevaa tietoa. Terveydenhuollon ammattilaisia pyydetään ilmoittamaan epäillyistä "
          "lääkkeen haittavaikutuksista. Ks. kohdasta 4.8, miten haittavaikutuksista ilmoitetaan.",
}
RISK_MANAGEMENT = COURSES / "pharmacovigilance-fundamentals" / "modules" / "risk-management"


@pytest.mark.parametrize("path", sorted(RISK_MANAGEMENT.glob("*.md")), ids=lambda p: p.stem)
def test_the_black_triangle_statement_is_quoted_word_for_word(path):
    quoted = re.findall(r"[\"”«»“](.+?)[\"”«»“]\[\^1\]", path.read_text(encoding="utf-8"))
    assert quoted == [QRD_STATEMENT[path.stem]]
