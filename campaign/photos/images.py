"""Checking and re-encoding uploaded images, so that nothing the uploader's camera wrote survives.

An upload is accepted by its content, never by its name: Pillow must open and verify it, and its
format must be JPEG, PNG, WebP or GIF (the first frame only); SVG and everything else is refused.
The image is turned upright (``ImageOps.exif_transpose``), converted to plain RGB and saved anew as
JPEG in each of ``SIZES`` with no EXIF, ICC profile or XMP: GPS positions, camera serial numbers
and edit histories are dropped with the original, which is never kept.
"""

from __future__ import annotations

import io
import warnings
from dataclasses import dataclass

from PIL import Image, ImageFile, ImageFilter, ImageOps, UnidentifiedImageError

#: The formats accepted, by what Pillow reads in the file.
FORMATS = frozenset({"JPEG", "PNG", "WEBP", "GIF"})
#: The widths the pages use, by the name in the photo's URL.
SIZES: dict[str, int] = {"small": 320, "large": 1024}
#: The largest upload, in bytes.
MAX_BYTES = 10 * 1024 * 1024
#: The largest image, in pixels (width times height).
MAX_PIXELS = 40_000_000

ImageFile.LOAD_TRUNCATED_IMAGES = False


class ImageRefused(ValueError):
    """The upload is not an image this site takes; ``str(error)`` is the reason for people."""


@dataclass(frozen=True)
class Encoded:
    """One re-encoded size of an image: its JPEG bytes and its dimensions."""

    data: bytes
    width: int
    height: int


def _open(data: bytes, max_pixels: int) -> Image.Image:
    """Open and fully decode *data*, or raise ImageRefused saying why."""
    if len(data) > MAX_BYTES:
        raise ImageRefused("too-large")
    old_limit = Image.MAX_IMAGE_PIXELS
    Image.MAX_IMAGE_PIXELS = max_pixels
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            try:
                with Image.open(io.BytesIO(data)) as probe:
                    if probe.format not in FORMATS:
                        raise ImageRefused("not-an-image")
                    probe.verify()
                image = Image.open(io.BytesIO(data))
                if image.width * image.height > max_pixels:
                    raise ImageRefused("too-many-pixels")
                image.seek(0)
                image.load()
            except (Image.DecompressionBombError, Image.DecompressionBombWarning):
                raise ImageRefused("too-many-pixels") from None
            except (UnidentifiedImageError, OSError, SyntaxError, ValueError, EOFError) as error:
                if isinstance(error, ImageRefused):
                    raise
                raise ImageRefused("not-an-image") from None
    finally:
        Image.MAX_IMAGE_PIXELS = old_limit
    return image


def _upright_rgb(image: Image.Image) -> Image.Image:
    """The image turned as its EXIF orientation says, flattened onto white, in plain RGB."""
    turned = ImageOps.exif_transpose(image) or image
    if turned.mode in ("RGBA", "LA") or (turned.mode == "P" and "transparency" in turned.info):
        rgba = turned.convert("RGBA")
        flat = Image.new("RGB", rgba.size, (255, 255, 255))
        flat.paste(rgba, mask=rgba.getchannel("A"))
        return flat
    # A fresh image from the pixels alone: no info dictionary, no EXIF, no ICC profile.
    rgb = turned.convert("RGB")
    clean = Image.new("RGB", rgb.size)
    clean.paste(rgb)
    return clean


def _encode(image: Image.Image, width: int) -> Encoded:
    """*image* scaled down to at most *width* pixels wide, as metadata-free JPEG."""
    copy = image.copy()
    if copy.width > width:
        height = max(1, round(copy.height * width / copy.width))
        copy = copy.resize((width, height), Image.Resampling.LANCZOS)
    out = io.BytesIO()
    copy.save(out, "JPEG", quality=85, optimize=True)
    return Encoded(out.getvalue(), copy.width, copy.height)


def clean_image(data: bytes, *, max_pixels: int = MAX_PIXELS) -> Image.Image:
    """The upload's pixels, checked, upright and stripped of everything else."""
    return _upright_rgb(_open(data, max_pixels))


def encode_sizes(image: Image.Image) -> dict[str, Encoded]:
    """Every size in ``SIZES`` of an already cleaned *image*."""
    return {name: _encode(image, width) for name, width in SIZES.items()}


@dataclass(frozen=True)
class Region:
    """A rectangle to blur, in percentages of the image's width and height."""

    x: float
    y: float
    w: float
    h: float


def blur(image: Image.Image, regions: list[Region]) -> Image.Image:
    """A NEW copy of *image* with each region pixelated then blurred beyond recognition."""
    out = image.copy()
    for region in regions:
        left = max(0, min(out.width, round(out.width * region.x / 100)))
        top = max(0, min(out.height, round(out.height * region.y / 100)))
        right = max(left, min(out.width, round(out.width * (region.x + region.w) / 100)))
        bottom = max(top, min(out.height, round(out.height * (region.y + region.h) / 100)))
        if right - left < 1 or bottom - top < 1:
            continue
        box = (left, top, right, bottom)
        patch = out.crop(box)
        small = patch.resize(
            (max(1, patch.width // 16), max(1, patch.height // 16)), Image.Resampling.BILINEAR
        )
        patch = small.resize(patch.size, Image.Resampling.NEAREST)
        patch = patch.filter(ImageFilter.GaussianBlur(radius=max(4, min(patch.size) // 8)))
        out.paste(patch, box)
    return out
