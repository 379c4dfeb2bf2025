"""Inventory API: stores, batches, the read-only ledger, alerts and dispensing (the catalog's items are
catalog/api, equipment scheduling/api, under the same /api/v1/inventory/ URLs as before).

Every change goes through inventory.services with the requesting user as ``acting_user``; nothing is
deleted (stores are deactivated; the ledger is append-only).
"""

from django.core.exceptions import ValidationError
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.generics import get_object_or_404
from rest_framework.response import Response
from rest_framework.views import APIView

from clinical.selectors import prescription_queryset_for
from hms.pagination import KeysetPagination, StandardPagination
from hms.permissions import action_permissions
from hms.validators import parse_id
from hms.viewsets import ReferenceDataViewSet
from inventory import selectors, services
from inventory.api.serializers import (
    AdjustSerializer,
    AlertSerializer,
    BatchSerializer,
    DispenseContextSerializer,
    DispenseResultSerializer,
    DispenseSerializer,
    ReceiveSerializer,
    ReturnSerializer,
    StockMovementSerializer,
    StoreSerializer,
    TransferSerializer,
)
from inventory.filters import (
    BatchFilterSet,
    StockMovementFilterSet,
    StoreFilterSet,
)
from staff.models import Hospital

MOVE_STOCK = "inventory.add_stockmovement"
REFUSALS = {
    400: OpenApiResponse(description="Malformed input; the message says what to fix."),
    409: OpenApiResponse(description="Refused in the current state (not enough stock, expired ...); nothing saved."),
}


class StoreViewSet(ReferenceDataViewSet):
    """Pharmacies and supply rooms. `receive` takes a delivery in; `write-off-expired` clears expired stock."""

    queryset = selectors.store_list()
    serializer_class = StoreSerializer
    filterset_class = StoreFilterSet
    ordering_fields = ["name", "code"]
    save_service = staticmethod(services.store_save)

    @extend_schema(request=ReceiveSerializer, responses={201: BatchSerializer, **REFUSALS})
    @action(detail=True, methods=["post"], **action_permissions(MOVE_STOCK))
    def receive(self, request, pk=None):
        """Receive a delivery into this store: a batch (lot) with its expiry date."""
        serializer = ReceiveSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        data["store"] = self.get_object()
        batch = services.stock_receive(acting_user=request.user, **data)
        return Response(BatchSerializer(selectors.batch_list().get(pk=batch.pk)).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=None, responses=StockMovementSerializer(many=True))
    @action(detail=True, methods=["post"], url_path="write-off-expired", **action_permissions(MOVE_STOCK))
    def write_off_expired(self, request, pk=None):
        """Write off what is left of every expired batch in this store."""
        movements = services.stock_write_off_expired(store=self.get_object(), acting_user=request.user)
        rows = selectors.movement_list().filter(pk__in=[m.pk for m in movements])
        return Response(StockMovementSerializer(rows, many=True).data)


class BatchViewSet(mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet):
    """Batches (lots) with their stock on hand, soonest expiry first. POST receives a delivery (give `store`).
    `transfer`, `adjust` and `return` write ledger rows; quantities never change otherwise."""

    queryset = selectors.batch_list()
    serializer_class = BatchSerializer
    filterset_class = BatchFilterSet
    ordering_fields = ["expiry_date", "lot_number", "quantity_on_hand"]
    required_permissions = {"GET": ["inventory.view_batch"], "HEAD": ["inventory.view_batch"],
                            "OPTIONS": ["inventory.view_batch"], "POST": [MOVE_STOCK]}

    @extend_schema(request=ReceiveSerializer, responses={201: BatchSerializer, **REFUSALS})
    def create(self, request, *args, **kwargs):
        serializer = ReceiveSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        if data.get("store") is None:
            raise ValidationError({"store": "Choose the store receiving the delivery."})
        batch = services.stock_receive(acting_user=request.user, **data)
        return Response(BatchSerializer(self.get_queryset().get(pk=batch.pk)).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=TransferSerializer, responses={200: StockMovementSerializer(many=True), **REFUSALS})
    @action(detail=True, methods=["post"], **action_permissions(MOVE_STOCK))
    def transfer(self, request, pk=None):
        """Move units of this batch to another store (a transfer out here, a transfer in there)."""
        serializer = TransferSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        moves = services.stock_transfer(batch=self.get_object(), acting_user=request.user, **serializer.validated_data)
        rows = selectors.movement_list().filter(pk__in=[m.pk for m in moves]).order_by("pk")
        return Response(StockMovementSerializer(rows, many=True).data)

    @extend_schema(request=AdjustSerializer, responses={201: StockMovementSerializer, **REFUSALS})
    @action(detail=True, methods=["post"], **action_permissions(MOVE_STOCK))
    def adjust(self, request, pk=None):
        """Correct this batch by a signed number of units, with a reason."""
        serializer = AdjustSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        movement = services.stock_adjust(batch=self.get_object(), acting_user=request.user, **serializer.validated_data)
        return Response(StockMovementSerializer(movement).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=ReturnSerializer, responses={201: StockMovementSerializer, **REFUSALS})
    @action(detail=True, methods=["post"], url_path="return", **action_permissions(MOVE_STOCK))
    def return_stock(self, request, pk=None):
        """Take units back into this batch (e.g. unused medication of a prescription), with a reason."""
        serializer = ReturnSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        prescription_id = data.pop("prescription", None)
        prescription = None
        if prescription_id is not None:
            prescription = get_object_or_404(prescription_queryset_for(request.user), pk=prescription_id)
        movement = services.stock_return(
            batch=self.get_object(), prescription=prescription, acting_user=request.user, **data
        )
        return Response(StockMovementSerializer(movement).data, status=status.HTTP_201_CREATED)


