"""Helpers shared by the staff and portal pages of every app."""

from functools import wraps
from typing import Any, NamedTuple

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator

from hms.exceptions import Conflict, DomainError
from hms.pagination import count_at_most, keyset_after, keyset_paginate, queryset_keys
from hms.roles import PATIENT, is_portal_patient, user_roles

COUNT_CAP = 1000


def paginate(request, items, size, param="page"):
    """One page of ``items`` by number (short lists only: it counts them all); page.previous_url /
    page.next_url keep the rest of the query string."""
    page = Paginator(items, size).get_page(request.GET.get(param))
    params = request.GET.copy()

    def url(number):
        params[param] = number
        return f"?{params.urlencode()}"

    page.previous_url = url(page.previous_page_number()) if page.has_previous() else ""
    page.next_url = url(page.next_page_number()) if page.has_next() else ""
    return page


# --- who may open a page ----------------------------------------------------------------------------------------


def staff_page(*permissions):
    """A page for logged-in staff holding every one of ``permissions``. Portal patients are refused (403) on every
    staff page; anonymous visitors are sent to the login page."""

    def decorator(view):
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            if is_portal_patient(request.user) or not request.user.has_perms(permissions):
                raise PermissionDenied
            return view(request, *args, **kwargs)

        return login_required(wrapped)

    return decorator


def portal_page(view):
    """A portal page: the user must have the Patient role; staff are refused (403)."""

    @wraps(view)
    def wrapped(request, *args, **kwargs):
        if PATIENT not in user_roles(request.user):
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return login_required(wrapped)


# --- a service's refusal on a page ------------------------------------------------------------------------------


def refusal_message(exc):
    """The message of a refusal (DomainError, ValidationError, PermissionDenied, a lost race on a unique key), as
    one sentence or a few."""
    if isinstance(exc, DomainError):
        return exc.message
    if isinstance(exc, ValidationError):
        return " ".join(exc.messages)
    if isinstance(exc, PermissionDenied):
        return str(exc) or "You may not do this."
    return "This change conflicts with existing data and was not saved."


def tell_outcome(request, call, *, refused, done):
    """Run ``call()`` (one service call) for a page's POST and tell the user how it went: a refusal as an error
    message ("{refused}: {the reason}"), a success as ``done`` (a message, or a function of what ``call`` returned).
    Returns what ``call`` returned, or None when it was refused (nothing changed)."""
    try:
        result = call()
    except (DomainError, ValidationError) as exc:
        messages.error(request, f"{refused}: {refusal_message(exc)}")
        return None
    messages.success(request, done(result) if callable(done) else done)
    return result


def add_form_errors(form, exc, *, shown_elsewhere=False):
    """Show a service's refusal on the form it came from: a field's errors on that field, the rest on the form as
    a whole. ``shown_elsewhere``: the page shows the refusal's message already (a message above the form), so only
    the errors of the form's own fields are added."""
    if isinstance(exc, ValidationError) and hasattr(exc, "error_dict"):
        for field, errors in exc.message_dict.items():
            if field in form.fields:
                form.add_error(field, errors)
            elif not shown_elsewhere:
                form.add_error(None, errors)
    elif not shown_elsewhere:
        form.add_error(None, refusal_message(exc))


class FormOutcome(NamedTuple):
    """What ``submit_form`` did: ``done`` once the service succeeded (``result`` is what it answered); otherwise
    the page draws the form again at ``status`` (200 before a POST, 400 for invalid input, refusal_status)."""

    done: bool
    result: Any
    status: int


def submit_form(request, form, call, *, refusals=(DomainError, ValidationError)):
    """A page's form that calls one service, the same way on every page: on a POST a valid ``form`` runs
    ``call(form)``; a refusal (one of ``refusals``) lands on the form (add_form_errors) with its status and
    nothing is saved; an invalid form is a 400. When ``done`` the view tells the user and redirects."""
    if request.method != "POST":
        return FormOutcome(False, None, 200)
    if not form.is_valid():
        return FormOutcome(False, None, 400)
    try:
        result = call(form)
    except refusals as exc:
        add_form_errors(form, exc)
        return FormOutcome(False, None, refusal_status(exc))
    return FormOutcome(True, result, 200)


def refusal_status(exc):
    """409 when the current state refuses the request, 400 when the input is wrong."""
    return 409 if isinstance(exc, Conflict) else 400


def cursor_page(request, queryset, size, param="cursor", **kwargs):
    """One page of a list that grows, walked by keyset (``?cursor=``) in the queryset's order: no
    count, "previous"/"next" links (page.previous_url / page.next_url); see
    hms.pagination.keyset_paginate. Templates draw it with hms/_cursor_pages.html."""
    return keyset_paginate(request, queryset, size, param=param, **kwargs)


def capped_count(queryset, cap=COUNT_CAP):
    """How many rows, counting at most ``cap`` + 1 of them: (number, "1,000+" style label).

    Where a page shows a total over a table that grows, this keeps the count to an index range
    of bounded length."""
    number = count_at_most(queryset, cap)
    return number, (f"{cap:,}+" if number > cap else f"{number:,}")


def queue_page(request, queryset, size, param="cursor"):
    """cursor_page of a work queue (drafts to issue, claims to decide, patients waiting for vitals): the same
    ``?cursor=`` pages in the queryset's order, but each page is one query, its rows read with their joins and
    their keys taken from the rows. For lists whose first rows come straight off an index in order, where the
    joins are by primary key (cursor_page reads the keys first, then the rows: two queries a page)."""
    keys = queryset_keys(queryset)

    def key_values(row):
        return tuple(getattr(row, key.name) for key in keys)  # keys are columns of the row's own table

    def fetch(position, backwards, size):
        walk = [key.reversed() for key in keys] if backwards else keys
        qs = queryset.order_by(*[key.term for key in walk])
        if position is not None:
            qs = qs.filter(keyset_after(walk, position))
        rows = list(qs[: size + 1])
        more = len(rows) > size
        rows = rows[:size]
        if backwards:
            rows.reverse()
        return rows, [key_values(row) for row in rows], more

    return keyset_paginate(request, queryset, size, param=param, keys=keys, fetch=fetch)
