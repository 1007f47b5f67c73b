"""Writes the sample attendance reports next to this script, as the meeting services and Excel
write them. Run it again after changing it: ``python tests/data/attendance/make_files.py``.

Layouts:
- Teams: the attendance report downloaded from a meeting's Attendance tab, UTF-16 LE with a
  byte-order mark, tab-separated, CR LF, three sections ("1. Summary", "2. Participants",
  "3. In-Meeting Activities") with a blank line between them; participants have an "Email" and
  a "Participant ID (UPN)" column (a guest's UPN is the tenant's ``#EXT#`` form). Section titles
  and headers are localised with the Teams language; the English ones are the real ones, the
  others are this project's renderings of them.
- Zoom: Reports > Usage > Participants, "Export with meeting data": UTF-8 with a byte-order
  mark, comma-separated, the meeting's own header and row above a blank line, then the
  participants' table; names with commas are quoted, and one who left and came back has two rows.
- Google Meet: the attendance sheet Meet puts in the organiser's Drive, downloaded as CSV.
- Excel: a sign-in list saved as "CSV (semicolon delimited)" by a Finnish Excel, Windows-1252.
"""

from __future__ import annotations

import struct
import zipfile
import zlib
from io import BytesIO
from pathlib import Path

HERE = Path(__file__).parent
TENANT = "nordlearn.onmicrosoft.com"

# Titles, summary keys, participant headers, activity headers, roles (organiser, presenter,
# attendee), and how the language writes a date and time.
TEAMS_LANGUAGES = {
    "en": (("1. Summary", "2. Participants", "3. In-Meeting Activities"),
           ("Meeting title", "Attended participants", "Start time", "End time", "Meeting duration",
            "Average attendance time"),
           ("Name", "First Join", "Last Leave", "In-Meeting Duration", "Email", "Participant ID (UPN)", "Role"),
           ("Name", "Join Time", "Leave Time", "Duration", "Email", "Role"),
           ("Organizer", "Presenter", "Attendee"), "{m}/{d}/{yy}, {h12}:{mi}:{s} {ampm}"),
    "fi": (("1. Yhteenveto", "2. Osallistujat", "3. Kokouksen aikaiset toiminnot"),
           ("Kokouksen otsikko", "Osallistuneet", "Alkamisaika", "Päättymisaika", "Kokouksen kesto",
            "Keskimääräinen osallistumisaika"),
           ("Nimi", "Ensimmäinen liittyminen", "Viimeinen poistuminen", "Kesto kokouksessa", "Sähköposti",
            "Osallistujan tunnus (UPN)", "Rooli"),
           ("Nimi", "Liittymisaika", "Poistumisaika", "Kesto", "Sähköposti", "Rooli"),
           ("Järjestäjä", "Esittäjä", "Osallistuja"), "{d}.{m}.{yyyy} {h}.{mi}.{s}"),
    "sv": (("1. Sammanfattning", "2. Deltagare", "3. Aktiviteter under mötet"),
           ("Mötesrubrik", "Deltagare som deltog", "Starttid", "Sluttid", "Mötets längd", "Genomsnittlig närvarotid"),
           ("Namn", "Första anslutning", "Senast lämnade", "Tid i mötet", "E-postadress", "Deltagar-ID (UPN)", "Roll"),
           ("Namn", "Anslutningstid", "Lämnade", "Varaktighet", "E-postadress", "Roll"),
           ("Organisatör", "Presentatör", "Deltagare"), "{yyyy}-{mm}-{dd} {hh}:{mi}:{s}"),
    "nb": (("1. Sammendrag", "2. Deltakere", "3. Aktiviteter i møtet"),
           ("Møtetittel", "Deltakere som deltok", "Starttidspunkt", "Sluttidspunkt", "Møtevarighet",
            "Gjennomsnittlig deltakelsestid"),
           ("Navn", "Første tilkobling", "Siste frakobling", "Varighet i møtet", "E-post", "Deltaker-ID (UPN)",
            "Rolle"),
           ("Navn", "Tilkoblet", "Frakoblet", "Varighet", "E-post", "Rolle"),
           ("Arrangør", "Presentatør", "Deltaker"), "{dd}.{mm}.{yyyy}, {hh}:{mi}:{s}"),
    "et": (("1. Kokkuvõte", "2. Osalejad", "3. Koosolekusisesed tegevused"),
           ("Koosoleku pealkiri", "Osalenud", "Algusaeg", "Lõpuaeg", "Koosoleku kestus", "Keskmine osalemisaeg"),
           ("Nimi", "Esimene liitumine", "Viimane lahkumine", "Kestus koosolekul", "E-post", "Osaleja ID (UPN)",
            "Roll"),
           ("Nimi", "Liitumisaeg", "Lahkumisaeg", "Kestus", "E-post", "Roll"),
           ("Korraldaja", "Esitaja", "Osaleja"), "{dd}.{mm}.{yyyy} {hh}:{mi}:{s}"),
    "lv": (("1. Kopsavilkums", "2. Dalībnieki", "3. Sapulces aktivitātes"),
           ("Sapulces nosaukums", "Apmeklējušie dalībnieki", "Sākuma laiks", "Beigu laiks", "Sapulces ilgums",
            "Vidējais apmeklējuma laiks"),
           ("Vārds", "Pirmā pievienošanās", "Pēdējā aiziešana", "Ilgums sapulcē", "E-pasts", "Dalībnieka ID (UPN)",
            "Loma"),
           ("Vārds", "Pievienošanās laiks", "Aiziešanas laiks", "Ilgums", "E-pasts", "Loma"),
           ("Organizators", "Prezentētājs", "Dalībnieks"), "{dd}.{mm}.{yyyy} {hh}:{mi}:{s}"),
    "lt": (("1. Suvestinė", "2. Dalyviai", "3. Veikla susitikimo metu"),
           ("Susitikimo pavadinimas", "Dalyvavę dalyviai", "Pradžios laikas", "Pabaigos laikas", "Susitikimo trukmė",
            "Vidutinė dalyvavimo trukmė"),
           ("Vardas", "Pirmas prisijungimas", "Paskutinis išėjimas", "Trukmė susitikime", "El. paštas",
            "Dalyvio ID (UPN)", "Vaidmuo"),
           ("Vardas", "Prisijungimo laikas", "Išėjimo laikas", "Trukmė", "El. paštas", "Vaidmuo"),
           ("Organizatorius", "Pranešėjas", "Dalyvis"), "{yyyy}-{mm}-{dd} {hh}:{mi}:{s}"),
    "is": (("1. Samantekt", "2. Þátttakendur", "3. Virkni á fundi"),
           ("Heiti fundar", "Þátttakendur sem mættu", "Upphafstími", "Lokatími", "Lengd fundar", "Meðalmætingartími"),
           ("Nafn", "Fyrsta innskráning", "Síðasta útskráning", "Tímalengd á fundi", "Netfang",
            "Auðkenni þátttakanda (UPN)", "Hlutverk"),
           ("Nafn", "Innskráning", "Útskráning", "Tímalengd", "Netfang", "Hlutverk"),
           ("Skipuleggjandi", "Kynnir", "Þátttakandi"), "{d}.{m}.{yyyy} {hh}:{mi}:{s}"),
}

