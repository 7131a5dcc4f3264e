"""Reading photos: the file names an address may carry, and a page's photos in one query."""

from __future__ import annotations

import pytest

from campaign.photos.queries import PhotoFile, parse_file_name


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("AbC-d_e0123456789xyzABCD.large.jpg", PhotoFile("AbC-d_e0123456789xyzABCD", "large")),
        ("AbC-d_e0123456789xyzABCD.small.jpg", PhotoFile("AbC-d_e0123456789xyzABCD", "small")),
        ("AbC-d_e0123456789xyzABCD.huge.jpg", None),
        ("AbC-d_e0123456789xyzABCD.large.jpeg", None),
        ("AbC-d_e0123456789xyzABCD.large.JPG", None),
        ("../AbC-d_e0123456789xyzABCD.large.jpg", None),
        ("x/AbC-d_e0123456789xyzABCD.large.jpg", None),
        ("..%2FAbC-d_e0123456789xyzABCD.large.jpg", None),
        ("AbC.d_e0123456789xyzABCD.large.jpg", None),
        ("short.large.jpg", None),
        ("A" * 41 + ".large.jpg", None),
        ("AbC-d_e0123456789xyzABCD.large.jpg\n", None),
        ("", None),
    ],
)
def test_only_names_the_encoder_writes_are_photo_files(
    text: str, expected: PhotoFile | None
) -> None:
    assert parse_file_name(text) == expected
