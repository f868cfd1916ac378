"""The trigger function of the hand-written gap triggers (0007), unused once every table has its
django-pgtrigger trigger (each with its own function); created again when this is reversed."""

import importlib

from django.db import migrations

raw = importlib.import_module("regionbudget.migrations.0007_gap_triggers")


class Migration(migrations.Migration):
    dependencies = [
        ("regionbudget", "0008_gap_triggers_by_pgtrigger"),
        ("forecasts", "0006_gap_triggers_by_pgtrigger"),
        ("measures", "0003_gap_triggers_by_pgtrigger"),
    ]

    operations = [
        migrations.RunSQL("DROP FUNCTION IF EXISTS regionbudget_bump_gap_version();", raw.FUNCTION),
    ]
