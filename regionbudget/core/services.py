"""Every write to the organisation and the roles goes through these functions."""

from __future__ import annotations

import datetime as dt
import logging
import secrets

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from regionbudget.core import access
from regionbudget.core.mail import Notice, notice_messages, send_after_commit
from regionbudget.core.models import (
    ApiToken,
    Area,
    AreaDirector,
    Unit,
    UnlockLinkRequest,
    UserPreference,
)
from regionbudget.core.roles import ROLE_PERMISSIONS, Role
from regionbudget.core.security import (
    is_locked_out,
    unlock_token_make,
    unlock_token_user,
    unlock_user,
)
from regionbudget.core.selectors import (
    API_TOKEN_PREFIX_LENGTH,
    API_TOKEN_START,
    api_token_hash,
    email_in_use,
    person_roles,
)

__all__ = [
    "api_token_create",
    "api_token_record_use",
    "api_token_revoke",
    "area_director_bind",
    "area_upsert",
    "director_areas_set",
    "person_save",
    "role_groups_sync",
    "unit_upsert",
    "unlock_by_link",
    "unlock_link_send",
    "user_assign_role",
    "user_language_set",
    "user_roles_set",
    "user_upsert",
]

User = get_user_model()
security_log = logging.getLogger("regionbudget.core.security")


@transaction.atomic
def role_groups_sync() -> None:
    """Create the role groups and give each exactly its permissions (run after every migrate)."""
    for role, perm_names in ROLE_PERMISSIONS.items():
        group, _ = Group.objects.get_or_create(name=role.value)
        perms = []
        for name in perm_names:
            app_label, codename = name.split(".")
            perm = Permission.objects.filter(
                content_type__app_label=app_label, codename=codename
            ).first()
            if perm is not None:  # a fresh database gets them from the same post_migrate run
                perms.append(perm)
        group.permissions.set(perms)


def area_upsert(*, code: str, name: str, position: int = 0) -> Area:
    """Create the area with ``code`` or bring its name and position up to date."""
    area, _ = Area.objects.update_or_create(
        code=code, defaults={"name": name, "position": position}
    )
    return area


def unit_upsert(*, area: Area, code: str, name: str) -> Unit:
    """Create the unit (cost centre) ``code`` in ``area`` or bring it up to date."""
    unit = Unit.objects.filter(code=code).first() or Unit(code=code)
    unit.area = area
    unit.name = name
    unit.full_clean()
    unit.save()
    return unit


def user_upsert(
    *,
    username: str,
    first_name: str = "",
    last_name: str = "",
    email: str = "",
    password: str | None = None,
    is_superuser: bool = False,
) -> User:
    """Create the user or update their name; a password is only set for a new user."""
    user = User.objects.filter(username=username).first()
    created = user is None
    if created:
        user = User(username=username)
    user.first_name, user.last_name, user.email = first_name, last_name, email
    user.is_superuser = is_superuser
    user.is_staff = is_superuser
    if created:
        if password is None:
            user.set_unusable_password()
        else:
            user.set_password(password)
    user.save()
    return user


@transaction.atomic
def user_assign_role(*, user: User, role: Role) -> None:
    """Give ``user`` the role (an administrator is a superuser, the others are groups)."""
    if role == Role.ADMIN:
        if not (user.is_superuser and user.is_staff):
            user.is_superuser = user.is_staff = True
            user.save(update_fields=["is_superuser", "is_staff"])
        return
    group, created = Group.objects.get_or_create(name=role.value)
    if created:  # normally made by migrate; give a new group its permissions
        role_groups_sync()
    user.groups.add(group)


