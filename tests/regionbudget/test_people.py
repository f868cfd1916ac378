"""People and roles in one form: an administrator adds a person with their role and areas,
changes or withdraws roles and deactivates people; finance binds area directors to areas and
nothing else. Nobody gives themselves, or anyone, a right they do not have."""

import pytest
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from regionbudget.core.models import Area, AreaDirector
from regionbudget.core.roles import Role, roles_of
from regionbudget.core.services import director_areas_set, person_save

pytestmark = pytest.mark.django_db

User = get_user_model()


def _person(**changes) -> dict:
    data = {
        "first_name": "Nora",
        "last_name": "Nordin",
        "email": "nora.nordin@example.se",
        "username": "nora.nordin",
        "roles": ["area_director"],
        "areas": [str(Area.objects.get(code="LSO-SOM").pk)],
    }
    return {**data, **changes}


def _accounts() -> set:
    return set(User.objects.values_list("username", "email", "is_active", "is_superuser"))


def _bindings() -> set:
    return set(AreaDirector.objects.values_list("user__username", "area__code"))


def _text(response) -> str:
    return response.content.decode()


def test_an_administrator_adds_a_director_with_an_area_in_one_form(administrator):
    response = administrator.post(reverse("person_create"), _person())
    assert response.status_code == 302
    nora = User.objects.get(username="nora.nordin")
    assert (nora.get_full_name(), nora.email) == ("Nora Nordin", "nora.nordin@example.se")
    assert roles_of(nora) == {Role.AREA_DIRECTOR}
    assert list(nora.area_bindings.values_list("area__code", flat=True)) == ["LSO-SOM"]
    assert not nora.has_usable_password(), "signs in through OIDC or gets a password set"
    listed = _text(administrator.get(reverse("people_list")))
    assert "Nora Nordin" in listed and "Länssjukvårdsområde somatik" in listed


def test_the_new_director_sees_their_area(administrator, client):
    administrator.post(reverse("person_create"), _person())
    client.force_login(User.objects.get(username="nora.nordin"))
    text = _text(client.get("/"))
    assert "Länssjukvårdsområde somatik" in text
    assert "Länssjukvårdsområde psykiatri och habilitering" not in text


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"email": "EKONOM@example.se"}, "email", "Ett annat konto har den här e-postadressen."),
        ({"username": "Ekonom"}, "username", "Ett annat konto har det här användarnamnet."),
        ({"areas": []}, "areas", "Välj områdesdirektörens områden."),
        ({"email": "inte-en-adress"}, "email", "Fyll i en giltig e-postadress."),
    ],
)
def test_bad_input_is_refused_with_the_input_kept(administrator, changes, field, message):
    User.objects.filter(username="ekonom").update(email="ekonom@example.se")
    accounts, bindings = _accounts(), _bindings()
    response = administrator.post(reverse("person_create"), _person(**changes))
    assert response.status_code == 200
    assert response.context["form"].errors[field] == [message]
    text = _text(response)
    assert 'value="Nora"' in text and 'value="Nordin"' in text
    if field != "areas":
        assert f'value="{changes[field]}"' in text
    assert (_accounts(), _bindings()) == (accounts, bindings)


def test_an_administrator_withdraws_a_role_and_deactivates_a_person(administrator):
    person = User.objects.get(username="direktor.psykiatri")
    data = _person(
        first_name=person.first_name,
        last_name=person.last_name,
        email="psykiatri@example.se",
        username=person.username,
        roles=["committee"],
        areas=[],
    )
    response = administrator.post(reverse("person_edit", args=[person.pk]), data)
    assert response.status_code == 302
    person.refresh_from_db()
    assert roles_of(person) == set(), "deactivated: no role counts"
    assert not person.is_active
    assert set(person.groups.values_list("name", flat=True)) == {"committee"}
    assert not AreaDirector.objects.filter(user=person).exists()


def test_an_administrator_cannot_change_their_own_roles_or_deactivate_themselves(administrator):
    me = User.objects.get(username="admin")
    accounts = _accounts()
    data = _person(
        first_name="A", last_name="B", email="", username="admin", roles=["finance"], areas=[]
    )
    data["email"] = "admin@example.se"
    response = administrator.post(reverse("person_edit", args=[me.pk]), data)
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert errors["roles"] == ["Du kan inte ändra dina egna roller: be en annan administratör."]
    assert errors["is_active"] == ["Du kan inte inaktivera dig själv."]
    assert _accounts() == accounts


# --- refusals: nobody gives a right they do not have ---


