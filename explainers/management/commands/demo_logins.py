"""
Give the demo users local passwords and create a local superuser, for trying the site out.

The passwords are fixed and printed, so the command refuses to run unless DEBUG is on:
a production site never has these accounts' passwords set.
"""

from django.conf import settings
from django.contrib.auth.models import User
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

# (username, password, what the role may do)
DEMO_LOGINS = [
    ("author", "condinfo-demo-author", "Author: writes drafts and submits them for review"),
    ("reviewer", "condinfo-demo-reviewer", "Medical reviewer: approves or requests changes"),
    ("publisher", "condinfo-demo-publisher", "Publisher: publishes approved versions, withdraws"),
    ("admin", "condinfo-demo-admin", "Superuser: everything, including user accounts"),
]


class Command(BaseCommand):
    help = "Set local-only passwords for the demo users and create the superuser admin (DEBUG only)."

    @transaction.atomic
    def handle(self, *args, **options):
        if not settings.DEBUG:
            raise CommandError("demo_logins sets publicly known passwords, so it runs only with DEBUG=1.")
        missing = [name for name, _, _ in DEMO_LOGINS[:3] if not User.objects.filter(username=name).exists()]
        if missing:
            raise CommandError(f"No demo user {', '.join(missing)}: run `manage.py load_demo` first.")
        for username, password, _ in DEMO_LOGINS:
            user, _ = User.objects.get_or_create(username=username, defaults={"email": f"{username}@localhost"})
            if username == "admin":
                user.is_superuser = True
            user.is_staff = True
            user.is_active = True
            user.set_password(password)
            user.save()
        self.print_table()

    def print_table(self):
        width = max(len(password) for _, password, _ in DEMO_LOGINS)
        lines = [
            f"condinfo runs at {settings.SITE_URL}/ — sign in to the editorial admin at {settings.SITE_URL}/admin/",
            "",
            f"  {'Username':<10} {'Password':<{width}}  Role",
            *(f"  {username:<10} {password:<{width}}  {role}" for username, password, role in DEMO_LOGINS),
            "",
            "These passwords are for this computer only (DEBUG is on).",
        ]
        self.stdout.write("\n".join(lines))