@transaction.atomic
def user_roles_set(*, user: User, roles: set[Role], areas: list[Area]) -> None:
    """Give ``user`` exactly ``roles`` and, as an area director, exactly ``areas`` (used when a
    sign-in through the region's identity provider brings the user's roles): roles and areas
    not named are taken away. Other groups of the user are left alone."""
    wanted = {role.value for role in roles if role != Role.ADMIN}
    for group in user.groups.filter(name__in=Role.values):
        if group.name not in wanted:
            user.groups.remove(group)
    if Role.ADMIN not in roles and (user.is_superuser or user.is_staff):
        user.is_superuser = user.is_staff = False
        user.save(update_fields=["is_superuser", "is_staff"])
    for role in roles:
        user_assign_role(user=user, role=role)
    keep = {area.pk for area in areas} if Role.AREA_DIRECTOR in roles else set()
    AreaDirector.objects.filter(user=user).exclude(area_id__in=keep).delete()
    for area in areas if Role.AREA_DIRECTOR in roles else []:
        area_director_bind(user=user, area=area)
    user._regionbudget_roles = user._regionbudget_area_ids = None  # read again when asked


@transaction.atomic
def area_director_bind(*, user: User, area: Area) -> AreaDirector:
    """Make ``user`` an area director of ``area`` (idempotent)."""
    user_assign_role(user=user, role=Role.AREA_DIRECTOR)
    binding, _ = AreaDirector.objects.get_or_create(user=user, area=area)
    return binding


# --- API tokens for BI tools --------------------------------------------------------------------


@transaction.atomic
def api_token_create(
    *, user, name: str, areas: list[Area] | None, expires_at: dt.datetime
) -> tuple[ApiToken, str]:
    """A new read-only token (finance only): its scope is the whole region (``areas`` None) or
    ``areas``. Returns the token and its secret, which is shown once and never stored."""
    access.require_finance(user)
    if areas is not None and not areas:
        raise ValueError("A token's scope is the region or at least one area.")
    while True:
        secret = API_TOKEN_START + secrets.token_hex(4) + "_" + secrets.token_urlsafe(32)
        prefix = secret[:API_TOKEN_PREFIX_LENGTH]
        if not ApiToken.objects.filter(prefix=prefix).exists():
            break
    token = ApiToken.objects.create(
        name=name,
        prefix=prefix,
        secret_hash=api_token_hash(secret),
        all_areas=areas is None,
        created_by=user,
        expires_at=expires_at,
    )
    if areas is not None:
        token.areas.set(areas)
    security_log.info(
        "api token created token=%s name=%r scope=%s expires=%s by=%s",
        prefix,
        name,
        "region" if areas is None else ",".join(sorted(a.code for a in areas)),
        expires_at.isoformat(),
        user.get_username(),
    )
    return token, secret


def api_token_revoke(*, user, token: ApiToken) -> bool:
    """Revoke ``token`` (finance only); False when it was revoked already."""
    access.require_finance(user)
    revoked = ApiToken.objects.filter(pk=token.pk, revoked_at__isnull=True).update(
        revoked_at=timezone.now(), revoked_by=user
    )
    if revoked:
        security_log.info(
            "api token revoked token=%s name=%r by=%s",
            token.prefix,
            token.name,
            user.get_username(),
        )
    token.refresh_from_db()
    return bool(revoked)


def api_token_record_use(*, token: ApiToken, address: str) -> None:
    """Record that ``token`` was used just now, from ``address``."""
    now = timezone.now()
    ApiToken.objects.filter(pk=token.pk).update(last_used_at=now, last_used_address=address[:45])
    token.last_used_at, token.last_used_address = now, address[:45]


def user_language_set(*, user, language: str) -> None:
    """Keep ``language`` as the user's own (their e-mails are written in it); an unknown code
    is ignored."""
    if not getattr(user, "is_authenticated", False) or access.is_token_reader(user):
        return
    if language not in {code for code, _name in settings.LANGUAGES}:
        return
    UserPreference.objects.update_or_create(user=user, defaults={"language": language})


# --- People and roles -------------------------------------------------------------------------


