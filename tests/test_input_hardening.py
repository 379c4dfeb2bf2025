"""Bad input answers 400/413 with a message, never a 500: out-of-range dates, deep JSON, huge bodies,
junk filter values, and loosely typed JSON (issue 10, items 5, 7, 9, 10)."""

import json

import pytest

from patients.models import Patient
from patients.tests.factories import PatientFactory, PayerFactory
from staff.tests.factories import DoctorFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def root_api(api_as, admin_user_obj):
    return api_as(admin_user_obj)


def assert_json_refusal(response, status=400):
    assert response.status_code == status, (response.status_code, response.content[:500])
    body = response.json()
    assert body and isinstance(body, dict)
    return body


# --- item 5: out-of-range dates are a 400, not a 500 -------------------------------------------------

FAR_DATE_QUERIES = [
    "/api/v1/procedures/?date_before=9999-12-31",
    "/api/v1/procedures/?date_after=9999-12-31",
    "/api/v1/procedures/?date_after=0001-01-01",
    "/api/v1/medical-records/?date_before=9999-12-31",
    "/api/v1/diagnoses/?date_before=9999-12-31",
    "/api/v1/prescriptions/?date_before=9999-12-31",
    "/api/v1/lab-orders/?date_before=9999-12-31",
    "/api/v1/vitals/?date_before=9999-12-31",
    "/api/v1/time-off/?date_to=9999-12-31",
    "/api/v1/time-off/?date_from=0001-01-01",
    "/api/v1/appointments/?date_to=9999-12-31",
    "/api/v1/appointments/?date_from=0001-01-01",
    "/api/v1/availability/?valid_on=9999-12-31",
    "/api/v1/bills/?date_before=9999-12-31",
    "/api/v1/patients/?registered_before=9999-12-31",
    "/api/v1/patients/?date_of_birth=9999-12-31",
    "/api/v1/inventory/batches/?expires_before=9999-12-31",
    "/api/v1/inventory/movements/?created_before=9999-12-31",
    "/api/v1/reports/appointments/?to=9999-12-31",
    "/api/v1/reports/appointments/?from=0001-01-01",
]


@pytest.mark.parametrize("url", FAR_DATE_QUERIES)
def test_a_date_filter_out_of_range_answers_400_naming_the_parameter(root_api, url):
    param = url.split("?")[1].split("=")[0]
    body = assert_json_refusal(root_api.get(url))
    assert param in body or "detail" in body


@pytest.mark.parametrize(
    "query", ["date=9999-12-31", "date_from=9999-12-31", "date_from=9999-12-01&date_to=9999-12-31", "date=0001-01-01"]
)
def test_slots_out_of_range_answer_400(root_api, query):
    doctor = DoctorFactory()
    assert_json_refusal(root_api.get(f"/api/v1/doctors/{doctor.pk}/slots/?{query}"))


@pytest.mark.parametrize("param", ["date_before", "date_after"])
def test_patient_history_out_of_range_answers_400(root_api, param):
    patient = PatientFactory()
    body = assert_json_refusal(root_api.get(f"/api/v1/patients/{patient.pk}/history/?{param}=9999-12-31"))
    assert param in body


@pytest.mark.parametrize("start", ["9999-12-31T23:59:59Z", "9999-12-31T23:59:59-05:00", "0001-01-01T00:00:00+05:00"])
def test_an_appointment_start_out_of_range_in_a_body_answers_400(root_api, start):
    doctor, patient = DoctorFactory(), PatientFactory()
    body = {"patient": patient.pk, "doctor": doctor.pk, "start": start, "reason": "Cough"}

    response = root_api.post("/api/v1/appointments/", body, format="json")

    assert "start" in assert_json_refusal(response)


def test_a_date_field_out_of_range_in_a_body_answers_400(root_api):
    patient = {"first_name": "Ada", "last_name": "Byron", "date_of_birth": "9999-12-31", "sex": "female"}

    body = assert_json_refusal(root_api.post("/api/v1/patients/", patient, format="json"))

    assert "date_of_birth" in body


