"""The base API test suite: each endpoint under /api/v1/ declares itself once and gets the same checks.

In the manner of NetBox's ``utilities/testing`` API test cases: a test class per endpoint, in
``<app>/tests/test_api_suite.py``, names its URL, model and factory (or a ``make_row`` hook) and builds
valid payloads for the writes; who may read, add and change is derived from the role table
(``hms.roles.ROLE_PERMISSIONS``), never restated. Every declaration runs these cases:

  list           GET the list as a reader: 200, the row is in it
  detail         GET the row: 200, it is that row
  create         POST a valid payload: 201, the row exists, its history names the acting user;
                 or 405 when the endpoint never adds through POST (``create = MethodNotAllowed(why)``)
  update         PATCH a valid payload: 200, the fields changed, history names the acting user; or 405
  history        (part of create and update) the row's latest history row names the acting user
  roles          every role the table refuses answers 403 (read, add, change); every role it lets read, 200
  other_patient  a portal patient gets 404 for another patient's row and sees only their own in the list
                 (not applicable, by the table, when patients may not read the model at all)
  queries        the list costs the same number of queries, at most 8, at 2 rows and at 12

A case that does not apply is named in the declaration's ``skip`` with the reason (it shows as a skip
with that reason). ``hms/tests/test_api_suite_coverage.py`` walks the router and fails on any endpoint
without a declaration. This module imports no domain app: models and factories come from the
declaring class.
"""


import pytest
from rest_framework.test import APIClient

from hms.roles import ALL_GROUPS, PATIENT, ROLE_PERMISSIONS, codenames_for
from hms.testing.queries import query_counter

API_ROOT = "/api/v1/"
MAX_LIST_QUERIES = 8
CASES = ("list", "detail", "create", "update", "history", "roles", "other_patient", "queries")
OPERATIONS = ("view", "add", "change")

SUITES = {}  # URL -> the declaring test class (filled as test modules are imported)


class MethodNotAllowed(str):
    """``create = MethodNotAllowed("why")``: by design the endpoint answers 405 to that write."""


def table_grants(role):
    """The "app.codename" permissions the role table gives ``role``."""
    return frozenset(f"{app}.{codename}" for app, codename in codenames_for(ROLE_PERMISSIONS.get(role, {})))


def table_allows(role, perms):
    return set(perms) <= table_grants(role)