class StockMovementViewSet(viewsets.ReadOnlyModelViewSet):
    """The stock ledger, newest first. Read only: movements are never changed or deleted."""

    audit_patient_field = "prescription__patient"  # the read audit (hms.access)

    queryset = selectors.movement_list()
    serializer_class = StockMovementSerializer
    filterset_class = StockMovementFilterSet
    ordering_fields = ["created_at"]
    ordering = ["-created_at", "-id"]
    pagination_class = KeysetPagination


class AlertViewSet(viewsets.ViewSet):
    """Low stock (at or below the reorder level, per item and store) and expiry alerts (expired, or
    expiring within `days` days, 30 by default)."""

    required_permissions = {"*": ["inventory.view_batch"]}
    pagination_class = StandardPagination

    @extend_schema(
        parameters=[
            OpenApiParameter(
                "days",
                {"type": "integer", "minimum": 0, "maximum": 3650},
                description="Expiring within this many days (default 30).",
            ),
            OpenApiParameter("hospital", OpenApiTypes.INT, description="Only this hospital's stores."),
        ],
        responses=AlertSerializer(many=True),
    )
    def list(self, request):
        params = request.query_params
        try:
            days = int(params.get("days", selectors.DEFAULT_ALERT_DAYS))
        except ValueError:
            days = -1
        if not 0 <= days <= 3650:
            raise ValidationError({"days": "Enter a whole number of days from 0 to 3650."})
        hospital = None
        if params.get("hospital"):
            hospital_id = parse_id(params["hospital"])
            hospital = Hospital.objects.filter(pk=hospital_id).first() if hospital_id else None
            if hospital is None:
                raise ValidationError({"hospital": "Unknown hospital."})
        alerts = selectors.inventory_alerts(days=days, hospital=hospital)
        paginator = self.pagination_class()
        page = paginator.paginate_queryset(alerts, request, view=self)
        return paginator.get_paginated_response(AlertSerializer(page, many=True).data)


class PrescriptionDispenseView(APIView):
    """GET: what the pharmacist sees before dispensing (allergies, what is left, a first-expiry-first-out
    proposal; `?store=` a pharmacy). POST: dispense, in full or in part, FEFO or from chosen batches."""

    required_permissions = {
        "GET": ["clinical.view_prescription", "inventory.view_batch"],
        "POST": ["clinical.view_prescription", MOVE_STOCK],
    }

    def _prescription(self, request, pk):
        qs = prescription_queryset_for(request.user).select_related("record__appointment", "record__patient")
        return get_object_or_404(qs, pk=pk)

    @extend_schema(
        parameters=[OpenApiParameter("store", OpenApiTypes.INT, description="The pharmacy (default: the first).")],
        responses=DispenseContextSerializer,
    )
    def get(self, request, pk):
        prescription = self._prescription(request, pk)
        store = None
        if request.query_params.get("store"):
            raw = request.query_params["store"]
            store = selectors.store_list().filter(pk=parse_id(raw)).first() if parse_id(raw) else None
            if store is None:
                raise ValidationError({"store": "Unknown store."})
        context = selectors.prescription_dispense_context(prescription, store=store)
        return Response(DispenseContextSerializer(context, context={"request": request}).data)

    @extend_schema(request=DispenseSerializer, responses={201: DispenseResultSerializer, **REFUSALS})
    def post(self, request, pk):
        prescription = self._prescription(request, pk)
        serializer = DispenseSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        batches = [(line["batch"], line["quantity"]) for line in data.get("batches") or []]
        result = services.prescription_dispense(
            prescription=prescription,
            store=data["store"],
            quantity=data.get("quantity"),
            batches=batches or None,
            acting_user=request.user,
        )
        result.movements = list(selectors.movement_list().filter(pk__in=[m.pk for m in result.movements]))
        data = DispenseResultSerializer(result, context={"request": request}).data
        return Response(data, status=status.HTTP_201_CREATED)
