"""Fixtures of the fans tests: the clock every module reads, established members (see core_fixtures.py)."""
from .core_fixtures import clock, people, request_context  # noqa: F401
