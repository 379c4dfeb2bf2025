"""No API endpoint deletes a row, for anyone: superusers pass every model permission, so the method itself is gone."""

import pytest
from django.urls import reverse

from hms.api import router

REGISTRY = [pytest.param(prefix, viewset, basename, id=prefix) for prefix, viewset, basename in router.registry]


@pytest.mark.parametrize(("prefix", "viewset", "basename"), REGISTRY)
def test_no_viewset_offers_delete(prefix, viewset, basename):
    methods = {name.lower() for name in viewset.http_method_names}
    deletes = "delete" in methods and (
        hasattr(viewset, "destroy")
        or any("delete" in (getattr(extra, "mapping", {}) or {}) for extra in viewset.get_extra_actions())
    )
    assert not deletes, f"{viewset.__name__} answers DELETE"


@pytest.mark.django_db
@pytest.mark.parametrize(("prefix", "viewset", "basename"), REGISTRY)
def test_a_superuser_delete_answers_405(api_as, admin_user_obj, prefix, viewset, basename):
    client = api_as(admin_user_obj)
    detail = None
    if _has_detail(basename):
        lookup = getattr(viewset, "lookup_url_kwarg", None) or viewset.lookup_field
        detail = reverse(f"{basename}-detail", kwargs={lookup: 1})
    collection = reverse(f"{basename}-list")

    assert client.delete(collection).status_code == 405
    if detail:
        assert client.delete(detail).status_code == 405


def _has_detail(basename):
    return any(url.name == f"{basename}-detail" for url in router.urls)
