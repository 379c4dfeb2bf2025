"""Pagination of the API and the staff pages.

Two kinds of list:

- **Reference lists** (hospitals, staff, catalogs, items, ...) stay small: ``StandardPagination``,
  numbered pages (``?page=``) with a ``count``.
- **Lists that grow** (appointments, patients, records, bills, movements, a patient's timeline,
  ...) page by **keyset** (cursor): ``KeysetPagination``. ``?cursor=`` is an opaque token,
  the answer is ``{"next", "previous", "results"}`` and carries no ``count``: counting a table
  of a million rows on every request costs more than the page itself. Jumping to any row is as
  cheap as the first page.

How a keyset page is read (``keyset_page``): the list's ordering is completed with ``id`` so
every row has one place (appointments tie on ``start`` by the hundred); the page's keys are
selected from the base table alone (``WHERE (start, id) > (cursor) ORDER BY start, id
LIMIT n+1``: an index range scan, no joins, no filesort), then the rows themselves are fetched by
primary key with the list's ``select_related``/``prefetch_related`` and put back in key order.

DRF's own ``CursorPagination`` keys on the first ordering field only and resolves ties by an
offset (capped at 1,000, which hundreds of 09:00 appointments exceed); ``KeysetPagination``
subclasses it for its response shape, schema and link building, and replaces the position with
the whole key.

For the benchmark and tests, ``cursor_for_row(view_class, {"start": ..., "id": ...})`` answers
the ``?cursor=`` token of the page that begins just after that row.
"""

import base64
import binascii
import datetime
import decimal
import json
from dataclasses import dataclass

from django.core.exceptions import ImproperlyConfigured
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import connection
from django.db.models import Q
from django.utils.encoding import force_str
from rest_framework.exceptions import ValidationError
from rest_framework.pagination import CursorPagination, PageNumberPagination
from rest_framework.response import Response
from rest_framework.utils.urls import replace_query_param

MAX_PAGE_SIZE = 200
DEFAULT_PAGE_SIZE = 50
CURSOR_PARAM = "cursor"
INVALID_CURSOR = "This cursor is not valid here; start again from the first page (leave out ?cursor=)."


def count_at_most(queryset, cap):
    """How many rows ``queryset`` has, counting at most ``cap + 1`` of them
    (``SELECT COUNT(*) FROM (SELECT id ... LIMIT cap + 1)``): a total shown over a table that grows
    costs an index range of bounded length. More than ``cap`` means "cap+"."""
    return queryset.order_by().values("pk")[: cap + 1].count()


def _note_page(request, view, rows):
    """The read audit of an API list page: the viewset's ``audit_patient_field`` finds each row's patient."""
    if view is not None and rows:
        from hms.access import note_rows
        from hms.access_models import AccessKind

        note_rows(request, view, rows, kind=AccessKind.API_LIST)


def _positive_int_param(request, name):
    """The whole number in ?name=, or None when absent; a 400 naming the parameter when it is not one."""
    raw = request.query_params.get(name) if hasattr(request, "query_params") else request.GET.get(name)
    if raw is None or raw == "":
        return None
    value = raw.strip()
    if not value.isascii() or not value.isdigit() or int(value) < 1:
        raise ValidationError({name: [f"Enter a whole number of 1 or more, not {raw[:50]!r}."]})
    return int(value)


class StandardPagination(PageNumberPagination):
    """Reference lists: 50 rows a page by default; clients may ask for up to 200 with ?page_size=
    (more is capped at 200).

    ``page`` and ``page_size`` are strict: anything but a whole number in range is a 400 naming
    the parameter (a page past the last one is a 404, as in DRF).
    """

    page_size = DEFAULT_PAGE_SIZE
    page_size_query_param = "page_size"
    max_page_size = MAX_PAGE_SIZE

    def get_page_size(self, request):
        size = _positive_int_param(request, self.page_size_query_param)
        return self.page_size if size is None else min(size, self.max_page_size)

    def paginate_queryset(self, queryset, request, view=None):
        if request.query_params.get(self.page_query_param) not in self.last_page_strings:
            _positive_int_param(request, self.page_query_param)
        page = super().paginate_queryset(queryset, request, view)
        _note_page(request, view, page)
        return page


