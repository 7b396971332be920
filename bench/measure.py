"""
Measure condinfo the way it runs in production: gunicorn, PostgreSQL, Redis, a load generator.

Run with `make bench` (ARGS="--explainers 100000 --duration 10 --connections 16"), or
`.venv/bin/python bench/measure.py --help`. It needs PostgreSQL and Redis on this machine and
wrk (Debian: `apt-get install wrk`). It prints figures and asserts nothing; CI does not run it.

1. The library: the benchmark's own database (condinfo_bench), migrated, holding the demo page
   and N synthetic explainers from `manage.py generate_corpus`. A database holding another number
   is dropped and rebuilt; generating 100,000 takes a few minutes.
2. Two gunicorn servers with production settings (DEBUG off, PostgreSQL, Redis db 13, 2 sync
   workers, CONN_MAX_AGE=60) on free loopback ports. One runs as production does; the other is
   the same code with PAGE_CACHE=0, so it draws every page from the database: the "uncached"
   figures are exactly what an anonymous visitor costs when the cache does not hold the page.
   (A signed-in cookie would measure another page, a private one that also loads the session and
   user; flushing the cache between requests would measure Redis round trips as well.)
3. Each public page type, cached and uncached, and a static file of the same server, through wrk:
   requests per second, p50 and p99 latency, CPU ms per request of the gunicorn workers and of
   PostgreSQL's backends (from /proc/<pid>/stat before and after), the queries the page runs
   (counted once with Django's test client), its size, and its throughput as a share of the
   static file's.
4. Search: 50 realistic queries, one at a time on one client, each answered afresh; p50/p95/max.
5. The admin, signed in as a synthetic superuser: the explainer change list, its search and
   condition filter, the change form and the index: time, size and queries.
6. Each worker's resident memory after all of it.
"""

import argparse
import os
import re
import secrets
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

BASE_DIR = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")
# Fixed for the run so the session made here for the admin is valid on the servers too.
SECRET_KEY = "bench-" + secrets.token_urlsafe(48)

SEARCHES = [
    "treatment",
    "fatigue",
    "diagnosis",
    "blood test",
    "muscle weakness",
    "skin rash",
    "is it inherited",
    "children",
    "pregnancy",
    "diet",
    "exercise",
    "pain relief",
    "side effects",
    "steroid",
    "physiotherapy",
    "sleep",
    "anxiety",
    "flare",
    "how is it treated",
    "what causes it",
    "first symptoms",
    "when to see a doctor",
    "swallowing",
    "breathing",
    "joint pain",
    "immune system",
    "dermatomyositis",
    "myositis",
    "genetic",
    "infection",
    "vaccine",
    "heart",
    "kidney",
    "memory",
    "dizziness",
    "tinnitus",
    "vertigo",
    "eczema",
    "older adults",
    "work and school",
    "travel insurance",
    "vitamin",
    "cholesterol",
    "wheelchair",
    "tiredness after exercise",
    "treatment side effects in children",
    "xylophone",
    "tretment",
]  # plus two made-up condition names from the library, added at run time


def parse_arguments():
    parser = argparse.ArgumentParser(description=__doc__.strip().splitlines()[0])
    parser.add_argument("--explainers", type=int, default=200, help="synthetic explainers in the library (200)")
    parser.add_argument("--duration", type=int, default=10, help="seconds of load per page and mode (10)")
    parser.add_argument("--connections", type=int, default=16, help="wrk connections (16)")
    parser.add_argument("--threads", type=int, default=2, help="wrk threads (2)")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn sync workers per server (2)")
    parser.add_argument(
        "--database-url",
        default=os.environ.get("BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/condinfo_bench"),
        help="the benchmark's own PostgreSQL database, created if missing and rebuilt at another size",
    )
    parser.add_argument(
        "--redis-url",
        default=os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/13"),
        help="a Redis database the benchmark may empty (db 13)",
    )
    parser.add_argument("--corpus-only", action="store_true", help="build the library, measure nothing")
    arguments = parser.parse_args()
    if arguments.explainers < 0 or arguments.duration < 1 or arguments.connections < 1 or arguments.workers < 1:
        parser.error("give a non-negative --explainers and positive --duration, --connections and --workers")
    return arguments


