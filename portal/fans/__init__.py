"""Top fans: the engagement events every contribution writes (scores and tiers build on them)."""
from flask import Flask

from . import models  # noqa: F401  (the engagement_events table)


def init_app(app: Flask) -> None:
    """Nothing to serve yet: the ledger is written by the other features through fans.service."""
