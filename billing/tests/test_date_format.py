"""One date format everywhere, the paper a patient or an insurer gets included: 11/29/2026 and 11/29/2026 2:30 PM
(settings.DATE_FORMAT / DATETIME_FORMAT), on each moment's local day."""

import datetime
import zoneinfo
from decimal import Decimal as D

import pytest
from django.template import Context, Template
from django.urls import reverse
from django.utils import timezone

from billing import pdf, services
from billing.tests.factories import BillFactory, BillLineFactory
from patients.tests.factories import InsurancePolicyFactory, PatientFactory

pytestmark = pytest.mark.django_db

EASTERN = zoneinfo.ZoneInfo("America/New_York")
BORN = datetime.date(1961, 7, 4)
# 11:30 PM in Boston on 03/02/2026 is already 03/03/2026 in UTC: the local day is the one shown.
LATE_EVENING = datetime.datetime(2026, 3, 2, 23, 30, tzinfo=EASTERN)


@pytest.fixture
def clerk(make_user):
    return make_user("Billing Clerk")


@pytest.fixture
def claimed_bill(clerk):
    patient = PatientFactory(first_name="Grace", last_name="Hopper", date_of_birth=BORN)
    InsurancePolicyFactory(patient=patient, payer_name="Aetna")
    bill = BillFactory(patient=patient, service_date=datetime.date(2026, 3, 2))
    BillLineFactory(bill=bill, unit_price=D("200.00"))
    bill = services.bill_issue(bill=bill, acting_user=clerk)
    type(bill).objects.filter(pk=bill.pk).update(issued_at=LATE_EVENING)
    claim = services.claim_create(bill=bill, acting_user=clerk)
    claim = services.claim_submit(claim=claim, acting_user=clerk)
    type(claim).objects.filter(pk=claim.pk).update(submitted_at=LATE_EVENING)
    return type(bill).objects.get(pk=bill.pk)


def test_the_claim_document_shows_dates_in_the_house_format(client, clerk, claimed_bill):
    client.force_login(clerk)

    html = client.get(reverse("billing:claim_document", args=[claimed_bill.claim.pk])).content.decode()

    assert "Service date 03/02/2026" in html
    assert "<dd>07/04/1961</dd>" in html  # date of birth
    assert "submitted 03/02/2026 11:30 PM" in html  # the Boston evening, not the UTC morning after
    assert "2026-03-0" not in html and "1961-07-04" not in html


def test_the_invoice_page_and_pdf_show_dates_in_the_house_format(client, clerk, claimed_bill, monkeypatch):
    client.force_login(clerk)
    monkeypatch.setattr(pdf, "PAGE_COMPRESSION", 0)

    html = client.get(reverse("billing:invoice", args=[claimed_bill.pk])).content.decode()
    data = pdf.invoice_pdf(claimed_bill)

    assert "Service date: 03/02/2026" in html and "Issued: 03/02/2026" in html
    assert "Date of birth 07/04/1961" in html
    assert b"Service date: 03/02/2026" in data and b"Issued: 03/02/2026" in data  # not the UTC 03/03
    assert b"Date of birth 07/04/1961" in data


def test_plain_dates_and_the_named_formats_render_the_house_way():
    moment = datetime.datetime(2026, 11, 29, 19, 30, tzinfo=datetime.UTC)  # 2:30 PM in New York
    template = Template(
        "{{ day }}|{{ day|date }}|{{ moment|date:'DATETIME_FORMAT' }}|{{ moment|time }}|{{ moment }}|"
        "{{ day|long_day }}|{{ day|short_day }}|{{ moment|when_tz }}|{{ moment|time_tz }}|{{ iso|as_date|date }}"
    )

    with timezone.override(EASTERN):
        shown = template.render(Context({"day": datetime.date(2026, 11, 29), "moment": moment, "iso": "2026-11-29"}))

    assert shown.split("|") == [
        "11/29/2026",
        "11/29/2026",
        "11/29/2026 2:30 PM",
        "2:30 PM",
        "11/29/2026 2:30 PM",
        "Sunday, 11/29/2026",
        "Sun 11/29/2026",
        "Sun 11/29/2026 2:30 PM EST",
        "2:30 PM EST",
        "11/29/2026",
    ]
