"""
Production settings pass Django's deployment checks, and the local defaults do not.

The checks run in a fresh process, because settings are read from the environment once, at start-up.
"""

import os
import secrets
import string
import subprocess
import sys
from pathlib import Path

import pytest
from django.contrib.auth import authenticate
from django.contrib.auth.models import User
from django.core.management import CommandError, call_command

from explainers.management.commands.demo_logins import DEMO_LOGINS

BASE_DIR = Path(__file__).resolve().parent.parent


def production_environment(**overrides):
    key = "".join(secrets.choice(string.ascii_letters + string.digits + "!@#%^&*(-_=+)") for _ in range(50))
    environment = {
        key: value
        for key, value in os.environ.items()
        if key not in ("DEBUG", "DATABASE_URL", "REDIS_URL") and not key.startswith(("SECURE_", "DJANGO_"))
    }
    environment.update(
        DEBUG="0",
        SECRET_KEY=key,
        ALLOWED_HOSTS="condinfo.example",
        CSRF_TRUSTED_ORIGINS="https://condinfo.example",
        SITE_URL="https://condinfo.example",
    )
    environment.update(overrides)
    return {key: value for key, value in environment.items() if value is not None}


def deploy_check(environment):
    return subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=BASE_DIR,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_production_settings_pass_the_deploy_check_without_warnings():
    result = deploy_check(production_environment())
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


def test_the_deploy_check_fails_when_the_secret_key_is_left_at_its_insecure_default():
    result = deploy_check(production_environment(SECRET_KEY="django-insecure-local-only"))
    assert result.returncode != 0
    assert "security.W009" in result.stderr


def test_the_deploy_check_fails_when_https_redirects_are_switched_off():
    result = deploy_check(production_environment(SECURE_SSL_REDIRECT="0"))
    assert result.returncode != 0
    assert "security.W008" in result.stderr


def test_demo_logins_refuse_to_set_passwords_when_debug_is_off(db, settings, demo):
    settings.DEBUG = False
    with pytest.raises(CommandError, match="DEBUG"):
        call_command("demo_logins")
    assert not User.objects.get(username="author").has_usable_password()
    assert not User.objects.filter(username="admin").exists()


def test_demo_logins_let_each_demo_user_and_the_admin_sign_in_locally(db, settings, demo, capsys):
    settings.DEBUG = True
    call_command("demo_logins")
    for username, password, _ in DEMO_LOGINS:
        assert authenticate(username=username, password=password) == User.objects.get(username=username)
    assert User.objects.get(username="admin").is_superuser
    assert "condinfo-demo-reviewer" in capsys.readouterr().out
