from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ForecastsConfig(AppConfig):
    """Plans and deficit targets; budgets, actuals and forecast rounds."""

    name = "forecasts"
    verbose_name = _("Plans and forecasts")
