from hms.access_models import AccessEntry, SecurityEvent
from hms.sequences import Sequence

__all__ = ["AccessEntry", "SecurityEvent", "Sequence"]