class APISuite:
    """Subclass as ``class TestAllergyAPI(APISuite)`` and declare:

    url             "/api/v1/allergies/"
    model           the model of the endpoint's rows (None for endpoints that list no model rows)
    factory         builds one row; or override ``make_row``
    create/update   True, or MethodNotAllowed("why")
    permissions     {"view"|"add"|"change": ["app.codename", ...]} where the endpoint asks for more or other
                    permissions than the model's own (``required_permissions``); the table decides who has them
    refused_beyond_table  {"view"|"add"|"change": {role: "the rule"}}: a role the table lets through that a
                    rule in the service or view still refuses (403)
    own_rows_only   {"change": {role: "the rule"}}: a role the table lets through that acts only on its own rows
                    (a doctor's availability): refused (403) on the row of another, which ``make_row()`` builds
    patient_factory builds a Patient (``user=`` links a portal account), for the other_patient case
    patient_field   the row's field naming its patient (or override ``row_for_patient``)
    skip            {case: "why it does not apply"}
    and the hooks ``create_payload(user)`` and ``update_payload(row, user)``.
    """

    url = None
    model = None
    factory = None
    create = True
    update = True
    permissions = {}
    refused_beyond_table = {}
    own_rows_only = {}
    reader_role = None
    writer_role = None
    patient_factory = None
    patient_field = "patient"
    skip = {}

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        if cls.url:
            unknown = set(cls.skip) - set(CASES)
            if unknown:
                raise TypeError(f"{cls.__name__}.skip names unknown cases {sorted(unknown)}; cases: {CASES}")
            SUITES[cls.url] = cls

    @pytest.fixture(autouse=True)
    def _suite_fixtures(self, db, api_as, make_user, request):
        self._api_as = api_as
        self._make_user = make_user
        self._request = request

    # --- hooks a declaration may override ----------------------------------------------------------------

    def make_row(self, user=None):
        """One row that ``user`` (the acting reader or writer, when given) may see and act on."""
        return self.factory()

    def create_payload(self, user):
        raise NotImplementedError(f"{type(self).__name__}: define create_payload(user) or create = MethodNotAllowed()")

    def update_payload(self, row, user):
        raise NotImplementedError(
            f"{type(self).__name__}: define update_payload(row, user) or update = MethodNotAllowed()"
        )

    def row_for_patient(self, patient):
        return self.factory(**{self.patient_field: patient})

    def row_id(self, row):
        return row.pk

    def is_listed(self, results, row):
        return any(item.get("id") == self.row_id(row) for item in results)

    # --- derived from the declaration and the role table -------------------------------------------------

    def needed(self, operation):
        """The permissions ``operation`` ("view", "add", "change") needs at this endpoint."""
        if operation in self.permissions:
            return list(self.permissions[operation])
        meta = self.model._meta
        return [f"{meta.app_label}.{operation}_{meta.model_name}"]

    def allowed(self, role, operation):
        return table_allows(role, self.needed(operation)) and role not in self.refused_beyond_table.get(operation, {})

    def role_for(self, operation):
        preferred = self.reader_role if operation == "view" else self.writer_role
        if preferred:
            return preferred
        roles = [role for role in ALL_GROUPS if self.allowed(role, operation)]
        assert roles, f"{type(self).__name__}: no role in the table may {operation} at {self.url}"
        return roles[0]

    def viewset(self):
        from hms.api import router

        for prefix, viewset, _basename in router.registry:
            if f"{API_ROOT}{prefix}/" == self.url:
                return viewset
        raise AssertionError(f"{self.url} is not an endpoint of the API router")

    def has_detail(self):
        """Whether the endpoint has a detail route (/{id}/): read off the router's viewset."""
        return hasattr(self.viewset(), "retrieve")

    def detail_url(self, row):
        return f"{self.url}{self.row_id(row)}/"

    def client_for(self, role_or_user):
        return self._api_as(role_or_user)

    def superuser_client(self):
        return self._api_as(self._request.getfixturevalue("admin_user_obj"))

    def skip_case(self, case):
        if case in self.skip:
            pytest.skip(f"{case} does not apply to {self.url}: {self.skip[case]}")

    def assert_history_names(self, row, user):
        if "history" in self.skip:
            return
        assert hasattr(row, "history"), (
            f"{self.model.__name__} keeps no history; declare skip['history'] with the reason"
        )
        latest = row.history.first()
        assert latest is not None and latest.history_user_id == user.pk, (
            f"the latest history row of {row!r} names {getattr(latest, 'history_user', None)!r}, not {user!r}"
        )

    # --- the cases ---------------------------------------------------------------------------------------

    def test_list_answers_200_with_the_row(self):
        self.skip_case("list")
        client = self.client_for(self.role_for("view"))
        row = self.make_row(user=client.user)
        response = client.get(self.url)
        assert response.status_code == 200, getattr(response, "data", response)
        assert self.is_listed(response.data["results"], row), response.data["results"]

    def test_detail_answers_200_with_the_row(self):
        self.skip_case("detail")
        if not self.has_detail():
            pytest.skip(f"{self.url} has no detail route")
        client = self.client_for(self.role_for("view"))
        row = self.make_row(user=client.user)
        response = client.get(self.detail_url(row))
        assert response.status_code == 200, getattr(response, "data", response)
        assert response.data["id"] == self.row_id(row)

    def test_create_answers_201_and_history_names_the_acting_user(self):
        self.skip_case("create")
        if isinstance(self.create, MethodNotAllowed):
            response = self.superuser_client().post(self.url, {}, format="json")
            assert response.status_code == 405, getattr(response, "data", response)
            return
        client = self.client_for(self.role_for("add"))
        response = client.post(self.url, self.create_payload(client.user), format="json")
        assert response.status_code == 201, getattr(response, "data", response)
        row = self.model._default_manager.get(pk=response.data["id"])
        self.assert_history_names(row, client.user)

    def test_update_answers_200_and_history_names_the_acting_user(self):
        self.skip_case("update")
        if isinstance(self.update, MethodNotAllowed):
            client = self.superuser_client()
            row = self.make_row(user=client.user)
            url = self.detail_url(row) if self.has_detail() else self.url
            response = client.patch(url, {}, format="json")
            assert response.status_code == 405, getattr(response, "data", response)
            return
        client = self.client_for(self.role_for("change"))
        row = self.make_row(user=client.user)
        payload = self.update_payload(row, client.user)
        response = client.patch(self.detail_url(row), payload, format="json")
        assert response.status_code == 200, getattr(response, "data", response)
        for key, value in payload.items():
            if key in response.data:
                assert str(response.data[key]) == str(value), (key, response.data[key], value)
        self.assert_history_names(self.model._default_manager.get(pk=row.pk), client.user)

    def test_each_role_the_table_refuses_gets_403_and_each_it_lets_read_gets_200(self):
        self.skip_case("roles")
        row = self.make_row()
        detail = self.detail_url(row) if self.has_detail() else None
        wrong = []

        def expect(role, method, url, refused, answer):
            if refused and answer != 403:
                wrong.append(f"{role} {method} {url}: {answer}, expected 403")
            if not refused and method == "GET" and answer != 200:
                wrong.append(f"{role} GET {url}: {answer}, expected 200")
            if not refused and method != "GET" and answer == 403:
                wrong.append(f"{role} {method} {url}: 403, but the table allows it")

        for role in ALL_GROUPS:
            client = self.client_for(role)
            expect(role, "GET", self.url, not self.allowed(role, "view"), client.get(self.url).status_code)
            if detail and not table_allows(role, self.needed("view")):
                expect(role, "GET", detail, True, client.get(detail).status_code)
            if self.create is True:
                refused = not self.allowed(role, "add")
                expect(role, "POST", self.url, refused, client.post(self.url, {}, format="json").status_code)
            if self.update is True and detail:
                refused = not self.allowed(role, "change") or role in self.own_rows_only.get("change", {})
                if refused or table_allows(role, self.needed("view")):
                    expect(role, "PATCH", detail, refused, client.patch(detail, {}, format="json").status_code)
        assert APIClient().get(self.url).status_code in (401, 403), "an anonymous request got in"
        assert not wrong, "\n".join(wrong)

    def test_a_portal_patient_gets_404_for_another_patients_row(self):
        self.skip_case("other_patient")
        if not table_allows(PATIENT, self.needed("view")):
            pytest.skip(f"the role table lets no patient read {self.url}")
        assert self.patient_factory is not None, f"{type(self).__name__}: declare patient_factory"
        user = self._make_user(PATIENT)
        own = self.patient_factory(user=user)
        mine, theirs = self.row_for_patient(own), self.row_for_patient(self.patient_factory())
        client = self.client_for(user)

        assert client.get(self.detail_url(theirs)).status_code == 404
        assert client.get(self.detail_url(mine)).status_code == 200
        results = client.get(self.url).data["results"]
        assert self.is_listed(results, mine) and not self.is_listed(results, theirs), results

    def test_list_runs_the_same_queries_at_2_and_12_rows(self):
        self.skip_case("queries")
        client = self.client_for(self.role_for("view"))
        counts, built = [], 0
        for size in (2, 12):
            while built < size:
                self.make_row(user=client.user)
                built += 1
            if size == 2:
                client.get(self.url)  # warm the per-process caches (content types)
            with query_counter() as ctx:
                response = client.get(self.url)
            assert response.status_code == 200, getattr(response, "data", response)
            assert len(response.data["results"]) >= size, f"the reader sees fewer than the {size} rows built"
            counts.append([query["sql"] for query in ctx.captured_queries])
        assert len(counts[0]) == len(counts[1]), "\n\n".join("\n".join(q[:150] for q in c) for c in counts)
        assert len(counts[1]) <= MAX_LIST_QUERIES, "\n".join(q[:150] for q in counts[1])
