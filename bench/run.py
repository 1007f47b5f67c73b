"""Benchmarks, reported as ratios against a baseline measured in the same run.

- module page, HTML cached per revision  vs  the same page re-rendering Markdown on every view
  (alternating A B A B, so that machine noise hits both alike);
- importing the sample courses again with nothing changed (what every ``make run`` does)  vs  the
  first import into an empty database;
- reading a Teams attendance report of 10,000 participants  vs  Python's csv module splitting the
  same decoded text and email-validator checking each cell with an "@" (the least any reader must
  do, knowing the layout beforehand);
- a certificate PDF (embedded Unicode font, QR code, every line of the certificate)  vs  a one-line
  PDF in the same embedded font (the least a PDF with selectable text in all ten languages costs);
  with the certificate's size in bytes.
"""

from __future__ import annotations

import csv
import io
import re
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from email_validator import validate_email  # noqa: E402

from lms import create_app  # noqa: E402
from lms.accounts import services as accounts  # noqa: E402
from lms.content import package_import, packages  # noqa: E402
from lms.extensions import db  # noqa: E402
from lms.live import attendance  # noqa: E402

REQUESTS = 200
ROUNDS = 4


def build(cache_type: str, folder: Path):
    app = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{folder / 'bench.sqlite3'}", "SECRET_KEY": "bench",
                      "CACHE_TYPE": cache_type}, instance_path=folder)
    with app.app_context():
        db.create_all()
        if not accounts.find_by_email("bench@example.org"):
            accounts.seed_partner_organisations()
            specs = packages.read_packages(packages.find_packages(ROOT / "courses"))
            package_import.import_packages(package_import.import_items(specs))
            accounts.create_user(email="bench@example.org", password="benchmark password",
                                 profile=accounts.Profile("Bench", "FI", None, "fi"))
            db.session.commit()
    client = app.test_client()
    login = client.get("/account/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', login).group(1)
    client.post("/account/login", data={"email": "bench@example.org", "password": "benchmark password",
                                        "csrf_token": token})
    return client


def per_second(client, path: str) -> float:
    start = time.perf_counter()
    for _ in range(REQUESTS):
        assert client.get(path).status_code == 200
    return REQUESTS / (time.perf_counter() - start)


def module_page() -> None:
    path = "/courses/eu-mdr-ivdr-essentials/modules/classification"
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        cached, uncached = build("SimpleCache", folder), build("NullCache", folder)
        results: dict[str, list[float]] = {"cached": [], "uncached": []}
        for _ in range(ROUNDS):
            results["uncached"].append(per_second(uncached, path))
            results["cached"].append(per_second(cached, path))
    base = statistics.median(results["uncached"])
    best = statistics.median(results["cached"])
    print(f"module page, re-rendered every view (baseline): {base:.0f} req/s")
    print(f"module page, HTML cached per revision:          {best:.0f} req/s")
    print(f"ratio cached / baseline: {best / base:.2f}")


def _import_courses(*, changes: bool) -> float:
    start = time.perf_counter()
    specs = packages.read_packages(packages.find_packages(ROOT / "courses"))
    result = package_import.import_packages(package_import.import_items(specs))
    db.session.commit()
    assert result.changed is changes and not result.kept
    return time.perf_counter() - start


def course_import() -> None:
    first: list[float] = []
    again: list[float] = []
    for _ in range(ROUNDS):
        with tempfile.TemporaryDirectory() as tmp:
            app = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{Path(tmp) / 'bench.sqlite3'}",
                              "SECRET_KEY": "bench"}, instance_path=Path(tmp))
            with app.app_context():
                db.create_all()
                first.append(_import_courses(changes=True))
                again.append(_import_courses(changes=False))
                db.engine.dispose()
    base, repeat = statistics.median(first), statistics.median(again)
    print(f"sample courses, first import (baseline):        {base * 1000:.0f} ms")
    print(f"sample courses, imported again unchanged:       {repeat * 1000:.0f} ms")
    print(f"ratio again / baseline: {repeat / base:.2f}")


