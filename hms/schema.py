"""The OpenAPI schema's generic parts: the error answers every operation can give.

drf-spectacular documents the success answer of each operation from its serializers. The error
answers come from layers every view shares (authentication, the role permission, lookups,
validation, the exception handler in ``hms.exceptions``, the request size limit), so they are
added here once, from what the operation looks like, instead of by hand on each view:

- 401 when the operation needs credentials (no or a bad token), 403 when the role refuses it;
- 404 when it has path parameters (a row that does not exist or is outside the user's scope)
  or pages its answer (a page past the end);
- 400 when it takes a body or query parameters (field errors, or ``{"detail": ...}``);
- 409 when it writes (a state that refuses the change, a clash with existing data);
- 413 when it takes a body (a body over the size limit).

Every error body is a JSON object with a ``detail`` message or field errors (see ``Error``).

Two field-level corrections make the success answers truthful too:

- a read-only field whose value comes through a nullable relation (``room.name`` of an appointment
  without a room), from a nullable column, or that defaults to None is marked nullable;
- an optional email or link (``hms.fields``) answers null, never "" (not a valid email or URI), and
  takes a valid one, "" or null;
- times are ``HH:MM[:ss[.ffffff]]`` without an offset, which JSON Schema's ``time`` format (RFC 3339,
  offset required) does not describe: they get a pattern instead of that format.
"""

from django.core.exceptions import FieldDoesNotExist
from drf_spectacular.openapi import AutoSchema
from drf_spectacular.plumbing import ResolvedComponent
from rest_framework import serializers

from hms.fields import BlankAsNullMixin
from hms.filters import IdField, StrictNullBooleanField
from hms.validators import ID_MAX

TIME_PATTERN = r"^([01][0-9]|2[0-3]):[0-5][0-9](:[0-5][0-9](\.[0-9]{1,6})?)?$"

WRITE_METHODS = {"POST", "PUT", "PATCH", "DELETE"}
# Optional query parameters whose empty value is refused (400) rather than read as "not given".
EMPTY_REFUSED = {"days"}
# What hms.filters.StrictNullBooleanField takes for true / false, as query strings.
BOOLEAN_QUERY_SCHEMA = {
    "anyOf": [
        {"type": "boolean"},
        {"type": "integer", "enum": [0, 1, 2, 3]},
        {"type": "string", "enum": ["True", "False", "unknown"]},
    ],
    "description": "true or false (1/0, True/False also read; unknown or empty: no filter).",
}

ERROR_COMPONENT = "Error"
ERROR_SCHEMA = {
    "type": "object",
    "description": (
        "A JSON object saying why the request was refused: a `detail` message (with a machine-readable "
        "`code` for refusals raised by the business rules, and sometimes the id of the row in the way), or, "
        "for invalid input, a list of messages per field (`non_field_errors` for the whole object; nested objects "
        "and lists for nested fields)."
    ),
    "additionalProperties": True,
    "example": {"detail": "Only a draft bill can be issued; this one is paid.", "code": "conflict"},
}

ERROR_DESCRIPTIONS = {
    "400": "Invalid input: field errors, or a `detail` message.",
    "401": "No credentials, or credentials that are not valid.",
    "403": "The user's role may not do this.",
    "404": "No such row, or not one this user may see (or a page past the end).",
    "409": "The current state refuses this change, or it clashes with existing data. Nothing was changed.",
    "413": "The request body is larger than the server accepts.",
    "429": "Too many failed logins for this username or from this address: locked for a while (`locked_out`).",
}


