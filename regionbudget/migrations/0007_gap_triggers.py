"""Statement-level triggers that raise the gap data version on every write to the tables the gap
figures are read from (regionbudget.caching). Written here, in one place, so that no write path
(forms, imports, bulk updates, SQL by hand) can leave stale cached figures."""

from django.db import migrations

TABLES = [
    "regionbudget_area",
    "regionbudget_confidenceweight",
    "forecasts_plan",
    "forecasts_deficittarget",
    "forecasts_budget",
    "forecasts_actual",
    "forecasts_forecastround",
    "forecasts_forecast",
    "forecasts_forecastline",
    "measures_category",
    "measures_measure",
    "measures_plannedeffect",
    "measures_realisedeffect",
    "measures_areashare",
]

FUNCTION = """
CREATE OR REPLACE FUNCTION regionbudget_bump_gap_version() RETURNS trigger AS $$
BEGIN
    -- An upsert: the counter row comes back even after a flush of the table.
    INSERT INTO regionbudget_dataversion (name, version, changed_at) VALUES ('gap', 1, now())
    ON CONFLICT (name) DO UPDATE
    SET version = regionbudget_dataversion.version + 1, changed_at = now();
    RETURN NULL;
END;
$$ LANGUAGE plpgsql;
"""


def _create(table: str) -> str:
    return (
        f"CREATE TRIGGER regionbudget_gap_version AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE "
        f"ON {table} FOR EACH STATEMENT EXECUTE FUNCTION regionbudget_bump_gap_version();"
    )


def _drop(table: str) -> str:
    return f"DROP TRIGGER IF EXISTS regionbudget_gap_version ON {table};"


class Migration(migrations.Migration):
    dependencies = [
        ("regionbudget", "0006_status_reports"),
        ("forecasts", "0003_seed_account_groups"),
        ("measures", "0002_seed_categories"),
    ]

    operations = [
        migrations.RunSQL(FUNCTION, "DROP FUNCTION IF EXISTS regionbudget_bump_gap_version();"),
        *[migrations.RunSQL(_create(table), _drop(table)) for table in TABLES],
    ]
