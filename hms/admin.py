"""HMS back office: the base class of every HMS model admin, and the read-only counters.

Every HMS admin derives from ``AuditedAdmin``:
- each object's django-simple-history is shown (History button); old versions can be viewed
  but not reverted from there, because a revert would skip the services;
- ``save_model`` / actions in the app admins call the app's services, and a refusal raised
  by a service (``DomainError``, ``ValidationError``, a lost race on a unique key) rolls the
  whole form back and is shown as an error message instead of an error page;
- nothing is deleted, superusers included: rows are deactivated, withdrawn or cancelled by
  an action instead. The site-wide "delete selected" action is switched off below, and every
  registered admin refuses delete (hms/tests/test_admin_registry.py checks them all).

Admins of tables that grow to millions of rows (appointments, bills, records, movements ...) add
``BigTableAdmin``: a count capped at ``COUNT_CAP`` ("10,000+"), no facet counts, no date hierarchy
(a DISTINCT over every row) but a ``DateRangeFilter`` on the indexed date, and pages read as a page
of ids over the list's index first, then those rows with their related rows.
"""

import datetime
from functools import cached_property

from django.contrib import admin, messages
from django.contrib.admin.options import IncorrectLookupParameters
from django.contrib.admin.views.main import ChangeList
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db import IntegrityError, models
from django.http import Http404, HttpResponseRedirect
from django.utils import timezone
from simple_history.admin import SimpleHistoryAdmin

from hms.access import note_rows
from hms.access_models import AccessEntry, AccessKind, SecurityEvent
from hms.chain import ChainSeal, ChainVerification
from hms.exceptions import DomainError
from hms.pages import refusal_message
from hms.pagination import count_at_most
from hms.sequences import Sequence

REFUSALS = (DomainError, ValidationError, IntegrityError)

# Records and reference rows keep their history: no admin offers bulk deletion.
admin.site.disable_action("delete_selected")


class RelatedListFilter(admin.RelatedFieldListFilter):
    """A related-object filter whose choices load in one query, whatever their __str__ follows.

    The stock filter runs str() on each choice, which costs a query per choice when the label
    names a related row (a doctor's user, a department's hospital).
    """

    def field_choices(self, field, request, model_admin):
        queryset = field.related_model._default_manager.select_related().complex_filter(field.get_limit_choices_to())
        ordering = self.field_admin_ordering(field, request, model_admin)
        if ordering:
            queryset = queryset.order_by(*ordering)
        return [(obj.pk, str(obj)) for obj in queryset]


def adopt(target, saved):
    """Copy the row a service saved into the object the admin holds, so it can log and redirect."""
    for field in type(saved)._meta.concrete_fields:
        setattr(target, field.attname, getattr(saved, field.attname))
    target._state.adding = False
    target._state.db = saved._state.db
    return target


class NoDeleteAdmin:
    """Mixin: nobody deletes here, superusers included (deactivate, withdraw or cancel instead)."""

    def has_delete_permission(self, request, obj=None):
        return False


class ReadOnlyAdmin(NoDeleteAdmin):
    """Mixin: view (and history) only; changes go through the services (pages, API and list actions)."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class ReadOnlyInline(ReadOnlyAdmin, admin.TabularInline):
    """A read-only table of related rows on a parent's page."""

    extra = 0
    can_delete = False
    show_change_link = True


class AddFormAdmin:
    """Mixin: adding a row shows ``add_form`` with ``add_fieldsets`` (what creating it asks for); a saved row shows
    ``fieldsets``, with ``change_readonly_fields`` shown but not editable."""

    add_form = None
    add_fieldsets = ()
    change_readonly_fields = ()

    def get_fieldsets(self, request, obj=None):
        return self.add_fieldsets if obj is None else self.fieldsets

    def get_readonly_fields(self, request, obj=None):
        return [] if obj is None else self.change_readonly_fields

    def get_form(self, request, obj=None, **kwargs):
        if obj is None:
            kwargs["form"] = self.add_form
        return super().get_form(request, obj, **kwargs)


class ActiveChoicesOnly:
    """Mixin: the related rows named in ``active_choice_fields`` are offered only while active (``is_active``).

    A new assignment cannot pick a deactivated hospital or department; a row keeps its current one.
    """

    active_choice_fields = ()

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        formfield = super().formfield_for_foreignkey(db_field, request, **kwargs)
        if formfield is not None and db_field.name in self.active_choice_fields:
            match = request.resolver_match
            object_id = match.kwargs.get("object_id") if match else None
            offered = formfield.queryset.filter(is_active=True)
            if object_id:
                current = self.model._default_manager.filter(pk=object_id).values(db_field.attname)
                offered = offered | formfield.queryset.filter(pk__in=current)
            formfield.queryset = offered
        return formfield