# Per language: the meeting's title, then organiser, presenter (with a comma in the name), a
# guest from another organisation, an attendee, someone who joined unverified (no address) and
# a phone caller (no address). The presenter left and came back: two activity rows.
TEAMS_PEOPLE = {
    "en": ("Pharmacovigilance in practice: live session 3",
           [("Kari Nordmann", "kari.nordmann@example.no"), ("Virtanen, Aino", "Aino.Virtanen@example.fi"),
            ("Erik Lindqvist (External)", "erik.lindqvist@example.se"), ("Līga Bērziņa", "liga.berzina@example.lv"),
            ("Jonas Kazlauskas (Unverified)", ""), ("+358 40 123 4567", "")]),
    "fi": ("Lääketurvatoiminta käytännössä, osa 3",
           [("Jussi Mäkinen", "jussi.makinen@example.fi"), ("Häkkinen, Pirkko", "Pirkko.Hakkinen@example.fi"),
            ("Sanna Lähteenmäki (Ulkoinen)", "sanna.lahteenmaki@example.org"),
            ("Ville Järvinen", "ville.jarvinen@example.fi"),
            ("Vieras (Vahvistamaton)", ""), ("+358 9 4567 8900", "")]),
    "sv": ("Läkemedelsövervakning i praktiken, del 3",
           [("Karin Öberg", "karin.oberg@example.se"), ("Åkesson, Jöns", "Jons.Akesson@example.se"),
            ("Märta Söderström (Extern)", "marta.soderstrom@example.fi"), ("Björn Nyström", "bjorn.nystrom@example.se"),
            ("Gäst (Overifierad)", ""), ("+46 8 123 456 78", "")]),
    "nb": ("Legemiddelovervåking i praksis, del 3",
           [("Ingrid Solberg", "ingrid.solberg@example.no"), ("Bråten, Øystein", "Oystein.Braten@example.no"),
            ("Åse Lie (Ekstern)", "ase.lie@example.org"), ("Håkon Dæhli", "hakon.daehli@example.no"),
            ("Gjest (Ubekreftet)", ""), ("+47 22 33 44 55", "")]),
    "et": ("Ravimiohutus praktikas, 3. osa",
           [("Mari Tamm", "mari.tamm@example.ee"), ("Saar, Jüri", "Juri.Saar@example.ee"),
            ("Kärt Mägi (Väline)", "kart.magi@example.org"), ("Tõnu Kask", "tonu.kask@example.ee"),
            ("Külaline (Kinnitamata)", ""), ("+372 5123 4567", "")]),
    "lv": ("Farmakovigilance praksē, 3. daļa",
           [("Jānis Ozols", "janis.ozols@example.lv"), ("Bērziņa, Līga", "Liga.Berzina@example.lv"),
            ("Ēriks Kalniņš (Ārējs)", "eriks.kalnins@example.org"), ("Ilze Liepiņa", "ilze.liepina@example.lv"),
            ("Viesis (Nepārbaudīts)", ""), ("+371 2612 3456", "")]),
    "lt": ("Farmakologinis budrumas praktikoje, 3 dalis",
           [("Rūta Petrauskienė", "ruta.petrauskiene@example.lt"), ("Kazlauskas, Jonas", "Jonas.Kazlauskas@example.lt"),
            ("Žydrūnas Šimkus (Išorinis)", "zydrunas.simkus@example.org"),
            ("Eglė Jankauskaitė", "egle.jankauskaite@example.lt"),
            ("Svečias (Nepatvirtintas)", ""), ("+370 612 34567", "")]),
    "is": ("Lyfjagát í framkvæmd, 3. hluti",
           [("Guðrún Jónsdóttir", "gudrun.jonsdottir@example.is"), ("Sigurðsson, Þór", "Thor.Sigurdsson@example.is"),
            ("Ásta Ólafsdóttir (Ytri)", "asta.olafsdottir@example.org"),
            ("Björk Einarsdóttir", "bjork.einarsdottir@example.is"),
            ("Gestur (Óstaðfestur)", ""), ("+354 555 1234", "")]),
}

