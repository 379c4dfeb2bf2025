"""Every endpoint of the API router has a declaration of the shared API suite (hms.testing.api), so a new
endpoint cannot ship without the list, detail, write, role, patient-scope, history and query-count checks.

Declarations live in ``<app>/tests/test_api_suite.py``; this system-wide test (above every app) imports them.
A case that does not apply to an endpoint is exempted in its
declaration's ``skip`` with the reason, never here: only whole endpoints outside the suite are listed below.
"""

from billing.tests import test_api_suite as billing_suite
from catalog.tests import test_api_suite as catalog_suite
from clinical.tests import test_api_suite as clinical_suite
from hms.api import api_urlpatterns, router
from hms.testing.api import API_ROOT, CASES, SUITES
from hms.tests import test_api_suite as hms_suite
from inventory.tests import test_api_suite as inventory_suite
from patients.tests import test_api_suite as patients_suite
from scheduling.tests import test_api_suite as scheduling_suite
from staff.tests import test_api_suite as staff_suite

# Importing a declaration module registers its suites in SUITES.
DECLARATION_MODULES = (
    hms_suite,
    staff_suite,
    patients_suite,
    catalog_suite,
    scheduling_suite,
    clinical_suite,
    billing_suite,
    inventory_suite,
)

# Endpoints with no declaration at all, and why. Keep this short: a case that does not apply is a ``skip``
# in the declaration, not an endpoint left out.
UNDECLARED = {}

# Routes mounted beside the router: views under a parent's id that list no model rows of their own. They are
# outside the suite (it is built on a model endpoint's list and detail); each names where it is tested.
BESIDE_THE_ROUTER = {
    "patients/<int:pk>/history/": "the timeline: clinical/tests/test_api.py, hms/tests/test_list_query_counts.py",
    "doctors/<int:pk>/slots/": "free slots computed from availability: scheduling/tests/test_api.py",
    "prescriptions/<int:pk>/dispense/": "the dispensing action: inventory/tests/test_api.py",
}


def _declarations():
    assert all(module.__name__.endswith(".test_api_suite") for module in DECLARATION_MODULES)
    return dict(SUITES)


def _router_urls():
    return {f"{API_ROOT}{prefix}/" for prefix, _viewset, _basename in router.registry}


def test_every_router_endpoint_declares_the_shared_api_suite():
    missing = _router_urls() - set(_declarations()) - set(UNDECLARED)

    assert not missing, "These endpoints have no APISuite declaration in <app>/tests/test_api_suite.py: " + ", ".join(
        sorted(missing)
    )


def test_every_declaration_names_a_router_endpoint_and_every_exemption_gives_its_reason():
    declared = _declarations()

    assert set(declared) - _router_urls() == set(), "a declaration names a URL the router does not serve"
    assert set(UNDECLARED) <= _router_urls(), "UNDECLARED names a URL the router does not serve"
    assert not set(UNDECLARED) & set(declared), "an endpoint in UNDECLARED has a declaration now: drop it there"
    for url, suite in declared.items():
        for case, reason in suite.skip.items():
            assert case in CASES and isinstance(reason, str) and reason.strip(), (url, case)


def test_every_route_beside_the_router_is_named_with_where_it_is_tested():
    beside = {str(pattern.pattern) for pattern in api_urlpatterns if not any(pattern is r for r in router.urls)}

    assert beside == set(BESIDE_THE_ROUTER)
