"""Images the photo and portrait tests upload: a phone photo that carries its place and camera
in EXIF, and a PNG whose header claims any size (a decompression bomb in a few bytes)."""

from __future__ import annotations

import io
import struct
import zlib

from PIL import Image

GPS_IFD = 0x8825


def phone_jpeg(
    size: tuple[int, int] = (1200, 800),
    *,
    gps: bool = True,
    orientation: int | None = None,
    colour: str | tuple[int, int, int] = (200, 30, 30),
    icc: bool = False,
) -> bytes:
    """A JPEG as a phone writes it: the left half blue, with the camera's make and model, the
    place (unless *gps* is false), an orientation and an ICC profile if asked, in its metadata."""
    image = Image.new("RGB", size, colour)
    image.paste((20, 20, 220), (0, 0, size[0] // 2, size[1]))
    exif = Image.Exif()
    if orientation is not None:
        exif[0x0112] = orientation
    exif[0x010F] = "CameraMaker"  # Make
    exif[0x0110] = "Phone 12"  # Model
    if gps:
        exif.get_ifd(GPS_IFD).update({1: "N", 2: (55.0, 45.0, 0.0), 3: "E", 4: (37.0, 37.0, 0.0)})
    out = io.BytesIO()
    image.save(out, "JPEG", exif=exif, **({"icc_profile": b"\0" * 128} if icc else {}))
    return out.getvalue()


def png_header(width: int, height: int) -> bytes:
    """A small PNG that says it is *width* by *height* pixels."""

    def chunk(kind: bytes, body: bytes) -> bytes:
        crc = struct.pack(">I", zlib.crc32(kind + body))
        return struct.pack(">I", len(body)) + kind + body + crc

    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", zlib.compress(b"\0" * 64))