# Minutes after 9:58 when each person joined and left; the presenter's break (41 to 44).
TIMES = [(0, 93), (1, 92), (3, 91), (5, 90), (12, 60), (20, 35)]
BREAK = (41, 44)


def when(pattern: str, minutes: int, second: int) -> str:
    total = 9 * 60 + 58 + minutes
    h, mi = divmod(total, 60)
    h12 = h % 12 or 12
    return pattern.format(d=22, dd="22", m=9, mm="09", yy="26", yyyy="2026", h=h, hh=f"{h:02d}",
                          h12=h12, mi=f"{mi:02d}", s=f"{second:02d}", ampm="AM" if h < 12 else "PM")


def duration(minutes: int) -> str:
    h, m = divmod(minutes, 60)
    return f"{h}h {m}m 12s" if h else f"{m}m 12s"


def teams(language: str) -> bytes:
    titles, keys, participant_headers, activity_headers, roles, pattern = TEAMS_LANGUAGES[language]
    meeting, people = TEAMS_PEOPLE[language]
    role = [roles[0], roles[1]] + [roles[2]] * 4
    lines = [titles[0], f"{keys[0]}\t{meeting}", f"{keys[1]}\t{len(people)}", f"{keys[2]}\t{when(pattern, 0, 12)}",
             f"{keys[3]}\t{when(pattern, 93, 40)}", f"{keys[4]}\t{duration(93)}", f"{keys[5]}\t{duration(71)}", "",
             titles[1], "\t".join(participant_headers)]
    for (name, email), (start, end), part in zip(people, TIMES, role):
        upn = _upn(email) if "(" in name and email else email
        lines.append("\t".join([name, when(pattern, start, 12), when(pattern, end, 40), duration(end - start),
                                email, upn, part]))
    lines += ["", titles[2], "\t".join(activity_headers)]
    for (name, email), (start, end), part in zip(people, TIMES, role):
        spans = [(start, BREAK[0]), (BREAK[1], end)] if part == roles[1] else [(start, end)]
        for a, b in spans:
            lines.append("\t".join([name, when(pattern, a, 12), when(pattern, b, 40), duration(b - a), email, part]))
    return b"\xff\xfe" + ("\r\n".join(lines) + "\r\n").encode("utf-16-le")


def _upn(email: str) -> str:
    """A guest's user principal name in the organiser's tenant."""
    return f"{email.replace('@', '_')}#EXT#@{TENANT}"