# --- item 5: deep JSON and huge bodies -------------------------------------------------------------


def test_json_nested_5000_levels_deep_answers_400(root_api):
    deep = "[" * 5000 + "]" * 5000

    response = root_api.generic("POST", "/api/v1/patients/", deep, content_type="application/json")

    assert "nested" in assert_json_refusal(response)["detail"]


def test_json_nested_deeper_than_the_limit_answers_400_even_when_python_could_parse_it(root_api):
    deep = '{"a": ' * 100 + "1" + "}" * 100

    response = root_api.generic("POST", "/api/v1/patients/", deep, content_type="application/json")

    assert "nested" in assert_json_refusal(response)["detail"]


def test_a_5_mb_api_body_answers_413_json(root_api):
    body = json.dumps({"first_name": "x" * (5 * 1024 * 1024)})

    response = root_api.generic("POST", "/api/v1/patients/", body, content_type="application/json")

    assert "too large" in assert_json_refusal(response, status=413)["detail"]


def test_a_5_mb_form_post_to_a_page_answers_a_plain_413(client):
    response = client.post("/login/", {"username": "x" * (5 * 1024 * 1024), "password": "pw"})

    assert response.status_code == 413
    assert response["Content-Type"].startswith("text/plain")


def test_a_body_under_the_limit_is_still_accepted(root_api):
    patient = {"first_name": "Ada", "last_name": "Byron", "date_of_birth": "1990-01-01", "sex": "female"}

    assert root_api.post("/api/v1/patients/", patient, format="json").status_code == 201


# --- item 9: bad filter values are a 400 naming the parameter ----------------------------------------

BAD_FILTERS = [
    ("/api/v1/hospitals/?is_active=1.5", "is_active"),
    ("/api/v1/hospitals/?is_active=maybe", "is_active"),
    ("/api/v1/patients/?is_active=yes please", "is_active"),
    ("/api/v1/inventory/items/?is_active=2.5", "is_active"),
    ("/api/v1/rooms/?is_active=[]", "is_active"),
    ("/api/v1/bills/?outstanding=perhaps", "outstanding"),
    ("/api/v1/hospitals/?page_size=[]", "page_size"),
    ("/api/v1/hospitals/?page_size=0", "page_size"),
    ("/api/v1/hospitals/?page_size=-3", "page_size"),
    ("/api/v1/hospitals/?page_size=1.5", "page_size"),
    ("/api/v1/hospitals/?page=abc", "page"),
    ("/api/v1/hospitals/?ordering=nonsense", "ordering"),
    ("/api/v1/hospitals/?ordering=name,-password", "ordering"),
    ("/api/v1/appointments/?doctor=1.5", "doctor"),
    ("/api/v1/appointments/?status=bogus", "status"),
    ("/api/v1/inventory/items/?kind=bogus", "kind"),
    ("/api/v1/procedures/?patient=abc", "patient"),
    ("/api/v1/patients/?preferred_hospital=1.5", "preferred_hospital"),
    ("/api/v1/hospitals/?search=%00", "search"),
]


@pytest.mark.parametrize(("url", "param"), BAD_FILTERS)
def test_a_bad_filter_value_answers_400_naming_the_parameter(root_api, url, param):
    body = assert_json_refusal(root_api.get(url))

    assert param in body, body
    assert all(isinstance(message, str) and message for message in body[param])


def test_good_filter_values_still_filter_and_sort(root_api):
    from staff.tests.factories import HospitalFactory

    HospitalFactory(name="Alpha General", is_active=False)
    HospitalFactory(name="Beta General", is_active=True)

    inactive = root_api.get("/api/v1/hospitals/?is_active=false").json()["results"]
    sorted_desc = root_api.get("/api/v1/hospitals/?ordering=-name&page_size=1&page=1").json()["results"]
    last_page = root_api.get("/api/v1/hospitals/?page=last")

    assert [h["name"] for h in inactive] == ["Alpha General"]
    assert sorted_desc[0]["name"] == "Beta General"
    assert last_page.status_code == 200


# --- item 10: types are strict in JSON ---------------------------------------------------------------

