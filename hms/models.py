from hms.access_models import AccessEntry, SecurityEvent
from hms.chain import ChainSeal, ChainVerification
from hms.sequences import Sequence

__all__ = ["AccessEntry", "ChainSeal", "ChainVerification", "SecurityEvent", "Sequence"]