# -- set-up -------------------------------------------------------------------------------------


def environment(arguments, static_root, *, page_cache):
    """Return production settings for this run, as the environment variables condinfo reads."""
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "condinfo.settings",
        "DATABASE_URL": arguments.database_url,
        "REDIS_URL": arguments.redis_url,
        "DEBUG": "0",
        "SECRET_KEY": SECRET_KEY,
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "SITE_URL": "http://127.0.0.1",
        "SECURE_SSL_REDIRECT": "0",  # plain HTTP on loopback; the rest of the hardening stays on
        "CONN_MAX_AGE": "60",  # as a production deployment sets it: no new connection per request
        "STATIC_ROOT": str(static_root),
        "PAGE_CACHE": "1" if page_cache else "0",
        "LOG_LEVEL": "ERROR",
    }


def manage(env, *args):
    command = [str(BIN / "python"), str(BASE_DIR / "manage.py"), *args]
    subprocess.run(command, env=env, check=True, cwd=BASE_DIR)  # noqa: S603 - our own commands


def require_services(arguments):
    import psycopg
    import redis

    try:
        psycopg.connect(server_url(arguments.database_url), connect_timeout=3).close()
    except psycopg.Error as error:
        sys.exit(f"PostgreSQL does not answer at {server_url(arguments.database_url)}: {error}")
    try:
        redis.Redis.from_url(arguments.redis_url, socket_connect_timeout=3).ping()
    except redis.RedisError as error:
        sys.exit(f"Redis does not answer at {arguments.redis_url}: {error}")
    if not arguments.corpus_only and not shutil.which("wrk"):
        sys.exit("make bench needs wrk, the load generator: `sudo apt-get install wrk` (Debian, Ubuntu).")


def server_url(database_url):
    """The same PostgreSQL server's maintenance database, to create and drop the benchmark's own."""
    return urlunsplit(urlsplit(database_url)._replace(path="/postgres"))


def database_name(database_url):
    return urlsplit(database_url).path.lstrip("/")


def recreate_database(database_url, *, drop):
    import psycopg
    from psycopg import sql

    name = database_name(database_url)
    with psycopg.connect(server_url(database_url), autocommit=True) as connection:
        if drop:
            connection.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))
        if not connection.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            connection.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))


def prepare_library(arguments, env):
    """Make sure the database holds the demo and exactly --explainers synthetic explainers."""
    recreate_database(arguments.database_url, drop=False)
    manage(env, "migrate", "--noinput", "--verbosity", "0")
    size = synthetic_explainer_count(env)
    if size == arguments.explainers:
        print(f"The library in {database_name(arguments.database_url)} already holds {size:,} synthetic explainers.")
        return
    print(f"The library holds {size:,} synthetic explainers, not {arguments.explainers:,}: rebuilding it.")
    recreate_database(arguments.database_url, drop=True)
    manage(env, "migrate", "--noinput", "--verbosity", "0")
    manage(env, "load_demo")
    if arguments.explainers:
        started = time.monotonic()
        manage(env, "generate_corpus", "--explainers", str(arguments.explainers), "--i-know-this-is-not-production")
        print(f"Generated {arguments.explainers:,} explainers in {time.monotonic() - started:.0f} s.")


def synthetic_explainer_count(env):
    script = (
        "from explainers.management.commands.generate_corpus import EXPLAINER_SLUG_PREFIX as p;"
        "from explainers.models import Explainer;"
        "print(Explainer.objects.published().filter(slug__startswith=p).count())"
    )
    output = subprocess.run(  # noqa: S603 - our own command
        [str(BIN / "python"), str(BASE_DIR / "manage.py"), "shell", "--no-imports", "-c", script],
        env=env,
        check=True,
        capture_output=True,
        text=True,
        cwd=BASE_DIR,
    ).stdout
    return int(output.split()[-1])