ADA = {"first_name": "Ada", "last_name": "Byron", "date_of_birth": "1990-01-01", "sex": "female"}


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("first_name", 123),
        ("first_name", 1.5),
        ("first_name", True),
        ("first_name", ["Ada"]),
        ("preferred_hospital", "+0.5"),
        ("preferred_hospital", "string id"),
        ("sex", 1),
        ("date_of_birth", 19900101),
    ],
)
def test_a_json_value_of_the_wrong_type_is_refused_not_coerced(root_api, field, value):
    from staff.tests.factories import HospitalFactory

    hospital = HospitalFactory()
    if value == "+0.5":
        value = hospital.pk + 0.5  # truncated, this would pick the hospital
    elif value == "string id":
        value = str(hospital.pk)

    body = assert_json_refusal(root_api.post("/api/v1/patients/", {**ADA, field: value}, format="json"))

    assert field in body
    assert not Patient.objects.filter(last_name="Byron").exists()


def test_true_as_an_id_does_not_pick_the_row_with_id_1(root_api):
    from staff.models import Hospital
    from staff.tests.factories import HospitalFactory

    if not Hospital.objects.filter(pk=1).exists():
        HospitalFactory(id=1)

    body = assert_json_refusal(root_api.post("/api/v1/patients/", {**ADA, "preferred_hospital": True}, format="json"))

    assert "preferred_hospital" in body


def test_a_related_id_given_as_a_whole_number_is_accepted(root_api):
    from staff.tests.factories import HospitalFactory

    hospital = HospitalFactory()

    response = root_api.post("/api/v1/patients/", {**ADA, "preferred_hospital": hospital.pk}, format="json")

    assert response.status_code == 201, response.json()
    assert response.json()["preferred_hospital"] == hospital.pk


@pytest.mark.parametrize(
    ("url", "field", "value"),
    [
        ("/api/v1/rooms/", "is_active", "yes"),
        ("/api/v1/rooms/", "is_active", 1.5),
        ("/api/v1/rooms/", "hospital", 0.5),
        ("/api/v1/rooms/", "name", 42),
    ],
)
def test_strict_types_apply_to_every_api_serializer(root_api, url, field, value):
    from staff.tests.factories import HospitalFactory

    hospital = HospitalFactory()
    room = {"hospital": hospital.pk, "name": "Exam 1", "kind": "exam", "is_active": True}
    if field == "hospital":
        value = hospital.pk + value

    body = assert_json_refusal(root_api.post(url, {**room, field: value}, format="json"))

    assert field in body


def test_form_encoded_bodies_keep_reading_numbers_and_ids_from_text(root_api):
    from staff.tests.factories import HospitalFactory

    hospital = HospitalFactory()

    response = root_api.post("/api/v1/patients/", {**ADA, "preferred_hospital": str(hospital.pk)}, format="multipart")

    assert response.status_code == 201, response.json()
    assert response.json()["preferred_hospital"] == hospital.pk


# --- item 6: database connections are not kept per thread unless asked for ---------------------------


def _settings_with_env(monkeypatch, **env):
    import runpy
    from pathlib import Path

    import hms

    monkeypatch.delenv("DATABASE_CONN_MAX_AGE", raising=False)
    monkeypatch.setenv("DATABASE_URL", "mysql://u:p@127.0.0.1:3306/hms")
    monkeypatch.setenv("SECRET_KEY", "test")
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    return runpy.run_path(str(Path(hms.__file__).parent / "settings.py"))


def test_database_connections_close_after_each_request_by_default(monkeypatch):
    settings = _settings_with_env(monkeypatch)

    assert settings["DATABASES"]["default"]["CONN_MAX_AGE"] == 0


def test_database_conn_max_age_is_configurable(monkeypatch):
    settings = _settings_with_env(monkeypatch, DATABASE_CONN_MAX_AGE="60")

    assert settings["DATABASES"]["default"]["CONN_MAX_AGE"] == 60


