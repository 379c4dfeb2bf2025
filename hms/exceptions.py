"""Domain exceptions raised by services, and the DRF handler that turns them into clean JSON.

Services raise:
- ``django.core.exceptions.ValidationError`` for malformed or invalid input  -> 400
- ``Conflict`` when the request is valid but the current state refuses it   -> 409
- ``DomainNotFound`` when a referenced object is outside the user's reach   -> 404
Nothing raised from bad input ever becomes a 500 or shows a stack trace.
"""

import logging

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import IntegrityError
from django.http import Http404
from rest_framework import status
from rest_framework.exceptions import APIException
from rest_framework.response import Response
from rest_framework.views import exception_handler

logger = logging.getLogger(__name__)


class DomainError(Exception):
    """Base class of refusals raised by services."""

    status_code = status.HTTP_400_BAD_REQUEST
    default_code = "invalid"

    def __init__(self, message, *, code=None, extra=None):
        super().__init__(message)
        self.message = message
        self.code = code or self.default_code
        self.extra = extra or {}


class Conflict(DomainError):
    """The request is well formed but the current state forbids it (HTTP 409)."""

    status_code = status.HTTP_409_CONFLICT
    default_code = "conflict"


class DomainNotFound(DomainError):
    status_code = status.HTTP_404_NOT_FOUND
    default_code = "not_found"


def validation_error_detail(exc):
    """A Django ValidationError as DRF-style JSON: field errors, or {"detail": message}."""
    if hasattr(exc, "error_dict"):
        detail = {}
        for field, errors in exc.message_dict.items():
            key = "non_field_errors" if field == "__all__" else field
            detail[key] = list(errors)
        return detail
    messages = exc.messages
    return {"detail": " ".join(messages)}


def api_exception_handler(exc, context):
    if isinstance(exc, DomainError):
        body = {"detail": exc.message, "code": exc.code, **exc.extra}
        return Response(body, status=exc.status_code)
    if isinstance(exc, DjangoValidationError):
        return Response(validation_error_detail(exc), status=status.HTTP_400_BAD_REQUEST)
    if isinstance(exc, IntegrityError):
        logger.warning("IntegrityError answered as 409: %s", exc)
        return Response(
            {"detail": "This change conflicts with existing data and was not saved.", "code": "conflict"},
            status=status.HTTP_409_CONFLICT,
        )
    if isinstance(exc, (Http404, DjangoPermissionDenied)):
        return exception_handler(exc, context)
    response = exception_handler(exc, context)
    if response is None and not isinstance(exc, APIException):
        logger.exception("Unhandled API error", exc_info=exc)
        return Response({"detail": "Something went wrong on our side. Nothing was changed."}, status=500)
    return response