# -- servers ------------------------------------------------------------------------------------


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Server:
    """One gunicorn master and its sync workers on a free loopback port."""

    def __init__(self, name, env, workers):
        self.name, self.port = name, free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.process = subprocess.Popen(  # noqa: S603 - our own command
            [
                str(BIN / "gunicorn"),
                "condinfo.wsgi",
                "--bind",
                f"127.0.0.1:{self.port}",
                "--workers",
                str(workers),
                "--worker-class",
                "sync",
                "--log-level",
                "warning",
            ],
            env=env,
            cwd=BASE_DIR,
        )
        self.workers = workers

    def wait_until_ready(self, timeout=60):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                with urllib.request.urlopen(f"{self.url}/robots.txt", timeout=5) as response:  # noqa: S310
                    if response.status == 200 and len(self.worker_pids()) == self.workers:
                        return
            except OSError:
                time.sleep(0.2)
        raise RuntimeError(f"gunicorn ({self.name}) did not start on port {self.port}")

    def worker_pids(self):
        return children_of(self.process.pid)

    def stop(self):
        self.process.terminate()
        try:
            self.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.process.kill()


def children_of(pid):
    children = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            fields = read_stat(int(entry.name))
            if fields and int(fields[1]) == pid:
                children.append(int(entry.name))
    return sorted(children)


def read_stat(pid):
    """Return /proc/<pid>/stat's fields after the command name (state, ppid, …), or None if it has gone."""
    try:
        text = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    return text[text.rindex(")") + 2 :].split()


def cpu_seconds(pids):
    """Return {pid: user + system CPU seconds used so far} of the processes still running."""
    used = {}
    for pid in pids:
        fields = read_stat(pid)
        if fields:
            used[pid] = (int(fields[11]) + int(fields[12])) / CLOCK_TICKS  # utime, stime: fields 14, 15
    return used


def cpu_used(before, after):
    """Return the CPU seconds used between two readings; a process started in between counts whole."""
    return sum(seconds - before.get(pid, 0) for pid, seconds in after.items())


def wait_until_idle(pids, timeout=120):
    """Wait for requests still queued from the last run (wrk leaves them behind) to be served."""
    deadline = time.monotonic() + timeout
    reading = cpu_seconds(pids)
    while time.monotonic() < deadline:
        time.sleep(0.25)
        later = cpu_seconds(pids)
        if cpu_used(reading, later) < 0.01:
            return
        reading = later


def rss_mib(pid):
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


# -- load -----------------------------------------------------------------------------------------

UNITS = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60_000.0}


def to_ms(text):
    number, unit = re.fullmatch(r"([\d.]+)(us|ms|s|m)", text).groups()
    return float(number) * UNITS[unit]


def wrk(url, arguments, duration):
    """Run wrk against ``url``; return requests/s, p50 ms, p99 ms, requests and failed requests."""
    command = [
        "wrk",
        f"-t{arguments.threads}",
        f"-c{arguments.connections}",
        f"-d{duration}s",
        "--timeout",
        "30s",
        "--latency",
        url,
    ]
    output = subprocess.run(command, check=True, capture_output=True, text=True).stdout  # noqa: S603
    percentile = dict(re.findall(r"^\s+(50|99)%\s+(\S+)\s*$", output, re.MULTILINE))
    if set(percentile) != {"50", "99"}:
        raise RuntimeError(f"wrk printed no latency percentiles for {url}:\n{output}")
    failed = sum(int(n) for n in re.findall(r"Non-2xx or 3xx responses: (\d+)", output))
    failed += sum(int(n) for n in re.findall(r"(?:connect|read|write|timeout) (\d+)", output))
    return {
        "rps": float(re.search(r"Requests/sec:\s+([\d.]+)", output)[1]),
        "p50": to_ms(percentile["50"]),
        "p99": to_ms(percentile["99"]),
        "requests": int(re.search(r"(\d+) requests in", output)[1]),
        "failed": failed,
    }