class BoundedChangeList(ChangeList):
    """A changelist whose date lookups typed into the URL (``?start__year=9999&start__month=12&start__day=31``)
    cannot overflow: a date the calendar can't hold is an invalid lookup (the admin's "?e=1" page), not a 500."""

    def get_filters(self, request):
        try:
            return super().get_filters(request)
        except (OverflowError, ValueError) as exc:
            raise IncorrectLookupParameters(exc) from exc

    def get_queryset(self, request, exclude_parameters=None):
        try:
            return super().get_queryset(request, exclude_parameters)
        except (OverflowError, ValueError) as exc:
            raise IncorrectLookupParameters(exc) from exc


class BoundedDatesAdmin:
    """Mixin for every admin with a date hierarchy or date filters: see ``BoundedChangeList``."""

    def get_changelist(self, request, **kwargs):
        return BoundedChangeList


class ActivationActions:
    """Deactivate / reactivate list actions: nothing is deleted, rows are deactivated through their service.

    A model admin using it names ``noun_plural`` ("patient(s)") and a ``set_active(obj, *, active, acting_user)``
    that calls the model's service; each selected row goes through it, refusals are shown as messages
    (``apply_to_each``, from ``AuditedAdmin``).
    """

    actions = ["deactivate_selected", "reactivate_selected"]
    noun_plural = ""

    def _set_active_each(self, request, queryset, *, active):
        self.apply_to_each(
            request,
            queryset,
            lambda obj: self.set_active(obj, active=active, acting_user=request.user),
            "{count} " + self.noun_plural + (" reactivated." if active else " deactivated."),
        )

    @admin.action(description="Deactivate selected %(verbose_name_plural)s", permissions=["change"])
    def deactivate_selected(self, request, queryset):
        self._set_active_each(request, queryset, active=False)

    @admin.action(description="Reactivate selected %(verbose_name_plural)s", permissions=["change"])
    def reactivate_selected(self, request, queryset):
        self._set_active_each(request, queryset, active=True)


COUNT_CAP = 10_000


class AtLeast(int):
    """A count known to be at least this much: compares as the number, shows as "10,000+"."""

    def __str__(self):
        return f"{int(self):,}+"


class CappedCountPaginator(Paginator):
    """Counts up to ``COUNT_CAP`` rows and no further (``SELECT COUNT(*) FROM (SELECT id ... LIMIT cap + 1)``),
    and reads a page in two steps: the page's ids over the list's own index (no joins but its filters'),
    then those rows with the list's related rows. A changelist of a million rows then costs what one of
    ten thousand does: the pages past the cap are reached by filtering, not by paging."""

    cap = None  # COUNT_CAP unless set

    @cached_property
    def count(self):
        cap = self.cap or COUNT_CAP
        found = count_at_most(self.object_list, cap)
        return AtLeast(cap) if found > cap else found

    def page(self, number):
        number = self.validate_number(number)
        bottom = (number - 1) * self.per_page
        ids = list(self.object_list.values_list("pk", flat=True)[bottom : bottom + self.per_page])
        return self._get_page(self.object_list.filter(pk__in=ids), number, self)


class DateRangeFilter(admin.DateFieldListFilter):
    """Any date / Today / Past 7 days / Next 7 days / This month / This year: a range on the column, which its
    index serves, instead of a date hierarchy (whose DISTINCT over the dates reads every row)."""

    def __init__(self, field, request, params, model, model_admin, field_path):
        super().__init__(field, request, params, model, model_admin, field_path)
        now = timezone.localtime()
        today = now.replace(hour=0, minute=0, second=0, microsecond=0)
        if not isinstance(field, models.DateTimeField):
            today = today.date()
        upcoming = (
            "Next 7 days",
            {self.lookup_kwarg_since: today, self.lookup_kwarg_until: today + datetime.timedelta(days=8)},
        )
        self.links = (*self.links[:3], upcoming, *self.links[3:])


class BigTableAdmin:
    """Mixin for the changelists of tables that grow without bound: capped count, no facets, no full count,
    ids first (see ``CappedCountPaginator``). Search them by exact or prefix lookups only ("=mrn",
    "^last_name"): a ``LIKE '%x%'`` reads every row."""

    paginator = CappedCountPaginator
    list_per_page = 50  # a big table's changelist is searched and filtered, not scrolled: half the rows to draw
    show_full_result_count = False
    show_facets = admin.ShowFacets.NEVER
    date_hierarchy = None


class AccessLoggedAdmin:
    """Mixin: the read audit (hms.access) of the back office. An admin of patient data names where a row's patient
    is (``audit_patient_field``: "self", "patient", "bill__patient"; see hms.access.patient_of); its change page
    and the rows of its changelist page (with the search terms) are then noted as read."""

    audit_patient_field = None

    def changelist_view(self, request, extra_context=None):
        response = super().changelist_view(request, extra_context)
        cl = (getattr(response, "context_data", None) or {}).get("cl")
        if self.audit_patient_field and cl is not None:
            note_rows(request, self, cl.result_list, kind=AccessKind.ADMIN_LIST, terms=request.GET.get("q", ""))
        return response

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        response = super().changeform_view(request, object_id, form_url, extra_context)
        original = (getattr(response, "context_data", None) or {}).get("original")
        if self.audit_patient_field and original is not None:
            note_rows(request, self, [original], kind=AccessKind.ADMIN, terms="")
        return response


