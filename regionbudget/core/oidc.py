"""Sign-in through the region's identity provider (OpenID Connect), with mozilla-django-oidc.

Switched on by the ``OIDC_*`` settings (``settings.OIDC_ENABLED``); without them nothing here is
used and the local login works as before.

The flow is mozilla-django-oidc's authorisation code flow, with PKCE (S256), ``state`` and
``nonce``, each kept in the session for one sign-in and checked on the way back. This module adds
what the library leaves to its users:

- the provider's endpoints from its discovery document (``OIDC_ISSUER`` or
  ``OIDC_DISCOVERY_URL``), read once per process;
- the ID token checked in full: signature (the provider's JWKS), issuer, **audience** (our client
  id), expiry, issue time (mozilla-django-oidc checks only the signature, the expiry and the
  nonce);
- the user found by the provider's ``iss`` + ``sub`` (``SignInIdentity``), never by user name or
  e-mail, created at the first sign-in;
- at every sign-in the name, e-mail, roles and a director's areas brought up to date from the ID
  token's claims, through ``settings.OIDC_ROLE_MAP`` and ``OIDC_AREA_MAP``
  (``services.user_roles_set``): a role removed at the provider is removed here;
- a clear page when a sign-in is refused (``SignInRefused``: a tampered state, a token for
  another application, an expired token, no known role, the provider unreachable);
- logout that also ends the provider's session where it offers an ``end_session_endpoint``;
- password logins limited to the break-glass administrators when ``OIDC_PASSWORD_LOGIN`` is off.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from urllib.parse import urlencode

import jwt
import requests
from django.conf import settings
from django.contrib import auth
from django.contrib.auth import get_user_model
from django.contrib.auth import views as auth_views
from django.contrib.auth.backends import ModelBackend
from django.core.exceptions import ImproperlyConfigured, SuspiciousOperation
from django.db import transaction
from django.http import HttpResponseRedirect
from django.shortcuts import render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.generic import View
from mozilla_django_oidc.auth import OIDCAuthenticationBackend
from mozilla_django_oidc.views import OIDCAuthenticationCallbackView, OIDCAuthenticationRequestView

from regionbudget.core.models import Area, SignInIdentity
from regionbudget.core.roles import Role
from regionbudget.core.services import user_roles_set

__all__ = [
    "LogoutView",
    "PasswordBackend",
    "RegionOIDCBackend",
    "SignInCallback",
    "SignInRefused",
    "SignInStart",
    "claims_roles",
    "oidc_urlpatterns",
    "password_login_allowed",
    "provider",
]

logger = logging.getLogger("regionbudget.core.security")

# Why a sign-in was refused, as the person is told.
REASONS = {
    "state": _(
        "The sign-in could not be matched to one started here (it may have been started in "
        "another window, taken too long, or been tampered with). Start it again."
    ),
    "nonce": _("The answer from the identity provider did not belong to this sign-in."),
    "audience": _(
        "The identity provider's answer was issued for another application, not Regionbudget."
    ),
    "issuer": _("The answer did not come from the region's identity provider."),
    "expired": _("The identity provider's answer has expired. Start the sign-in again."),
    "signature": _("The identity provider's answer could not be verified (its signature)."),
    "claims": _("The identity provider's answer lacks information Regionbudget needs."),
    "no_role": _(
        "Your account at the region's identity provider has no role in Regionbudget, so there "
        "is nothing here for you yet. Ask your manager or the finance department to give you "
        "one (finance, area director or committee member)."
    ),
    "denied": _("The identity provider did not let you sign in: %(detail)s"),
    "unreachable": _("The region's identity provider could not be reached. Try again shortly."),
    "failed": _("The sign-in failed. Start it again."),
}


class SignInRefused(Exception):  # noqa: N818 (a refusal, not a programming error)
    """A sign-in through the identity provider that must not go through; ``reason`` is a key of
    ``REASONS``."""

    def __init__(self, reason: str, detail: str = ""):
        super().__init__(reason)
        self.reason, self.detail = reason, detail


# --- the provider -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Provider:
    issuer: str
    authorization_endpoint: str
    token_endpoint: str
    jwks_uri: str
    end_session_endpoint: str | None


_providers: dict[str, Provider] = {}


def provider() -> Provider:
    """The provider's endpoints, from its discovery document (read once per process)."""
    url = settings.OIDC_DISCOVERY_URL
    if url not in _providers:
        try:
            response = requests.get(url, timeout=settings.OIDC_TIMEOUT)
            response.raise_for_status()
            document = response.json()
        except (requests.RequestException, ValueError) as error:
            logger.error("oidc discovery failed url=%s error=%s", url, error.__class__.__name__)
            raise SignInRefused("unreachable") from error
        issuer = document.get("issuer", "").rstrip("/")
        if settings.OIDC_ISSUER and issuer != settings.OIDC_ISSUER.rstrip("/"):
            raise ImproperlyConfigured(
                f"OIDC_ISSUER is {settings.OIDC_ISSUER!r}, but the provider says {issuer!r}."
            )
        _providers[url] = Provider(
            issuer=issuer,
            authorization_endpoint=document["authorization_endpoint"],
            token_endpoint=document["token_endpoint"],
            jwks_uri=document["jwks_uri"],
            end_session_endpoint=document.get("end_session_endpoint"),
        )
    return _providers[url]