@transaction.atomic
def person_save(
    *,
    person: User | None,
    by: User,
    username: str,
    first_name: str,
    last_name: str,
    email: str,
    roles: set[Role],
    areas: list[Area],
    is_active: bool = True,
) -> User:
    """Add a person (``person`` None) or change one, with their roles and, as an area director,
    their areas, in one step (administrators only: nobody gives a right they do not hold).

    Refused with a message per field, nothing saved: a user name or e-mail address another
    account has, a director without areas, an administrator changing their own roles or
    deactivating themselves. A new person gets no usable password: an administrator sets one in
    the administration (people who sign in through the region's identity provider are created
    by their first sign-in there)."""
    refusal = _("Only an administrator adds people and gives or withdraws roles.")
    access.require(access.is_admin(by), refusal)
    held = set(person_roles(person)) if person is not None else set()
    for role in held ^ set(roles):
        access.require(access.may_grant(by, role), refusal)
    users = User.objects
    errors: dict[str, str] = {}
    username = username.strip()
    if users.filter(username__iexact=username).exclude(pk=getattr(person, "pk", None)).exists():
        errors["username"] = _("Another account has this user name.")
    if email_in_use(email, exclude_pk=getattr(person, "pk", None)):
        errors["email"] = _("Another account has this e-mail address.")
    if Role.AREA_DIRECTOR in roles and not areas:
        errors["areas"] = _("Choose the areas of the area director.")
    if person is not None and person.pk == by.pk:
        if held != set(roles):
            errors["roles"] = _("You cannot change your own roles: ask another administrator.")
        if not is_active:
            errors["is_active"] = _("You cannot deactivate yourself.")
    if errors:
        raise ValidationError(errors)
    created = person is None
    if created:
        person = User(username=username)
        person.set_unusable_password()
    else:
        person = users.select_for_update().get(pk=person.pk)
    was_active = person.is_active
    person.username, person.first_name, person.last_name = username, first_name, last_name
    person.email, person.is_active = email.strip(), is_active
    person.full_clean(exclude=["password"])
    person.save()
    user_roles_set(user=person, roles=set(roles), areas=list(areas))
    security_log.info(
        "person %s user=%s roles=%s->%s active=%s->%s areas=%s by=%s",
        "added" if created else "changed",
        person.get_username(),
        ",".join(sorted(held)) or "-",
        ",".join(sorted(roles)) or "-",
        was_active,
        is_active,
        ",".join(sorted(a.code for a in areas)) if Role.AREA_DIRECTOR in roles else "-",
        by.get_username(),
    )
    return person


@transaction.atomic
def director_areas_set(*, person: User, areas: list[Area], by: User) -> None:
    """Bind the area director ``person`` to exactly ``areas`` (finance or an administrator, for
    someone else). Gives no role: ``person`` must be an area director already, and a director
    keeps at least one area (withdrawing the role is an administrator's change)."""
    access.require_finance(by, _("Only finance staff and administrators choose the areas."))
    access.require(access.may_bind_areas(by, person), _("You cannot choose your own areas."))
    if Role.AREA_DIRECTOR not in person_roles(person):
        raise ValidationError(
            {"areas": _("Only an area director is bound to areas; an administrator gives roles.")}
        )
    if not areas:
        raise ValidationError({"areas": _("Choose the areas of the area director.")})
    keep = {area.pk for area in areas}
    AreaDirector.objects.filter(user=person).exclude(area_id__in=keep).delete()
    for area in areas:
        AreaDirector.objects.get_or_create(user=person, area=area)
    security_log.info(
        "director areas set user=%s areas=%s by=%s",
        person.get_username(),
        ",".join(sorted(a.code for a in areas)),
        by.get_username(),
    )


# --- a locked-out user's way back in: a one-time unlock link by e-mail ----------------------------

# Requests from one address counted against UNLOCK_REQUESTS_PER_ADDRESS, and how long the
# requests are kept for the throttle.
_ADDRESS_WINDOW = dt.timedelta(minutes=15)
_KEEP_REQUESTS = dt.timedelta(days=1)


def _printable(value: str) -> str:
    """``value`` for a log line: what was typed may hold line breaks or control characters."""
    return "".join(c if c.isprintable() else "?" for c in value)[:150]


