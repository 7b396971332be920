"""The Nu HTML Checker (npm vnu-jar, on the system Java), for the tests that check pages are valid HTML."""

import json
import shutil
import subprocess
from pathlib import Path

from tests.browser import require

VNU_JAR = Path(__file__).resolve().parent.parent / "node_modules" / "vnu-jar" / "build" / "dist" / "vnu.jar"


def nu_checker_errors(files):
    """Return the Nu HTML Checker's errors in ``files``, checked in one Java start (it boots slowly)."""
    java = shutil.which("java")
    require(java and VNU_JAR.exists(), "The Nu HTML Checker needs java and node_modules/vnu-jar: run `npm ci`")
    command = [java, "-jar", str(VNU_JAR), "--format", "json", "--stdout", "--exit-zero-always", *map(str, files)]
    result = subprocess.run(command, capture_output=True, text=True, timeout=300, check=True)
    return [m for m in json.loads(result.stdout)["messages"] if m["type"] in ("error", "non-document-error")]


def describe(errors):
    """Return the checker's errors as lines a person can act on: file, line, message and the markup."""
    return "\n".join(
        f"{Path(m.get('url', '')).name}:{m.get('lastLine', '?')}: {m['message']}  [{m.get('extract', '').strip()}]"
        for m in errors
    )
