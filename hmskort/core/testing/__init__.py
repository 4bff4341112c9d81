"""Support code for the test suite (imported by tests and conftest.py only)."""
