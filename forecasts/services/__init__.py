"""Every write to plans, targets, budgets, actuals and forecasts goes through these functions.

Split by concern: ``plans`` (plans and deficit targets), ``workflow`` (forecast rounds and the
forecast workflow), ``figures`` (imports of budgets and actuals), ``uploads`` (imports staged
until their preview is confirmed, budgets, actuals and action plans alike), ``notices`` (e-mail
about the workflow and reminders of a round's deadline).
"""

from forecasts.services.figures import (
    ReplaceNotConfirmed,
    ReplaceResult,
    account_group_upsert,
    figures_replace,
    import_upload_recheck,
    import_upload_store,
    import_upload_write,
)
from forecasts.services.notices import RemindResult, remind_areas, reminders_send_due
from forecasts.services.plans import (
    deficit_target_set,
    outside_budgets_set,
    plan_save,
    plan_targets_set,
    plan_upsert,
    target_field,
)
from forecasts.services.uploads import import_upload_discard, import_upload_stage
from forecasts.services.workflow import (
    ForecastConflict,
    LineInput,
    forecast_approve,
    forecast_return,
    forecast_save,
    forecast_submit,
    round_close,
    round_open,
)

__all__ = [
    "ForecastConflict",
    "LineInput",
    "RemindResult",
    "ReplaceNotConfirmed",
    "ReplaceResult",
    "account_group_upsert",
    "deficit_target_set",
    "figures_replace",
    "forecast_approve",
    "forecast_return",
    "forecast_save",
    "forecast_submit",
    "import_upload_discard",
    "import_upload_recheck",
    "import_upload_stage",
    "import_upload_store",
    "import_upload_write",
    "outside_budgets_set",
    "plan_save",
    "plan_targets_set",
    "plan_upsert",
    "remind_areas",
    "reminders_send_due",
    "round_close",
    "round_open",
    "target_field",
]