def _teams_report(participants: int) -> bytes:
    lines = ["1. Yhteenveto", "Kokouksen otsikko\tLääketurvatoiminta käytännössä", "",
             "2. Osallistujat", "Nimi\tEnsimmäinen liittyminen\tViimeinen poistuminen\tKesto kokouksessa"
             "\tSähköposti\tOsallistujan tunnus (UPN)\tRooli"]
    for n in range(participants):
        email = f"osallistuja.{n}@example.fi"
        lines.append(f"Osallistuja {n}\t22.9.2026 10.00.12\t22.9.2026 11.31.40\t1h 31m 28s\t{email}\t{email}"
                     "\tOsallistuja")
    return b"\xff\xfe" + ("\r\n".join(lines) + "\r\n").encode("utf-16-le")


def attendance_report() -> None:
    data = _teams_report(10_000)
    reader: list[float] = []
    baseline: list[float] = []
    for _ in range(ROUNDS):
        start = time.perf_counter()
        text = data.decode("utf-16")
        found = {validate_email(cell, check_deliverability=False).normalized.lower()
                 for row in csv.reader(io.StringIO(text), delimiter="\t") for cell in row if "@" in cell}
        baseline.append(time.perf_counter() - start)
        start = time.perf_counter()
        report = attendance.read_report(data)
        reader.append(time.perf_counter() - start)
        assert len(report.addresses) == len(found) == 10_000
    base, ours = statistics.median(baseline), statistics.median(reader)
    print(f"Teams report, 10,000 rows, csv + email-validator (baseline): {base * 1000:.0f} ms")
    print(f"Teams report, 10,000 rows, attendance reader:                 {ours * 1000:.0f} ms")
    print(f"ratio reader / baseline: {ours / base:.2f}")


def _one_line_pdf(name: str) -> bytes:
    from fpdf import FPDF

    from lms.certificates import pdf as certificate_pdf

    document = FPDF(orientation="L", unit="mm", format="A4")
    certificate_pdf._fonts(document)
    document.add_page()
    document.set_font("Source Sans", "", 14)
    document.cell(200, 10, name)
    return bytes(document.output())


def certificate_pdf() -> None:
    import json
    from datetime import UTC, date, datetime
    from decimal import Decimal

    from lms.certificates import pdf as certificate_pdf
    from lms.certificates.models import Certificate

    certificate = Certificate(
        code="ABCDEFGHIJKLMNOPQRSTUVWX", learner_name="Ąžuolė Žemaitytė-Šimkienė", default_language="en",
        titles=json.dumps({"lt": "ES medicinos priemonių reglamentavimo pagrindai", "en": "EU MDR essentials"}),
        course_version="1.1", law_as_at=date(2026, 12, 1), review_status="pending", hours=Decimal("6"),
        completed_at=datetime(2026, 12, 7, tzinfo=UTC), score=Decimal("0.85"), provider="NordLearn",
        partner="Lääketietokeskus", issued_at=datetime(2026, 12, 7, tzinfo=UTC))
    app = create_app({"SQLALCHEMY_DATABASE_URI": "sqlite://", "SECRET_KEY": "bench"})
    with app.app_context():
        ours, base, size = [], [], 0
        for _ in range(ROUNDS * 3):
            start = time.perf_counter()
            _one_line_pdf(certificate.learner_name)
            base.append(time.perf_counter() - start)
            start = time.perf_counter()
            size = len(certificate_pdf.render(certificate, language="lt",
                                              verify_url="https://nordlearn.example/verify/ABCDEFGHIJKLMNOPQRSTUVWX"))
            ours.append(time.perf_counter() - start)
    base_ms, ours_ms = statistics.median(base) * 1000, statistics.median(ours) * 1000
    print(f"one-line PDF, same embedded font (baseline): {base_ms:.0f} ms")
    print(f"certificate PDF (Lithuanian):                {ours_ms:.0f} ms, {size / 1024:.0f} KiB")
    print(f"ratio certificate / baseline: {ours_ms / base_ms:.2f}")


def main() -> None:
    module_page()
    course_import()
    attendance_report()
    certificate_pdf()


if __name__ == "__main__":
    main()