@transaction.atomic
def unlock_link_send(*, asked_for: str, address: str | None) -> int:
    """A locked-out user's request for an unlock link, by user name or e-mail address.

    Sends a one-time link (``regionbudget.core.security.unlock_token_make``) in the user's
    language to each active user with that user name (or, failing that, that e-mail address)
    who has an e-mail address and is locked out, unless the throttle holds: one mail per user
    per ``UNLOCK_MAIL_INTERVAL``, and no mail at all for an address that asked more than
    ``UNLOCK_REQUESTS_PER_ADDRESS`` times in a quarter of an hour. The page answers the same
    whatever happens here, so it tells nobody who has an account; the number of mails sent is
    for tests and the log. Every request is kept a day (for the throttle) and logged to the
    security log with the user name and address, never the link."""
    asked_for = asked_for.strip()[:254]
    now = timezone.now()
    UnlockLinkRequest.objects.filter(requested_at__lt=now - _KEEP_REQUESTS).delete()
    from_address = (
        UnlockLinkRequest.objects.filter(
            address=address, requested_at__gte=now - _ADDRESS_WINDOW
        ).count()
        if address
        else 0
    )
    users = list(
        User.objects.select_for_update().filter(username=asked_for, is_active=True).order_by("pk")
    ) or list(
        User.objects.select_for_update()
        .filter(email__iexact=asked_for, is_active=True)
        .exclude(email="")
        .order_by("pk")[:5]
    )
    if not users:
        UnlockLinkRequest.objects.create(asked_for=asked_for, address=address)
        security_log.warning(
            "unlock link not sent asked_for=%s address=%s reason=no such user",
            _printable(asked_for),
            address or "-",
        )
        return 0
    sent = 0
    for user in users:
        reason = _unlock_link_refusal(user=user, from_address=from_address, now=now)
        UnlockLinkRequest.objects.create(
            asked_for=asked_for, user=user, address=address, sent=reason is None
        )
        if reason is not None:
            security_log.warning(
                "unlock link not sent user=%s address=%s reason=%s",
                user.get_username(),
                address or "-",
                reason,
            )
            continue
        notice = Notice(
            template="unlock_link",
            context={
                "username": user.get_username(),
                "minutes": int(settings.UNLOCK_LINK_MAX_AGE.total_seconds() // 60),
            },
            path=reverse("login_unlock", args=[unlock_token_make(user)]),
        )
        send_after_commit(notice_messages(users=[user], notice=notice))
        security_log.info(
            "unlock link sent user=%s address=%s", user.get_username(), address or "-"
        )
        sent += 1
    return sent


def _unlock_link_refusal(*, user, from_address: int, now: dt.datetime) -> str | None:
    """Why no link goes to ``user`` now (for the log), or None when one may."""
    if not user.email:
        return "no e-mail address"
    if not is_locked_out(user.get_username()):
        return "not locked out"
    if from_address >= settings.UNLOCK_REQUESTS_PER_ADDRESS:
        return "too many requests from the address"
    if UnlockLinkRequest.objects.filter(
        user=user, sent=True, requested_at__gte=now - settings.UNLOCK_MAIL_INTERVAL
    ).exists():
        return "a link was sent a moment ago"
    return None


@transaction.atomic
def unlock_by_link(*, token: str, address: str | None):
    """Lift every lockout of the user an unlock link was made for (``unlock_user``), if the
    link is still valid; the user, or None for a forged, expired or used link (nothing is
    changed then). The user's row is locked first, so a link sent twice at once unlocks once."""
    user = unlock_token_user(token)
    if user is not None:
        User.objects.select_for_update().filter(pk=user.pk).first()
        user = unlock_token_user(token)  # again, now that no other use can run beside it
    if user is None:
        security_log.warning("unlock link refused address=%s", address or "-")
        return None
    unlock_user(user.get_username())
    security_log.info(
        "login unlocked by e-mail link user=%s address=%s", user.get_username(), address or "-"
    )
    return user