def load(server, path, arguments, database_pids):
    """Warm ``server`` up on ``path``, then measure it under load with the CPU it and PostgreSQL used."""
    url = server.url + path
    workers = server.worker_pids()
    wait_until_idle(workers)
    for _ in range(2 * len(workers)):  # fills the page cache, compiles templates, opens database connections
        fetch(url)
    backends = database_pids()
    app_before, db_before = cpu_seconds(workers), cpu_seconds(backends)
    result = wrk(url, arguments, arguments.duration)
    app_after, db_after = cpu_seconds(workers), cpu_seconds(database_pids())
    served = result["requests"]
    result["app_cpu"] = 1000 * cpu_used(app_before, app_after) / served if served else None
    result["db_cpu"] = 1000 * cpu_used(db_before, db_after) / served if served else None
    return result


def milliseconds(value):
    return "–" if value is None else f"{value:.2f}"


def fetch(url, cookie=None):
    """Return (status, body, milliseconds) of one GET."""
    request = urllib.request.Request(url, headers={"Cookie": cookie} if cookie else {})  # noqa: S310
    started = time.perf_counter()
    try:
        with urllib.request.urlopen(request, timeout=60) as response:  # noqa: S310
            body = response.read()
            status = response.status
    except urllib.error.HTTPError as error:
        body, status = error.read(), error.code
    return status, body, (time.perf_counter() - started) * 1000


# -- what to measure, found through Django in this process ------------------------------------


@contextmanager
def django_in_process(env):
    os.environ.update(env)
    sys.path.insert(0, str(BASE_DIR))
    import django

    django.setup()
    yield


def public_pages(explainer_count):
    """Return [(name, path)] of each public page type, on the synthetic library's middle explainer."""
    from django.test import Client
    from django.urls import NoReverseMatch, reverse

    from explainers.management.commands.generate_corpus import EXPLAINER_SLUG_PREFIX
    from explainers.models import Explainer

    published = Explainer.objects.for_public_page()
    explainer = (
        published.filter(slug=f"{EXPLAINER_SLUG_PREFIX}{max(1, explainer_count // 2):06d}").first()
        or published.order_by("pk").first()
    )
    condition = explainer.published_version.condition
    pages = [
        ("explainer", explainer.get_absolute_url()),
        ("condition", condition.get_absolute_url()),
        ("home", reverse("explainers:home")),
        ("A–Z index", reverse("explainers:condition_index")),
    ]
    try:
        letter = condition.public_initial.lower() if condition.public_initial != "#" else "0-9"
        pages.append((f"letter {letter.upper()}", reverse("explainers:condition_letter", args=[letter])))
    except NoReverseMatch:
        print("No letter pages in this version of condinfo: not measured.")
    pages += [
        ("search “treatment”", reverse("explainers:search") + "?q=treatment"),
        ("reviewer", explainer.public_review.reviewer.get_absolute_url()),
        ("feed", reverse("explainers:reviewed_feed")),
        ("sitemap.xml", reverse("sitemap")),
    ]
    index = Client().get(reverse("sitemap"), HTTP_HOST="127.0.0.1").content.decode()
    sections = [urlsplit(loc).path for loc in re.findall(r"<loc>([^<]+)</loc>", index)]
    if "<sitemapindex" in index and sections:
        section = next((path for path in sections if "explainer" in path), sections[0])
        pages.append((f"sitemap section {section.strip('/')}", section))
    else:
        print("/sitemap.xml is a single sitemap, not an index, in this version of condinfo: no section measured.")
    return explainer, pages


