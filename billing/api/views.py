"""Billing API. Rows come from billing.selectors (a portal patient sees only their own issued bills);
every change goes through billing.services with the requesting user as ``acting_user``. Nothing is deleted.
"""

from django.shortcuts import get_object_or_404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from billing import selectors, services
from billing.api.serializers import (
    AdjudicationSerializer,
    AdjustmentSerializer,
    BillDetailSerializer,
    BillSerializer,
    ClaimDocumentSerializer,
    ClaimSerializer,
    MarkPaidSerializer,
    PaymentCreateSerializer,
    PaymentSerializer,
    PriceListEntrySerializer,
    RefundCreateSerializer,
    RefundSerializer,
    ResubmitSerializer,
    VoidSerializer,
)
from billing.filters import BillFilterSet, ClaimFilterSet, PriceListEntryFilterSet
from billing.models import Bill, Payment
from hms.pagination import KeysetPagination
from hms.viewsets import ReferenceDataViewSet

IDEMPOTENCY_HEADER = OpenApiParameter(
    "Idempotency-Key",
    OpenApiTypes.STR,
    OpenApiParameter.HEADER,
    description="A client-chosen key: repeating the request with the same key records the payment once "
    "(the repeat answers 200 with the first payment).",
)


def _perms(**by_method):
    """@action kwargs: the permissions each HTTP method of the action needs."""
    return {"required_permissions": {method.upper(): list(perms) for method, perms in by_method.items()}}


class BillViewSet(viewsets.ReadOnlyModelViewSet):
    """Bills with their stored totals. A completed appointment creates its draft bill; `issue` freezes the
    lines; `adjustments` corrects with a reason; `void` replaces deletion. Payments and refunds are nested."""

    audit_patient_field = "patient"  # the read audit (hms.access)

    filterset_class = BillFilterSet
    search_fields = ["number", "patient__last_name", "patient__mrn"]
    ordering_fields = ["created_at"]
    ordering = ["-created_at", "-id"]
    pagination_class = KeysetPagination
    keyset_model = Bill
    required_permissions = None

    def get_queryset(self):
        if self.action == "list":
            return selectors.bill_queryset_for(self.request.user)
        return selectors.bill_detail_queryset_for(self.request.user)

    def get_serializer_class(self):
        return BillSerializer if self.action == "list" else BillDetailSerializer

    def _respond(self, bill, code=status.HTTP_200_OK):
        bill = selectors.bill_get_for(self.request.user, bill.pk)
        return Response(BillDetailSerializer(bill, context=self.get_serializer_context()).data, status=code)

    @extend_schema(request=None, responses=BillDetailSerializer)
    @action(detail=True, methods=["post"], **_perms(post=["billing.change_bill"]))
    def issue(self, request, pk=None):
        """Issue a draft bill: its lines are frozen from now on."""
        return self._respond(services.bill_issue(bill=self.get_object(), acting_user=request.user))

    @extend_schema(request=VoidSerializer, responses=BillDetailSerializer)
    @action(detail=True, methods=["post"], **_perms(post=["billing.change_bill"]))
    def void(self, request, pk=None):
        """Void the bill with a reason (refused while money is on it)."""
        serializer = VoidSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        bill = services.bill_void(
            bill=self.get_object(), reason=serializer.validated_data["reason"], acting_user=request.user
        )
        return self._respond(bill)

    @extend_schema(request=AdjustmentSerializer, responses={201: BillDetailSerializer})
    @action(detail=True, methods=["post"], **_perms(post=["billing.change_bill"]))
    def adjustments(self, request, pk=None):
        """Add an adjustment line (negative: discount or write-off) with a reason."""
        serializer = AdjustmentSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        line = services.bill_add_adjustment(
            bill=self.get_object(), acting_user=request.user, **serializer.validated_data
        )
        return self._respond(line.bill, status.HTTP_201_CREATED)

    @extend_schema(methods=["GET"], request=None, responses=PaymentSerializer(many=True))
    @extend_schema(
        methods=["POST"],
        request=PaymentCreateSerializer,
        parameters=[IDEMPOTENCY_HEADER],
        responses={
            201: PaymentSerializer,
            200: OpenApiResponse(PaymentSerializer, description="A repeat of an earlier Idempotency-Key."),
        },
    )
    @action(
        detail=True,
        methods=["get", "post"],
        **_perms(get=["billing.view_payment"], post=["billing.add_payment"]),
    )
    def payments(self, request, pk=None):
        """GET the bill's payments; POST records a (partial) payment, never above the balance."""
        bill = self.get_object()
        if request.method == "GET":
            return self._page(selectors.payment_list(bill=bill), PaymentSerializer)
        serializer = PaymentCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        payment = services.payment_record(
            bill=bill,
            acting_user=request.user,
            idempotency_key=request.headers.get("Idempotency-Key"),
            **serializer.validated_data,
        )
        code = status.HTTP_200_OK if getattr(payment, "replayed", False) else status.HTTP_201_CREATED
        return Response(PaymentSerializer(payment).data, status=code)

    @extend_schema(methods=["GET"], request=None, responses=RefundSerializer(many=True))
    @extend_schema(methods=["POST"], request=RefundCreateSerializer, responses={201: RefundSerializer})
    @action(
        detail=True,
        methods=["get", "post"],
        **_perms(get=["billing.view_refund"], post=["billing.add_refund"]),
    )
    def refunds(self, request, pk=None):
        """GET the bill's refunds; POST gives money back with a reason (not more than was paid)."""
        bill = self.get_object()
        if request.method == "GET":
            return self._page(selectors.refund_list(bill=bill), RefundSerializer)
        serializer = RefundCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        payment_id = data.pop("payment", None)
        payment = get_object_or_404(Payment, pk=payment_id, bill=bill) if payment_id else None
        refund = services.refund_record(bill=bill, payment=payment, acting_user=request.user, **data)
        return Response(RefundSerializer(refund).data, status=status.HTTP_201_CREATED)

    def _page(self, queryset, serializer_class):
        page = self.paginate_queryset(queryset)
        return self.get_paginated_response(serializer_class(page, many=True).data)