@pytest.mark.parametrize("raw", ["sixty", "-1", "1.5"])
def test_a_nonsense_database_conn_max_age_fails_loudly(monkeypatch, raw):
    from django.core.exceptions import ImproperlyConfigured

    with pytest.raises(ImproperlyConfigured, match="DATABASE_CONN_MAX_AGE"):
        _settings_with_env(monkeypatch, DATABASE_CONN_MAX_AGE=raw)


# --- item 7: dates are checked for plausibility on every model where they matter ----------------------


def _utc(year, month=1, day=1, hour=12):
    import datetime

    return datetime.datetime(year, month, day, hour, tzinfo=datetime.UTC)


def _refused(call, field):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError) as caught:
        call()
    assert field in caught.value.message_dict, caught.value.message_dict
    return caught.value.message_dict[field]


@pytest.mark.parametrize("received_at", ["1900-06-01T12:00:00Z", "2999-01-01T12:00:00Z"])
def test_a_payment_dated_1900_or_2999_is_refused_through_the_api(root_api, received_at):
    from billing.models import Payment
    from billing.tests.test_api import make_bill

    bill = make_bill()
    body = {"amount": "10.00", "method": "cash", "received_at": received_at}

    response = root_api.post(f"/api/v1/bills/{bill.pk}/payments/", body, format="json")

    assert "received_at" in assert_json_refusal(response)
    assert not Payment.objects.filter(bill=bill).exists()


def test_a_payment_dated_a_few_years_ago_by_the_service_is_refused_only_past_ten_years():
    from decimal import Decimal

    from billing.services import payment_record
    from billing.tests.test_api import make_bill

    bill = make_bill()
    user = UserFactory()

    _refused(
        lambda: payment_record(
            bill=bill, amount=Decimal("5.00"), method="cash", acting_user=user, received_at=_utc(2001)
        ),
        "received_at",
    )
    yesterday = payment_record(bill=bill, amount=Decimal("5.00"), method="cash", acting_user=user)
    assert yesterday.pk


def test_a_refund_dated_in_the_far_future_is_refused():
    from decimal import Decimal

    from billing.services import payment_record, refund_record
    from billing.tests.test_api import make_bill

    bill = make_bill()
    user = UserFactory()
    payment_record(bill=bill, amount=Decimal("50.00"), method="cash", acting_user=user)

    _refused(
        lambda: refund_record(
            bill=bill, amount=Decimal("5.00"), reason="Overcharge", acting_user=user, refunded_at=_utc(2999)
        ),
        "refunded_at",
    )


@pytest.mark.parametrize("valid_from", ["0001-01-01", "9999-01-01", "1901-01-01", "2090-01-01"])
def test_an_insurance_policy_valid_from_year_1_or_9999_is_refused(root_api, valid_from):
    patient = PatientFactory()
    policy = {
        "patient": patient.pk,
        "payer": PayerFactory(name="Aetna").pk,
        "policy_number": "A-1",
        "coverage_percent": "80.00",
        "valid_from": valid_from,
    }

    response = root_api.post("/api/v1/insurance-policies/", policy, format="json")

    assert "valid_from" in assert_json_refusal(response)


def test_an_insurance_policy_ending_in_2150_is_refused_by_the_model():
    import datetime

    from patients.models import InsurancePolicy

    policy = InsurancePolicy(
        patient=PatientFactory(),
        payer=PayerFactory(name="Aetna"),
        policy_number="A-2",
        coverage_percent=80,
        valid_from=datetime.date(2024, 1, 1),
        valid_to=datetime.date(2150, 1, 1),
    )

    assert "too far in the future" in _refused(policy.full_clean, "valid_to")[0]


@pytest.mark.parametrize("start", ["0018-03-01T09:00:00Z", "1990-03-01T09:00:00Z", "2099-03-01T09:00:00Z"])
def test_time_off_in_year_18_or_far_from_today_is_refused(root_api, start):
    doctor = DoctorFactory()
    end = start.replace("T09", "T17")

    response = root_api.post(
        "/api/v1/time-off/", {"doctor": doctor.pk, "start": start, "end": end, "reason": "Away"}, format="json"
    )

    assert "start" in assert_json_refusal(response)


