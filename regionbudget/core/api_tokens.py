"""Reading with an API token: ``Authorization: Bearer <token>``, for BI tools.

A BI tool (Power BI, Qlik) cannot hold a browser session; it sends a token that finance created
(``ApiToken``). ``ApiTokenMiddleware`` looks at every request that carries one:

- an unknown, revoked or expired token: **401** (``WWW-Authenticate: Bearer
  error="invalid_token"``), whatever the page;
- a valid token on a view not marked ``@token_readable``, or with any method but GET and HEAD:
  **403** (``error="insufficient_scope"``). A token never opens a page or a write;
- a valid token on a readable view (the gap figures and the forecast accuracy as JSON and
  CSV): the request reads as the token's ``access.TokenReader`` (the token's scope, never a
  session user), and the token's last use is recorded.

Every request with a token is logged (``regionbudget.core.security``): the token's visible
prefix, never its secret.
"""

from __future__ import annotations

import logging

from django.http import JsonResponse
from django.utils import timezone

from regionbudget.core.access import TokenReader
from regionbudget.core.security import client_address
from regionbudget.core.selectors import api_token_find
from regionbudget.core.services import api_token_record_use

__all__ = ["ApiTokenMiddleware", "bearer_secret", "token_readable"]

logger = logging.getLogger("regionbudget.core.security")

READ_METHODS = frozenset({"GET", "HEAD"})


def token_readable(view):
    """Mark a read-only view (GET/HEAD) that a BI tool may open with an API token."""
    view.api_token_readable = True
    return view


def bearer_secret(request) -> str | None:
    """The token of an ``Authorization: Bearer …`` header ('' when empty), or None without one."""
    header = request.META.get("HTTP_AUTHORIZATION", "")
    scheme, _, secret = header.strip().partition(" ")
    if scheme.lower() != "bearer":
        return None
    return secret.strip()


def _refuse(status: int, error: str, description: str) -> JsonResponse:
    response = JsonResponse({"error": error, "error_description": description}, status=status)
    response["WWW-Authenticate"] = (
        f'Bearer realm="regionbudget", error="{error}", error_description="{description}"'
    )
    response["Cache-Control"] = "no-store"
    return response


class ApiTokenMiddleware:
    """Authenticates ``Authorization: Bearer`` requests (see the module's docstring). Must come
    before ``CsrfViewMiddleware``, so that a POST with a token gets this answer."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        secret = bearer_secret(request)
        if secret is None:
            return self.get_response(request)
        request.api_token = None
        response = self.get_response(request)
        token = request.api_token
        logger.info(
            "api token request token=%s name=%r status=%s address=%s method=%s path=%s",
            token.prefix if token is not None else "-",
            token.name if token is not None else "",
            response.status_code,
            client_address(request),
            request.method,
            request.path,
        )
        return response

    def process_view(self, request, view_func, view_args, view_kwargs):
        secret = bearer_secret(request)
        if secret is None:
            return None
        token = api_token_find(secret) if secret else None
        request.api_token = token
        if token is None:
            return _refuse(401, "invalid_token", "Unknown API token.")
        if token.revoked_at is not None:
            return _refuse(401, "invalid_token", "The API token has been revoked.")
        if not token.is_usable(timezone.now()):
            return _refuse(401, "invalid_token", "The API token has expired.")
        if request.method not in READ_METHODS or not getattr(
            view_func, "api_token_readable", False
        ):
            return _refuse(
                403,
                "insufficient_scope",
                "An API token only reads the figures for BI tools (GET): /gap/figures.json, "
                "/gap/figures.csv, /forecasts/accuracy.json and /forecasts/accuracy.csv.",
            )
        api_token_record_use(token=token, address=client_address(request))
        area_ids = None if token.all_areas else {area.pk for area in token.areas.all()}
        request.user = TokenReader(token, area_ids)
        return None
