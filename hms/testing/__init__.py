"""Test helpers shared by every app's tests (importable from any app; they import no domain app)."""