_ENDPOINTS = {
    "OIDC_OP_AUTHORIZATION_ENDPOINT": "authorization_endpoint",
    "OIDC_OP_TOKEN_ENDPOINT": "token_endpoint",
    "OIDC_OP_JWKS_ENDPOINT": "jwks_uri",
    # The claims come from the ID token; the userinfo endpoint is never asked.
    "OIDC_OP_USER_ENDPOINT": None,
}


def _setting(attr: str, *default):
    """mozilla-django-oidc's settings, with the provider's endpoints from discovery."""
    if attr in _ENDPOINTS:
        field = _ENDPOINTS[attr]
        return getattr(provider(), field) if field else ""
    return getattr(settings, attr, *default)


# --- claims → roles and areas -----------------------------------------------------------------


def _values(claims: dict, name: str) -> list[str]:
    value = claims.get(name) or []
    if isinstance(value, str):
        value = value.split()
    return [str(v) for v in value] if isinstance(value, list | tuple) else []


def claims_roles(claims: dict) -> tuple[set[Role], list[str]]:
    """The roles (``settings.OIDC_ROLE_MAP``: a value of the roles claim → a role) and the area
    codes (``OIDC_AREA_MAP``: a value of the areas claim → an area code; without a map, the
    values are area codes) that the ID token's claims give. Administrator only when
    ``OIDC_ALLOW_ADMIN`` is on."""
    role_map = settings.OIDC_ROLE_MAP
    roles = {Role(role_map[v]) for v in _values(claims, settings.OIDC_ROLES_CLAIM) if v in role_map}
    if Role.ADMIN in roles and not settings.OIDC_ALLOW_ADMIN:
        logger.warning("oidc admin role ignored sub=%s (OIDC_ALLOW_ADMIN is off)", claims["sub"])
        roles.discard(Role.ADMIN)
    area_map = settings.OIDC_AREA_MAP
    values = _values(claims, settings.OIDC_AREAS_CLAIM)
    codes = [area_map[v] for v in values if v in area_map] if area_map else values
    return roles, codes


# --- the backend ------------------------------------------------------------------------------


