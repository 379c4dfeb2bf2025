"""Owned by the billing issue; empty until then."""