def test_a_shift_and_an_availability_window_far_in_the_past_are_refused():
    import datetime

    from scheduling.models import Availability
    from staff.models import Shift
    from staff.tests.factories import StaffMemberFactory

    member = StaffMemberFactory()
    shift = Shift(staff_member=member, department=member.department, start=_utc(1990, hour=8), end=_utc(1990, hour=16))
    window = Availability(
        doctor=DoctorFactory(),
        weekday=0,
        start_time=datetime.time(9),
        end_time=datetime.time(12),
        valid_from=datetime.date(1990, 1, 1),
    )

    _refused(shift.full_clean, "start")
    _refused(window.full_clean, "valid_from")


def test_an_appointment_start_far_in_the_future_is_refused_by_the_model():
    from scheduling.tests.factories import AppointmentFactory

    appointment = AppointmentFactory.build(start=_utc(2090), end=_utc(2090, hour=13))

    _refused(appointment.full_clean, "start")


@pytest.mark.parametrize(
    ("date_of_birth", "message"),
    [
        ("2150-01-01", "cannot be in the future"),
        ("1880-01-01", "more than 130 years ago"),
        ("2999-01-01", "Enter a date between"),
    ],
)
def test_a_date_of_birth_in_the_future_or_over_130_years_ago_is_refused(root_api, date_of_birth, message):
    body = assert_json_refusal(root_api.post("/api/v1/patients/", {**ADA, "date_of_birth": date_of_birth}))

    assert message in body["date_of_birth"][0]


def test_an_allergy_noted_in_the_future_is_refused(api_as):
    import datetime

    patient = PatientFactory()
    tomorrow = (datetime.date.today() + datetime.timedelta(days=3)).isoformat()
    allergy = {"patient": patient.pk, "substance": "Penicillin", "severity": "severe", "noted_on": tomorrow}

    body = assert_json_refusal(api_as("Nurse").post("/api/v1/allergies/", allergy, format="json"))

    assert "noted_on" in body


def test_a_medical_history_onset_in_the_future_is_refused(make_user):
    import datetime

    from patients.services import medical_history_add

    patient = PatientFactory()
    later = datetime.date.today() + datetime.timedelta(days=30)

    _refused(
        lambda: medical_history_add(
            patient=patient, acting_user=make_user("Nurse"), condition="Asthma", onset_date=later
        ),
        "onset_date",
    )


def test_vitals_recorded_in_the_future_are_refused(make_user):
    import datetime

    from django.utils import timezone

    from clinical.services import vitals_record

    patient = PatientFactory()
    later = timezone.now() + datetime.timedelta(days=5)

    _refused(
        lambda: vitals_record(patient=patient, acting_user=make_user("Nurse"), recorded_at=later, heart_rate=70),
        "recorded_at",
    )


def test_a_batch_expiring_in_2099_is_refused_on_receipt():
    import datetime

    from inventory.services import stock_receive
    from inventory.tests.factories import StoreFactory, SupplyFactory

    store, item = StoreFactory(), SupplyFactory()

    _refused(
        lambda: stock_receive(
            store=store,
            item=item,
            lot_number="L-1",
            expiry_date=datetime.date(2099, 1, 1),
            quantity=5,
            acting_user=UserFactory(),
        ),
        "expiry_date",
    )


# --- pages that take a day in the query string answer a form error, not a 500 (issue 12 lists them) ----

PAGE_DATES = [
    ("Receptionist", "/scheduling/board/?date=9999-12-31"),
    ("Receptionist", "/scheduling/book/?date=9999-12-31"),
    ("Doctor", "/scheduling/my-schedule/?date=9999-12-31"),
    ("Patient", "/scheduling/my-appointments/book/?date=9999-12-31"),
    ("Administrator", "/dashboard/?to=9999-12-31"),
    ("Administrator", "/dashboard/?from=0001-01-01"),
    ("Administrator", "/staff/roster/?week=9999-12-31"),
    ("Billing Clerk", "/billing/?date_to=9999-12-31"),
]


