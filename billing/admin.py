"""Back office for billing. Bills, payments, refunds and claims are read-only here (with their full history):
they change only through billing.services, which the admin actions call. Price lists are edited here through
the services too. Nothing is deleted."""

from django.contrib import admin
from django.db.models import Q, Value
from simple_history.admin import SimpleHistoryAdmin

from billing import selectors, services
from billing.models import Bill, BillDailyTotal, BillLine, Claim, MoneyDailyTotal, Payment, PriceListEntry, Refund
from hms.admin import DateRangeFilter, ReadOnlyAdmin, ReadOnlyInline, ReadOnlyRecordAdmin
from hms.db import union_rows
from patients.models import Patient


class BillLineInline(ReadOnlyInline):
    model = BillLine
    fields = ["kind", "code", "description", "quantity", "unit_price", "amount", "reason"]
    readonly_fields = fields


class PaymentInline(ReadOnlyInline):
    model = Payment
    fields = ["received_at", "amount", "method", "reference", "received_by"]
    readonly_fields = fields


class RefundInline(ReadOnlyInline):
    model = Refund
    fields = ["refunded_at", "amount", "reason", "refunded_by"]
    readonly_fields = fields


@admin.register(Bill)
class BillAdmin(ReadOnlyRecordAdmin):
    audit_patient_field = "patient"  # the read audit (hms.access)
    list_display = [
        "number",
        "patient",
        "hospital",
        "service_date",
        "status",
        "total",
        "insurance_covered",
        "patient_due",
        "amount_paid",
        "balance",
    ]
    list_filter = [("created_at", DateRangeFilter), "status", "hospital", ("service_date", DateRangeFilter)]
    list_select_related = ["patient", "hospital"]
    search_fields = ["=number", "=patient__mrn", "^patient__last_name"]
    inlines = [BillLineInline, PaymentInline, RefundInline]
    actions = ["issue_bills", "recalculate_bills"]

    def get_readonly_fields(self, request, obj=None):
        return [f.name for f in self.model._meta.fields]

    def get_search_results(self, request, queryset, search_term):
        """Each word is a bill's exact number, a patient's exact MRN or the start of their last name (as
        ``search_fields`` says). The admin's own OR across the join to patients reads every bill; here one
        query tells which of the ways find someone, and the bills are read for those only: the patient of
        the MRN, or the patients of the name (a subquery MariaDB reads patients first, then their bills along
        (patient, created_at)), or the bill of the number."""
        for term in search_term.split():
            by_mrn = Patient.objects.filter(mrn__iexact=term).order_by()
            by_name = Patient.objects.filter(last_name__istartswith=term).order_by()
            ways = [
                by_mrn.annotate(way=Value("mrn")).values_list("way", "pk")[:1],
                by_name.annotate(way=Value("name")).values_list("way", "pk")[:1],
                Bill.objects.filter(number__iexact=term).annotate(way=Value("number")).values_list("way", "pk")[:1],
            ]
            found = dict(union_rows(ways, all=True))
            condition = Q(pk__in=[])
            if "mrn" in found:
                condition |= Q(patient_id=found["mrn"])
            if "name" in found:
                condition |= Q(patient__in=by_name.values("pk"))
            if "number" in found:
                condition |= Q(pk=found["number"])
            queryset = queryset.filter(condition)
        return queryset, False

    def has_change_permission(self, request, obj=None):
        # The change page shows the bill read-only (all fields are read-only); actions need the permission.
        return request.user.has_perm("billing.change_bill")

    @admin.action(description="Issue the selected draft bills", permissions=["change"])
    def issue_bills(self, request, queryset):
        self.apply_to_each(
            request, queryset, lambda b: services.bill_issue(bill=b, acting_user=request.user), "{count} issued."
        )

    @admin.action(description="Recalculate the totals of the selected bills", permissions=["change"])
    def recalculate_bills(self, request, queryset):
        self.apply_to_each(
            request,
            queryset,
            lambda b: services.bill_recalculate(bill=b, acting_user=request.user),
            "{count} recalculated.",
        )

    def save_model(self, request, obj, form, change):  # pragma: no cover - every field is read-only
        pass


