from billing.api import views


def register(router):
    router.register("bills", views.BillViewSet, basename="bills")
    router.register("claims", views.ClaimViewSet, basename="claims")
    router.register("price-list", views.PriceListEntryViewSet, basename="price-list")
