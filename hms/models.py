from hms.sequences import Sequence

__all__ = ["Sequence"]
