"""Settings of the benchmark: the production settings, plus the bare view's URL and a header that
names the gunicorn worker process that answered (the warm-up waits until each worker is warm)."""

from regionbudget.settings import *  # noqa: F403
from regionbudget.settings import MIDDLEWARE

ROOT_URLCONF = "bench_urls"
ALLOWED_HOSTS = ["127.0.0.1", "localhost", "testserver"]
MIDDLEWARE = ["bench_urls.worker_header", *MIDDLEWARE]
