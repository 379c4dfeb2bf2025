"""The invoice PDF: a real PDF of the bill (number, MRN, codes, totals) and the download through the pages."""

import base64
import re
import zlib
from decimal import Decimal

import pytest
from django.urls import reverse

from billing import pdf, services
from billing.choices import PaymentMethod
from billing.selectors import bill_get_for
from billing.tests.factories import BillFactory, BillLineFactory
from patients.tests.factories import InsurancePolicyFactory, PatientFactory
from staff.tests.factories import HospitalFactory

pytestmark = pytest.mark.django_db

D = Decimal


def page_text(data):
    """The text drawn on the pages: every stream, decoded (ASCII85, then Flate) when compressed."""
    chunks = []
    for header, stream in re.findall(rb"<<(.*?)>>\s*stream\r?\n(.*?)\s*endstream", data, re.S):
        header = header.rsplit(b"<<", 1)[-1]  # the dictionary of this stream only
        if b"/ASCII85Decode" in header:
            stream = base64.a85decode(stream.strip().removesuffix(b"~>"))
        if b"/FlateDecode" in header:
            stream = zlib.decompress(stream)
        chunks.append(stream)
    return b"\n".join(chunks)


def page_count(data):
    return len(re.findall(rb"/Type\s*/Page(?![s\w])", data))


@pytest.fixture
def clerk(make_user):
    return make_user("Billing Clerk")


@pytest.fixture
def bill(clerk):
    hospital = HospitalFactory(name="Boston General", code="BOS")
    patient = PatientFactory(first_name="Ada", last_name="Lovelace")
    InsurancePolicyFactory(patient=patient, payer_name="Aetna", coverage_percent=D("80.00"), copay=D("25.00"))
    bill = BillFactory(hospital=hospital, patient=patient)
    BillLineFactory(bill=bill, code="93000", description="Electrocardiogram", unit_price=D("1225.00"))
    BillLineFactory(bill=bill, code="80053", description="Comprehensive metabolic panel", unit_price=D("60.50"))
    bill = services.bill_issue(bill=bill, acting_user=clerk)
    services.payment_record(bill=bill, amount=D("25.00"), method=PaymentMethod.CARD, acting_user=clerk)
    return bill_get_for(clerk, bill.pk)


def test_the_invoice_is_a_one_page_pdf_with_the_bill_number_codes_and_totals(bill):
    data = pdf.invoice_pdf(bill)

    assert data.startswith(b"%PDF-")
    assert data.rstrip().endswith(b"%%EOF")
    assert page_count(data) == 1
    text = page_text(data)
    for expected in (
        bill.number,
        f"MRN {bill.patient.mrn}",
        "Boston General",
        "93000",
        "80053",
        "Aetna",
        "$1,285.50",  # total
        "$1,008.40",  # insurance: (1285.50 - 25) x 80%
        "$1,260.50",  # balance after the $25 copay
        "$277.10",  # patient due
        "$252.10",  # what the patient still owes: the due less the $25 paid
    ):
        assert expected.encode() in text, expected


def test_uncompressed_output_holds_the_same_text(bill, monkeypatch):
    monkeypatch.setattr(pdf, "PAGE_COMPRESSION", 0)

    data = pdf.invoice_pdf(bill)

    assert b"/FlateDecode" not in data
    assert bill.number.encode() in data and b"$1,285.50" in data


def test_a_long_bill_runs_onto_more_pages(bill, clerk):
    for n in range(60):
        services.bill_add_adjustment(bill=bill, amount=D("1.00"), reason=f"Missed supply {n}", acting_user=clerk)

    data = pdf.invoice_pdf(bill_get_for(clerk, bill.pk))

    assert page_count(data) >= 2
    assert b"Missed supply 59" in page_text(data)


def test_the_download_is_the_same_invoice_as_an_attachment(client, clerk, bill):
    client.force_login(clerk)

    response = client.get(reverse("billing:invoice_pdf", args=[bill.pk]))

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == f'attachment; filename="invoice-{bill.number}.pdf"'
    assert bill.number.encode() in page_text(response.content)
    assert b"$1,260.50" in page_text(response.content)


def test_a_void_bill_says_so_on_the_invoice(clerk):
    bill = BillFactory()
    BillLineFactory(bill=bill)
    bill = services.bill_issue(bill=bill, acting_user=clerk)
    services.bill_void(bill=bill, reason="Billed twice", acting_user=clerk)

    text = page_text(pdf.invoice_pdf(bill_get_for(clerk, bill.pk)))

    assert b"VOID: Billed twice" in text