class AuditedAdmin(AccessLoggedAdmin, BoundedDatesAdmin, NoDeleteAdmin, SimpleHistoryAdmin):
    """History visible, never reverted, nothing deleted; service refusals shown as messages, nothing saved."""

    def revert_disabled(self, request, obj=None):
        return True

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        if request.method == "POST":
            raise PermissionDenied("Old versions are read-only; change the object itself.")
        return super().history_form_view(request, object_id, version_id, extra_context)

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        try:
            # On POST the admin runs the whole save in transaction.atomic(): a refusal rolls it all back.
            return super().changeform_view(request, object_id, form_url, extra_context)
        except REFUSALS as exc:
            self.message_user(request, refusal_message(exc), level=messages.ERROR)
            return HttpResponseRedirect(request.get_full_path())

    def apply_to_each(self, request, queryset, change, done_message):
        """Run ``change(obj)`` (a service call) for each selected object; say how many were done, then each refusal."""
        done, refused = 0, []
        for obj in queryset:
            try:
                change(obj)
            except (*REFUSALS, PermissionDenied) as exc:
                refused.append(f"{obj}: {refusal_message(exc)}")
            else:
                done += 1
        if done:
            self.message_user(request, done_message.format(count=done), level=messages.SUCCESS)
        for line in refused:
            self.message_user(request, line, level=messages.ERROR)


class ReadOnlyRecordAdmin(BigTableAdmin, ReadOnlyAdmin, AuditedAdmin):
    """The back office of rows that change only through their services and grow with every visit (records and
    what hangs off them, bills, payments, claims, the stock ledger): view and history only, list actions call the
    services (``apply_to_each``), counts capped, no facets, exact or prefix search (``BigTableAdmin``).

    A model without django-simple-history (the append-only stock ledger) shows Django's own history page."""

    def __init__(self, model, admin_site):
        super().__init__(model, admin_site)
        if not self.keeps_history:
            self.object_history_template = None

    @property
    def keeps_history(self):
        return hasattr(self.model._meta, "simple_history_manager_attribute")

    def history_view(self, request, object_id, extra_context=None):
        if self.keeps_history:
            return super().history_view(request, object_id, extra_context)
        return admin.ModelAdmin.history_view(self, request, object_id, extra_context)

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        if not self.keeps_history:
            raise Http404("This kind of row keeps no old versions.")
        return super().history_form_view(request, object_id, version_id, extra_context)


class ServiceSavedAdmin(NoDeleteAdmin, SimpleHistoryAdmin):
    """Reference rows saved through ``save_service(instance=..., acting_user=...)``; deactivated, never deleted."""

    save_service = None

    def save_model(self, request, obj, form, change):
        type(self).save_service(instance=obj, acting_user=request.user)


@admin.register(Sequence)
class SequenceAdmin(ReadOnlyAdmin, admin.ModelAdmin):
    """Counters behind MRNs and document numbers: visible to superusers, never edited by hand."""

    list_display = ["name", "last_value"]
    search_fields = ["name"]
    ordering = ["name"]


@admin.register(ChainSeal)
class ChainSealAdmin(BigTableAdmin, ReadOnlyAdmin, admin.ModelAdmin):
    """The audit tables' seals (manage.py seal_audit): read-only for everyone, superusers included."""

    list_display = ["table", "day", "row_count", "sealed_at"]
    list_filter = ["table"]
    search_fields = ["=table"]
    exclude = ["manifest"]
    ordering = ["-day", "table"]


@admin.register(ChainVerification)
class ChainVerificationAdmin(ReadOnlyAdmin, admin.ModelAdmin):
    """Each run of manage.py verify_audit: read-only for everyone, superusers included."""

    list_display = ["checked_at", "ok", "tables", "rows_sealed", "rows_pending", "seconds"]
    list_filter = ["ok"]
    ordering = ["-checked_at"]
class AuditLogAdmin(BigTableAdmin, ReadOnlyAdmin, admin.ModelAdmin):
    """The access log and security events: read-only for everyone, superusers included (append-only rows)."""

    def get_actions(self, request):
        return {}


@admin.register(AccessEntry)
class AccessEntryAdmin(AuditLogAdmin):
    list_display = ["at", "username", "roles", "kind", "what", "mrn", "object_ids", "ip", "reason"]
    list_filter = [("at", DateRangeFilter), "kind"]
    search_fields = ["=mrn", "=username"]
    readonly_fields = [f.name for f in AccessEntry._meta.fields]


@admin.register(SecurityEvent)
class SecurityEventAdmin(AuditLogAdmin):
    list_display = ["at", "kind", "username", "actor_username", "ip", "detail"]
    list_filter = [("at", DateRangeFilter), "kind"]
    search_fields = ["=username"]
    readonly_fields = [f.name for f in SecurityEvent._meta.fields]
