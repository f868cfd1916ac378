"""Language selection, security headers and the session idle timeout."""

import time

from django.conf import settings
from django.middleware.locale import LocaleMiddleware
from django.utils import translation


class LanguageMiddleware(LocaleMiddleware):
    """Like Django's LocaleMiddleware, but ignores the browser's Accept-Language header.

    The interface is Swedish by default for everyone; only the language cookie that the
    language switch sets (Django's ``set_language`` view) selects another language.
    """

    def process_request(self, request):
        language = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME, "")
        if language not in dict(settings.LANGUAGES):
            language = settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = translation.get_language()


# Everything the pages need comes from this origin; no inline script or style is allowed.
CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "font-src 'self'",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)
# Django's own administration uses a few inline style attributes.
ADMIN_CONTENT_SECURITY_POLICY = CONTENT_SECURITY_POLICY.replace(
    "style-src 'self'", "style-src 'self' 'unsafe-inline'"
)


class SecurityHeadersMiddleware:
    """Adds the Content Security Policy and a restrictive Permissions-Policy to every response."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        policy = (
            ADMIN_CONTENT_SECURITY_POLICY
            if request.path.startswith("/admin/")
            else CONTENT_SECURITY_POLICY
        )
        response.headers.setdefault("Content-Security-Policy", policy)
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
