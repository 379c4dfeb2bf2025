"""The shared API suite (hms.testing.api) declared for hms's own endpoints: the access log and the security
events, read-only (every write answers 405)."""

from hms.access_models import AccessEntry, AccessKind, SecurityEvent, SecurityEventKind
from hms.testing.api import APISuite, MethodNotAllowed

READ_ONLY = MethodNotAllowed("audit rows are written by the application only and never changed")


def _access_entry():
    return AccessEntry.objects.create(
        request_id="0" * 32, kind=AccessKind.CHART, what="patients.patient", patient_id=1, mrn="MRN-1", username="u"
    )


def _security_event():
    return SecurityEvent.objects.create(kind=SecurityEventKind.LOGIN_FAILED, username="u")


class TestAccessLogAPI(APISuite):
    url = "/api/v1/access-log/"
    model = AccessEntry
    create = READ_ONLY
    update = READ_ONLY

    def make_row(self, user=None):
        return _access_entry()


class TestSecurityEventAPI(APISuite):
    url = "/api/v1/security-events/"
    model = SecurityEvent
    create = READ_ONLY
    update = READ_ONLY

    def make_row(self, user=None):
        return _security_event()
