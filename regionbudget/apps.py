from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RegionbudgetConfig(AppConfig):
    """Region-wide parts: organisation, roles, home page, gap dashboard and status reports."""

    name = "regionbudget"
    verbose_name = _("Organisation")

    def ready(self) -> None:
        from django.contrib.auth.signals import user_logged_in
        from django.db.models.signals import post_migrate

        from regionbudget.core.middleware import language_at_sign_in
        from regionbudget.core.security import connect_security_log

        post_migrate.connect(_sync_role_groups, sender=self)
        user_logged_in.connect(language_at_sign_in, dispatch_uid="language_at_sign_in")
        connect_security_log()


def _sync_role_groups(sender, using="default", **kwargs) -> None:
    """Keep the role groups and their permissions in step with the code after every migrate."""
    from regionbudget.core.services import role_groups_sync

    role_groups_sync()
