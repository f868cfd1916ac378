"""``manage.py send_reminders``: the daily reminder of forecast deadlines (run it from cron).

Reminds the directors of every area that has not submitted its forecast in an open round due in
3 days or today. Each round, area and day is reminded once, however often the command runs.
"""

import datetime as dt

from django.core.management.base import BaseCommand, CommandError

from forecasts.services import reminders_send_due


class Command(BaseCommand):
    help = "E-mail the directors of areas whose forecast is due in 3 days or today (run daily)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--date", help="Act as if today were this date (YYYY-MM-DD); default: today."
        )

    def handle(self, *args, date: str | None = None, **options):
        try:
            today = dt.date.fromisoformat(date) if date else None
        except ValueError:
            raise CommandError(f"--date must be YYYY-MM-DD, got {date!r}.") from None
        results = reminders_send_due(today=today)
        if not results:
            self.stdout.write("No open round is due in 3 days or today.")
        for forecast_round, result in results.items():
            self.stdout.write(
                f"{forecast_round}: reminded {len(result.reminded)} area(s)"
                + (f" ({', '.join(a.code for a in result.reminded)})" if result.reminded else "")
                + (f"; {len(result.already)} already reminded today" if result.already else "")
            )