def query_count(path, client=None):
    """Return the queries a GET of ``path`` runs, counted once with Django's test client."""
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    client = client or Client()
    client.get(path, HTTP_HOST="127.0.0.1")  # per-process caches (content types, site settings) warm
    with CaptureQueriesContext(connection) as queries:
        client.get(path, HTTP_HOST="127.0.0.1")
    return len(queries)


def database_backends():
    """Return a function listing the PostgreSQL backends serving the benchmark database (not this process)."""
    from django.db import connection

    def pids():
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()"
            )
            return [row[0] for row in cursor.fetchall()]

    return pids


def signed_in_admin():
    """Return a test client and the session cookie of a synthetic superuser (no password)."""
    from django.conf import settings
    from django.contrib.auth.models import User
    from django.test import Client

    user, created = User.objects.get_or_create(
        username="bench-admin", defaults={"is_staff": True, "is_superuser": True, "first_name": "Bench"}
    )
    if created:
        user.set_unusable_password()
        user.save()
    client = Client()
    client.force_login(user)
    # Production asks a superuser for a one-time code after the password: this session has given one.
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_totp.models import TOTPDevice

    device, _ = TOTPDevice.objects.get_or_create(user=user, name="bench", defaults={"confirmed": True})
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    return client, f"{settings.SESSION_COOKIE_NAME}={client.cookies[settings.SESSION_COOKIE_NAME].value}"


def admin_pages(explainer):
    from django.urls import reverse

    changelist = reverse("admin:explainers_explainer_changelist")
    word = explainer.question.split()[-1].strip("?")
    return [
        ("admin index (review queues)", reverse("admin:index")),
        ("explainer change list", changelist),
        (f"change list search “{word}”", f"{changelist}?q={word}"),
        ("change list condition filter", f"{changelist}?condition={explainer.condition.slug[:24]}"),
        ("explainer change form", reverse("admin:explainers_explainer_change", args=[explainer.pk])),
        ("condition change list", reverse("admin:explainers_condition_changelist")),
    ]


def search_queries():
    from explainers.management.commands.generate_corpus import CONDITION_SLUG_PREFIX
    from explainers.models import Condition

    names = Condition.objects.filter(slug__startswith=CONDITION_SLUG_PREFIX).order_by("pk")
    return SEARCHES + [name.split()[0].removesuffix("'s") for name in names.values_list("name", flat=True)[:2]]


# -- the report ---------------------------------------------------------------------------------


def table(header, rows):
    widths = [max(len(str(row[i])) for row in [header, *rows]) for i in range(len(header))]
    line = "  ".join(f"{{:{'<' if i == 0 else '>'}{w}}}" for i, w in enumerate(widths))
    print(line.format(*header))
    for row in rows:
        print(line.format(*row))


def percentile(values, fraction):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


def machine():
    model = next(
        (
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if "model name" in line
        ),
        "unknown CPU",
    )
    return f"{os.cpu_count()} CPUs ({model})"


def main():
    arguments = parse_arguments()
    require_services(arguments)
    static_root = Path(tempfile.mkdtemp(prefix="condinfo-bench-static-"))
    cached_env = environment(arguments, static_root, page_cache=True)
    uncached_env = environment(arguments, static_root, page_cache=False)
    prepare_library(arguments, cached_env)
    if arguments.corpus_only:
        return
    manage(cached_env, "collectstatic", "--noinput", "--verbosity", "0")
    import redis

    redis.Redis.from_url(arguments.redis_url).flushdb()
    servers = [Server("cached", cached_env, arguments.workers), Server("uncached", uncached_env, arguments.workers)]
    try:
        for server in servers:
            server.wait_until_ready()
        with django_in_process(uncached_env):
            report(arguments, *servers)
    finally:
        for server in servers:
            server.stop()
        shutil.rmtree(static_root, ignore_errors=True)


