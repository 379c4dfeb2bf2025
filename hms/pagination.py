from rest_framework.exceptions import ValidationError
from rest_framework.pagination import PageNumberPagination


def _positive_int_param(request, name):
    """The whole number in ?name=, or None when absent; a 400 naming the parameter when it is not one."""
    raw = request.query_params.get(name)
    if raw is None or raw == "":
        return None
    value = raw.strip()
    if not value.isascii() or not value.isdigit() or int(value) < 1:
        raise ValidationError({name: [f"Enter a whole number of 1 or more, not {raw[:50]!r}."]})
    return int(value)


class StandardPagination(PageNumberPagination):
    """50 rows a page by default; clients may ask for up to 200 with ?page_size= (more is capped at 200).

    ``page`` and ``page_size`` are strict: anything but a whole number in range is a 400 naming
    the parameter (a page past the last one is a 404, as in DRF).
    """

    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 200

    def get_page_size(self, request):
        size = _positive_int_param(request, self.page_size_query_param)
        return self.page_size if size is None else min(size, self.max_page_size)

    def paginate_queryset(self, queryset, request, view=None):
        if request.query_params.get(self.page_query_param) not in self.last_page_strings:
            _positive_int_param(request, self.page_query_param)
        return super().paginate_queryset(queryset, request, view)