def test_finance_cannot_add_a_person_or_make_anyone_finance_or_administrator(finance):
    somatik = User.objects.get(username="direktor.somatik")
    accounts, bindings = _accounts(), _bindings()
    for role in ("admin", "finance"):
        assert finance.post(reverse("person_create"), _person(roles=[role])).status_code == 403
        data = _person(
            username=somatik.username, email="s@example.se", roles=[role, "area_director"]
        )
        assert finance.post(reverse("person_edit", args=[somatik.pk]), data).status_code == 403
    assert (_accounts(), _bindings()) == (accounts, bindings)
    assert roles_of(somatik) == {Role.AREA_DIRECTOR}


def test_finance_cannot_give_itself_rights_through_the_service():
    ekonom = User.objects.get(username="ekonom")
    for role in (Role.ADMIN, Role.FINANCE, Role.AREA_DIRECTOR):
        with pytest.raises(PermissionDenied):
            person_save(
                person=ekonom,
                by=ekonom,
                username="ekonom",
                first_name="",
                last_name="",
                email="",
                roles={Role.FINANCE, role},
                areas=list(Area.objects.all()),
            )
    ekonom.refresh_from_db()
    assert not ekonom.is_superuser
    assert not AreaDirector.objects.filter(user=ekonom).exists()


def test_finance_cannot_bind_itself_to_areas():
    ekonom = User.objects.get(username="ekonom")
    with pytest.raises(PermissionDenied):
        director_areas_set(person=ekonom, areas=list(Area.objects.all()), by=ekonom)
    assert not AreaDirector.objects.filter(user=ekonom).exists()


@pytest.mark.parametrize("role", ["director_own", "director_other", "committee"])
def test_directors_and_the_committee_cannot_post_to_the_people_pages(request, role):
    client = request.getfixturevalue(role)
    somatik = User.objects.get(username="direktor.somatik")
    accounts, bindings = _accounts(), _bindings()
    all_areas = [str(a.pk) for a in Area.objects.all()]
    assert client.get(reverse("people_list")).status_code == 403
    assert client.post(reverse("person_create"), _person(roles=["admin"])).status_code == 403
    data = _person(username="direktor.somatik", roles=["admin", "finance"], areas=all_areas)
    assert client.post(reverse("person_edit", args=[somatik.pk]), data).status_code == 403
    response = client.post(reverse("person_areas", args=[somatik.pk]), {"areas": all_areas})
    assert response.status_code == 403
    assert (_accounts(), _bindings()) == (accounts, bindings)


# --- finance binds directors to areas ---


def test_finance_binds_a_director_to_areas(finance):
    person = User.objects.get(username="direktor.psykiatri")
    areas = [Area.objects.get(code=c) for c in ("LSO-PSY", "LSO-SOM")]
    response = finance.post(
        reverse("person_areas", args=[person.pk]), {"areas": [a.pk for a in areas]}
    )
    assert response.status_code == 302
    assert set(person.area_bindings.values_list("area__code", flat=True)) == {"LSO-PSY", "LSO-SOM"}
    assert roles_of(person) == {Role.AREA_DIRECTOR}


def test_finance_cannot_make_someone_a_director_by_binding_areas(finance):
    ledamot = User.objects.get(username="ledamot")
    area = Area.objects.get(code="LSO-SOM")
    response = finance.post(reverse("person_areas", args=[ledamot.pk]), {"areas": [area.pk]})
    assert response.status_code == 200
    assert response.context["form"].errors["areas"] == [
        "Bara en områdesdirektör knyts till områden; roller ges av en administratör."
    ]
    assert roles_of(ledamot) == {Role.COMMITTEE}
    assert not AreaDirector.objects.filter(user=ledamot).exists()


def test_a_director_keeps_at_least_one_area(finance):
    person = User.objects.get(username="direktor.psykiatri")
    response = finance.post(reverse("person_areas", args=[person.pk]), {"areas": []})
    assert response.status_code == 200
    assert response.context["form"].errors["areas"] == ["Välj områdesdirektörens områden."]
    assert person.area_bindings.count() == 1


def test_the_people_list_is_read_in_a_few_queries(finance, django_assert_max_num_queries):
    with django_assert_max_num_queries(8):
        response = finance.get(reverse("people_list"))
    text = _text(response)
    assert "direktor.somatik" in text and "Länssjukvårdsområde somatik" in text
    assert reverse("person_create") not in text, "finance adds nobody"


def test_the_forms_show_what_is_stored(finance, administrator):
    person = User.objects.get(username="direktor.psykiatri")
    psykiatri = Area.objects.get(code="LSO-PSY")
    form = finance.get(reverse("person_areas", args=[person.pk])).context["form"]
    assert form["areas"].value() == [psykiatri.pk]
    form = administrator.get(reverse("person_edit", args=[person.pk])).context["form"]
    assert form["roles"].value() == ["area_director"]
    assert (form["username"].value(), form["is_active"].value()) == ("direktor.psykiatri", True)
