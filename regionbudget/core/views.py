"""Finance's page of API tokens for BI tools: list, create (the secret shown once), revoke.

Who may: finance and administrators (``access.require_finance``, in the selectors and services);
403 for everyone else.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views import i18n as i18n_views
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from regionbudget.core import access
from regionbudget.core.forms import ApiTokenForm
from regionbudget.core.models import ApiToken
from regionbudget.core.saving import keep_input
from regionbudget.core.selectors import api_token_list, area_list
from regionbudget.core.services import api_token_create, api_token_revoke, user_language_set


@never_cache
@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def api_tokens(request: HttpRequest) -> HttpResponse:
    """The tokens, newest first, and the form for a new one. A new token's secret is shown on
    the answer to the POST only (201; no redirect: the secret is never stored, not even in the
    session)."""
    tokens = api_token_list(user=request.user)
    today = timezone.localdate()

    def new_form(data=None) -> ApiTokenForm:
        return ApiTokenForm(
            data,
            areas=area_list(user=request.user),
            today=today,
            max_days=settings.API_TOKEN_MAX_DAYS,
        )

    form = new_form(request.POST or None)
    created = secret = None
    with keep_input(form) as save:
        if request.method == "POST" and form.is_valid():
            created, secret = api_token_create(user=request.user, **form.token_fields())
            form = new_form()
    ctx = {
        "tokens": tokens,
        "form": form,
        "created": created,
        "secret": secret,
        "now": timezone.now(),
        "figures_url": request.build_absolute_uri(reverse("gap_data_json")),
    }
    status = 201 if created is not None else save.status
    return render(request, "regionbudget/api_tokens.html", ctx, status=status)


@login_required
@require_POST
def api_token_revoke_view(request: HttpRequest, pk: int) -> HttpResponse:
    access.require_finance(request.user)
    token = access.object_or_404(ApiToken.objects.all(), pk=pk)
    if api_token_revoke(user=request.user, token=token):
        messages.success(request, _("The token “%(name)s” was revoked.") % {"name": token.name})
    else:
        messages.info(
            request, _("The token “%(name)s” was already revoked.") % {"name": token.name}
        )
    return redirect("api_tokens")


def set_language(request: HttpRequest) -> HttpResponse:
    """Django's language switch (a POST chooses; anything else just goes back), which also
    keeps the choice as a signed-in user's language (``UserPreference``): the language their
    e-mails are written in."""
    response = i18n_views.set_language(request)
    if request.method == "POST" and request.user.is_authenticated:
        user_language_set(user=request.user, language=request.POST.get("language", ""))
    return response
