"""``manage.py unlock_user NAME``: lift a login lockout of a user name, from every address."""

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from regionbudget.core.security import unlock_user


class Command(BaseCommand):
    help = "Lift the login lockout of a user name (failed logins from every address are cleared)."

    def add_arguments(self, parser):
        parser.add_argument("username")

    def handle(self, *args, username: str, **options):
        if not get_user_model().objects.filter(username=username).exists():
            raise CommandError(f"No user named {username!r}.")
        count = unlock_user(username)
        self.stdout.write(f"{username} can log in again ({count} failed-login records cleared).")
