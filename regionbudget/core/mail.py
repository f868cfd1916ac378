"""E-mail to users through Django's mail framework: each in the recipient's language, with an
absolute link to the page it is about, sent only once the transaction that caused it commits.

The SMTP server comes from the settings (``EMAIL_URL`` or ``EMAIL_HOST``…, read from the
environment). A mail server that is down never fails the user's action: the error is logged
and the action stands (``send_after_commit``).
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass

from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import translation

from regionbudget.core.models import UserPreference

__all__ = [
    "Notice",
    "absolute_url",
    "language_of",
    "languages_of",
    "notice_messages",
    "send_after_commit",
    "send_now",
]

logger = logging.getLogger(__name__)


def absolute_url(path: str) -> str:
    """``path`` (e.g. ``/forecasts/rounds/3/``) as a link that works from an e-mail, under the
    ``SITE_URL`` setting."""
    return settings.SITE_URL.rstrip("/") + path


def languages_of(users: Iterable) -> dict[int, str]:
    """Each user's chosen language (``UserPreference``), the site's default for the others; in
    one query."""
    users = list(users)
    chosen = dict(UserPreference.objects.filter(user__in=users).values_list("user_id", "language"))
    valid = {code for code, _name in settings.LANGUAGES}
    return {
        user.pk: chosen.get(user.pk) if chosen.get(user.pk) in valid else settings.LANGUAGE_CODE
        for user in users
    }


def language_of(user) -> str:
    return languages_of([user])[user.pk]


@dataclass(frozen=True)
class Notice:
    """What to tell: the templates ``<template>_subject.txt`` and ``<template>.txt`` (under
    ``templates/emails/``), their context, and the path of the page it is about."""

    template: str
    context: dict
    path: str


def notice_messages(*, users: Iterable, notice: Notice) -> list[EmailMessage]:
    """One message per user with an e-mail address, rendered in that user's language, with the
    absolute link (``link`` in the templates) to ``notice.path``."""
    users = [u for u in users if u.is_active and u.email]
    languages = languages_of(users)
    messages = []
    for user in users:
        language = languages[user.pk]
        with translation.override(language):
            ctx = {**notice.context, "recipient": user, "link": absolute_url(notice.path)}
            subject = render_to_string(f"emails/{notice.template}_subject.txt", ctx)
            body = render_to_string(f"emails/{notice.template}.txt", ctx)
        messages.append(
            EmailMessage(
                subject=" ".join(subject.split()),
                body=body.strip() + "\n",
                to=[user.email],
                headers={"Content-Language": language},
            )
        )
    return messages


def send_now(messages: list[EmailMessage]) -> int:
    """Send ``messages`` over one connection; a failure is logged, never raised. The number
    sent (0 when the mail server could not be reached)."""
    if not messages:
        return 0
    try:
        with get_connection() as connection:
            return connection.send_messages(messages) or 0
    except Exception:  # any SMTP, socket or TLS error: the user's action must stand
        logger.exception(
            "e-mail not sent: %s message(s), subjects %s",
            len(messages),
            sorted({m.subject for m in messages}),
        )
        return 0


def send_after_commit(messages: list[EmailMessage]) -> None:
    """Send ``messages`` once the current transaction commits (at once outside one); nothing
    is sent for a transaction that rolls back."""
    if messages:
        transaction.on_commit(lambda: send_now(messages))
