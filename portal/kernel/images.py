"""Uploaded images: checked by content, capped, re-encoded by Pillow (which drops EXIF), and kept
in one folder per kind ("avatars", "logos", "photos") under the uploads folder.

Where they are kept and how large they may be is configured once by create_app (`init_app`);
features name the kind, so their services never read the app's settings.
"""
from __future__ import annotations

import io
import secrets
import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO

from flask import Flask, current_app, send_from_directory
from flask_babel import lazy_gettext as _l
from PIL import Image, ImageOps, UnidentifiedImageError

from ..config import Settings

ACCEPTED_FORMATS = {"JPEG", "PNG", "GIF", "WEBP"}


class ImageRejected(ValueError):
    """The upload is not an image we accept; the message says why, for the member."""


def read_limited(stream: BinaryIO, max_bytes: int) -> bytes:
    data = stream.read(max_bytes + 1)
    if len(data) > max_bytes:
        raise ImageRejected(_l("The image is larger than %(size)s MB.", size=round(max_bytes / 1048576, 1)))
    if not data:
        raise ImageRejected(_l("The file is empty."))
    return data


def _open(data: bytes, max_pixels: int) -> Image.Image:
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = Image.open(io.BytesIO(data))
            if image.format not in ACCEPTED_FORMATS:
                raise ImageRejected(_l("Only JPEG, PNG, GIF and WebP images are accepted."))
            width, height = image.size
            if width * height > max_pixels:
                raise ImageRejected(_l("The image has too many pixels (%(w)s × %(h)s).", w=width, h=height))
            image.load()
    except (UnidentifiedImageError, Image.DecompressionBombError, Image.DecompressionBombWarning, OSError, SyntaxError) as exc:
        if isinstance(exc, ImageRejected):
            raise
        raise ImageRejected(_l("This file is not an image we can read.")) from exc
    return ImageOps.exif_transpose(image)


def square_webp(stream: BinaryIO, *, side: int, max_bytes: int, max_pixels: int) -> bytes:
    """An avatar: cropped to a centred square of `side` pixels, as WebP without metadata."""
    image = _open(read_limited(stream, max_bytes), max_pixels)
    image = ImageOps.fit(image.convert("RGBA" if _has_alpha(image) else "RGB"), (side, side), Image.Resampling.LANCZOS)
    out = io.BytesIO()
    image.save(out, "WEBP", quality=85, method=4)
    return out.getvalue()


def bounded_png(stream: BinaryIO, *, max_side: int, max_bytes: int, max_pixels: int) -> bytes:
    """A logo: shrunk to fit `max_side`, transparency kept, as PNG without metadata."""
    image = _open(read_limited(stream, max_bytes), max_pixels).convert("RGBA")
    image.thumbnail((max_side, max_side), Image.Resampling.LANCZOS)
    out = io.BytesIO()
    image.save(out, "PNG", optimize=True)
    return out.getvalue()


def photo_and_thumbnail(stream: BinaryIO, *, max_side: int, thumb_side: int, max_bytes: int,
                        max_pixels: int) -> tuple[bytes, bytes, int, int]:
    """A post photo: JPEG no larger than `max_side`, plus a thumbnail; returns both and the size."""
    image = _open(read_limited(stream, max_bytes), max_pixels)
    if _has_alpha(image):
        background = Image.new("RGB", image.size, "white")
        background.paste(image.convert("RGBA"), mask=image.convert("RGBA").getchannel("A"))
        image = background
    else:
        image = image.convert("RGB")
    image.thumbnail((max_side, max_side), Image.Resampling.LANCZOS)
    full = io.BytesIO()
    image.save(full, "JPEG", quality=85, optimize=True, progressive=True)
    thumb_image = image.copy()
    thumb_image.thumbnail((thumb_side, thumb_side), Image.Resampling.LANCZOS)
    thumb = io.BytesIO()
    thumb_image.save(thumb, "JPEG", quality=80, optimize=True)
    return full.getvalue(), thumb.getvalue(), image.width, image.height


def _has_alpha(image: Image.Image) -> bool:
    return image.mode in ("RGBA", "LA", "PA") or (image.mode == "P" and "transparency" in image.info)


EXTENSION = "tribune.uploads"


@dataclass(frozen=True)
class Uploads:
    root: Path
    max_bytes: dict[str, int]
    max_pixels: int


def init_app(app: Flask, settings: Settings) -> None:
    app.extensions[EXTENSION] = Uploads(
        root=settings.uploads, max_pixels=settings.image_max_pixels,
        max_bytes={"avatars": settings.avatar_max_bytes, "logos": settings.avatar_max_bytes,
                   "photos": settings.photo_max_bytes})


def _uploads() -> Uploads:
    return current_app.extensions[EXTENSION]


def folder(kind: str) -> Path:
    """Where uploads of this kind are kept."""
    return _uploads().root / kind


def limits(kind: str) -> dict[str, int]:
    """The largest upload of this kind accepted, in bytes and in pixels: keyword arguments of the encoders."""
    uploads = _uploads()
    return {"max_bytes": uploads.max_bytes[kind], "max_pixels": uploads.max_pixels}


def store(kind: str, data: bytes, suffix: str) -> str:
    """Write under a random name that cannot be guessed; return the name."""
    place = folder(kind)
    place.mkdir(parents=True, exist_ok=True)
    name = f"{secrets.token_urlsafe(18)}.{suffix}"
    tmp = place / f".{name}.tmp"
    tmp.write_bytes(data)
    tmp.replace(place / name)
    return name


def discard(kind: str, *names: str | None) -> None:
    """Remove stored files (after the commit that stopped using them)."""
    for name in names:
        if name:
            (folder(kind) / Path(name).name).unlink(missing_ok=True)


def send_immutable(kind: str, name: str) -> Any:
    """Serve an uploaded file. Its name is random and never reused, so browsers may keep it for a year."""
    response = send_from_directory(folder(kind), Path(name).name, max_age=365 * 24 * 3600)
    response.headers["Cache-Control"] = "public, max-age=31536000, immutable"
    return response
