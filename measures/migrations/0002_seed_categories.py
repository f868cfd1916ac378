"""The categories of measures the action plan uses; finance can edit the list afterwards."""

from django.db import migrations

CATEGORIES = [
    "Inköp",
    "Bemanning",
    "Produktivitet",
    "Vårdstruktur",
    "Styrning",
    "Administration",
    "Köpt vård",
    "Läkemedel",
    "Digitalisering",
    "Lokaler",
    "Intäkter",
]


def seed(apps, schema_editor):
    Category = apps.get_model("measures", "Category")
    for position, name in enumerate(CATEGORIES, start=1):
        Category.objects.get_or_create(name=name, defaults={"position": position * 10})


class Migration(migrations.Migration):
    dependencies = [("measures", "0001_measure_register")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
