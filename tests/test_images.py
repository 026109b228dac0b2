"""The image encoders every upload goes through: nothing of the file but its pixels survives, and what an
upload may cost is decided from its header, before it is decoded."""
from __future__ import annotations

import io
import struct
import time
import zlib

import pytest
from PIL import Image, ImageCms, PngImagePlugin

from portal.kernel import images

SCRIPT = "<script>alert('kept')</script>"
LIMITS = {"max_bytes": 10 * 1024 * 1024, "max_pixels": 40_000_000}


def gif_with_comment() -> io.BytesIO:
    out = io.BytesIO()
    Image.new("P", (64, 48), 3).save(out, "GIF", comment=SCRIPT.encode())
    return io.BytesIO(out.getvalue())


def jpeg_with_comment_and_xmp() -> io.BytesIO:
    out = io.BytesIO()
    Image.new("RGB", (64, 48), (200, 40, 40)).save(out, "JPEG", comment=SCRIPT.encode(),
                                                  xmp=f"<x:xmpmeta>{SCRIPT}</x:xmpmeta>".encode())
    return io.BytesIO(out.getvalue())


def png_with_text_chunks() -> io.BytesIO:
    info = PngImagePlugin.PngInfo()
    info.add_text("Comment", SCRIPT)
    info.add_itxt("Description", SCRIPT)
    out = io.BytesIO()
    Image.new("RGBA", (64, 48), (200, 40, 40, 255)).save(out, "PNG", pnginfo=info)
    return io.BytesIO(out.getvalue())


def encodings(upload_maker):
    """Every stored file the encoders make from one upload: photo, thumbnail, avatar, logo."""
    full, thumb, _w, _h = images.photo_and_thumbnail(upload_maker(), max_side=2048, thumb_side=640, **LIMITS)
    return {"photo": full, "thumbnail": thumb,
            "avatar": images.square_webp(upload_maker(), side=256, **LIMITS),
            "logo": images.bounded_png(upload_maker(), max_side=512, **LIMITS)}


@pytest.mark.parametrize("upload", [gif_with_comment, jpeg_with_comment_and_xmp, png_with_text_chunks],
                         ids=["gif comment", "jpeg comment and xmp", "png text chunks"])
def test_no_metadata_of_the_upload_survives_in_any_stored_file(upload):
    with Image.open(upload()) as original:
        assert SCRIPT in str(original.info) or SCRIPT.encode() in upload().getvalue()  # the upload did carry it

    for kind, data in encodings(upload).items():
        assert b"script" not in data, kind
        with Image.open(io.BytesIO(data)) as stored:
            carried = {key for key in stored.info if key in {"comment", "xmp", "icc_profile", "exif", "Comment",
                                                             "Description", "XML:com.adobe.xmp"}}
            assert carried == set(), (kind, carried)


def test_a_colour_profile_is_applied_to_the_pixels_then_dropped():
    """The pixels are converted to sRGB with the file's profile, and no profile (which could hold anything) is kept."""
    profile = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes() + SCRIPT.encode()
    out = io.BytesIO()
    Image.new("RGB", (64, 48), (180, 90, 40)).save(out, "JPEG", icc_profile=profile)
    with Image.open(io.BytesIO(out.getvalue())) as original:
        assert original.info.get("icc_profile")

    full, _thumb, _w, _h = images.photo_and_thumbnail(io.BytesIO(out.getvalue()), max_side=2048, thumb_side=640, **LIMITS)

    with Image.open(io.BytesIO(full)) as stored:
        assert "icc_profile" not in stored.info and b"script" not in full
        assert all(abs(a - b) < 12 for a, b in zip(stored.getpixel((10, 10)), (180, 90, 40), strict=True))


def png_header_only(width: int, height: int) -> bytes:
    """A PNG whose header claims width × height but which holds almost no pixel data."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(b"\x00" * 10)) + chunk(b"IEND", b"")


def test_the_pixel_cap_is_read_from_the_header_before_anything_is_decoded():
    claimed = png_header_only(8000, 6000)  # 48 megapixels claimed in 60 bytes

    with pytest.raises(images.ImageRejected) as refused:
        images.photo_and_thumbnail(io.BytesIO(claimed), max_side=2048, thumb_side=640, **LIMITS)

    assert "too many pixels" in str(refused.value) and "8000" in str(refused.value)  # not "cannot read": never decoded


def test_an_avatar_png_too_large_to_decode_cheaply_is_refused_but_a_photo_of_it_is_not(app):
    """An avatar is 256 pixels: a 20-megapixel PNG (which cannot be decoded at a smaller scale) is refused."""
    out = io.BytesIO()
    Image.new("RGB", (5000, 4000), "teal").save(out, "PNG")

    with pytest.raises(images.ImageRejected) as refused:
        images.square_webp(io.BytesIO(out.getvalue()), side=256, **images.limits("avatars"))
    assert "too many pixels" in str(refused.value)

    full, _thumb, width, _h = images.photo_and_thumbnail(io.BytesIO(out.getvalue()), max_side=2048, thumb_side=640,
                                                         **images.limits("photos"))
    assert width == 2048


def test_a_large_camera_jpeg_becomes_an_avatar_cheaply(app):
    """A JPEG is decoded at 1/8 scale when that is all the avatar needs: a 36-megapixel photo costs little."""
    out = io.BytesIO()
    Image.new("RGB", (7200, 5000), (30, 120, 200)).save(out, "JPEG", quality=70)
    data = out.getvalue()

    started = time.process_time()
    avatar = images.square_webp(io.BytesIO(data), side=256, **images.limits("avatars"))
    spent = time.process_time() - started

    with Image.open(io.BytesIO(avatar)) as stored:
        assert stored.size == (256, 256)
    assert spent < 0.25, f"{spent:.2f} s of CPU for one avatar"
