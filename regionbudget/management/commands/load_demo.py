"""``manage.py load_demo``: load the seed case and the demo users (idempotent)."""

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from regionbudget.demo import DEMO_PASSWORD, DEMO_USERS, load_demo


class Command(BaseCommand):
    help = "Load the seed case (Region Västernorrland 2024–2026) and the demo users."

    def handle(self, *args, **options):
        if not settings.DEMO_DATA_ALLOWED:
            raise CommandError(
                "Demo data is switched off: it creates users with the password "
                f"'{DEMO_PASSWORD}'. Set REGIONBUDGET_DEMO=true to load it (never in production)."
            )
        counts = load_demo()
        self.stdout.write(
            self.style.SUCCESS(
                "Demo data loaded: {areas} areas, {units} units, {plans} plans.".format(**counts)
            )
        )
        names = ", ".join(u.username for u in DEMO_USERS)
        self.stdout.write(f"Demo users (password '{DEMO_PASSWORD}'): {names}")
