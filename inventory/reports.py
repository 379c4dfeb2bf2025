"""Inventory reports (see hms.reporting): stock value, low stock, expiry and consumption."""

from django.db.models import DecimalField, ExpressionWrapper, F, Sum

from hms.reporting import as_date, day_bounds, money, report_tz, trunc
from inventory.choices import StockMovementKind
from inventory.models import Batch, StockMovement
from inventory.selectors import DEFAULT_ALERT_DAYS, expiring_batches, low_stock_rules


def inventory(*, date_from, date_to, hospital=None, department=None, period="month", today=None):
    """Sections:
    - ``stock_value`` per store: sum of quantity on hand x unit cost over its batches (now).
    - ``low_stock``: items at or below their reorder level in a store (now; unexpired stock counts).
    - ``expiring``: batches with stock expired or expiring within 30 days (now).
    - ``consumption``: units dispensed per item and period between the dates (dispense movements).
    Stores belong to hospitals, not departments: the department filter does not apply. Four queries.
    """
    rows = []
    batches = Batch.objects.order_by()
    if hospital is not None:
        batches = batches.filter(store__hospital=hospital)
    value = ExpressionWrapper(
        F("quantity_on_hand") * F("unit_cost"), output_field=DecimalField(max_digits=14, decimal_places=2)
    )
    for row in (
        batches.values("store__hospital__code", "store__code", "store__name")
        .annotate(units=Sum("quantity_on_hand"), value=Sum(value))
        .order_by("store__hospital__code", "store__code")
    ):
        rows.append(
            {
                "section": "stock_value",
                "store": f"{row['store__hospital__code']}/{row['store__code']}",
                "quantity": row["units"],
                "value": money(row["value"]),
                "detail": row["store__name"],
            }
        )
    for rule in low_stock_rules(hospital=hospital, today=today):
        rows.append(
            {
                "section": "low_stock",
                "store": f"{rule.store.hospital.code}/{rule.store.code}",
                "item": rule.item.code,
                "quantity": rule.on_hand,
                "detail": f"{rule.item.name}: reorder level {rule.reorder_level}, reorder {rule.reorder_quantity}",
            }
        )
    for batch in expiring_batches(days=DEFAULT_ALERT_DAYS, hospital=hospital, today=today):
        rows.append(
            {
                "section": "expiring",
                "store": f"{batch.store.hospital.code}/{batch.store.code}",
                "item": batch.item.code,
                "quantity": batch.quantity_on_hand,
                "value": money(batch.quantity_on_hand * batch.unit_cost),
                "detail": f"lot {batch.lot_number} expires {batch.expiry_date.isoformat()}",
            }
        )
    tz = report_tz(hospital)
    start, end = day_bounds(date_from, date_to, tz)
    moves = StockMovement.objects.filter(kind=StockMovementKind.DISPENSE, created_at__gte=start, created_at__lt=end)
    if hospital is not None:
        moves = moves.filter(batch__store__hospital=hospital)
    for row in (
        moves.annotate(p=trunc(period, "created_at", tz))
        .values("p", "batch__item__code", "batch__item__name")
        .annotate(units=Sum("quantity"))
        .order_by("p", "batch__item__code")
    ):
        rows.append(
            {
                "section": "consumption",
                "period": as_date(row["p"]),
                "item": row["batch__item__code"],
                "quantity": -row["units"],
                "detail": row["batch__item__name"],
            }
        )
    return rows