ZOOM = """\
Meeting ID,Topic,Start Time,End Time,User Email,Duration (Minutes),Participants,
812 3456 7890,"Medical devices, session 4: post-market surveillance",09/22/2026 09:58:11 AM,09/22/2026 11:31:40 AM,organiser@nordlearn.example.org,94,7,

Name (Original Name),User Email,Join Time,Leave Time,Duration (Minutes),Guest,Recording Consent,In Waiting Room
NordLearn Organiser,organiser@nordlearn.example.org,09/22/2026 09:58:11 AM,09/22/2026 11:31:40 AM,94,No,Y,No
"Hansen, Mette",mette.hansen@example.dk,09/22/2026 09:59:02 AM,09/22/2026 11:30:10 AM,92,No,Y,No
Jöns (Jöns Åkesson),Jons.Akesson@Example.SE,09/22/2026 10:00:45 AM,09/22/2026 11:31:02 AM,91,No,Y,No
"Ozols, Jānis",janis.ozols@example.lv,09/22/2026 10:01:30 AM,09/22/2026 10:39:12 AM,38,No,Y,No
"Ozols, Jānis",janis.ozols@example.lv,09/22/2026 10:43:51 AM,09/22/2026 11:31:40 AM,48,No,Y,No
iPhone (Guðrún),,09/22/2026 10:02:10 AM,09/22/2026 10:05:33 AM,4,Yes,Y,No
Guðrún Jónsdóttir,gudrun.jonsdottir@example.is,09/22/2026 10:05:40 AM,09/22/2026 11:30:59 AM,86,No,Y,Yes
"""

MEET = """\
First name,Last name,Email,Duration,Time joined,Time exited
Ingrid,Solberg,ingrid.solberg@example.no,1 hr 33 min,9:58 AM,11:31 AM
Mari,Tamm,Mari.Tamm@example.ee,1 hr 28 min,10:02 AM,11:30 AM
Anders,Holm,anders.holm@example.dk,45 min,10:00 AM,10:45 AM
Pekka,Korhonen,pekka.korhonen@example.fi,1 hr 29 min,10:01 AM,11:30 AM
(+358) 40-765 4321,,,12 min,10:10 AM,10:22 AM
"""

EXCEL = """\
Osallistujalista;;;
Kurssi;Lääketurvatoiminta käytännössä, osa 3;;
;;;
Nimi;Sähköposti;Organisaatio;Läsnä
Virtanen Aino;Aino.Virtanen@example.fi;"HUS; sairaala-apteekki";x
Häkkinen Pirkko;pirkko.hakkinen@example.fi;Fimea;x
Åkesson Jöns;jons.akesson@example.se;Läkemedelsverket;x
Söderström Märta;marta.soderstrom@example.fi;"Åbo Akademi; farmaci";x
Nyström Björn;;Apotek Hjärtat;
"""

NAMES_ONLY = """\
Name (Original Name),User Email,Join Time,Leave Time,Duration (Minutes),Guest
Aino Virtanen,,09/22/2026 09:59:02 AM,09/22/2026 11:30:10 AM,92,Yes
"Åkesson, Jöns",,09/22/2026 10:00:45 AM,09/22/2026 11:31:02 AM,91,Yes
Guðrún Jónsdóttir,,09/22/2026 10:05:40 AM,09/22/2026 11:30:59 AM,86,Yes
"""

LONG_FIELD = 128 * 1024 + 1  # one character more than the csv module's default field size limit


def long_field() -> bytes:
    message = ('Question from the chat, pasted whole: "dosing, "" interactions", ' * 3000)[:LONG_FIELD]
    quoted = '"' + message.replace('"', '""') + '"'
    lines = ["Name,Email,Chat", f"Aino Virtanen,aino.virtanen@example.fi,{quoted}",
             "Erik Lindqvist,erik.lindqvist@example.se,Thanks!", ""]
    return "\r\n".join(lines).encode("utf-8")


def png() -> bytes:
    """A one-pixel image."""
    def chunk(kind: bytes, body: bytes) -> bytes:
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))
    header = struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(b"\x00\xff\xff\xff"))
            + chunk(b"IEND", b""))


def zipped() -> bytes:
    """The Zoom report in a zip file, as a mail client may save an attachment."""
    buffer = BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(zipfile.ZipInfo("participants_81234567890.csv", date_time=(2026, 9, 22, 11, 40, 0)),
                         ZOOM.encode("utf-8-sig"))
    return buffer.getvalue()


def files() -> dict[str, bytes]:
    made = {f"teams_{language}.csv": teams(language) for language in TEAMS_LANGUAGES}
    made.update({
        "zoom_participants.csv": ZOOM.encode("utf-8-sig"),
        "meet_attendance.csv": MEET.replace("\n", "\r\n").encode("utf-8"),
        "excel_semicolon_cp1252.csv": EXCEL.replace("\n", "\r\n").encode("cp1252"),
        "names_only.csv": NAMES_ONLY.encode("utf-8"),
        "long_field.csv": long_field(),
        "image.png": png(),
        "report.zip": zipped(),
        "empty.csv": b"",
    })
    return made


if __name__ == "__main__":
    for name, data in files().items():
        (HERE / name).write_bytes(data)
        print(f"{name}: {len(data)} bytes")
