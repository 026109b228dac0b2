"""Times are stored as naive UTC on every database, so comparisons never mix kinds."""
from datetime import UTC, datetime


def utcnow() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)
