"""Uploaded images: checked by content, capped, re-encoded by Pillow without any of their metadata, and
kept in one folder per kind ("avatars", "logos", "photos") under the uploads folder.

Where they are kept and how large they may be is configured once by create_app (`init_app`);
features name the kind, so their services never read the app's settings.

Cost: the pixel cap is checked on the size in the file's header, before anything is decoded. A JPEG
is then decoded at the smallest scale the result needs (libjpeg's DCT scaling), so a 40-megapixel
photo costs little more than a small one; formats that cannot be decoded at a smaller scale (PNG,
GIF, WebP) must fit the kind's decoding budget (`DECODE_BUDGET`): an avatar needs no 40 megapixels.
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
from PIL import Image, ImageCms, ImageOps, UnidentifiedImageError

from ..config import Settings

ACCEPTED_FORMATS = {"JPEG", "PNG", "GIF", "WEBP"}
# The most pixels decoded for one upload of a kind once a JPEG has been scaled down while decoding:
# a 256-pixel avatar or a 512-pixel logo is made from at most 16 megapixels (4000 × 4000).
DECODE_BUDGET = {"avatars": 16_000_000, "logos": 16_000_000}
_SRGB = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB"))


class ImageRejected(ValueError):
    """The upload is not an image we accept; the message says why, for the member."""


def read_limited(stream: BinaryIO, max_bytes: int) -> bytes:
    data = stream.read(max_bytes + 1)
    if len(data) > max_bytes:
        raise ImageRejected(_l("The image is larger than %(size)s MB.", size=round(max_bytes / 1048576, 1)))
    if not data:
        raise ImageRejected(_l("The file is empty."))
    return data


def _too_many_pixels(width: int, height: int) -> ImageRejected:
    return ImageRejected(_l("The image has too many pixels (%(w)s × %(h)s).", w=width, h=height))


def _open(data: bytes, max_pixels: int, *, needed: tuple[int, int], budget: int | None = None) -> Image.Image:
    """Decode an upload whose header says it fits `max_pixels`, at no more than the `needed` size's scale."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = Image.open(io.BytesIO(data))  # reads the header only
            if image.format not in ACCEPTED_FORMATS:
                raise ImageRejected(_l("Only JPEG, PNG, GIF and WebP images are accepted."))
            width, height = image.size
            if width * height > max_pixels:
                raise _too_many_pixels(width, height)
            if image.format == "JPEG":
                image.draft(image.mode, needed)  # decode at 1/2, 1/4 or 1/8 scale when that still covers `needed`
            if budget is not None and image.size[0] * image.size[1] > budget:
                raise _too_many_pixels(width, height)
            image.load()
    except (UnidentifiedImageError, Image.DecompressionBombError, Image.DecompressionBombWarning, OSError, SyntaxError) as exc:
        if isinstance(exc, ImageRejected):
            raise
        if isinstance(exc, (Image.DecompressionBombError, Image.DecompressionBombWarning)):
            raise ImageRejected(_l("The image has too many pixels.")) from exc
        raise ImageRejected(_l("This file is not an image we can read.")) from exc
    return ImageOps.exif_transpose(image)


def _in_srgb(image: Image.Image) -> Image.Image:
    """The pixels converted from the file's colour profile to sRGB, so that the profile can be dropped."""
    icc = image.info.get("icc_profile")
    if not icc or image.mode not in ("RGB", "RGBA", "CMYK"):
        return image
    try:
        source = ImageCms.ImageCmsProfile(io.BytesIO(icc))
        mode = "RGBA" if image.mode == "RGBA" else "RGB"
        converted = ImageCms.profileToProfile(image, source, _SRGB, outputMode=mode)
    except (ImageCms.PyCMSError, OSError, ValueError):
        return image  # a profile littlecms cannot read: the pixels as they are, without it
    return converted if converted is not None else image


def _bare(image: Image.Image) -> Image.Image:
    """The image with every metadata field gone (comments, EXIF, XMP, ICC, text chunks), ready to save.

    Pillow's encoders copy some fields from `info` into the new file (a JPEG or GIF comment survived
    into the stored JPEG), so `info` is emptied, and `_save` passes an empty EXIF too.
    """
    image.info = {}
    return image