# --- the keyset ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Key:
    """One term of a keyset ordering: the column (attname), its direction and the model field."""

    name: str
    descending: bool
    field: object

    @property
    def term(self):
        return f"-{self.name}" if self.descending else self.name

    def reversed(self):
        return Key(self.name, not self.descending, self.field)


class CursorError(Exception):
    """A cursor that cannot be read, or belongs to another ordering."""


def _term_name(term):
    if not isinstance(term, str):
        raise ImproperlyConfigured(f"A keyset ordering takes field names, not {term!r}.")
    return term[1:] if term.startswith("-") else term


def ordering_keys(model, terms):
    """The keyset of ``terms`` (field names, "-" for descending) on ``model``, completed with the
    primary key so that it is a total order. A foreign key orders by its column (``patient`` ->
    ``patient_id``), never by the related model's ordering (that would join)."""
    keys = []
    for term in terms:
        name = _term_name(term)
        if name == "?" or "__" in name:
            raise ImproperlyConfigured(f"{model.__name__}: a keyset cannot order by {term!r}.")
        field = model._meta.pk if name == "pk" else model._meta.get_field(name)
        if field.is_relation and not field.many_to_one and not field.one_to_one:
            raise ImproperlyConfigured(f"{model.__name__}: a keyset cannot order by {term!r}.")
        key = Key(field.attname, term.startswith("-"), field)
        if key.name not in {k.name for k in keys}:
            keys.append(key)
        if field.primary_key:
            return keys
    return [*keys, Key(model._meta.pk.attname, keys[-1].descending if keys else False, model._meta.pk)]


def queryset_keys(queryset):
    """The keyset of a queryset's own ordering (its order_by, else its model's Meta.ordering)."""
    terms = list(queryset.query.order_by)
    if not terms and queryset.query.default_ordering:
        terms = list(queryset.model._meta.ordering)
    return ordering_keys(queryset.model, terms)


def _after(key, value):
    """Rows that sort strictly after ``value`` on ``key`` (MariaDB: NULL first ascending, last descending)."""
    if value is None:
        return Q(**{f"{key.name}__isnull": False}) if not key.descending else Q(pk__in=[])
    q = Q(**{f"{key.name}__{'lt' if key.descending else 'gt'}": value})
    if key.descending and key.field.null:
        q |= Q(**{f"{key.name}__isnull": True})
    return q


def _equal(key, value):
    return Q(**{f"{key.name}__isnull": True}) if value is None else Q(**{key.name: value})


def keyset_after(keys, values):
    """WHERE of the rows after the row with ``values`` in the ``keys`` order, written so that the
    leading key bounds an index range: ``k1 >= v1 AND (k1 > v1 OR (k1 = v1 AND k2 > v2) ...)``."""
    condition = Q()
    for i in reversed(range(len(keys))):
        later = _after(keys[i], values[i])
        condition = later if i == len(keys) - 1 else later | (_equal(keys[i], values[i]) & condition)
    lead, value = keys[0], values[0]
    if value is not None and not lead.field.null:
        return Q(**{f"{lead.name}__{'lte' if lead.descending else 'gte'}": value}) & condition
    return (_after(lead, value) | _equal(lead, value)) & condition


