"""Owned by the clinical issue; empty until then."""
