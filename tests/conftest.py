import pytest

from tests.factories import make_reviewer, make_user

pytest_plugins = ["tests.browser"]  # Chromium fixtures for the browser tests


@pytest.fixture(autouse=True)
def _plain_test_settings(settings):
    """Serve static files without the manifest and keep requests on plain HTTP in tests."""
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    settings.SECURE_SSL_REDIRECT = False
    settings.SESSION_COOKIE_SECURE = False
    settings.CSRF_COOKIE_SECURE = False
    settings.AXES_ENABLED = False
    settings.TWO_FACTOR_REQUIRED = False  # tests/test_two_factor.py switches it on, as production has it
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def author(db):
    return make_user("Authors", username="author")


@pytest.fixture
def reviewer(db):
    """A medical reviewer (user in the group, with a public profile)."""
    return make_reviewer(
        make_user("Medical reviewers", username="reviewer"),
        display_name="Dr Amina Okafor",
        credentials="MD, rheumatologist",
        slug="amina-okafor",
    ).user


@pytest.fixture
def publisher(db):
    return make_user("Publishers", username="publisher")


@pytest.fixture
def superuser(db):
    from django.contrib.auth.models import User

    return User.objects.create_superuser("admin", "admin@example.org", "a-long-test-password")


@pytest.fixture
def demo(db):
    """The seed page loaded as demo content; returns the published explainer."""
    from django.core.management import call_command

    from explainers.models import Explainer

    call_command("load_demo", verbosity=0)
    return Explainer.objects.get(slug="what-causes-dermatomyositis-and-polymyositis")


@pytest.fixture(autouse=True)
def _record_triggers_let_sqlite_flush(request):
    """Let a transactional test's database be emptied afterwards on SQLite.

    Django empties it with DELETE on SQLite (TRUNCATE on PostgreSQL, which row triggers do not
    see), and the record tables' triggers refuse DELETE: they are dropped just before the flush
    and put back before the next such test.
    """
    if not {"transactional_db", "live_server"} & set(request.fixturenames):
        yield
        return
    request.getfixturevalue("transactional_db")
    from importlib import import_module

    from django.db import connection

    from explainers import record_protection

    tables = [
        *import_module("explainers.migrations.0009_record_tables_refuse_changes").TABLES,
        *import_module("explainers.migrations.0027_registry_only").TABLES,
    ]
    if connection.vendor != "sqlite":
        yield
        return
    with connection.schema_editor() as editor:
        record_protection.install(editor, tables)
    yield
    with connection.schema_editor() as editor:
        record_protection.uninstall(editor, tables)


@pytest.fixture
def roles(transactional_db):
    """Commit the test's data as it is written, and recreate the editorial groups an earlier flush removed."""
    from django.contrib.auth.models import Group, Permission

    from explainers.roles import ROLES

    for name, codenames in ROLES.items():
        group, _ = Group.objects.get_or_create(name=name)
        group.permissions.set(Permission.objects.filter(content_type__app_label="explainers", codename__in=codenames))


@pytest.fixture
def page_cache_on(settings):
    """Switch the page cache on, empty, and leave it empty for the transactional tests that follow."""
    from django.core.cache import cache

    settings.PAGE_CACHE = True
    cache.clear()
    yield
    cache.clear()