@pytest.mark.parametrize(("role", "url"), PAGE_DATES)
def test_a_page_given_an_out_of_range_day_answers_with_a_message_not_a_500(client, make_user, role, url):
    user = make_user(role)
    if role == "Patient":
        PatientFactory(user=user)
    if role == "Administrator":
        user.is_superuser = True
        user.save()
    client.force_login(user)

    response = client.get(url)

    assert response.status_code in (200, 400), response.status_code
    assert "Enter a date between" in response.content.decode()


@pytest.mark.parametrize(
    "url",
    [
        "/api/v1/inventory/alerts/?hospital=%C2%B2",
        "/api/v1/inventory/alerts/?hospital=99999999999999999999999999",
        "/api/v1/procedures/?patient=1.5",
        "/api/v1/inventory/batches/?hospital=%C2%B2",
    ],
)
def test_an_id_parameter_that_is_not_a_plain_whole_number_answers_400(root_api, url):
    assert_json_refusal(root_api.get(url))


def test_the_admin_refuses_time_off_in_year_18_with_a_form_error(client):
    from scheduling.models import TimeOff

    client.force_login(UserFactory(username="boss", is_staff=True, is_superuser=True))
    doctor = DoctorFactory()
    form = {
        "doctor": doctor.pk,
        "start_0": "0018-03-01",
        "start_1": "09:00",
        "end_0": "0018-03-01",
        "end_1": "17:00",
        "reason": "Away",
    }

    response = client.post("/admin/scheduling/timeoff/add/", form)

    assert response.status_code == 200
    assert "too far in the past" in response.content.decode()
    assert not TimeOff.objects.filter(doctor=doctor).exists()


# --- every list of the router, every filter: junk is a 400 naming the parameter ----------------------


def _list_endpoints():
    from hms.api import router

    for prefix, viewset, _basename in router.registry:
        if getattr(viewset, "filterset_class", None) is not None:
            yield prefix, viewset


def _junk_queries():
    import django_filters

    for prefix, viewset in _list_endpoints():
        url = f"/api/v1/{prefix}/"
        yield pytest.param(url, "ordering", "no_such_field", id=f"{prefix}-ordering")
        yield pytest.param(url, "page_size", "[]", id=f"{prefix}-page_size")
        for name, filter_ in viewset.filterset_class.base_filters.items():
            if isinstance(filter_, django_filters.BooleanFilter):
                yield pytest.param(url, name, "1.5", id=f"{prefix}-{name}")
            elif isinstance(filter_, django_filters.DateFromToRangeFilter):
                yield pytest.param(url, f"{name}_before", "9999-12-31", id=f"{prefix}-{name}_before")
                yield pytest.param(url, f"{name}_after", "0001-01-01", id=f"{prefix}-{name}_after")
            elif isinstance(filter_, (django_filters.DateFilter, django_filters.DateTimeFilter)):
                yield pytest.param(url, name, "9999-12-31", id=f"{prefix}-{name}")
            elif isinstance(filter_, django_filters.NumberFilter):
                yield pytest.param(url, name, "1.5", id=f"{prefix}-{name}")


@pytest.mark.parametrize(("url", "param", "value"), list(_junk_queries()))
def test_every_list_filter_refuses_junk_with_a_400_naming_it(root_api, url, param, value):
    body = assert_json_refusal(root_api.get(url, {param: value}))

    assert param in body, body


FORM_TYPES = ["application/x-www-form-urlencoded", "multipart/form-data; boundary=BoUnDaRy"]


@pytest.mark.parametrize("content_type", FORM_TYPES)
def test_a_form_body_with_too_many_fields_answers_400(root_api, content_type):
    if content_type.startswith("multipart"):
        parts = "".join(f'--BoUnDaRy\r\nContent-Disposition: form-data; name="f{i}"\r\n\r\n1\r\n' for i in range(1500))
        body = parts + "--BoUnDaRy--\r\n"
    else:
        body = "&".join(f"f{i}=1" for i in range(1500))

    response = root_api.generic("POST", "/api/v1/patients/", body, content_type=content_type)

    assert "refused" in assert_json_refusal(response)["detail"]
