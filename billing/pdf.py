"""The invoice of a bill as a PDF (reportlab): hospital, patient with MRN, lines with codes, insurance,
payments, refunds and the balance. Letter size, standard fonts (nothing to download or embed)."""

import datetime
import io
from xml.sax.saxutils import escape

from django.utils import formats, timezone
from reportlab.lib import colors
from reportlab.lib.pagesizes import LETTER
from reportlab.lib.styles import ParagraphStyle, getSampleStyleSheet
from reportlab.lib.units import inch
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

# Compress the page streams (smaller files). Tests may turn it off to read the text in the bytes.
PAGE_COMPRESSION = 1

GRID = colors.HexColor("#d9e0e8")
HEAD = colors.HexColor("#eef2f6")


def _day(value):
    """A date (or a moment, on its local day) in the house format, as the pages show it (settings.DATE_FORMAT)."""
    if isinstance(value, datetime.datetime):
        value = timezone.localtime(value)
    return formats.date_format(value, "DATE_FORMAT")


def _money(value):
    return f"${value:,.2f}" if value >= 0 else f"-${-value:,.2f}"


def _styles():
    sheet = getSampleStyleSheet()
    return {
        "title": ParagraphStyle("title", parent=sheet["Heading1"], fontSize=18, spaceAfter=4),
        "h2": ParagraphStyle("h2", parent=sheet["Heading2"], fontSize=12, spaceBefore=10, spaceAfter=4),
        "body": ParagraphStyle("body", parent=sheet["BodyText"], fontSize=9.5, leading=12),
        "small": ParagraphStyle("small", parent=sheet["BodyText"], fontSize=8, leading=10, textColor=colors.grey),
    }


def _p(text, style):
    return Paragraph(escape(str(text)).replace("\n", "<br/>"), style)


def _table(rows, widths, *, money_columns=(), bold_last=False):
    table = Table(rows, colWidths=widths, repeatRows=1)
    style = [
        ("FONT", (0, 0), (-1, 0), "Helvetica-Bold", 9),
        ("FONT", (0, 1), (-1, -1), "Helvetica", 9),
        ("BACKGROUND", (0, 0), (-1, 0), HEAD),
        ("LINEBELOW", (0, 0), (-1, -1), 0.5, GRID),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
    ]
    for column in money_columns:
        style.append(("ALIGN", (column, 0), (column, -1), "RIGHT"))
    if bold_last:
        style.append(("FONT", (0, -1), (-1, -1), "Helvetica-Bold", 9))
    table.setStyle(TableStyle(style))
    return table


def _address(obj):
    parts = [obj.address_line1, getattr(obj, "address_line2", ""), f"{obj.city}, {obj.state} {obj.postal_code}"]
    return "\n".join(part for part in parts if part and part.strip(", "))


