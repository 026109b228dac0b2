"""Fixtures of the accounts tests."""
from __future__ import annotations

import pytest
from flask import Flask

from portal.config import Settings, settings_of


@pytest.fixture
def settings(app: Flask) -> Settings:
    """The app's typed settings, as views hand them to the account services."""
    return settings_of(app)
