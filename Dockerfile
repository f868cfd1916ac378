# Regionbudget application image: Django under gunicorn, static files served by whitenoise.
# Configuration comes from the environment (see .env.example); DJANGO_SECRET_KEY and
# DATABASE_URL are required at run time. docker-compose.yml runs it with PostgreSQL 16.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    DJANGO_READ_DOT_ENV=false

WORKDIR /app

# Pango and a font for the status reports' PDF (WeasyPrint).
RUN apt-get update \
    && apt-get install -y --no-install-recommends libpango-1.0-0 libpangoft2-1.0-0 fonts-dejavu-core \
    && rm -rf /var/lib/apt/lists/*

# The project and its dependencies (pyproject.toml; packages regionbudget, forecasts, measures).
COPY pyproject.toml README.md ./
COPY regionbudget/ regionbudget/
COPY forecasts/ forecasts/
COPY measures/ measures/
RUN pip install .

# The rest of the source.
COPY manage.py gunicorn.conf.py ./
COPY templates/ templates/
COPY static/ static/
COPY locale/ locale/

# Static files into STATIC_ROOT (/app/staticfiles). Settings need a secret key and a database URL
# at import; these harmless values exist for this one command only (no database is contacted).
RUN DJANGO_SECRET_KEY=build-only \
    DATABASE_URL=postgresql://build@localhost/build \
    DJANGO_READ_DOT_ENV=false \
    python manage.py collectstatic --noinput

# Run as an unprivileged user; the source and static files stay owned by root (read-only).
RUN useradd --system --user-group --uid 10001 --home-dir /app --no-create-home app
USER app

EXPOSE 8000

# /healthz is 200 when the database answers, 503 when not. The Host header is the first entry of
# DJANGO_ALLOWED_HOSTS, so that the check passes host validation in production too.
HEALTHCHECK --interval=30s --timeout=5s --start-period=60s --retries=3 \
    CMD ["python", "-c", "import os, urllib.request; hosts = [h.strip().lstrip('.') for h in os.environ.get('DJANGO_ALLOWED_HOSTS', '').split(',') if h.strip() not in ('', '*')]; urllib.request.urlopen(urllib.request.Request('http://127.0.0.1:8000/healthz', headers={'Host': hosts[0] if hosts else '127.0.0.1'}), timeout=4)"]

# gunicorn.conf.py: threaded workers (GUNICORN_WORKERS × GUNICORN_THREADS, 2 × 4 by default).
# Migrations may run longer than a page's statement timeout.
CMD ["sh", "-c", "DATABASE_STATEMENT_TIMEOUT=0 python manage.py migrate --noinput && exec gunicorn regionbudget.wsgi --bind 0.0.0.0:8000"]
