"""Shared fixtures for the community rules: established members, posts, images, row counts.

Service functions render #hashtag and @mention links with url_for, so every test here
runs inside a test request context, the way a view or a job would call them.
"""
from __future__ import annotations

import dataclasses
import io
import os
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from PIL import Image
from sqlalchemy import func, select

from portal.accounts.models import Role, User
from portal.community import service
from portal.community.models import Post
from portal.config import Settings, settings_of
from portal.extensions import db
from portal.kernel import images


@pytest.fixture(autouse=True)
def no_badges(monkeypatch: pytest.MonkeyPatch) -> None:
    """Established members earn badges (and are told) as they post: the fans feature's news, tested in tests/fans.
    Here every notification is the community's own."""
    from portal.fans import badges  # only this fixture reaches into the fans feature

    monkeypatch.setattr(badges, "BADGES", {})


@pytest.fixture(autouse=True)
def request_context(app: Flask) -> Iterator[None]:
    with app.test_request_context():
        yield


@pytest.fixture
def settings(app: Flask) -> Settings:
    """The app's settings, as a view or a job hands them to a service."""
    return settings_of(app)


@pytest.fixture
def upload_limits(app: Flask) -> Callable[..., None]:
    """upload_limits(photo_max_bytes=..., image_max_pixels=...): the app accepts uploads as if started with these."""

    def change(**fields: Any) -> None:
        images.init_app(app, dataclasses.replace(settings_of(app), **fields))

    return change


@pytest.fixture
def staff(established: Callable[..., User]) -> User:
    """The suite's staff persona, here with a month-old account and the handle @stella."""
    return established(display_name="Stella Staff", email="stella@example.com", username="stella", role=Role.STAFF)


@pytest.fixture
def moderator(established: Callable[..., User]) -> User:
    """The suite's moderator persona, here with a month-old account and the handle @mo."""
    return established(display_name="Mo Moderator", email="mo@example.com", username="mo", role=Role.MODERATOR)


@pytest.fixture
def make_post() -> Callable[..., Post]:
    """Publish a post through the service; each call gets a distinct text unless one is given."""
    counter = iter(range(1, 100_000))

    def make(author: User, body: str | None = None, **kwargs: Any) -> Post:
        return service.create_post(db.session, author, body=body or f"Post number {next(counter)} about our brand",
                                   **kwargs)

    return make


@pytest.fixture
def make_comment() -> Callable[..., Any]:
    counter = iter(range(1, 100_000))

    def make(post: Post, author: User, body: str | None = None, **kwargs: Any):
        return service.add_comment(db.session, post, author, body=body or f"Comment number {next(counter)}", **kwargs)

    return make


@pytest.fixture
def image() -> Callable[..., io.BytesIO]:
    """Image bytes made with Pillow: image(fmt="PNG", size=(w, h), exif={tag: value})."""

    def make(fmt: str = "PNG", size: tuple[int, int] = (64, 48), color: tuple[int, ...] = (200, 40, 40),
             mode: str = "RGB", exif: dict[int, Any] | None = None, noisy: bool = False) -> io.BytesIO:
        if noisy:  # random pixels do not compress: the file is about as big as the raw image
            picture = Image.frombytes("RGB", size, os.urandom(size[0] * size[1] * 3))
        else:
            picture = Image.new(mode, size, color)
        out = io.BytesIO()
        options: dict[str, Any] = {}
        if exif:
            data = Image.Exif()
            for tag, value in exif.items():
                data[tag] = value
            options["exif"] = data.tobytes()
        picture.save(out, fmt, **options)
        out.seek(0)
        return out

    return make


@pytest.fixture
def photo_files(app: Flask) -> Callable[[], list[Path]]:
    """Every file (including half-written ones) in the post photo folder."""

    def files() -> list[Path]:
        folder = Path(app.instance_path) / "uploads" / "photos"
        return sorted(p for p in folder.iterdir() if p.is_file()) if folder.is_dir() else []

    return files


@pytest.fixture
def rows() -> Callable[..., int]:
    """rows(Model, *conditions): how many rows the database holds, read fresh."""

    def count(model: Any, *conditions: Any) -> int:
        return db.session.scalar(select(func.count()).select_from(model).where(*conditions))

    return count


@pytest.fixture
def fresh() -> Callable[[Any], Any]:
    """Reload an object's columns from the database (what the next request would see)."""

    def reload(obj: Any) -> Any:
        db.session.refresh(obj)
        return obj

    return reload
