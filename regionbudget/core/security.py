"""The client's address, the login throttle per address, and the security log.

- ``client_address``: the address a request came from, behind ``PROXY_COUNT`` reverse proxies
  (each of which appends the address it was connected from to ``X-Forwarded-For``). django-axes
  asks it too (``AXES_CLIENT_IP_CALLABLE``), so the lockout and the log name the same address.
- ``AddressThrottleMiddleware``: failed logins *lock* a user name only from the address they
  came from (django-axes, ``AXES_LOCKOUT_PARAMETERS``); an address that keeps failing with
  many user names is *slowed down*, never locked: after ``LOGIN_ADDRESS_FREE_FAILURES``
  failures it must wait 1, 2, 4 … seconds (at most ``LOGIN_ADDRESS_MAX_DELAY_SECONDS``) after
  each failure before the next try. Everyone behind a shared address (a proxy, a hospital's
  network) can still log in, a little later, while a password-guessing loop gets a few tries
  a minute.
- The e-mail unlock link (``unlock_token_make``, ``unlock_token_user``): a locked-out user asks
  for a one-time link on the locked-out page (``regionbudget.core.services.unlock_link_send``),
  signed and valid for ``UNLOCK_LINK_MAX_AGE``, bound to the user and to their lockout as it
  stood when the link was made, so it stops working once used (the lockout's records are gone),
  after a login, and when the password changes.
- The security log: only the user name, address and path are logged, never a password, form
  content or a link's token.
"""

from __future__ import annotations

import ipaddress
import logging
import math
import time
from datetime import timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.core import signing
from django.db.models import Max, Min, Sum
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.crypto import constant_time_compare, salted_hmac

logger = logging.getLogger("regionbudget.core.security")

__all__ = [
    "AddressThrottleMiddleware",
    "address_wait_seconds",
    "client_address",
    "connect_security_log",
    "is_locked_out",
    "log_access_denied",
    "unlock_token_make",
    "unlock_token_user",
    "unlock_user",
]


def _valid_address(value: str) -> str | None:
    try:
        return str(ipaddress.ip_address(value.strip()))
    except ValueError:
        return None


def client_address(request) -> str | None:
    """The client's address. With ``PROXY_COUNT`` = n reverse proxies in front, each appends
    the address it was connected from to ``X-Forwarded-For``, so the client is the n-th entry
    from the right (what a client wrote there itself stands further left and is ignored). With
    fewer entries than proxies (e.g. a local try-out without the outer HTTPS proxy) the
    left-most entry is the client; anything unreadable falls back to the direct peer. None when
    there is no request or no peer (a login made in code)."""
    if request is None:
        return None
    peer = request.META.get("REMOTE_ADDR") or None
    proxies = getattr(settings, "PROXY_COUNT", 0)
    if proxies <= 0:
        return peer
    forwarded = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
    forwarded = [part for part in forwarded if part]
    if not forwarded:
        return peer
    chosen = forwarded[-proxies] if len(forwarded) >= proxies else forwarded[0]
    return _valid_address(chosen) or peer


def address_wait_seconds(address: str | None) -> int:
    """Seconds the address must still wait before its next login try (0: it may try now).

    Counts the failed logins from the address, for every user name, within the cool-off time
    (django-axes' records); beyond the free ones each failure doubles the wait after it."""
    from axes.models import AccessAttempt

    free = settings.LOGIN_ADDRESS_FREE_FAILURES
    if address is None or _valid_address(address) is None:
        return 0
    since = timezone.now() - settings.AXES_COOLOFF_TIME
    row = AccessAttempt.objects.filter(ip_address=address, attempt_time__gte=since).aggregate(
        failures=Sum("failures_since_start"), last=Max("attempt_time")
    )
    failures = row["failures"] or 0
    if failures < free:
        return 0
    delay = min(settings.LOGIN_ADDRESS_MAX_DELAY_SECONDS, 2 ** min(failures - free, 16))
    remaining = (row["last"] + timedelta(seconds=delay) - timezone.now()).total_seconds()
    return max(0, math.ceil(remaining))


