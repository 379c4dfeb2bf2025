"""Every model of every HMS app is in the back office, and its list and add pages render."""

import pytest
from django.apps import apps
from django.contrib import admin
from django.urls import reverse
from simple_history.admin import SimpleHistoryAdmin

HMS_APPS = ["hms", "accounts", "staff", "patients", "catalog", "scheduling", "clinical", "billing", "inventory"]


def hms_models():
    for app_label in HMS_APPS:
        for model in apps.get_app_config(app_label).get_models():
            if model.__name__.startswith("Historical"):
                continue
            yield model


def test_every_hms_model_is_registered_and_audited_models_show_their_history():
    missing = [m._meta.label for m in hms_models() if not admin.site.is_registered(m)]
    assert missing == []
    for model in hms_models():
        if hasattr(model, "history"):
            assert isinstance(admin.site.get_model_admin(model), SimpleHistoryAdmin), model._meta.label


@pytest.mark.django_db
@pytest.mark.parametrize("model", list(hms_models()), ids=lambda m: m._meta.label)
def test_the_list_and_add_pages_render(admin_client, model):
    opts = model._meta
    listing = admin_client.get(reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist"))
    assert listing.status_code == 200
    model_admin = admin.site.get_model_admin(model)
    add = admin_client.get(reverse(f"admin:{opts.app_label}_{opts.model_name}_add"))
    assert add.status_code == (200 if model_admin.has_add_permission(add.wsgi_request) else 403)


# --- Nothing is deleted in the back office, superusers included --------------------------------------------------


def registered_models():
    return sorted(admin.site._registry, key=lambda m: m._meta.label)


def test_no_admin_offers_the_site_wide_delete_selected_action(rf, admin_user_obj):
    request = rf.get("/admin/")
    request.user = admin_user_obj
    offered = {
        model._meta.label: sorted(admin.site.get_model_admin(model).get_actions(request))
        for model in registered_models()
        if "delete_selected" in admin.site.get_model_admin(model).get_actions(request)
    }
    assert offered == {}


def test_no_registered_admin_lets_a_superuser_delete(rf, admin_user_obj):
    request = rf.get("/admin/")
    request.user = admin_user_obj
    deletable = [
        m._meta.label for m in registered_models() if admin.site.get_model_admin(m).has_delete_permission(request)
    ]
    assert deletable == []


@pytest.mark.django_db
@pytest.mark.parametrize("model", registered_models(), ids=lambda m: m._meta.label)
def test_the_delete_page_of_every_registered_model_is_refused_to_a_superuser(admin_client, model):
    # The admin checks the delete permission before it looks the row up: any id answers 403.
    opts = model._meta
    response = admin_client.get(reverse(f"admin:{opts.app_label}_{opts.model_name}_delete", args=[1]))
    assert response.status_code == 403


@pytest.mark.django_db
@pytest.mark.parametrize("model", registered_models(), ids=lambda m: m._meta.label)
def test_every_registered_list_renders_for_a_superuser(admin_client, model):
    opts = model._meta
    assert admin_client.get(reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist")).status_code == 200


# --- Dates typed into a changelist's URL never overflow into a 500 ----------------------------------------------


def date_range_filters():
    """(model, field) of every changelist filter on a date range (hms.admin.DateRangeFilter and the like)."""
    found = []
    for model in registered_models():
        for spec in admin.site.get_model_admin(model).list_filter:
            if isinstance(spec, tuple) and issubclass(spec[1], admin.DateFieldListFilter):
                found.append((model, spec[0]))
    return found


def test_no_changelist_has_a_date_hierarchy():
    # A date hierarchy runs SELECT DISTINCT over the dates of every row: at a million rows it takes seconds.
    assert [m for m in registered_models() if admin.site.get_model_admin(m).date_hierarchy] == []


def test_the_date_range_filters_are_found():
    assert len(date_range_filters()) >= 8


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("model", "field"), date_range_filters(), ids=lambda v: getattr(v, "_meta", None) and v._meta.label
)
@pytest.mark.parametrize("day", ["9999-12-31", "0001-01-01", "2026-13-01", "junk", "99999-01-01"])
def test_a_date_range_typed_into_the_url_is_an_invalid_lookup_not_a_500(admin_client, model, field, day):
    opts = model._meta
    url = reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist")
    response = admin_client.get(url, {f"{field}__gte": day, f"{field}__lt": day})
    assert response.status_code in (200, 302)
    if response.status_code == 302:
        assert response["Location"].endswith("?e=1")
