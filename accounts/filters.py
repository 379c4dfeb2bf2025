from accounts.models import ApiToken
from hms.filters import FilterSet


class ApiTokenFilterSet(FilterSet):
    class Meta:
        model = ApiToken
        fields = ["user"]
