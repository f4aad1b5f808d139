"""Clicks that are hard to undo: "Delete selected" is never the first bulk
action of any list, and long change pages have Save at the top too."""

import pytest
from django.contrib import admin
from django.test import RequestFactory

from tests.factories import SuperuserFactory

pytestmark = pytest.mark.django_db
# django-axes' lockout lists are for the superuser alone and keep their own order.
NOT_STAFF_LISTS = {"axes"}


def test_delete_selected_is_the_last_action_of_every_list():
    request = RequestFactory().get("/admin/")
    request.user = SuperuserFactory()
    checked = 0
    for model, model_admin in admin.site._registry.items():
        if model._meta.app_label in NOT_STAFF_LISTS:
            continue
        names = list(model_admin.get_actions(request))
        if "delete_selected" in names:
            checked += 1
            assert names[-1] == "delete_selected", f"{model._meta.label}: {names}"
            assert len(names) == 1 or names[0] != "delete_selected"
    assert checked >= 10  # the lists staff delete from: leads, trials, groups, users, tokens…


@pytest.mark.parametrize("label", ["leads.Lead", "trials.Trial", "scheduling.Group"])
def test_long_change_pages_have_save_at_the_top(label):
    model_admin = next(ma for model, ma in admin.site._registry.items() if model._meta.label == label)
    assert model_admin.save_on_top