def invoice_pdf(bill):
    """The PDF bytes of one bill's invoice (a bill from billing.selectors.bill_get_for, lines prefetched)."""
    s = _styles()
    hospital, patient = bill.hospital, bill.patient
    story = []

    header = Table(
        [
            [
                [_p(hospital.name, s["title"]), _p(_address(hospital), s["body"])]
                + ([_p(f"Phone {hospital.phone}", s["body"])] if hospital.phone else []),
                [
                    _p(f"INVOICE {bill.number}", ParagraphStyle("num", parent=s["h2"], alignment=2)),
                    _p(f"Status: {bill.get_status_display()}", ParagraphStyle("st", parent=s["body"], alignment=2)),
                    _p(
                        f"Service date: {_day(bill.service_date)}",
                        ParagraphStyle("sd", parent=s["body"], alignment=2),
                    ),
                ]
                + (
                    [_p(f"Issued: {_day(bill.issued_at)}", ParagraphStyle("is", parent=s["body"], alignment=2))]
                    if bill.issued_at
                    else []
                ),
            ]
        ],
        colWidths=[4 * inch, 3.5 * inch],
    )
    header.setStyle(TableStyle([("VALIGN", (0, 0), (-1, -1), "TOP")]))
    story += [header, Spacer(1, 8)]
    if bill.is_void:
        story.append(_p(f"VOID: {bill.void_reason}", ParagraphStyle("void", parent=s["h2"], textColor=colors.red)))

    story.append(_p("Bill to", s["h2"]))
    story.append(_p(f"{patient.full_name} · MRN {patient.mrn}", s["body"]))
    story.append(_p(f"Date of birth {_day(patient.date_of_birth)}", s["body"]))
    if patient.address_line1:
        story.append(_p(_address(patient), s["body"]))
    if bill.appointment_id:
        story.append(_p(f"Visit with {bill.appointment.doctor}", s["body"]))

    story.append(_p("Charges", s["h2"]))
    rows = [["Code", "Description", "Qty", "Unit price", "Amount"]]
    for line in bill.lines.all():
        description = line.description + (f"\nReason: {line.reason}" if line.reason else "")
        rows.append(
            [line.code, _p(description, s["body"]), str(line.quantity), _money(line.unit_price), _money(line.amount)]
        )
    rows.append(["", "Total", "", "", _money(bill.total)])
    story.append(
        _table(rows, [0.8 * inch, 3.9 * inch, 0.5 * inch, 1.1 * inch, 1.2 * inch], money_columns=(3, 4), bold_last=True)
    )

    story.append(_p("Insurance", s["h2"]))
    claim = getattr(bill, "claim", None)
    if bill.policy_id:
        policy = bill.policy
        story.append(
            _p(
                f"{policy.payer_name}, policy {policy.policy_number}: {policy.coverage_percent:g}% coverage "
                f"after a {_money(policy.copay)} copay.",
                s["body"],
            )
        )
        if claim is not None:
            story.append(_p(f"Claim {claim.pk}: {claim.get_status_display()}.", s["body"]))
    else:
        story.append(_p("No insurance on file for the service date: self-pay.", s["body"]))

    if bill.payments.all() or bill.refunds.all():
        story.append(_p("Payments and refunds", s["h2"]))
        rows = [["Date", "What", "Reference", "Amount"]]
        for payment in bill.payments.all():
            rows.append(
                [
                    f"{_day(payment.received_at)}",
                    f"Payment · {payment.get_method_display()}",
                    payment.reference,
                    _money(payment.amount),
                ]
            )
        for refund in bill.refunds.all():
            rows.append([f"{_day(refund.refunded_at)}", "Refund", refund.reason[:60], _money(-refund.amount)])
        story.append(_table(rows, [1.1 * inch, 2.2 * inch, 2.9 * inch, 1.3 * inch], money_columns=(3,)))

    story.append(_p("Summary", s["h2"]))
    covers = "Insurance covers" if claim and claim.is_adjudicated else "Insurance covers (estimate)"
    summary = [
        ["Total charges", _money(bill.total)],
        [covers, _money(bill.insurance_covered)],
        ["Patient responsibility", _money(bill.patient_due)],
        ["Paid (net of refunds)", _money(bill.amount_paid)],
        ["Balance", _money(bill.balance)],
        ["You owe", _money(bill.patient_balance)],
    ]
    table = Table(summary, colWidths=[2.5 * inch, 1.3 * inch], hAlign="RIGHT")
    table.setStyle(
        TableStyle(
            [
                ("FONT", (0, 0), (-1, -1), "Helvetica", 10),
                ("FONT", (0, -1), (-1, -1), "Helvetica-Bold", 11),
                ("ALIGN", (1, 0), (1, -1), "RIGHT"),
                ("LINEABOVE", (0, -1), (-1, -1), 1, colors.black),
            ]
        )
    )
    story += [table, Spacer(1, 16)]
    story.append(_p(f"Please quote invoice {bill.number} and MRN {patient.mrn} with your payment.", s["small"]))

    buffer = io.BytesIO()
    doc = SimpleDocTemplate(
        buffer,
        pagesize=LETTER,
        leftMargin=0.5 * inch,
        rightMargin=0.5 * inch,
        topMargin=0.6 * inch,
        bottomMargin=0.6 * inch,
        title=f"Invoice {bill.number}",
        author=hospital.name,
        pageCompression=PAGE_COMPRESSION,
    )
    doc.build(story, onFirstPage=_footer, onLaterPages=_footer)
    return buffer.getvalue()


def _footer(canvas, doc):
    canvas.saveState()
    canvas.setFont("Helvetica", 8)
    canvas.setFillColor(colors.grey)
    canvas.drawRightString(LETTER[0] - 0.5 * inch, 0.4 * inch, f"{doc.title} · page {doc.page}")
    canvas.restoreState()