def _save(image: Image.Image, fmt: str, **options: Any) -> bytes:
    """Encode the image in sRGB (converted once it is small) and without any metadata."""
    out = io.BytesIO()
    _bare(_in_srgb(image)).save(out, fmt, exif=b"", **options)
    return out.getvalue()


def _shrunk(image: Image.Image, side: int) -> Image.Image:
    """Shrink by a whole factor (box averaging, cheap) to no less than twice `side`, before the fine resampling."""
    factor = min(image.size) // (2 * side)
    return image.reduce(factor) if factor >= 2 else image


def square_webp(stream: BinaryIO, *, side: int, max_bytes: int, max_pixels: int,
                budget: int | None = None) -> bytes:
    """An avatar: cropped to a centred square of `side` pixels, as WebP without metadata."""
    image = _open(read_limited(stream, max_bytes), max_pixels, needed=(side, side), budget=budget)
    image = _shrunk(image.convert("RGBA" if _has_alpha(image) else "RGB"), side)
    image = ImageOps.fit(image, (side, side), Image.Resampling.LANCZOS)
    return _save(image, "WEBP", quality=85, method=4)


def bounded_png(stream: BinaryIO, *, max_side: int, max_bytes: int, max_pixels: int,
                budget: int | None = None) -> bytes:
    """A logo: shrunk to fit `max_side`, transparency kept, as PNG without metadata."""
    image = _open(read_limited(stream, max_bytes), max_pixels, needed=(max_side, max_side), budget=budget).convert("RGBA")
    image.thumbnail((max_side, max_side), Image.Resampling.LANCZOS)
    return _save(image, "PNG", optimize=True)


def photo_and_thumbnail(stream: BinaryIO, *, max_side: int, thumb_side: int, max_bytes: int,
                        max_pixels: int, budget: int | None = None) -> tuple[bytes, bytes, int, int]:
    """A post photo: JPEG no larger than `max_side`, plus a thumbnail; returns both and the size."""
    image = _open(read_limited(stream, max_bytes), max_pixels, needed=(max_side, max_side), budget=budget)
    if _has_alpha(image):
        background = Image.new("RGB", image.size, "white")
        background.paste(image.convert("RGBA"), mask=image.convert("RGBA").getchannel("A"))
        background.info = dict(image.info)  # its colour profile, to convert with
        image = background
    else:
        image = image.convert("RGB")
    image.thumbnail((max_side, max_side), Image.Resampling.LANCZOS)
    thumb_image = image.copy()
    thumb_image.thumbnail((thumb_side, thumb_side), Image.Resampling.LANCZOS)
    full = _save(image, "JPEG", quality=85, optimize=True, progressive=True)
    thumb = _save(thumb_image, "JPEG", quality=80, optimize=True)
    return full, thumb, image.width, image.height


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


def limits(kind: str) -> dict[str, Any]:
    """The largest upload of this kind accepted, in bytes, in pixels and in pixels decoded: keyword
    arguments of the encoders."""
    uploads = _uploads()
    return {"max_bytes": uploads.max_bytes[kind], "max_pixels": uploads.max_pixels, "budget": DECODE_BUDGET.get(kind)}


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
    """Serve an uploaded file anyone may see. Its name is random and never reused, so browsers may keep it for a year."""
    response = send_from_directory(folder(kind), Path(name).name, max_age=365 * 24 * 3600)
    response.headers["Cache-Control"] = "public, max-age=31536000, immutable"
    return response


PUBLIC_FOR = 24 * 3600  # how long a shared cache may keep a photo that could later be hidden


def send_guarded(kind: str, name: str, *, public: bool) -> Any:
    """Serve an uploaded file that not everyone may always see (a post's photo: the post may be hidden).

    `public` (everyone may see it now): caches may keep it for a day, then ask again, and a file
    hidden since gets a 404 from then on. Otherwise only this viewer gets it, and nothing stores it.
    """
    response = send_from_directory(folder(kind), Path(name).name, max_age=PUBLIC_FOR if public else 0)
    response.headers["Cache-Control"] = f"public, max-age={PUBLIC_FOR}" if public else "private, no-store"
    return response
