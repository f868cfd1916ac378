"""Data versions per source table, numbered from a sequence, and the shared cache's table.

The triggers (declared on the models) raise the version of their own table with a number from
``regionbudget_dataversion_seq``; the one ``gap`` counter of before is gone. The cache table is
Django's ``DatabaseCache`` layout, UNLOGGED: a cache need not survive a crash (PostgreSQL empties
it then) nor be replicated, and writing it then costs no WAL.
"""

from django.db import migrations

CACHE_TABLE = """
CREATE UNLOGGED TABLE IF NOT EXISTS regionbudget_cache (
    cache_key varchar(255) NOT NULL PRIMARY KEY,
    value text NOT NULL,
    expires timestamp with time zone NOT NULL
);
CREATE INDEX IF NOT EXISTS regionbudget_cache_expires ON regionbudget_cache (expires);
"""


class Migration(migrations.Migration):
    dependencies = [("regionbudget", "0014_user_language_preference")]

    operations = [
        migrations.RunSQL(
            "CREATE SEQUENCE IF NOT EXISTS regionbudget_dataversion_seq; "
            "DELETE FROM regionbudget_dataversion WHERE name = 'gap';",
            "DROP SEQUENCE IF EXISTS regionbudget_dataversion_seq;",
        ),
        migrations.RunSQL(CACHE_TABLE, "DROP TABLE IF EXISTS regionbudget_cache;"),
    ]
