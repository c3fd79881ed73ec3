"""save_view and delete_view: a staff member's named queues, each refusal storing nothing."""

import pytest

from serviceloop.accounts.choices import Role
from serviceloop.core.errors import NotPermitted, ValidationFailed
from serviceloop.tickets.models import SavedView
from serviceloop.tickets.services.saved_views import MAX_VIEWS, delete_view, save_view
from tests.builders import make_user

QUERY = "view=all&status=open&sort=created"


def refused(**kwargs):
    with pytest.raises(ValidationFailed) as error:
        save_view(**kwargs)
    return error.value.errors


def test_it_saves_the_filters_under_a_tidy_name(agent):
    saved = save_view(actor=agent, name="  Urgent   phone \n calls ", query="?" + QUERY)
    stored = SavedView.objects.get(pk=saved.pk)
    assert (stored.user, stored.name, stored.query) == (agent, "Urgent phone calls", QUERY)


@pytest.mark.parametrize("name", ["", "   "])
def test_a_view_needs_a_name(agent, name):
    assert refused(actor=agent, name=name, query=QUERY) == {"name": "Give the view a name."}
    assert not SavedView.objects.exists()


def test_a_name_has_at_most_60_characters(agent):
    save_view(actor=agent, name="x" * 60, query=QUERY)
    assert refused(actor=agent, name="y" * 61, query=QUERY) == {
        "name": "Use at most 60 characters."
    }
    assert list(SavedView.objects.values_list("name", flat=True)) == ["x" * 60]


def test_names_are_unique_per_user_whatever_the_case(agent, teammate):
    save_view(actor=agent, name="Complaints", query=QUERY)
    errors = refused(actor=agent, name="complaints", query="view=mine&sort=created")
    assert errors == {"name": "You already have a view with this name."}
    save_view(actor=teammate, name="Complaints", query=QUERY)  # another user's name is free
    assert SavedView.objects.filter(user=agent).count() == 1
    assert SavedView.objects.filter(user=teammate).count() == 1


def test_a_user_keeps_a_bounded_number_of_views(agent):
    for n in range(MAX_VIEWS):
        save_view(actor=agent, name=f"view {n}", query=QUERY)
    errors = refused(actor=agent, name="one more", query=QUERY)
    assert "delete one" in str(errors["name"])
    assert SavedView.objects.filter(user=agent).count() == MAX_VIEWS


def test_overlong_filters_are_refused(agent):
    errors = refused(actor=agent, name="Long", query="q=" + "x" * 1000)
    assert errors == {"query": "These filters are too long to save."}
    assert not SavedView.objects.exists()


@pytest.mark.parametrize("role", [Role.SPECIALIST, Role.ANALYST, Role.SUPERVISOR, Role.ADMIN])
def test_every_staff_role_may_save_views(db, role):
    user = make_user(role)
    assert save_view(actor=user, name="Mine", query=QUERY).user == user


@pytest.mark.parametrize("role", [Role.CUSTOMER, Role.PARTNER])
def test_customers_and_partners_have_no_queue_to_save(db, role):
    with pytest.raises(NotPermitted):
        save_view(actor=make_user(role), name="Mine", query=QUERY)
    assert not SavedView.objects.exists()


def test_the_owner_deletes_their_view(agent):
    saved = save_view(actor=agent, name="Old", query=QUERY)
    delete_view(actor=agent, view=saved)
    assert not SavedView.objects.exists()


def test_nobody_deletes_another_users_view(agent, teammate, admin_user):
    saved = save_view(actor=agent, name="Mine", query=QUERY)
    for other in (teammate, admin_user):
        with pytest.raises(NotPermitted):
            delete_view(actor=other, view=saved)
    assert SavedView.objects.filter(pk=saved.pk).exists()
