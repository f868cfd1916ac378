"""The organisation: areas, their units, which users direct which areas, the data version
that invalidates cached figures (with the trigger that raises it), and the BI tools' API tokens."""

from datetime import timedelta

import pgtrigger
from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

__all__ = [
    "ApiToken",
    "Area",
    "AreaDirector",
    "DATA_VERSION_BUMP",
    "DataVersion",
    "GapVersionTrigger",
    "SignInIdentity",
    "Unit",
    "UnlockLinkRequest",
    "UserPreference",
]


# Raises the data version of the table the trigger fires on (``TG_TABLE_NAME``: one counter row
# per source table). The new version comes from a sequence, so a version is never used twice, not
# even after a flush deletes the counter rows; the upsert brings a deleted row back.
DATA_VERSION_BUMP = (
    "INSERT INTO regionbudget_dataversion (name, version, changed_at) "
    "VALUES (TG_TABLE_NAME::text, nextval('regionbudget_dataversion_seq'), now()) "
    "ON CONFLICT (name) DO UPDATE SET version = EXCLUDED.version, changed_at = now();"
)


class GapVersionTrigger(pgtrigger.Trigger):
    """Raises the data version of its table (``DataVersion`` named after the table) once per
    statement, after any insert, update, delete or truncate on the table of a model behind the
    cached figures.

    Every such model lists it in ``Meta.triggers`` (``triggers = [GapVersionTrigger()]``), so a
    write by any path (forms, imports, bulk updates, SQL by hand) invalidates the cached figures
    that read the table (``regionbudget.core.caching``). Each table has its own counter row: a
    transaction holds only the rows of the tables it writes locked until it ends, so an import of
    budgets and a measure edit never wait for each other.
    """

    name = "gap_version"
    level = pgtrigger.Statement
    when = pgtrigger.After
    operation = pgtrigger.Insert | pgtrigger.Update | pgtrigger.Delete | pgtrigger.Truncate
    func = DATA_VERSION_BUMP + " RETURN NULL;"


class Area(models.Model):
    """An area (*område*) of the health-care organisation, e.g. Länssjukvårdsområde somatik.

    Areas own units, forecasts and measures; an area director works only with their own areas.
    """

    code = models.CharField(_("code"), max_length=20, unique=True)
    name = models.CharField(_("name"), max_length=200, unique=True)
    position = models.PositiveSmallIntegerField(
        _("position"), default=0, help_text=_("Order in lists and reports.")
    )
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["position", "name"]
        verbose_name = _("area")
        verbose_name_plural = _("areas")
        triggers = [GapVersionTrigger()]

    def __str__(self) -> str:
        return self.name