class HmsAutoSchema(AutoSchema):
    """drf-spectacular's AutoSchema plus the error answers each operation can give."""

    def get_operation(self, path, path_regex, path_prefix, method, registry):
        operation = super().get_operation(path, path_regex, path_prefix, method, registry)
        if operation is None:
            return None
        responses = operation.setdefault("responses", {})
        for code in self.error_status_codes(operation):
            responses.setdefault(code, self._error_response(code))
        for code, response in responses.items():
            if code.startswith("4") and "content" not in response:  # a view's own description, without a body
                response["content"] = self._error_response(code)["content"]
        operation["responses"] = dict(sorted(responses.items()))
        for parameter in operation.get("parameters", []):
            if parameter["in"] == "query" and not parameter.get("required") and parameter["name"] not in EMPTY_REFUSED:
                # An empty value (?date_before=) means "no filter", like leaving the parameter out.
                parameter["allowEmptyValue"] = True
        return operation

    def error_status_codes(self, operation):
        parameters = operation.get("parameters", [])
        has_path = any(p.get("in") == "path" for p in parameters)
        has_query = any(p.get("in") == "query" for p in parameters)
        has_body = "requestBody" in operation
        paginated = self.method == "GET" and self._is_list_view() and self._get_paginator() is not None
        anonymous_allowed = {} in operation.get("security", [{}])
        codes = []
        if has_body or has_query:
            codes.append("400")
        if not anonymous_allowed:
            codes += ["401", "403"]
        if has_path or paginated:
            codes.append("404")
        if self.method in WRITE_METHODS:
            codes.append("409")
        if has_body:
            codes.append("413")
        return codes

    def _error_response(self, code):
        component = ResolvedComponent(
            name=ERROR_COMPONENT, type=ResolvedComponent.SCHEMA, object=ERROR_COMPONENT, schema=ERROR_SCHEMA
        )
        self.registry.register_on_missing(component)
        return {
            "description": ERROR_DESCRIPTIONS[code],
            "content": {"application/json": {"schema": component.ref}},
        }

    def _map_basic_serializer(self, serializer, direction):
        schema = super()._map_basic_serializer(serializer, direction)
        if direction == "response":
            for name, field in serializer.fields.items():
                prop = schema.get("properties", {}).get(name, {})
                if isinstance(field, BlankAsNullMixin) and len(prop.get("oneOf", [])) == 2:
                    # Answered null when blank (hms.fields), never "": only the valid form remains.
                    prop.update(prop.pop("oneOf")[0])
        return schema

    def _get_filter_parameters(self):
        # hms.filters.FilterSet turns number filters on integer keys into whole-number ids (IdField);
        # drf-spectacular, reading the declared filter class, would say "number".
        parameters = super()._get_filter_parameters()
        filterset_class = getattr(self.view, "filterset_class", None)
        model = getattr(getattr(filterset_class, "_meta", None), "model", None)
        if not parameters or model is None:
            return parameters
        filters = filterset_class(queryset=model._default_manager.none()).filters
        for parameter in parameters:
            field_class = getattr(filters.get(parameter["name"]), "field_class", None)
            if isinstance(field_class, type) and issubclass(field_class, IdField):
                parameter["schema"] = {"type": "integer", "minimum": 0, "maximum": ID_MAX}
            elif isinstance(field_class, type) and issubclass(field_class, StrictNullBooleanField):
                parameter["schema"] = dict(BOOLEAN_QUERY_SCHEMA)
        return parameters

    def _get_pagination_parameters(self):
        # hms.pagination takes whole numbers of 1 or more for ?page and ?page_size (a 400 otherwise).
        parameters = super()._get_pagination_parameters()
        for parameter in parameters:
            if parameter["name"] in {"page", "page_size"} and parameter["schema"].get("type") == "integer":
                parameter["schema"]["minimum"] = 1
        return parameters

    def _get_paginator(self):
        # Only GET lists are paged; an action that answers the rows it wrote (a transfer's two
        # movements, a write-off's movements) answers a plain list.
        if self.method != "GET":
            return None
        return super()._get_paginator()

    def _map_serializer_field(self, field, direction, bypass_extensions=False):
        if isinstance(field, serializers.ChoiceField) and field.read_only and not field.allow_blank:
            # DRF drops allow_blank from read-only fields, but a blank column still answers "".
            model_field = source_model_field(field)
            field.allow_blank = bool(model_field is not None and model_field.blank and not model_field.null)
        schema = super()._map_serializer_field(field, direction, bypass_extensions)
        if isinstance(field, serializers.DecimalField) and direction == "request" and schema.get("type") == "string":
            # hms.serializers takes a decimal as a numeric string or as a JSON number.
            schema = {"anyOf": [schema, {"type": "number"}]}
        if isinstance(field, serializers.TimeField) and schema.get("format") == "time":
            del schema["format"]
            schema["pattern"] = TIME_PATTERN
        return schema

    def _get_serializer_field_meta(self, field, direction):
        meta = super()._get_serializer_field_meta(field, direction)
        if isinstance(field, serializers.Field) and field.read_only and may_be_null(field):
            meta["nullable"] = True
        return meta


def source_model_field(field):
    """The model field a serializer field's (dotted) source ends on, else None."""
    model = getattr(getattr(field.parent, "Meta", None), "model", None)
    model_field = None
    for attr in getattr(field, "source_attrs", None) or []:
        if model is None:
            return None
        try:
            model_field = model._meta.get_field(attr)
        except FieldDoesNotExist:
            return None
        model = model_field.related_model if model_field.is_relation else None
    return model_field


def may_be_null(field):
    """Whether a read-only serializer field can answer null: it defaults to None, or its source goes
    through a nullable relation or ends on a nullable column."""
    if field.default is None:
        return True
    model = getattr(getattr(field.parent, "Meta", None), "model", None)
    if model is None or not getattr(field, "source_attrs", None):
        return False
    for attr in field.source_attrs:
        try:
            model_field = model._meta.get_field(attr)
        except FieldDoesNotExist:
            return False  # a property or method: its own annotation says whether it can be None
        if model_field.one_to_many or model_field.many_to_many:
            return False  # a list: empty, never null
        if model_field.null:
            return True
        if not model_field.is_relation:
            return False
        model = model_field.related_model
    return False
