from decimal import Decimal

from django.db import migrations

DEFAULTS = {
    "proposed": Decimal("0.400"),
    "decided": Decimal("0.600"),
    "in_progress": Decimal("0.800"),
    "done": Decimal("1.000"),
    "delayed": Decimal("0.500"),
    "cancelled": Decimal("0.000"),
}


def seed_weights(apps, schema_editor):
    """The default confidence weights, so that a new installation has them."""
    ConfidenceWeight = apps.get_model("regionbudget", "ConfidenceWeight")
    for status, weight in DEFAULTS.items():
        ConfidenceWeight.objects.get_or_create(status=status, defaults={"weight": weight})


class Migration(migrations.Migration):
    dependencies = [("regionbudget", "0002_confidence_weights")]

    operations = [migrations.RunPython(seed_weights, migrations.RunPython.noop)]
