from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MeasuresConfig(AppConfig):
    """The register of savings measures (the action plan)."""

    name = "measures"
    verbose_name = _("Measures")