def keyset_page(queryset, keys, *, size, position=None, backwards=False):
    """Up to ``size`` rows of ``queryset`` in ``keys`` order, just after ``position`` (a tuple of key
    values, None for the start) or, ``backwards``, just before it.

    Answers (rows, key values of each row, whether more rows lie beyond the page in the direction
    read). The keys are read from the base table alone (joins only where the list's filters need
    them), the rows by primary key in a second query with the list's select/prefetch_related.
    """
    walk = [key.reversed() for key in keys] if backwards else keys
    base = queryset.select_related(None).prefetch_related(None).order_by(*[key.term for key in walk])
    if position is not None:
        base = base.filter(keyset_after(walk, position))
    key_rows = list(base.values_list(*[key.name for key in keys])[: size + 1])
    more = len(key_rows) > size
    key_rows = key_rows[:size]
    if backwards:
        key_rows.reverse()
    pk_index = len(keys) - 1
    by_pk = {row.pk: row for row in queryset.order_by().filter(pk__in=[k[pk_index] for k in key_rows])}
    pairs = [(by_pk[k[pk_index]], k) for k in key_rows if k[pk_index] in by_pk]
    return [row for row, _ in pairs], [k for _, k in pairs], more


# --- the token ---------------------------------------------------------------------------------


def _dump(value):
    if isinstance(value, (datetime.datetime, datetime.date, datetime.time)):
        return value.isoformat()  # all six digits of the microseconds: a tie broken by them stays broken
    if isinstance(value, decimal.Decimal):
        return str(value)
    return value


