"""Request headers are written to the database (the login throttle keeps the browser's user
agent of a failed login); PostgreSQL refuses text with a NUL character, so a NUL in a header
would turn a failed login into a server error. It is replaced here, before anything reads it."""

from __future__ import annotations

__all__ = ["NulHeaderMiddleware"]

REPLACEMENT = "\ufffd"


class NulHeaderMiddleware:
    """Replace NUL characters in the request's HTTP headers with U+FFFD."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        for key, value in list(request.META.items()):
            if key.startswith("HTTP_") and isinstance(value, str) and "\x00" in value:
                request.META[key] = value.replace("\x00", REPLACEMENT)
        return self.get_response(request)
