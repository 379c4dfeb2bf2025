"""The read audit: who saw which patient's data, written once per request.

Views, viewsets and admins say what they showed with ``note(request, kind=..., what=..., patients=...)``; the
notes gather on the request and ``AccessLogMiddleware`` writes them in one bulk INSERT after the response,
when it succeeded (status < 400): one ``AccessEntry`` row per patient per note. A request that failed leaves
none. If the write itself fails, the data is not handed out unrecorded: the answer becomes a 503 and the
entries go to the ``hms.access`` logger (so none is lost silently).

The API notes itself: the role permission (hms.permissions.RolePermission) notes the object a detail or action
reads, the paginators (hms.pagination) the rows of a list page. A viewset says where a row's patient is with
``audit_patient_field``: ``"self"`` (the row is the patient), a path to the patient (``"patient"``,
``"record__patient"``; the patient's id is read from the row's foreign key when the patient object is not
loaded, never with a query), or ``None`` (its rows hold no patient data). tests/test_access_log_coverage.py
walks the router: every viewset whose model is a patient or has a patient link declares it.

hms imports no domain app: patients fills ``PATIENT_DIRECTORY`` in its AppConfig.ready() (the MRNs of patient
ids, in one query, for the rows whose patient was not loaded). Why the user saw the data (a care relationship,
a break-glass grant) comes from ``note(reason=...)``, or from the functions in ``REASON_HOOKS``
(``hook(request, patient_ids) -> str``), which an app above fills in its ready().
"""

import json
import logging
import uuid
from dataclasses import dataclass, field

from django.core.exceptions import FieldDoesNotExist
from django.db import DatabaseError
from django.http import HttpResponse, JsonResponse

from hms.access_models import AccessEntry, AccessKind, SecurityEvent
from hms.roles import user_roles

logger = logging.getLogger("hms.access")

NOTES_ATTR = "_hms_access_notes"
MAX_IDS_TEXT = 500

# Filled by patients.apps: {"mrns_for": callable(ids) -> {id: mrn}}.
PATIENT_DIRECTORY = {}
# hook(request, patient_ids) -> a reason ("break-glass: ...", "care relationship") or "".
REASON_HOOKS = []


@dataclass
class Note:
    kind: str
    what: str = ""
    patients: dict = field(default_factory=dict)  # patient id -> [object ids]
    mrns: dict = field(default_factory=dict)  # patient id -> MRN, where known without a query
    object_ids: list = field(default_factory=list)  # rows of no patient (a search that found nobody)
    terms: str = ""
    reason: str = ""


def _http_request(request):
    return getattr(request, "_request", request)  # a DRF Request wraps Django's


def notes_of(request):
    return getattr(_http_request(request), NOTES_ATTR, None)


def note(request, *, kind, what="", patients=(), object_ids=None, terms="", reason=""):
    """Record that this request shows the data of ``patients`` (Patient objects, ids, or (id, mrn) pairs).

    ``object_ids``: the ids of the rows shown (of the one patient, or of a list's rows); ``terms``: what was
    searched for. A request outside AccessLogMiddleware (a test calling a view directly) records nothing."""
    notes = notes_of(request)
    if notes is None:
        return None
    entry = Note(kind=kind, what=what, terms=(terms or "")[:200], reason=reason)
    for ref in patients:
        pid, mrn = _patient_ref(ref)
        if pid is None:
            continue
        entry.patients.setdefault(pid, [])
        if mrn:
            entry.mrns[pid] = mrn
    ids = list(object_ids or ())
    if len(entry.patients) == 1 and ids:
        entry.patients[next(iter(entry.patients))] = ids
    elif not entry.patients:
        entry.object_ids = ids
    notes.append(entry)
    return entry


def _patient_ref(ref):
    if ref is None:
        return None, ""
    if isinstance(ref, int):
        return ref, ""
    if isinstance(ref, tuple):
        return ref[0], ref[1] or ""
    return ref.pk, getattr(ref, "mrn", "") or ""


def _model_label(model):
    return f"{model._meta.app_label}.{model._meta.model_name}"


def patient_of(row, path):
    """(patient id, MRN or "") of ``row`` along ``path`` ("self", "patient", "record__patient"), without a query:
    a relation not loaded is read from its foreign key column."""
    if path == "self":
        return row.pk, getattr(row, "mrn", "")
    obj = row
    parts = path.split("__")
    for index, name in enumerate(parts):
        fk = obj._meta.get_field(name)
        if fk.is_cached(obj):
            obj = getattr(obj, name)
            if obj is None:
                return None, ""
            continue
        if index == len(parts) - 1:
            return getattr(obj, fk.attname), ""
        return None, ""  # an intermediate row not loaded: the caller's queryset should select_related it
    return obj.pk, getattr(obj, "mrn", "")


def _leads_to_patient(model, path):
    """Whether ``path`` can be followed on ``model``'s rows."""
    if path == "self":
        return True
    for name in path.split("__"):
        try:
            field = model._meta.get_field(name)
        except FieldDoesNotExist:
            return False
        if not field.is_relation:
            return False
        model = field.related_model
    return True