def encode_cursor(keys, values, backwards=False):
    payload = {"o": [key.term for key in keys], "p": [_dump(v) for v in values]}
    if backwards:
        payload["r"] = 1
    raw = json.dumps(payload, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(keys, token):
    """(position, backwards) from a token made by encode_cursor for these keys; CursorError otherwise."""
    try:
        raw = base64.urlsafe_b64decode(token.strip() + "=" * (-len(token.strip()) % 4))
        payload = json.loads(raw)
    except (binascii.Error, ValueError, UnicodeDecodeError):
        raise CursorError(INVALID_CURSOR) from None
    if not isinstance(payload, dict) or payload.get("o") != [key.term for key in keys]:
        raise CursorError(INVALID_CURSOR)
    values, backwards = payload.get("p"), payload.get("r", 0)
    if not isinstance(values, list) or len(values) != len(keys) or backwards not in (0, 1):
        raise CursorError(INVALID_CURSOR)
    position = []
    for key, value in zip(keys, values, strict=True):
        if value is None and not key.field.null:
            raise CursorError(INVALID_CURSOR)
        if value is not None and not isinstance(value, (str, int, float, bool)):
            raise CursorError(INVALID_CURSOR)
        try:
            value = None if value is None else key.field.to_python(value)
            if isinstance(value, datetime.datetime) and value.tzinfo is None:
                raise CursorError(INVALID_CURSOR)
            if value is not None:
                key.field.run_validators(value)  # an id out of the column's range, a string too long
                key.field.get_db_prep_value(value, connection=connection, prepared=False)
        except (DjangoValidationError, TypeError, ValueError, OverflowError):
            raise CursorError(INVALID_CURSOR) from None
        position.append(value)
    return tuple(position), bool(backwards)


# --- the API paginator -------------------------------------------------------------------------------


def view_keys(view_or_class, model=None):
    """The keyset a cursor view pages by: its ``ordering`` (else its model's Meta.ordering) plus id."""
    model = model or view_model(view_or_class)
    terms = getattr(view_or_class, "ordering", None) or model._meta.ordering
    return ordering_keys(model, [terms] if isinstance(terms, str) else terms)


def view_model(view_or_class):
    queryset = getattr(view_or_class, "queryset", None)
    if queryset is not None:
        return queryset.model
    model = getattr(view_or_class, "keyset_model", None)
    if model is None:
        serializer = getattr(view_or_class, "serializer_class", None)
        model = getattr(getattr(serializer, "Meta", None), "model", None)
    if model is None:
        raise ImproperlyConfigured(f"{view_or_class}: set queryset, keyset_model or a ModelSerializer.")
    return model


def cursor_for_row(view_or_class, row, backwards=False):
    """The ``?cursor=`` token of the page of a cursor list that begins just after ``row`` (a dict of
    the list's ordering fields and ``id``, e.g. ``{"start": datetime, "id": 900000}`` for
    appointments); with ``backwards=True``, the page that ends just before it.

    ``view_or_class`` is an API view (class or instance) paged by KeysetPagination, or a model
    (then its Meta.ordering is used)."""
    if isinstance(view_or_class, type) and hasattr(view_or_class, "_meta"):
        keys = ordering_keys(view_or_class, view_or_class._meta.ordering)
    else:
        keys = view_keys(view_or_class)
    try:
        values = [row[key.name] if key.name in row else row[key.name.removesuffix("_id")] for key in keys]
    except KeyError as exc:
        raise ValueError(f"cursor_for_row needs {[key.name for key in keys]}; missing {exc}.") from None
    values = [getattr(v, "pk", v) for v in values]
    return encode_cursor(keys, values, backwards)


def neighbours(position, backwards, key_rows, more):
    """(position of the previous page, of the next page) around a page read from ``position``;
    None where there is none. A page reached by a cursor always has a way back."""
    if backwards:
        return (key_rows[0] if more and key_rows else None), (key_rows[-1] if key_rows else position)
    following = key_rows[-1] if more and key_rows else None
    if position is None:
        return None, following
    return (key_rows[0] if key_rows else position), following


class KeysetPagination(CursorPagination):
    """Lists that grow: ``?cursor=`` (opaque), ``?page_size=`` (1..200, default 50), answer
    ``{"next", "previous", "results"}`` without a count.

    The order is the view's ``ordering`` (else the model's Meta.ordering) completed with ``id``.
    ``?ordering=`` may name a leading part of it, ascending or all reversed (``-start`` walks the
    appointments newest first); any other order is a 400, since only this one walks an index.
    """

    page_size = DEFAULT_PAGE_SIZE
    page_size_query_param = "page_size"
    max_page_size = MAX_PAGE_SIZE
    cursor_query_param = CURSOR_PARAM
    cursor_query_description = (
        "Opaque position from the `next` or `previous` link of an earlier page; leave out for the first page."
    )
    page_size_query_description = f"Rows per page, 1 to {MAX_PAGE_SIZE} (default {DEFAULT_PAGE_SIZE})."
    ordering = None

    def get_page_size(self, request):
        size = _positive_int_param(request, self.page_size_query_param)
        return self.page_size if size is None else min(size, self.max_page_size)

    def get_keys(self, queryset, view, request):
        """The view's keyset, or all of it reversed when ``?ordering=`` names a leading part of the
        reversed one; a 400 for any other order (it would not walk an index)."""
        own_list = getattr(view, "ordering", None) and queryset.model is view_model(view)
        keys = view_keys(view, queryset.model) if own_list else queryset_keys(queryset)
        if not own_list or not request.query_params.get("ordering"):
            return keys  # a nested list (a bill's payments) keeps its own order
        asked = list(queryset.query.order_by)
        if asked and all(isinstance(term, str) and "__" not in term for term in asked):
            asked = [key.term for key in ordering_keys(queryset.model, asked)][: len(asked)]
            for candidate in (keys, [key.reversed() for key in keys]):
                if asked == [key.term for key in candidate][: len(asked)]:
                    return candidate
        allowed = ", ".join([keys[0].term, keys[0].reversed().term])
        raise ValidationError({"ordering": [f"This list pages by cursor and can be sorted only by: {allowed}."]})

    def paginate_queryset(self, queryset, request, view=None):
        keys = self.get_keys(queryset, view, request)

        def fetch(position, backwards, size):
            return keyset_page(queryset, keys, size=size, position=position, backwards=backwards)

        rows = self.paginate_by(request, keys, fetch)
        _note_page(request, view, rows)
        return rows

    def paginate_by(self, request, keys, fetch):
        """A page of any keyset list: ``fetch(position, backwards, size)`` answers (rows, key values
        of each row, whether more lie beyond in the direction read). Used by lists a selector reads
        itself, like a patient's timeline merged from five tables."""
        self.request = request
        self.page_size = self.get_page_size(request)
        self.base_url = request.build_absolute_uri()
        self.keys = keys
        token = request.query_params.get(self.cursor_query_param)
        position, backwards = None, False
        if token:
            try:
                position, backwards = decode_cursor(keys, token)
            except CursorError as exc:
                raise ValidationError({self.cursor_query_param: [str(exc)]}) from None
        rows, key_rows, more = fetch(position, backwards, self.page_size)
        self.previous_position, self.next_position = neighbours(position, backwards, key_rows, more)
        return rows

    def _link(self, position, backwards):
        if position is None:
            return None
        return replace_query_param(
            self.base_url, self.cursor_query_param, encode_cursor(self.keys, position, backwards)
        )

    def get_next_link(self):
        return self._link(self.next_position, False)

    def get_previous_link(self):
        return self._link(self.previous_position, True)

    def get_paginated_response(self, data):
        return Response({"next": self.get_next_link(), "previous": self.get_previous_link(), "results": data})

    def get_paginated_response_schema(self, schema):
        response = super().get_paginated_response_schema(schema)
        response["required"] = ["next", "previous", "results"]
        for link in ("next", "previous"):
            response["properties"][link]["example"] = "https://hms.example.org/api/v1/appointments/?cursor=eyJvIjpb..."
            response["properties"][link]["description"] = f"The {link} page, or null when there is none."
        response["description"] = "One page by cursor; no total count (the list may hold millions of rows)."
        return response

    def get_schema_operation_parameters(self, view):
        parameters = super().get_schema_operation_parameters(view)
        for parameter in parameters:
            if parameter["name"] == self.page_size_query_param:
                parameter["schema"] = {"type": "integer", "minimum": 1}
                parameter["description"] = force_str(self.page_size_query_description)
        return parameters


# --- the staff pages ---------------------------------------------------------------------------------


class KeysetPage(list):
    """One page of a keyset list for a template: iterate it; ``newer_url``/``older_url`` (also
    ``previous_url``/``next_url``) are links keeping the rest of the query string, "" when none."""

    has_other_pages = False


def keyset_paginate(request, queryset, size, *, param=CURSOR_PARAM, keys=None, fetch=None):
    """A page of ``queryset`` (in its own order, completed with id) for a staff page, walked by
    keyset like the API (``?cursor=``); or, with ``keys`` and ``fetch`` (see
    KeysetPagination.paginate_by), of any keyset list.

    A cursor that cannot be read starts again from the first page (pages never answer 400 for a
    link someone mangled)."""
    keys = keys or queryset_keys(queryset)
    position, backwards = None, False
    token = request.GET.get(param)
    if token:
        try:
            position, backwards = decode_cursor(keys, token)
        except CursorError:
            position, backwards = None, False
    if fetch is None:

        def fetch(position, backwards, size):
            return keyset_page(queryset, keys, size=size, position=position, backwards=backwards)

    rows, key_rows, more = fetch(position, backwards, size)
    previous, following = neighbours(position, backwards, key_rows, more)

    params = request.GET.copy()

    def url(values, back):
        if values is None:
            return ""
        params[param] = encode_cursor(keys, values, back)
        return f"?{params.urlencode()}"

    page = KeysetPage(rows)
    page.previous_url = url(previous, True)
    page.next_url = url(following, False)
    page.has_previous = bool(page.previous_url)
    page.has_next = bool(page.next_url)
    page.has_other_pages = page.has_previous or page.has_next
    page.is_first = position is None
    return page


__all__ = [
    "KeysetPagination",
    "StandardPagination",
    "cursor_for_row",
    "keyset_page",
    "keyset_paginate",
    "ordering_keys",
    "queryset_keys",
]
