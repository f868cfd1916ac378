"""The ten account groups (kontogrupper) of the finance system's standard chart."""

from django.db import migrations

ACCOUNT_GROUPS = [
    ("PERS", "Personal", "cost", 10),
    ("HYR", "Hyrpersonal", "cost", 20),
    ("KOPT", "Köpt vård", "cost", 30),
    ("LKM", "Läkemedel", "cost", 40),
    ("MTRL", "Material och inköp", "cost", 50),
    ("LOK", "Lokaler", "cost", 60),
    ("IT", "IT", "cost", 70),
    ("AVS", "Avskrivningar", "cost", 80),
    ("OVR", "Övriga kostnader", "cost", 90),
    ("INT", "Intäkter", "revenue", 100),
]


def seed(apps, schema_editor):
    AccountGroup = apps.get_model("forecasts", "AccountGroup")
    for code, name, kind, position in ACCOUNT_GROUPS:
        AccountGroup.objects.get_or_create(
            code=code, defaults={"name": name, "kind": kind, "position": position}
        )


class Migration(migrations.Migration):
    dependencies = [("forecasts", "0002_forecast_rounds")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
