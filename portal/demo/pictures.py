"""The demo's generated pictures: avatars (initials on a coloured disc) and landscape photos.

Each is drawn with Pillow, then encoded by the same functions and limits as an upload.
"""
from __future__ import annotations

import io
import random

from PIL import Image, ImageDraw, ImageFilter, ImageFont

from ..accounts.service import AVATAR_SIDE
from ..community.posting import PHOTO_MAX_SIDE, THUMB_SIDE
from ..kernel import images

PALETTE = ["#1f6f4a", "#e07a1f", "#3b5bdb", "#c2255c", "#0c8599", "#5f3dc4", "#e8590c", "#2b8a3e", "#862e9c", "#1864ab"]
SKIES = [("#8ec5fc", "#e0c3fc"), ("#f6d365", "#fda085"), ("#a1c4fd", "#c2e9fb"), ("#84fab0", "#8fd3f4"),
         ("#fccb90", "#d57eeb"), ("#d4fc79", "#96e6a1")]
HILLS = ["#1f6f4a", "#2b8a3e", "#364fc7", "#5f3dc4", "#495057", "#0b7285"]

Photo = tuple[bytes, bytes, int, int]  # the photo, its thumbnail, width, height


def avatar(rng: random.Random, initials: str) -> bytes:
    """An avatar like the ones apps make, encoded as an uploaded avatar is."""
    size = 256
    image = Image.new("RGB", (size, size), "#f1f3f5")
    draw = ImageDraw.Draw(image)
    draw.ellipse((0, 0, size, size), fill=rng.choice(PALETTE))
    try:
        font = ImageFont.truetype("DejaVuSans-Bold.ttf", 104)
    except OSError:
        font = ImageFont.load_default(size=104)
    draw.text((size / 2, size / 2), initials, fill="white", font=font, anchor="mm")
    out = io.BytesIO()
    image.save(out, "PNG")
    out.seek(0)
    return images.square_webp(out, side=AVATAR_SIDE, **images.limits("avatars"))


def landscape(rng: random.Random, width: int = 1200, height: int = 800) -> Photo:
    """A photo of a sky gradient, a sun and layered hills, encoded as an uploaded photo is."""
    top, bottom = SKIES[rng.randrange(len(SKIES))]
    image = Image.new("RGB", (width, height))
    draw = ImageDraw.Draw(image)
    t_rgb = tuple(int(top[i:i + 2], 16) for i in (1, 3, 5))
    b_rgb = tuple(int(bottom[i:i + 2], 16) for i in (1, 3, 5))
    for y in range(height):
        mix = y / height
        draw.line([(0, y), (width, y)], fill=tuple(int(t * (1 - mix) + b * mix) for t, b in zip(t_rgb, b_rgb, strict=True)))
    sun_x, sun_y = rng.randint(150, width - 150), rng.randint(100, 300)
    draw.ellipse((sun_x - 60, sun_y - 60, sun_x + 60, sun_y + 60), fill="#fff4d6")
    for layer in range(3):
        base = height * (0.55 + layer * 0.13)
        points = [(0, height)]
        for x in range(0, width + 100, 100):
            points.append((x, base - rng.randint(0, 160 - layer * 40)))
        points.append((width, height))
        colour = HILLS[(rng.randrange(len(HILLS)) + layer) % len(HILLS)]
        draw.polygon(points, fill=colour)
    image = image.filter(ImageFilter.SMOOTH)
    out = io.BytesIO()
    image.save(out, "JPEG", quality=90)
    out.seek(0)
    return images.photo_and_thumbnail(out, max_side=PHOTO_MAX_SIDE, thumb_side=THUMB_SIDE, **images.limits("photos"))