class Unit(models.Model):
    """A unit (*verksamhet/enhet*) of an area: one cost centre in the finance system."""

    area = models.ForeignKey(
        Area, on_delete=models.PROTECT, related_name="units", verbose_name=_("area")
    )
    code = models.CharField(
        _("cost centre"), max_length=20, unique=True, help_text=_("The finance system's code.")
    )
    name = models.CharField(_("name"), max_length=200)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["area__position", "code"]
        verbose_name = _("unit")
        verbose_name_plural = _("units")
        constraints = [
            models.UniqueConstraint(fields=["area", "name"], name="unit_unique_name_per_area"),
        ]
        # A unit moved to another area moves its figures between areas.
        triggers = [GapVersionTrigger()]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class AreaDirector(models.Model):
    """Binds a user as area director (*områdesdirektör*) of one area; a user may direct several."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="area_bindings",
        verbose_name=_("user"),
    )
    area = models.ForeignKey(
        Area, on_delete=models.CASCADE, related_name="director_bindings", verbose_name=_("area")
    )

    class Meta:
        ordering = ["area__position", "user__username"]
        verbose_name = _("area director")
        verbose_name_plural = _("area directors")
        constraints = [
            models.UniqueConstraint(fields=["user", "area"], name="areadirector_unique_user_area"),
        ]

    def __str__(self) -> str:
        return f"{self.user} – {self.area}"


class DataVersion(models.Model):
    """The version of one source of the cached figures (``name``: a table, e.g.
    ``measures_measure``), raised by database triggers on every write to it.

    Cached figures are keyed by the versions of exactly the sources they read, so any write — a
    form, an import, a bulk update, even SQL by hand — invalidates them, and only them (see
    ``regionbudget.core.caching`` and ``GapVersionTrigger``). Versions come from the sequence
    ``regionbudget_dataversion_seq``: unique, not consecutive.
    """

    name = models.CharField(max_length=40, unique=True)
    version = models.BigIntegerField(default=0)
    changed_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("data version")
        verbose_name_plural = _("data versions")

    def __str__(self) -> str:
        return f"{self.name} {self.version}"


class ApiToken(models.Model):
    """A named, read-only token with which a BI tool (Power BI, Qlik) reads the gap figures.

    Finance creates it; the secret is shown once and only its SHA-256 is stored (the secret is
    256 random bits, so a plain hash is enough: nothing to guess). ``prefix`` is the visible
    start of the secret, by which the token is found and recognised in lists and logs. Its scope
    is a role's view: the whole region (``all_areas``) or the chosen ``areas`` (as their director
    would see them). It expires, can be revoked, and records when it was last used.
    """

    name = models.CharField(_("name"), max_length=100)
    prefix = models.CharField(_("prefix"), max_length=16, unique=True, editable=False)
    secret_hash = models.CharField(max_length=64, unique=True, editable=False)
    all_areas = models.BooleanField(_("the whole region"), default=False)
    areas = models.ManyToManyField(
        Area, blank=True, related_name="api_tokens", verbose_name=_("areas")
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("created by"),
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    expires_at = models.DateTimeField(_("expires"))
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("revoked by"),
    )
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True)
    last_used_address = models.CharField(_("last used from"), max_length=45, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    def is_usable(self, now) -> bool:
        """Neither revoked nor expired at ``now``."""
        return self.revoked_at is None and now < self.expires_at

    @property
    def last_day(self):
        """The last day (local time) the token works: ``expires_at`` is the moment it stops."""
        return (timezone.localtime(self.expires_at) - timedelta(microseconds=1)).date()


class SignInIdentity(models.Model):
    """Links a user to their account at the region's identity provider (OpenID Connect): the
    provider's ``issuer`` and the account's ``subject`` (the ``sub`` claim, which never changes).

    A sign-in through the provider finds its user here only, never by user name or e-mail, so an
    account made here by hand (the demo's, a break-glass administrator's) is never taken over.
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="sign_in_identities",
        verbose_name=_("user"),
    )
    issuer = models.CharField(_("issuer"), max_length=300)
    subject = models.CharField(_("subject"), max_length=255)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    last_login_at = models.DateTimeField(_("last sign-in"), null=True, blank=True)

    class Meta:
        ordering = ["issuer", "subject"]
        verbose_name = _("identity provider account")
        verbose_name_plural = _("identity provider accounts")
        constraints = [
            models.UniqueConstraint(
                fields=["issuer", "subject"], name="signinidentity_unique_issuer_subject"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} – {self.subject}"


class UserPreference(models.Model):
    """A user's own settings: the language of the e-mails they receive (and of the pages, once
    they choose one with the language switch)."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="preference",
        verbose_name=_("user"),
    )
    language = models.CharField(
        _("language"), max_length=10, choices=settings.LANGUAGES, default=settings.LANGUAGE_CODE
    )

    class Meta:
        verbose_name = _("user preference")
        verbose_name_plural = _("user preferences")

    def __str__(self) -> str:
        return f"{self.user} – {self.language}"


class UnlockLinkRequest(models.Model):
    """One request for a login unlock link by e-mail (the locked-out page's form), kept a day
    for the throttle: at most one mail per user per ``UNLOCK_MAIL_INTERVAL``, and a few
    requests per address per quarter of an hour. What was typed is kept as typed (a user name
    or an e-mail address, which may belong to nobody); the link itself is never stored."""

    asked_for = models.CharField(_("user name or e-mail address"), max_length=254)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("user"),
    )
    address = models.GenericIPAddressField(_("address"), null=True, blank=True)
    sent = models.BooleanField(_("link sent"), default=False)
    requested_at = models.DateTimeField(_("requested at"), default=timezone.now, db_index=True)

    class Meta:
        ordering = ["-requested_at"]
        verbose_name = _("unlock link request")
        verbose_name_plural = _("unlock link requests")

    def __str__(self) -> str:
        return f"{self.asked_for} – {self.requested_at:%Y-%m-%d %H:%M}"