class RegionOIDCBackend(OIDCAuthenticationBackend):
    """mozilla-django-oidc's backend, with the checks and the user handling described above."""

    @staticmethod
    def get_settings(attr, *args):
        return _setting(attr, *args)

    def authenticate(self, request, **kwargs):
        try:
            return super().authenticate(request, **kwargs)
        except requests.HTTPError as error:  # the token endpoint refused the code
            logger.warning("oidc token request refused: %s", error.response.status_code)
            raise SignInRefused("failed") from error
        except requests.RequestException as error:
            raise SignInRefused("unreachable") from error

    def _verify_jws(self, payload, key):
        try:
            header = jwt.get_unverified_header(payload)
        except jwt.DecodeError as error:
            raise SignInRefused("signature") from error
        if header.get("alg") != self.OIDC_RP_SIGN_ALGO:
            raise SignInRefused("signature")
        try:
            return jwt.decode(
                payload,
                key,
                algorithms=[self.OIDC_RP_SIGN_ALGO],
                audience=self.OIDC_RP_CLIENT_ID,
                issuer=provider().issuer,
                leeway=settings.OIDC_LEEWAY_SECONDS,
                options={"require": ["exp", "iat", "iss", "aud", "sub"]},
            )
        except jwt.ExpiredSignatureError as error:
            raise SignInRefused("expired") from error
        except jwt.InvalidAudienceError as error:
            raise SignInRefused("audience") from error
        except jwt.InvalidIssuerError as error:
            raise SignInRefused("issuer") from error
        except jwt.MissingRequiredClaimError as error:
            raise SignInRefused("claims") from error
        except jwt.PyJWTError as error:  # a bad signature, a malformed token
            logger.warning("oidc id token refused: %s: %s", error.__class__.__name__, error)
            raise SignInRefused("signature") from error

    def retrieve_matching_jwk(self, token):
        """The provider's signing key for ``token``: the one with the token's ``kid``, or the
        only one for its algorithm when the token names none (the library requires a ``kid``)."""
        try:
            header = jwt.get_unverified_header(token)
            response = requests.get(self.OIDC_OP_JWKS_ENDPOINT, timeout=settings.OIDC_TIMEOUT)
            response.raise_for_status()
            keys = [
                key
                for key in response.json()["keys"]
                if key.get("use", "sig") == "sig" and key.get("alg", header["alg"]) == header["alg"]
            ]
            if "kid" in header:
                keys = [key for key in keys if key.get("kid") == header["kid"]]
            if len(keys) != 1:
                raise SignInRefused("signature")
            return jwt.PyJWK(keys[0])
        except (jwt.PyJWTError, KeyError, ValueError) as error:
            logger.warning("oidc signing key not found: %s", error.__class__.__name__)
            raise SignInRefused("signature") from error

    def verify_token(self, token, **kwargs):
        if not token:
            raise SignInRefused("claims")
        try:
            return super().verify_token(token, **kwargs)
        except SuspiciousOperation as error:  # the nonce
            raise SignInRefused("nonce") from error

    def get_userinfo(self, access_token, id_token, payload):
        """The claims are the ID token's (Entra ID's userinfo endpoint carries no groups)."""
        return payload

    def verify_claims(self, claims):
        return bool(claims.get("sub"))

    def filter_users_by_claims(self, claims):
        return get_user_model().objects.filter(
            sign_in_identities__issuer=provider().issuer,
            sign_in_identities__subject=claims["sub"],
        )

    def get_or_create_user(self, access_token, id_token, payload):
        # Refusals must reach the callback page: the library turns a SuspiciousOperation here
        # into a silent failure.
        with transaction.atomic():
            return super().get_or_create_user(access_token, id_token, payload)

    def create_user(self, claims):
        roles, _codes = claims_roles(claims)
        if not roles:
            logger.warning("oidc sign-in refused reason=no_role sub=%s (new)", claims["sub"])
            raise SignInRefused("no_role")
        # No password: this user signs in through the provider only.
        user = get_user_model().objects.create_user(self._free_username(claims))
        SignInIdentity.objects.create(user=user, issuer=provider().issuer, subject=claims["sub"])
        logger.info("oidc user created user=%s sub=%s", user.get_username(), claims["sub"])
        return self.update_user(user, claims)

    def update_user(self, user, claims):
        """Name, e-mail, roles and a director's areas from the claims, at every sign-in."""
        user.first_name = str(claims.get("given_name") or "")[:150]
        user.last_name = str(claims.get("family_name") or "")[:150]
        if not (user.first_name or user.last_name) and claims.get("name"):
            first, _sep, last = str(claims["name"]).partition(" ")
            user.first_name, user.last_name = first[:150], last[:150]
        user.email = str(claims.get("email") or "")[:254]
        user.save(update_fields=["first_name", "last_name", "email"])
        roles, codes = claims_roles(claims)
        areas = list(Area.objects.filter(code__in=codes, is_active=True))
        user_roles_set(user=user, roles=roles, areas=areas)
        SignInIdentity.objects.filter(user=user, issuer=provider().issuer).update(
            last_login_at=timezone.now()
        )
        # Without a role the change is kept (every role taken away), but the sign-in is refused
        # (SignInCallback.login_success).
        user.regionbudget_no_role = not roles
        logger.info(
            "oidc claims applied user=%s roles=%s areas=%s",
            user.get_username(),
            ",".join(sorted(r.value for r in roles)),
            ",".join(sorted(a.code for a in areas)),
        )
        return user

    def _free_username(self, claims) -> str:
        users = get_user_model().objects
        base = str(
            claims.get(settings.OIDC_USERNAME_CLAIM) or claims.get("email") or claims["sub"]
        )[:140]
        name, n = base, 1
        while users.filter(username=name).exists():
            n += 1
            name = f"{base}-{n}"
        return name


