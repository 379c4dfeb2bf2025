from django.urls import path

from billing import views

app_name = "billing"
urlpatterns = [
    # Billing staff (and the front desk for viewing and payments)
    path("", views.outstanding_view, name="outstanding"),
    path("bills/<int:pk>/", views.bill_detail_view, name="bill_detail"),
    path("bills/<int:pk>/payments/", views.payment_record_view, name="payment_record"),
    path("bills/<int:pk>/refunds/", views.refund_record_view, name="refund_record"),
    path("bills/<int:pk>/issue/", views.bill_issue_view, name="bill_issue"),
    path("bills/<int:pk>/void/", views.bill_void_view, name="bill_void"),
    path("bills/<int:pk>/adjustments/", views.bill_adjust_view, name="bill_adjust"),
    path("bills/<int:pk>/claim/", views.claim_create_view, name="claim_create"),
    path("bills/<int:pk>/invoice/", views.invoice_view, name="invoice"),
    path("bills/<int:pk>/invoice.pdf", views.invoice_pdf_view, name="invoice_pdf"),
    path("claims/", views.claims_queue_view, name="claims_queue"),
    path("claims/<int:pk>/submit/", views.claim_submit_view, name="claim_submit"),
    path("claims/<int:pk>/review/", views.claim_review_view, name="claim_review"),
    path("claims/<int:pk>/adjudicate/", views.claim_adjudicate_view, name="claim_adjudicate"),
    path("claims/<int:pk>/mark-paid/", views.claim_mark_paid_view, name="claim_mark_paid"),
    path("claims/<int:pk>/resubmit/", views.claim_resubmit_view, name="claim_resubmit"),
    path("claims/<int:pk>/document/", views.claim_document_view, name="claim_document"),
    # Patient portal
    path("my-bills/", views.portal_bills_view, name="portal_bills"),
    path("my-bills/<int:pk>/", views.portal_invoice_view, name="portal_invoice"),
    path("my-bills/<int:pk>/invoice.pdf", views.portal_invoice_pdf_view, name="portal_invoice_pdf"),
]
