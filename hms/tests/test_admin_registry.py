"""Every model of every HMS app is in the back office, and its list and add pages render."""

import pytest
from django.apps import apps
from django.contrib import admin
from django.urls import reverse
from simple_history.admin import SimpleHistoryAdmin

HMS_APPS = ["hms", "staff", "patients", "scheduling", "clinical", "billing", "inventory"]


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
