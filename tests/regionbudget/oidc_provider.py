"""A real OpenID Connect provider for the tests (oidc-provider-mock) on 127.0.0.1, and the
settings that point Regionbudget at it."""

from __future__ import annotations

import copy
import os
import threading
from contextlib import contextmanager
from datetime import timedelta
from urllib.parse import parse_qs, urlsplit

import oidc_provider_mock
import requests
import werkzeug.serving

# The project's URLs as they are without the sign-in: read now, before a test switches it on
# (regionbudget.urls adds the sign-in's URLs when OIDC_ENABLED is set as it is first read).
import regionbudget.urls  # noqa: F401

CLIENT_ID = "regionbudget-test"
CLIENT_SECRET = "test-client-secret"  # noqa: S105 (the test provider accepts any)
ROLE_MAP = {
    "rb-ekonomi": "finance",
    "rb-direktor": "area_director",
    "rb-namnd": "committee",
    "rb-admin": "admin",
}


@contextmanager
def running_provider(*, token_max_age: timedelta = timedelta(hours=1)):
    """The provider on 127.0.0.1 (a free port), in a thread; its base URL (= its issuer)."""
    # The provider speaks plain HTTP here, which its OAuth library allows only when told so.
    os.environ["AUTHLIB_INSECURE_TRANSPORT"] = "1"
    app = oidc_provider_mock.app(require_nonce=True, access_token_max_age=token_max_age)
    server = werkzeug.serving.make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05})
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        thread.join(timeout=10)
        server.server_close()


def configure(settings, issuer: str, **extra) -> None:
    """Switch the sign-in on (pytest-django's ``settings`` fixture), pointed at ``issuer``."""
    from regionbudget.core import oidc

    oidc._providers.clear()
    settings.OIDC_ENABLED = True
    settings.OIDC_ISSUER = issuer
    settings.OIDC_DISCOVERY_URL = f"{issuer}/.well-known/openid-configuration"
    settings.OIDC_RP_CLIENT_ID = CLIENT_ID
    settings.OIDC_RP_CLIENT_SECRET = CLIENT_SECRET
    settings.OIDC_ROLE_MAP = ROLE_MAP
    settings.OIDC_AREA_MAP = {}
    settings.OIDC_ALLOW_ADMIN = False
    settings.OIDC_PASSWORD_LOGIN = True
    settings.OIDC_BREAK_GLASS_USERS = []
    settings.AUTHENTICATION_BACKENDS = [
        "axes.backends.AxesStandaloneBackend",
        "regionbudget.core.oidc.PasswordBackend",
        "regionbudget.core.oidc.RegionOIDCBackend",
    ]
    settings.ROOT_URLCONF = "tests.regionbudget.oidc_urls"
    # As settings.py does: the logout form's answer may lead on to the provider.
    policy = copy.deepcopy(settings.CONTENT_SECURITY_POLICY)
    policy["DIRECTIVES"]["form-action"] = ["'self'", issuer]
    settings.CONTENT_SECURITY_POLICY = policy
    for name, value in extra.items():
        setattr(settings, name, value)


def set_user(issuer: str, sub: str, **claims) -> None:
    """The provider's account ``sub`` with ``claims`` (in its ID tokens from now on)."""
    response = requests.put(f"{issuer}/users/{sub}", json=claims, timeout=10)
    assert response.status_code == 204, response.text


def authorize(authorization_url: str, sub: str) -> str:
    """Sign in at the provider as ``sub`` (its form); the URL it sends the browser back to."""
    response = requests.post(
        authorization_url, data={"sub": sub}, allow_redirects=False, timeout=10
    )
    assert response.status_code == 302, response.text[:500]
    return response.headers["Location"]


def query(url: str) -> dict[str, str]:
    return {k: v[0] for k, v in parse_qs(urlsplit(url).query).items()}


def local(url: str) -> str:
    """The path and query of a URL of the app (the test client's)."""
    parts = urlsplit(url)
    return f"{parts.path}?{parts.query}" if parts.query else parts.path