def report(arguments, cached, uncached):
    from django.contrib.staticfiles.storage import staticfiles_storage

    from explainers.models import Explainer

    explainer, pages = public_pages(arguments.explainers)
    database_pids = database_backends()
    print(
        f"\ncondinfo at {Explainer.objects.published().count():,} published explainers, on {machine()}, "
        f"load average {os.getloadavg()[0]:.1f} before the run.\n"
        f"gunicorn: {arguments.workers} sync workers per server, DEBUG off, PostgreSQL, Redis, CONN_MAX_AGE=60. "
        f"wrk -t{arguments.threads} -c{arguments.connections} -d{arguments.duration}s per line.\n"
        "Uncached: the same server with PAGE_CACHE=0, drawing every page from the database.\n"
    )

    static_path = staticfiles_storage.url("css/site.css")
    static = load(cached, static_path, arguments, database_pids)
    rows = [
        [
            "static file (site.css)",
            "",
            f"{static['rps']:.0f}",
            f"{static['p50']:.2f}",
            f"{static['p99']:.2f}",
            milliseconds(static["app_cpu"]),
            "",
            0,
            f"{len(fetch(cached.url + static_path)[1]) / 1024:.1f}",
            "1.00",
        ]
    ]
    for name, path in pages:
        status, body, _ = fetch(cached.url + path)
        queries = query_count(path)
        for label, server in (("cached", cached), ("uncached", uncached)):
            result = load(server, path, arguments, database_pids)
            failed = f" ({result['failed']} failed)" if result["failed"] else ""
            rows.append(
                [
                    name if label == "cached" else "",
                    label + ("" if status == 200 else f" [{status}]"),
                    f"{result['rps']:.0f}{failed}",
                    f"{result['p50']:.2f}",
                    f"{result['p99']:.2f}",
                    milliseconds(result["app_cpu"]),
                    milliseconds(result["db_cpu"]),
                    "" if label == "cached" else queries,
                    f"{len(body) / 1024:.1f}",
                    f"{result['rps'] / static['rps']:.3f}",
                ]
            )
    table(
        ["page", "", "req/s", "p50 ms", "p99 ms", "app CPU ms/req", "db CPU ms/req", "queries", "KB", "× static"],
        rows,
    )
    print(f"\nPages measured: {', '.join(f'{name} {path}' for name, path in pages)}")

    print("\nSearch, one client, one request at a time, each query answered afresh (uncached server):")
    wait_until_idle(uncached.worker_pids())
    timings = {}
    for query in search_queries():
        status, _, elapsed = fetch(f"{uncached.url}/search/?{urllib.parse.urlencode({'q': query})}")
        timings[query] = elapsed if status == 200 else float("inf")
    values = list(timings.values())
    slowest = ", ".join(f"“{q}” {ms:.0f} ms" for q, ms in sorted(timings.items(), key=lambda item: -item[1])[:3])
    print(
        f"  {len(values)} queries: p50 {percentile(values, 0.5):.1f} ms, p95 {percentile(values, 0.95):.1f} ms, "
        f"max {max(values):.1f} ms (slowest: {slowest})"
    )

    print("\nAdmin, signed in as a superuser (5 requests each, median):")
    client, cookie = signed_in_admin()
    admin_rows = []
    wait_until_idle(cached.worker_pids())
    for name, path in admin_pages(explainer):
        fetch(cached.url + path, cookie)
        samples = [fetch(cached.url + path, cookie) for _ in range(5)]
        status = samples[-1][0]
        admin_rows.append(
            [
                name,
                status,
                f"{statistics.median(sample[2] for sample in samples):.1f}",
                f"{len(samples[-1][1]) / 1024:.1f}",
                query_count(path, client),
            ]
        )
    table(["page", "status", "ms", "KB", "queries"], admin_rows)

    print("\nWorker memory (RSS) after the run:")
    for server in (cached, uncached):
        sizes = ", ".join(f"{rss_mib(pid):.0f} MiB" for pid in server.worker_pids())
        print(f"  {server.name} server: {sizes}")


if __name__ == "__main__":
    main()