# --- the pages --------------------------------------------------------------------------------


def _refused(request, reason: str, detail: str = "", status: int = 403):
    message = REASONS.get(reason, REASONS["failed"])
    if reason == "denied":
        message = message % {"detail": detail or "-"}
    logger.warning(
        "oidc sign-in refused reason=%s address=%s", reason, request.META.get("REMOTE_ADDR", "-")
    )
    ctx = {"message": message, "reason": reason}
    return render(request, "registration/sign_in_refused.html", ctx, status=status)


class SignInStart(OIDCAuthenticationRequestView):
    """Sends the browser to the provider (with state, nonce and the PKCE challenge)."""

    def __init__(self, **kwargs):
        # The library reads the provider's endpoint here; it is read in ``get`` instead, where
        # an unreachable provider can be answered with a page.
        View.__init__(self, **kwargs)

    @staticmethod
    def get_settings(attr, *args):
        return _setting(attr, *args)

    def get(self, request):
        try:
            self.OIDC_OP_AUTH_ENDPOINT = provider().authorization_endpoint
        except SignInRefused as refusal:
            return _refused(request, refusal.reason, status=503)
        self.OIDC_RP_CLIENT_ID = settings.OIDC_RP_CLIENT_ID
        return super().get(request)


class SignInCallback(OIDCAuthenticationCallbackView):
    """The provider's answer: checked, the user updated and signed in, or a clear refusal."""

    @staticmethod
    def get_settings(attr, *args):
        return _setting(attr, *args)

    def get(self, request):
        states = request.session.get("oidc_states") or {}
        if request.GET.get("error"):
            states.pop(request.GET.get("state", ""), None)
            request.session.modified = True
            detail = request.GET.get("error_description") or request.GET["error"]
            return _refused(request, "denied", detail[:200])
        if request.GET.get("state", "") not in states or "code" not in request.GET:
            return _refused(request, "state", status=400)
        try:
            return super().get(request)
        except SignInRefused as refusal:
            return _refused(request, refusal.reason)

    def login_success(self):
        if getattr(self.user, "regionbudget_no_role", False):
            if self.request.user.is_authenticated:
                auth.logout(self.request)
            return _refused(self.request, "no_role")
        return super().login_success()

    def login_failure(self):
        return _refused(self.request, "failed")


class LogoutView(auth_views.LogoutView):
    """Django's logout; after a sign-in through the provider, on to the provider's logout
    (``end_session_endpoint``, with the ID token as hint) when it has one."""

    def post(self, request, *args, **kwargs):
        after = _provider_logout_url(request)
        response = super().post(request, *args, **kwargs)
        return HttpResponseRedirect(after) if after else response


def _provider_logout_url(request) -> str | None:
    id_token = request.session.get("oidc_id_token") if hasattr(request, "session") else None
    if not (settings.OIDC_ENABLED and id_token):
        return None
    try:
        end_session = provider().end_session_endpoint
    except SignInRefused:
        return None
    if not end_session:
        return None
    query = urlencode(
        {
            "id_token_hint": id_token,
            "client_id": settings.OIDC_RP_CLIENT_ID,
            "post_logout_redirect_uri": request.build_absolute_uri(reverse("login")),
        }
    )
    return f"{end_session}?{query}"


def oidc_urlpatterns() -> list:
    """The sign-in's URLs (in ``regionbudget.urls`` when ``OIDC_ENABLED``)."""
    return [
        path("oidc/authenticate/", SignInStart.as_view(), name="oidc_authentication_init"),
        path("oidc/callback/", SignInCallback.as_view(), name="oidc_authentication_callback"),
    ]


# --- password logins --------------------------------------------------------------------------


def password_login_allowed() -> bool:
    """Whether the login page offers the password form to everyone."""
    return not settings.OIDC_ENABLED or settings.OIDC_PASSWORD_LOGIN


class PasswordBackend(ModelBackend):
    """Django's password login; with ``OIDC_PASSWORD_LOGIN`` off, only for the break-glass
    administrators (``OIDC_BREAK_GLASS_USERS``, superusers)."""

    def user_can_authenticate(self, user) -> bool:
        if not super().user_can_authenticate(user):
            return False
        if password_login_allowed():
            return True
        return user.is_superuser and user.get_username() in settings.OIDC_BREAK_GLASS_USERS
