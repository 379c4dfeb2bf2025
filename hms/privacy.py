"""The privacy officer's pages: the access log searched by patient (MRN), user and dates, with the result of the
last ``manage.py verify_audit``, and the failed login and lockout report. Read-only; the same rows are in the
API (hms.access_api) and ``manage.py audit_report``."""

from django import forms
from django.shortcuts import render
from django.urls import path

from hms.access_selectors import FAILED_LOGIN_KINDS, access_entries, security_events
from hms.chain import latest_verification
from hms.forms import BoundedDateField
from hms.pages import cursor_page, staff_page

PAGE_SIZE = 25


class AuditSearchForm(forms.Form):
    mrn = forms.CharField(label="Patient MRN", required=False, max_length=20)
    username = forms.CharField(label="Username", required=False, max_length=150)
    date_from = BoundedDateField(label="From", required=False, widget=forms.DateInput(attrs={"type": "date"}))
    date_to = BoundedDateField(label="To", required=False, widget=forms.DateInput(attrs={"type": "date"}))

    def clean(self):
        data = super().clean()
        if data.get("date_from") and data.get("date_to") and data["date_from"] > data["date_to"]:
            raise forms.ValidationError("The first day comes after the last.")
        return data


def _search(request):
    form = AuditSearchForm(request.GET)
    filters = form.cleaned_data if form.is_valid() else None
    return form, filters


@staff_page("hms.view_accessentry")
def access_log_view(request):
    form, filters = _search(request)
    page = cursor_page(request, access_entries(**filters), PAGE_SIZE) if filters is not None else []
    # The last run of manage.py verify_audit: is the audit trail (history tables and this log) intact?
    context = {"form": form, "page": page, "verification": latest_verification()}
    return render(request, "hms/privacy_access_log.html", context, status=200 if filters is not None else 400)


@staff_page("hms.view_securityevent")
def failed_logins_view(request):
    form, filters = _search(request)
    page = []
    if filters is not None:
        filters = {k: v for k, v in filters.items() if k != "mrn"}
        page = cursor_page(request, security_events(kinds=FAILED_LOGIN_KINDS, **filters), PAGE_SIZE)
    return render(
        request,
        "hms/privacy_failed_logins.html",
        {"form": form, "page": page},
        status=200 if filters is not None else 400,
    )


app_name = "privacy"
urlpatterns = [
    path("access-log/", access_log_view, name="access_log"),
    path("failed-logins/", failed_logins_view, name="failed_logins"),
]
