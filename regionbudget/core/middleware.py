"""Language selection, the security headers the libraries leave to us, and the session idle
timeout.

Security headers: Django's ``SecurityMiddleware`` and ``XFrameOptionsMiddleware`` send HSTS,
nosniff, the referrer policy and X-Frame-Options; django-csp sends the Content Security Policy
(``settings.CONTENT_SECURITY_POLICY``: everything from this origin, no inline script or style).
Kept here, because neither library does it:

- ``ContentSecurityPolicyMiddleware``: inline styles allowed under ``/admin/`` only, which
  Django's administration needs; django-csp has per-view decorators but no setting for a part of
  the site whose views are not ours.
- ``PermissionsPolicyMiddleware``: the Permissions-Policy header, which no library sends.

The policy is the one the project's own middleware wrote before (a test compares them). Two
differences in form, none in meaning: django-csp may write the directives in another order (it
collects them in a set; browsers read them in any order), and with ``DEBUG`` on it leaves the
policy off 404 and 500 pages (Django's debug pages need inline styles). With ``DEBUG`` off, as in
production and the tests, every response carries it, as a view's own policy header is kept.
"""

import time

from csp.constants import SELF, UNSAFE_INLINE
from csp.middleware import CSPMiddleware, PolicyParts
from django.conf import settings
from django.middleware.locale import LocaleMiddleware
from django.utils import translation


class LanguageMiddleware(LocaleMiddleware):
    """Like Django's LocaleMiddleware, but ignores the browser's Accept-Language header.

    The interface is Swedish by default for everyone; only the language cookie that the
    language switch sets (Django's ``set_language`` view) selects another language. A user who
    chose a language while signed in (``UserPreference``) gets it back when signing in on
    another device or browser: ``language_at_sign_in`` marks the sign-in's response, and the
    cookie is set on it.
    """

    def process_request(self, request):
        language = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME, "")
        if language not in dict(settings.LANGUAGES):
            language = settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = translation.get_language()

    def process_response(self, request, response):
        response = super().process_response(request, response)
        language = getattr(request, "_language_at_sign_in", None)
        if language:
            response.set_cookie(
                settings.LANGUAGE_COOKIE_NAME,
                language,
                max_age=settings.LANGUAGE_COOKIE_AGE,
                path=settings.LANGUAGE_COOKIE_PATH,
                domain=settings.LANGUAGE_COOKIE_DOMAIN,
                secure=settings.LANGUAGE_COOKIE_SECURE,
                httponly=settings.LANGUAGE_COOKIE_HTTPONLY,
                samesite=settings.LANGUAGE_COOKIE_SAMESITE,
            )
        return response


def language_at_sign_in(sender, request, user, **kwargs) -> None:
    """``user_logged_in`` receiver: the pages after a sign-in are in the user's chosen language
    when it differs from this browser's."""
    if request is None:
        return
    from regionbudget.core.selectors import user_language

    language = user_language(user)
    if language and language != request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME):
        request._language_at_sign_in = language


class ContentSecurityPolicyMiddleware(CSPMiddleware):
    """django-csp's middleware (policy in ``settings.CONTENT_SECURITY_POLICY``), with the one
    exception the administration needs: Django's admin pages use a few inline style attributes,
    so under ``/admin/`` styles may also be inline. django-csp's per-view decorators cannot be put
    on the admin's views, hence this subclass (``get_policy_parts`` is django-csp's documented
    extension point)."""

    def get_policy_parts(self, request, response, report_only: bool = False) -> PolicyParts:
        parts = super().get_policy_parts(request, response, report_only)
        if not report_only and request.path.startswith("/admin/"):
            parts.replace = {**(parts.replace or {}), "style-src": [SELF, UNSAFE_INLINE]}
        return parts


class PermissionsPolicyMiddleware:
    """Adds a restrictive Permissions-Policy to every response (Django does not send one, nor
    does django-csp): no page of this site uses the camera, microphone, location or payments."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        response.headers.setdefault(
            "Permissions-Policy", "camera=(), microphone=(), geolocation=(), payment=()"
        )
        return response


class IdleTimeoutMiddleware:
    """Logs a user out after ``SESSION_COOKIE_AGE`` seconds without a request.

    The session's expiry moves forward when the session is saved. Saving it on every request
    (``SESSION_SAVE_EVERY_REQUEST``) would write the session row on every page view; instead the
    expiry is renewed when the last renewal is ``SESSION_RENEW_SECONDS`` old, so a reader's page
    views cost no writes and the timeout is exact to within that many seconds.
    """

    TOUCHED = "_idle_renewed"

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        session = getattr(request, "session", None)
        if session is not None and not session.modified and not session.is_empty():
            now = int(time.time())
            if now - session.get(self.TOUCHED, 0) >= settings.SESSION_RENEW_SECONDS:
                session[self.TOUCHED] = now  # saved by SessionMiddleware, with a new expiry
        return response
