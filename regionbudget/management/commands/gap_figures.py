"""``manage.py gap_figures``: the dashboard's region-wide figures of every plan, as JSON.

Used by the backup check (scripts/backup_restore.py) to show that a restored database gives the
same figures, and handy for operators who want the numbers without a browser.
"""

import json

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from forecasts.models import Plan
from regionbudget.gap.dashboard import gap_export
from regionbudget.gap.selectors import GapFilters, gap_data


class Command(BaseCommand):
    help = "Print the gap figures of every plan (region-wide, every year) as JSON."

    def handle(self, *args, **options):
        viewer = get_user_model().objects.filter(is_superuser=True, is_active=True).first()
        if viewer is None:
            raise CommandError("No active administrator: the figures are read as one.")
        figures = {}
        for plan in Plan.objects.order_by("name"):
            for year in plan.years:
                filters = GapFilters(plan=plan, year=year)
                figures[f"{plan.name} {year}"] = gap_export(
                    gap_data(user=viewer, filters=filters), filters
                )
        self.stdout.write(json.dumps(figures, ensure_ascii=False, indent=1, sort_keys=True))