class AddressThrottleMiddleware:
    """Answers a login try from an address that must still wait with 429 and ``Retry-After``,
    before the password is checked (so a waiting try is not counted as a failure)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.method == "POST" and request.path == reverse(settings.LOGIN_URL):
            wait = address_wait_seconds(client_address(request))
            if wait:
                logger.warning(
                    "login slowed down address=%s wait=%ss", client_address(request), wait
                )
                response = render(
                    request, "registration/slow_down.html", {"wait": wait}, status=429
                )
                response["Retry-After"] = str(wait)
                return response
        return self.get_response(request)


def unlock_user(username: str) -> int:
    """Lift every lockout of a user name, from every address; returns the records removed.

    The administrator's way back in for a locked-out user (the administration's user list, and
    ``manage.py unlock_user``)."""
    from axes.models import AccessAttempt

    count, _ = AccessAttempt.objects.filter(username=username).delete()
    logger.info("login unlocked user=%s records=%s", username, count)
    return count


def is_locked_out(username: str) -> bool:
    """Whether failed logins lock the user name now, from at least one address (django-axes'
    records: ``AXES_FAILURE_LIMIT`` failures within ``AXES_COOLOFF_TIME``)."""
    from axes.models import AccessAttempt

    return AccessAttempt.objects.filter(
        username=username,
        failures_since_start__gte=settings.AXES_FAILURE_LIMIT,
        attempt_time__gte=timezone.now() - settings.AXES_COOLOFF_TIME,
    ).exists()


_UNLOCK_SALT = "regionbudget.core.security.unlock-link"


def _lockout_state(user) -> str:
    """A digest of what a link must still find to be valid: the user, their password (a new
    password ends every link), their last login (a login resets the lockout) and the first of
    the lockout's records (``unlock_user`` deletes them all, so the link works once; a later
    lockout has new records)."""
    from axes.models import AccessAttempt

    first = AccessAttempt.objects.filter(username=user.get_username()).aggregate(first=Min("pk"))
    material = f"{user.pk}|{user.password}|{user.last_login}|{first['first']}"
    return salted_hmac(_UNLOCK_SALT, material).hexdigest()


def unlock_token_make(user) -> str:
    """The token of a one-time unlock link for ``user`` (signed, with the time it was made)."""
    return signing.dumps({"u": user.pk, "s": _lockout_state(user)}, salt=_UNLOCK_SALT)


def unlock_token_user(token: str):
    """The active user an unlock link's token was made for, if it is genuine, younger than
    ``UNLOCK_LINK_MAX_AGE`` and the user's lockout is still the one it was made for; else None
    (forged, expired, used, or the password changed since)."""
    try:
        payload = signing.loads(
            token, salt=_UNLOCK_SALT, max_age=settings.UNLOCK_LINK_MAX_AGE.total_seconds()
        )
    except signing.BadSignature:  # SignatureExpired is one
        return None
    if not isinstance(payload, dict) or not isinstance(payload.get("u"), int):
        return None
    user = get_user_model().objects.filter(pk=payload["u"], is_active=True).first()
    if user is None or not constant_time_compare(str(payload.get("s")), _lockout_state(user)):
        return None
    return user


def _address(request) -> str:
    return client_address(request) or "-"


def _user_name(request) -> str:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return "anonymous"
    return user.get_username()


def log_access_denied(request, status: int) -> None:
    logger.warning(
        "access denied status=%s user=%s address=%s method=%s path=%s",
        status,
        _user_name(request),
        _address(request),
        request.method,
        request.path,
    )


def _logged_in(sender, request, user, **kwargs) -> None:
    logger.info("login user=%s address=%s", user.get_username(), _address(request))
    if request is not None and hasattr(request, "session"):
        from regionbudget.core.middleware import IdleTimeoutMiddleware

        # The login saves the session: its idle time starts now.
        request.session[IdleTimeoutMiddleware.TOUCHED] = int(time.time())


def _logged_out(sender, request, user, **kwargs) -> None:
    name = user.get_username() if user is not None else "-"
    logger.info("logout user=%s address=%s", name, _address(request))


def _login_failed(sender, credentials, request=None, **kwargs) -> None:
    logger.warning(
        "login failed user=%s address=%s",
        str(credentials.get("username", "-"))[:150],
        _address(request),
    )


def connect_security_log() -> None:
    user_logged_in.connect(_logged_in, dispatch_uid="regionbudget-login")
    user_logged_out.connect(_logged_out, dispatch_uid="regionbudget-logout")
    user_login_failed.connect(_login_failed, dispatch_uid="regionbudget-login-failed")
