"""The image checks and re-encoding: metadata gone, orientation applied, bad files refused."""

from __future__ import annotations

import io

import pytest
from PIL import Image

from campaign.photos.images import ImageRefused, Region, blur, clean_image, encode_sizes
from tests.photos.samples import GPS_IFD, phone_jpeg, png_header


def test_gps_exif_is_gone_from_every_size() -> None:
    data = phone_jpeg((60, 30), orientation=1, icc=True)
    assert Image.open(io.BytesIO(data)).getexif().get_ifd(GPS_IFD)
    for encoded in encode_sizes(clean_image(data)).values():
        served = Image.open(io.BytesIO(encoded.data))
        assert served.format == "JPEG"
        assert not served.getexif()
        assert not {"exif", "icc_profile", "xmp", "XML:com.adobe.xmp"} & set(served.info)
        assert b"CameraMaker" not in encoded.data


def test_orientation_is_applied() -> None:
    image = clean_image(phone_jpeg((60, 30), orientation=6, icc=True))
    assert image.size == (30, 60)


def test_large_image_is_scaled_to_the_page_widths() -> None:
    out = io.BytesIO()
    Image.new("RGB", (2000, 1000), "white").save(out, "PNG")
    sizes = encode_sizes(clean_image(out.getvalue()))
    assert (sizes["small"].width, sizes["small"].height) == (320, 160)
    assert (sizes["large"].width, sizes["large"].height) == (1024, 512)


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (b"hello, this is not an image", "not-an-image"),
        (b'<svg xmlns="http://www.w3.org/2000/svg"><script/></svg>', "not-an-image"),
        (phone_jpeg((60, 30), orientation=1, icc=True)[:200], "not-an-image"),
        (png_header(50_000, 50_000), "too-many-pixels"),
        (b"\xff\xd8" + b"\0" * (10 * 1024 * 1024 + 1), "too-large"),
    ],
    ids=["text", "svg", "truncated", "bomb", "huge"],
)
def test_bad_uploads_are_refused(data: bytes, reason: str) -> None:
    with pytest.raises(ImageRefused) as refused:
        clean_image(data)
    assert str(refused.value) == reason


def test_animated_gif_keeps_its_first_frame() -> None:
    frames = [Image.new("RGB", (10, 10), colour) for colour in ("red", "blue")]
    out = io.BytesIO()
    frames[0].save(out, "GIF", save_all=True, append_images=frames[1:])
    image = clean_image(out.getvalue())
    assert image.getpixel((5, 5)) == (255, 0, 0)


def test_blur_changes_the_region_only() -> None:
    image = Image.new("RGB", (100, 100), "white")
    for x in range(0, 100, 2):
        for y in range(100):
            image.putpixel((x, y), (0, 0, 0))
    blurred = blur(image, [Region(10, 10, 30, 30)])
    assert blurred is not image
    inside = sum(blurred.getpixel((x, 25)) != image.getpixel((x, 25)) for x in range(12, 38))
    assert inside > 10
    for x in range(100):
        for y in list(range(0, 9)) + list(range(41, 100)):
            assert blurred.getpixel((x, y)) == image.getpixel((x, y))
