"""
Time the public pages on a scratch SQLite database holding the demo plus generated explainers.

Run with `make bench` (or `.venv/bin/python bench/render_times.py --explainers 300 --requests 50`).
Nothing external is started: requests go through Django's test client, in this process, so the
figures are view + template + database time, without a web server or network in the way.
Every generated explainer goes through the real workflow (submit, approve, publish).
"""

import argparse
import os
import statistics
import sys
import tempfile
import time
import warnings
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent

WORDS = (
    "muscle immune system inflammation skin rash weakness tiredness blood test treatment steroid doctor "
    "physiotherapy antibody biopsy joint pain swallowing breathing sunlight diagnosis specialist research"
).split()


def parse_arguments():
    parser = argparse.ArgumentParser(description=__doc__.strip().splitlines()[0])
    parser.add_argument("--explainers", type=int, default=200, help="published explainers to generate (200)")
    parser.add_argument("--conditions", type=int, default=40, help="conditions to spread them over (40)")
    parser.add_argument("--requests", type=int, default=30, help="timed requests per page (30)")
    arguments = parser.parse_args()
    if not (0 <= arguments.explainers <= 5000 and 1 <= arguments.conditions <= 1000 and 1 <= arguments.requests <= 500):
        parser.error("keep --explainers ≤ 5000, --conditions 1–1000 and --requests 1–500, so a run stays short")
    return arguments


def configure(database_path):
    """Point Django at the scratch database with production-like settings, then set it up."""
    os.environ.update(
        DATABASE_URL=f"sqlite:///{database_path}",
        DEBUG="0",  # templates and queries as production runs them
        SECURE_SSL_REDIRECT="0",  # the test client speaks plain HTTP
        ALLOWED_HOSTS="testserver",
        AXES_ENABLED="0",
        LOG_LEVEL="ERROR",
        DJANGO_SETTINGS_MODULE="condinfo.settings",
    )
    os.environ.pop("REDIS_URL", None)  # measure the pages, not a cache
    # WhiteNoise notes that collectstatic has not run; static files are not part of these timings.
    warnings.filterwarnings("ignore", message="No directory at")
    sys.path.insert(0, str(BASE_DIR))
    import django

    django.setup()


def paragraph(n, words=60):
    return " ".join(WORDS[(n * 7 + i * 3) % len(WORDS)] for i in range(words)).capitalize() + "."


def generate(explainer_count, condition_count):
    """Publish ``explainer_count`` explainers over ``condition_count`` conditions as the demo users."""
    from django.contrib.auth.models import User

    from explainers.models import Condition, Explainer

    author, reviewer, publisher = (User.objects.get(username=name) for name in ("author", "reviewer", "publisher"))
    conditions = [
        Condition.objects.create(
            name=f"{chr(65 + n % 26)}bench condition {n}", slug=f"bench-condition-{n}", community_size=n * 11
        )
        for n in range(condition_count)
    ]
    for n in range(explainer_count):
        explainer = Explainer.objects.create(
            condition=conditions[n % condition_count],
            question=f"How is bench question {n} about {WORDS[n % 20]}?",
            slug=f"bench-question-{n}",
            tldr=paragraph(n, 40),
            created_by=author,
            position=n,
        )
        for position in range(5):
            explainer.sections.create(
                heading=f"Part {position + 1}", body=paragraph(n + position, 120), position=position
            )
        for position in range(3):
            explainer.sources.create(
                citation=f"Author A, Author B. Bench study {n}.{position}. J Bench. 2024.",
                url="https://example.org/paper",
                position=position,
            )
        explainer.record_edit(by=author)
        explainer.submit_for_review(by=author)
        explainer.approve(by=reviewer, comments="Benchmark approval.")
        explainer.publish(by=publisher)
    return conditions


def measure(client, url, requests):
    """Return (median ms, p95 ms, queries, status) for ``requests`` GETs of ``url`` after one warm-up."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        status = client.get(url).status_code
    query_count = len(queries)  # read now: the next request clears the connection's query log
    timings = []
    for _ in range(requests):
        start = time.perf_counter()
        client.get(url)
        timings.append((time.perf_counter() - start) * 1000)
    timings.sort()
    p95 = timings[min(len(timings) - 1, round(0.95 * (len(timings) - 1)))]
    return statistics.median(timings), p95, query_count, status


def main():
    arguments = parse_arguments()
    with tempfile.TemporaryDirectory(prefix="condinfo-bench-") as scratch:
        configure(Path(scratch) / "bench.sqlite3")
        from django.conf import settings
        from django.core.management import call_command
        from django.template.defaultfilters import pluralize
        from django.test import Client
        from django.test.utils import override_settings
        from django.urls import reverse

        from explainers.models import Explainer

        started = time.perf_counter()
        call_command("migrate", verbosity=0)
        call_command("load_demo", verbosity=0)
        conditions = generate(arguments.explainers, arguments.conditions)
        print(
            f"Scratch database: demo + {arguments.explainers} generated explainers over "
            f"{arguments.conditions} conditions, built in {time.perf_counter() - started:.1f}s."
        )

        demo = Explainer.objects.for_public_page().get(slug="what-causes-dermatomyositis-and-polymyositis")
        busiest = conditions[0]
        pages = [
            ("home", reverse("explainers:home")),
            ("condition index", reverse("explainers:condition_index")),
            ("condition (demo)", demo.condition.get_absolute_url()),
            (
                f"condition ({busiest.explainers.count()} explainer{pluralize(busiest.explainers.count())})",
                busiest.get_absolute_url(),
            ),
            ("explainer (demo)", demo.get_absolute_url()),
            ("reviewer", demo.public_review.reviewer.get_absolute_url()),
            ("search “immune”", reverse("explainers:search") + "?q=immune"),
            ("search, no matches", reverse("explainers:search") + "?q=xylophone"),
        ]
        # The manifest of hashed static names exists only after collectstatic.
        plain_static = {"staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}}
        client = Client()
        rows = []
        with override_settings(STORAGES={**settings.STORAGES, **plain_static}):
            for name, url in pages:
                rows.append((name, *measure(client, url, arguments.requests)))

    width = max(len(row[0]) for row in rows)
    print(f"\n{arguments.requests} timed requests per page (Django test client, SQLite, DEBUG off)\n")
    print(f"{'Page':<{width}}  {'median ms':>9}  {'p95 ms':>7}  {'queries':>7}  status")
    for name, median, p95, queries, status in rows:
        print(f"{name:<{width}}  {median:9.1f}  {p95:7.1f}  {queries:7d}  {status}")
    return 0 if all(row[4] == 200 for row in rows) else 1


if __name__ == "__main__":
    sys.exit(main())
