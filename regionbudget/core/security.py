"""Security log: logins, failed logins, logouts and refused access, for the operators.

Only the user name, address and path are logged, never a password or form content.
"""

from __future__ import annotations

import logging
import time

from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed

logger = logging.getLogger("regionbudget.core.security")

__all__ = ["client_address", "log_access_denied", "connect_security_log"]


def client_address(request) -> str:
    if request is None:
        return "-"
    return request.META.get("REMOTE_ADDR", "-")


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
        client_address(request),
        request.method,
        request.path,
    )


def _logged_in(sender, request, user, **kwargs) -> None:
    logger.info("login user=%s address=%s", user.get_username(), client_address(request))
    if request is not None and hasattr(request, "session"):
        from regionbudget.core.middleware import IdleTimeoutMiddleware

        # The login saves the session: its idle time starts now.
        request.session[IdleTimeoutMiddleware.TOUCHED] = int(time.time())


def _logged_out(sender, request, user, **kwargs) -> None:
    name = user.get_username() if user is not None else "-"
    logger.info("logout user=%s address=%s", name, client_address(request))


def _login_failed(sender, credentials, request=None, **kwargs) -> None:
    logger.warning(
        "login failed user=%s address=%s",
        str(credentials.get("username", "-"))[:150],
        client_address(request),
    )


def connect_security_log() -> None:
    user_logged_in.connect(_logged_in, dispatch_uid="regionbudget-login")
    user_logged_out.connect(_logged_out, dispatch_uid="regionbudget-logout")
    user_login_failed.connect(_login_failed, dispatch_uid="regionbudget-login-failed")