def note_rows(request, view, rows, *, kind, terms=None):
    """Note the rows an API list or detail (or an admin page) shows, by the view's ``audit_patient_field``."""
    path = getattr(view, "audit_patient_field", None)
    if not path or notes_of(request) is None:
        return
    rows = list(rows)
    if not rows:
        return
    if not _leads_to_patient(type(rows[0]), path):
        # An action listing another model: its own patient link if it has one (the lab's results to call), else
        # a nested list (a bill's payments) whose parent, read through get_object(), was noted.
        if not _leads_to_patient(type(rows[0]), "patient"):
            return
        path = "patient"
    entry = Note(kind=kind, what=_model_label(type(rows[0])))
    for row in rows:
        pid, mrn = patient_of(row, path)
        if pid is None:
            continue
        entry.patients.setdefault(pid, []).append(row.pk)
        if mrn:
            entry.mrns[pid] = mrn
    if not entry.patients:
        return
    if terms is None:
        terms = request.query_params.get("search", "") if hasattr(request, "query_params") else ""
    entry.terms = terms[:200]
    notes_of(request).append(entry)


def _ids_text(ids):
    text = ",".join(str(i) for i in ids)
    if len(text) > MAX_IDS_TEXT:
        text = text[: MAX_IDS_TEXT - 1].rsplit(",", 1)[0] + "…"
    return text


def client_ip(request):
    return request.META.get("REMOTE_ADDR") or None


def _user_fields(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"user_id": None, "username": "", "user_name": "", "roles": ""}
    roles = ", ".join(user_roles(user)) or ("Superuser" if user.is_superuser else "")
    return {
        "user_id": user.pk,
        "username": user.get_username()[:150],
        "user_name": (user.get_full_name() or user.get_username())[:300],
        "roles": roles[:300],
    }


def entries_for(request, notes):
    """The AccessEntry rows (unsaved) of a request's notes."""
    common = {
        "request_id": uuid.uuid4().hex,
        "ip": client_ip(request),
        "user_agent": request.META.get("HTTP_USER_AGENT", "")[:300],
        "method": request.method[:10],
        "path": request.get_full_path()[:500],
        **_user_fields(request),
    }
    missing = {pid for n in notes for pid in n.patients if pid not in n.mrns}
    known = {pid: mrn for n in notes for pid, mrn in n.mrns.items()}
    missing -= set(known)
    if missing and "mrns_for" in PATIENT_DIRECTORY:
        known.update(PATIENT_DIRECTORY["mrns_for"](missing))
    rows = []
    for n in notes:
        reason = n.reason or _reason(request, list(n.patients))
        base = {**common, "kind": n.kind, "what": n.what[:100], "terms": n.terms, "reason": reason[:500]}
        if not n.patients:
            rows.append(AccessEntry(**base, object_ids=_ids_text(n.object_ids)))
        for pid, ids in n.patients.items():
            rows.append(AccessEntry(**base, patient_id=pid, mrn=known.get(pid, "")[:20], object_ids=_ids_text(ids)))
    return rows


def _reason(request, patient_ids):
    for hook in REASON_HOOKS:
        reason = hook(request, patient_ids)
        if reason:
            return reason
    return ""


def write_notes(request, notes):
    rows = entries_for(request, notes)
    AccessEntry.objects.bulk_create(rows)  # one INSERT (a savepoint around it would cost two more statements)
    return rows


class AccessLogMiddleware:
    """Gives each request an empty list of notes and writes them, in one INSERT, once the answer succeeded.

    Goes after AuthenticationMiddleware (the API's token user is on the request by the time the view returns)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        setattr(request, NOTES_ATTR, [])
        response = self.get_response(request)
        notes = getattr(request, NOTES_ATTR)
        if notes and response.status_code < 400:
            try:
                write_notes(request, notes)
            except DatabaseError:
                return self.unrecorded(request, notes)
        return response

    def unrecorded(self, request, notes):
        """The log could not be written: keep the entries in the application log and withhold the data."""
        try:
            rows = [{k: v for k, v in vars(e).items() if not k.startswith("_")} for e in entries_for(request, notes)]
        except DatabaseError:  # the MRN lookup failed too: keep what the notes hold
            rows = [vars(n) for n in notes]
        logger.error("access log write failed; entries: %s", json.dumps(rows, default=str))
        message = "The access could not be recorded, so the data is not shown. Try again in a moment."
        if request.path.startswith("/api/"):
            return JsonResponse({"detail": message, "code": "access_log_unavailable"}, status=503)
        return HttpResponse(message, status=503, content_type="text/plain; charset=utf-8")


# --- security events -----------------------------------------------------------------------------------------


def security_event(*, kind, request=None, user=None, username="", actor=None, detail=""):
    """Record a security event now (not at the end of the request: a failed login answers with an error)."""
    if user is not None and not username:
        username = user.get_username()
    meta = getattr(request, "META", {}) if request is not None else {}
    actor_name = actor.get_username() if actor is not None and actor != user else ""
    return SecurityEvent.objects.create(
        kind=kind,
        user_id=getattr(user, "pk", None),
        username=(username or "")[:150],
        actor_username=actor_name[:150],
        ip=meta.get("REMOTE_ADDR") or None,
        user_agent=meta.get("HTTP_USER_AGENT", "")[:300],
        detail=(detail or "")[:300],
    )


__all__ = ["AccessKind", "AccessLogMiddleware", "note", "note_rows", "security_event"]
