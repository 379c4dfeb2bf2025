"""Helpers shared by the staff and portal pages of every app."""

from django.core.paginator import Paginator

from hms.exceptions import Conflict, DomainError


def paginate(request, items, size, param="page"):
    """One page of ``items``; page.previous_url / page.next_url keep the rest of the query string."""
    page = Paginator(items, size).get_page(request.GET.get(param))
    params = request.GET.copy()

    def url(number):
        params[param] = number
        return f"?{params.urlencode()}"

    page.previous_url = url(page.previous_page_number()) if page.has_previous() else ""
    page.next_url = url(page.next_page_number()) if page.has_next() else ""
    return page


def refusal_message(exc):
    """The message of a service's refusal (DomainError or ValidationError), as one sentence or a few."""
    if isinstance(exc, DomainError):
        return exc.message
    return " ".join(exc.messages)


def refusal_status(exc):
    """409 when the current state refuses the request, 400 when the input is wrong."""
    return 409 if isinstance(exc, Conflict) else 400