@admin.register(Payment)
class PaymentAdmin(ReadOnlyRecordAdmin):
    audit_patient_field = "bill__patient"  # the read audit (hms.access)
    list_display = ["received_at", "bill", "amount", "method", "reference", "received_by"]
    list_filter = [("received_at", DateRangeFilter), "method"]
    list_select_related = ["bill", "received_by"]
    search_fields = ["=bill__number", "=reference"]


@admin.register(Refund)
class RefundAdmin(ReadOnlyRecordAdmin):
    audit_patient_field = "bill__patient"  # the read audit (hms.access)
    list_display = ["refunded_at", "bill", "amount", "reason", "refunded_by"]
    list_filter = [("refunded_at", DateRangeFilter)]
    list_select_related = ["bill", "refunded_by"]
    search_fields = ["=bill__number"]


@admin.register(BillLine)
class BillLineAdmin(ReadOnlyRecordAdmin):
    audit_patient_field = "bill__patient"  # the read audit (hms.access)
    list_display = ["bill", "kind", "code", "description", "quantity", "unit_price", "amount"]
    list_filter = ["kind"]
    list_select_related = ["bill"]
    search_fields = ["=bill__number", "=code"]


@admin.register(Claim)
class ClaimAdmin(ReadOnlyRecordAdmin):
    audit_patient_field = "bill__patient"  # the read audit (hms.access)
    list_display = ["id", "bill", "policy", "status", "claimed_amount", "approved_amount", "submitted_at"]
    list_filter = [("created_at", DateRangeFilter), "status"]
    list_select_related = ["bill", "policy__payer"]
    search_fields = ["=bill__number", "=policy__policy_number"]
    actions = ["submit_claims", "start_review"]

    @admin.action(description="Submit the selected draft claims", permissions=["change"])
    def submit_claims(self, request, queryset):
        self.apply_to_each(
            request, queryset, lambda c: services.claim_submit(claim=c, acting_user=request.user), "{count} submitted."
        )

    @admin.action(description="Take the selected claims into review", permissions=["change"])
    def start_review(self, request, queryset):
        self.apply_to_each(
            request,
            queryset,
            lambda c: services.claim_start_review(claim=c, acting_user=request.user),
            "{count} taken into review.",
        )

    def has_change_permission(self, request, obj=None):
        return request.user.has_perm("billing.change_claim")

    def get_queryset(self, request):
        # Same rows as everywhere else: an insurer (even one made staff) sees only its payer's claims.
        return selectors.claim_queryset_for(request.user)

    def get_readonly_fields(self, request, obj=None):
        return [f.name for f in self.model._meta.fields]


@admin.register(PriceListEntry)
class PriceListEntryAdmin(SimpleHistoryAdmin):
    list_display = ["hospital", "kind", "code", "description", "unit_price", "active"]
    list_filter = ["hospital", "kind", "active"]
    list_select_related = ["hospital"]
    search_fields = ["code", "description"]
    list_editable = ["unit_price", "active"]

    def get_readonly_fields(self, request, obj=None):
        return ["hospital", "kind", "code"] if obj else []

    def has_delete_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        data = {f: form.cleaned_data[f] for f in form.changed_data}
        if change:
            services.price_list_entry_update(
                entry=obj,
                acting_user=request.user,
                **{k: v for k, v in data.items() if k in services.PRICE_LIST_FIELDS},
            )
        else:
            saved = services.price_list_entry_create(
                acting_user=request.user,
                hospital=obj.hospital,
                kind=obj.kind,
                code=obj.code,
                description=obj.description,
                unit_price=obj.unit_price,
                active=obj.active,
            )
            obj.pk = saved.pk


@admin.register(BillDailyTotal)
class BillDailyTotalAdmin(ReadOnlyAdmin, admin.ModelAdmin):
    """The roll-up (issue 11), read only: ``manage.py rebuild_rollups`` rebuilds it."""

    list_display = ["day", "hospital", "status", "count", "total", "open_count", "open_balance"]
    list_filter = ["status"]
    show_full_result_count = False


@admin.register(MoneyDailyTotal)
class MoneyDailyTotalAdmin(ReadOnlyAdmin, admin.ModelAdmin):
    """The roll-up (issue 11), read only: ``manage.py rebuild_rollups`` rebuilds it."""

    list_display = ["day", "hospital", "kind", "bill_void", "amount"]
    list_filter = ["kind", "bill_void"]
    show_full_result_count = False
