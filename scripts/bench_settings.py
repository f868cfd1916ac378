"""Settings of the benchmark: the production settings, plus the bare view's URL."""

from regionbudget.settings import *  # noqa: F403

ROOT_URLCONF = "bench_urls"
ALLOWED_HOSTS = ["127.0.0.1", "localhost", "testserver"]
