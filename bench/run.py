"""Benchmarks, reported as ratios against a baseline measured in the same run.

module page, HTML cached per revision  vs  the same page re-rendering Markdown on every view
(alternating A B A B, so that machine noise hits both alike).
"""

from __future__ import annotations

import re
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from lms import create_app  # noqa: E402
from lms.accounts import services as accounts  # noqa: E402
from lms.content import packages  # noqa: E402
from lms.extensions import db  # noqa: E402

REQUESTS = 200
ROUNDS = 4


def build(cache_type: str, folder: Path):
    app = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{folder / 'bench.sqlite3'}", "SECRET_KEY": "bench",
                      "CACHE_TYPE": cache_type}, instance_path=folder)
    with app.app_context():
        db.create_all()
        if not accounts.find_by_email("bench@example.org"):
            accounts.seed_partner_organisations()
            packages.import_packages(packages.import_items(packages.read_packages(packages.find_packages(ROOT / "courses"))))
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


def main() -> None:
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


if __name__ == "__main__":
    main()
