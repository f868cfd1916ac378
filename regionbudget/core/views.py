"""Finance's page of API tokens for BI tools: list, create (the secret shown once), revoke; the
pages of people and roles; and a locked-out user's way back in (an unlock link by e-mail).

Who may: finance and administrators (``access.require_finance``, in the selectors and services);
403 for everyone else. People are added and given roles by administrators only; finance lists
them and binds area directors to areas.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views import i18n as i18n_views
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from regionbudget.core import access
from regionbudget.core.forms import ApiTokenForm, DirectorAreasForm, PersonForm, UnlockLinkForm
from regionbudget.core.models import ApiToken
from regionbudget.core.saving import keep_input
from regionbudget.core.security import client_address, unlock_token_user
from regionbudget.core.selectors import (
    api_token_list,
    area_list,
    person_area_ids,
    person_get,
    person_list,
    person_roles,
)
from regionbudget.core.services import (
    api_token_create,
    api_token_revoke,
    director_areas_set,
    person_save,
    unlock_by_link,
    unlock_link_send,
    user_language_set,
)


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


# --- A locked-out user's way back in: no login needed (they cannot log in) -----------------------


def _unlock_minutes() -> int:
    return int(settings.UNLOCK_LINK_MAX_AGE.total_seconds() // 60)


@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def login_unlock_request(request: HttpRequest) -> HttpResponse:
    """Ask for an unlock link by user name or e-mail address. The answer is the same whether
    or not the account exists, is locked or gets a mail (``unlock_link_send`` decides, and
    throttles), so the form tells nobody who has an account."""
    form = UnlockLinkForm(
        request.POST if request.method == "POST" else None,
        initial={"asked_for": request.GET.get("username", "")[:254]},
    )
    if request.method == "POST" and form.is_valid():
        unlock_link_send(asked_for=form.cleaned_data["asked_for"], address=client_address(request))
        messages.info(
            request,
            _(
                "If the account exists and is locked, we have sent a link to its e-mail address. "
                "The link unlocks the login once and works for %(minutes)s minutes."
            )
            % {"minutes": _unlock_minutes()},
        )
        return redirect("login")
    return render(request, "registration/unlock_request.html", {"form": form})


@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def login_unlock(request: HttpRequest, token: str) -> HttpResponse:
    """The link from the e-mail. GET only shows what the button will do (mail scanners open
    links: that must change nothing); the POST lifts the user's lockouts and goes on to the
    login page. A forged, expired or used link: 400 and a page that says so, nothing changed."""
    if request.method == "POST":
        user = unlock_by_link(token=token, address=client_address(request))
        if user is not None:
            messages.success(
                request, _("The login is unlocked. Log in with your user name and password.")
            )
            return redirect("login")
    else:
        user = unlock_token_user(token)
    status = 200 if user is not None else 400
    ctx = {"unlock_user": user, "minutes": _unlock_minutes()}
    return render(request, "registration/unlock_confirm.html", ctx, status=status)


# --- People and roles: administrators add people and give roles; finance binds directors ------


def _add_errors(form, error: ValidationError) -> None:
    """A service's refusal on the form: on its field where there is one, else on the form."""
    for field, errors in error.message_dict.items():
        form.add_error(field if field in form.fields else None, errors)


@login_required
@require_safe
def people_list(request: HttpRequest) -> HttpResponse:
    """Everyone with an account, their roles and a director's areas (finance and admins)."""
    ctx = {"rows": person_list(user=request.user), "is_admin": access.is_admin(request.user)}
    return render(request, "regionbudget/people_list.html", ctx)


def _person_form(request: HttpRequest, person) -> HttpResponse:
    access.require(access.is_admin(request.user))
    form = PersonForm(
        request.POST or None,
        areas=area_list(user=request.user),
        person=person,
        roles=person_roles(person) if person else (),
        area_ids=person_area_ids(person) if person else (),
    )
    with keep_input(form) as save:
        if request.method == "POST" and form.is_valid():
            try:
                saved = person_save(person=person, by=request.user, **form.person_fields())
            except ValidationError as exc:
                _add_errors(form, exc)
            else:
                name = saved.get_full_name() or saved.get_username()
                messages.success(request, _("%(name)s is saved.") % {"name": name})
                return redirect("people_list")
    ctx = {"form": form, "person": person}
    return render(request, "regionbudget/person_form.html", ctx, status=save.status)


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def person_create(request: HttpRequest) -> HttpResponse:
    """An administrator adds a person with their roles and areas in one form."""
    return _person_form(request, None)


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def person_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """An administrator changes a person: name, e-mail, roles, areas, active or not."""
    access.require(access.is_admin(request.user))
    return _person_form(request, person_get(user=request.user, pk=pk))


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def person_areas(request: HttpRequest, pk: int) -> HttpResponse:
    """Finance (or an administrator) binds an area director to their areas."""
    person = person_get(user=request.user, pk=pk)
    access.require(access.may_bind_areas(request.user, person))
    # bound on every POST: a form with every box cleared sends no field at all
    data = request.POST if request.method == "POST" else None
    form = DirectorAreasForm(
        data, areas=area_list(user=request.user), area_ids=person_area_ids(person)
    )
    with keep_input(form) as save:
        if request.method == "POST" and form.is_valid():
            try:
                director_areas_set(
                    person=person, areas=list(form.cleaned_data["areas"]), by=request.user
                )
            except ValidationError as exc:
                _add_errors(form, exc)
            else:
                name = person.get_full_name() or person.get_username()
                messages.success(request, _("The areas of %(name)s are saved.") % {"name": name})
                return redirect("people_list")
    ctx = {"form": form, "person": person, "roles": person_roles(person)}
    return render(request, "regionbudget/person_areas.html", ctx, status=save.status)
