"""Where features meet: what each one brings to the others, registered from its `init_app`.

A feature never imports another's views; it adds here what the others show or collect
(a section of the member's profile page, a part of the data export, what an account deletion erases, a demo builder), and
the feature that shows or collects it reads this registry.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from flask import Flask, current_app

EXTENSION = "tribune.features"

ProfileSection = Callable[[Any], dict[str, Any]]  # (member) -> template context with a "template" key
DataExporter = Callable[[Any, Any], dict[str, Any]]  # (session, member) -> JSON-ready data
# (member) -> a condition on notification rows: those about what this member may still read. The feature
# that owns a notification's target says (feedback: ideas on boards the member no longer sees are left out).
NotificationRule = Callable[[Any], Any]
Eraser = Callable[[Any, Any], None]  # (session, member) -> None: the feature's personal data of a deleted account


@dataclass
class Registry:
    profile_sections: list[ProfileSection] = field(default_factory=list)
    data_exporters: dict[str, DataExporter] = field(default_factory=dict)
    notification_rules: list[NotificationRule] = field(default_factory=list)
    # Called inside the account deletion's transaction, so the member's data goes with the account.
    erasers: list[Eraser] = field(default_factory=list)
    # "package.module:function" of each feature's demo builder, in the order features were listed.
    demo_builders: list[str] = field(default_factory=list)


def init_app(app: Flask) -> Registry:
    registry = app.extensions.setdefault(EXTENSION, Registry())
    return registry


def registry(app: Flask | None = None) -> Registry:
    return (app or current_app).extensions[EXTENSION]
