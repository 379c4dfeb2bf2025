from hms.chain import ChainSeal, ChainVerification
from hms.sequences import Sequence

__all__ = ["ChainSeal", "ChainVerification", "Sequence"]
