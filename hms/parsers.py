"""The API's parsers: a malformed, absurdly nested or over-long body is a 400 with a message, never a 500."""

from django.conf import settings
from django.core.exceptions import SuspiciousOperation
from rest_framework.exceptions import ParseError
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser

DEFAULT_MAX_JSON_DEPTH = 32


def json_depth_exceeds(data, limit):
    """True if ``data`` nests lists/objects more than ``limit`` levels deep (checked without recursion)."""
    stack = [(data, 1)]
    while stack:
        value, depth = stack.pop()
        if isinstance(value, dict):
            children = value.values()
        elif isinstance(value, list):
            children = value
        else:
            continue
        if depth > limit:
            return True
        stack.extend((child, depth + 1) for child in children if isinstance(child, (dict, list)))
    return False


class BoundedJSONParser(JSONParser):
    """JSONParser that refuses nesting deeper than settings.API_MAX_JSON_DEPTH (default 32) with a 400."""

    def parse(self, stream, media_type=None, parser_context=None):
        limit = getattr(settings, "API_MAX_JSON_DEPTH", DEFAULT_MAX_JSON_DEPTH)
        message = f"JSON nested more than {limit} levels deep is not accepted."
        try:
            data = super().parse(stream, media_type, parser_context)
        except RecursionError:
            raise ParseError(message) from None
        if json_depth_exceeds(data, limit):
            raise ParseError(message)
        return data


class _TooManyFieldsAsParseError:
    """More fields than DATA_UPLOAD_MAX_NUMBER_FIELDS (or another refused body) is a 400, not a 500."""

    def parse(self, stream, media_type=None, parser_context=None):
        try:
            return super().parse(stream, media_type, parser_context)
        except SuspiciousOperation as exc:
            raise ParseError(f"The form body was refused: {exc}") from None
        except ValueError as exc:  # urllib's "Max number of fields exceeded"
            raise ParseError(f"The form body was refused: {exc}.") from None


class BoundedFormParser(_TooManyFieldsAsParseError, FormParser):
    pass


class BoundedMultiPartParser(_TooManyFieldsAsParseError, MultiPartParser):
    pass