class ClaimViewSet(mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet):
    """Insurance claims: draft -> submitted -> in review -> approved / partially approved / denied -> paid.
    Insurers' integrations read claims, take them into review and adjudicate them; a denied claim may be
    resubmitted with a note. Forbidden transitions answer 409."""

    audit_patient_field = "bill__patient"  # the read audit (hms.access)

    serializer_class = ClaimSerializer
    filterset_class = ClaimFilterSet
    ordering_fields = ["created_at"]
    ordering = ["-created_at", "-id"]
    pagination_class = KeysetPagination
    required_permissions = None

    def get_queryset(self):
        return selectors.claim_queryset_for(self.request.user)

    def get_permissions(self):
        if self.action == "create":
            # Claiming a bill is the hospital's side: it needs to reach the bill as well.
            self.required_permissions = {"POST": ["billing.add_claim", "billing.change_bill"]}
        return super().get_permissions()

    def _respond(self, claim, code=status.HTTP_200_OK):
        return Response(self.get_serializer(self.get_queryset().get(pk=claim.pk)).data, status=code)

    def create(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        bill = get_object_or_404(selectors.bill_queryset_for(request.user), pk=data["bill"].pk)
        claim = services.claim_create(bill=bill, policy=data.get("policy"), acting_user=request.user)
        return self._respond(claim, status.HTTP_201_CREATED)

    @extend_schema(request=None, responses=ClaimSerializer)
    @action(detail=True, methods=["post"], **_perms(post=["billing.change_claim", "billing.change_bill"]))
    def submit(self, request, pk=None):
        """Send a draft claim to the insurer (the claimed amount is the policy's share of the bill)."""
        return self._respond(services.claim_submit(claim=self.get_object(), acting_user=request.user))

    @extend_schema(request=None, responses=ClaimSerializer)
    @action(detail=True, methods=["post"], **_perms(post=["billing.change_claim"]))
    def review(self, request, pk=None):
        """The insurer started reviewing a submitted claim."""
        return self._respond(services.claim_start_review(claim=self.get_object(), acting_user=request.user))

    @extend_schema(request=AdjudicationSerializer, responses=ClaimSerializer)
    @action(detail=True, methods=["post"], **_perms(post=["billing.change_claim"]))
    def adjudicate(self, request, pk=None):
        """The insurer's decision with the approved amount and a reason; the bill's totals follow."""
        serializer = AdjudicationSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        claim = services.claim_adjudicate(
            claim=self.get_object(), acting_user=request.user, **serializer.validated_data
        )
        return self._respond(claim)

    @extend_schema(request=MarkPaidSerializer, responses=ClaimSerializer)
    @action(
        detail=True,
        methods=["post"],
        url_path="mark-paid",
        **_perms(post=["billing.change_claim", "billing.add_payment"]),
    )
    def mark_paid(self, request, pk=None):
        """The insurer paid the approved amount: it is recorded as an insurance payment on the bill."""
        serializer = MarkPaidSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        claim = services.claim_mark_paid(claim=self.get_object(), acting_user=request.user, **serializer.validated_data)
        return self._respond(claim)

    @extend_schema(request=ResubmitSerializer, responses=ClaimSerializer)
    @action(detail=True, methods=["post"], **_perms(post=["billing.change_claim", "billing.change_bill"]))
    def resubmit(self, request, pk=None):
        """Send a denied claim again, with a note on what changed."""
        serializer = ResubmitSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        claim = services.claim_resubmit(
            claim=self.get_object(), note=serializer.validated_data["note"], acting_user=request.user
        )
        return self._respond(claim)

    @extend_schema(request=None, responses=ClaimDocumentSerializer)
    @action(detail=True, methods=["get"], **_perms(get=["billing.view_claim"]))
    def document(self, request, pk=None):
        """The claim document an insurer needs: patient, policy, provider, doctor, diagnoses, lines, totals.
        Insurers get the minimum necessary (no MRN or sex); hospital staff also get the patient's MRN and sex."""
        return Response(selectors.claim_document(self.get_object(), user=request.user))


class PriceListEntryViewSet(ReferenceDataViewSet):
    """Each hospital's prices by kind and code. Entries are deactivated (active=false), never deleted."""

    serializer_class = PriceListEntrySerializer
    filterset_class = PriceListEntryFilterSet
    search_fields = ["code", "description"]
    ordering_fields = ["code", "kind", "unit_price"]

    def get_queryset(self):
        return selectors.price_list_queryset_for(self.request.user)

    def perform_create(self, serializer):
        serializer.instance = services.price_list_entry_create(
            acting_user=self.request.user, **serializer.validated_data
        )

    def perform_update(self, serializer):
        serializer.instance = services.price_list_entry_update(
            entry=serializer.instance, acting_user=self.request.user, **serializer.validated_data
        )
