"""Settings for the test suite: the normal settings with a fixed key, plain HTTP and fast hashing.

The database is the same as everywhere: ``DATABASE_URL`` when set, else the embedded PostgreSQL.
"""

import os

os.environ.setdefault("DJANGO_SECRET_KEY", "test-only-secret-key-not-for-production-use-0123456789")
os.environ.setdefault("DJANGO_HTTPS", "false")
os.environ.setdefault("REGIONBUDGET_DEMO", "true")
os.environ["DJANGO_DEBUG"] = "false"
# No statement or lock timeout by default: creating, migrating and filling the test databases
# (several at once under xdist) may take longer than a page may. The timeouts' own tests set
# short ones on their connection (tests/faults/test_slow_database.py).
os.environ.setdefault("DATABASE_STATEMENT_TIMEOUT", "0")
os.environ.setdefault("DATABASE_LOCK_TIMEOUT", "0")

from regionbudget.settings import *  # noqa: E402,F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
# Pages are rendered without collectstatic in tests.
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
# Static files come from the finders; there is no collectstatic output to scan.
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True
# Each test process keeps its own cache in memory unless CACHE_URL says otherwise: the query
# counts pinned in the tests are the pages' own queries, and the tests of the shared cache use
# the database cache table explicitly (tests/regionbudget/test_shared_cache.py).
if not os.environ.get("CACHE_URL"):
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
