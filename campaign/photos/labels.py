"""How photos, their states and the reasons an upload is refused are named for people."""

from __future__ import annotations

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel.speaklater import LazyString

from campaign.photos.images import MAX_BYTES

#: The reasons of ImageRefused, as a sentence for the person who sent the file.
REFUSALS: dict[str, LazyString] = {
    "not-an-image": _l(
        "This file is not a photo the site takes, or it is damaged: send a JPEG, PNG, WebP "
        "or GIF image."
    ),
    "too-many-pixels": _l(
        "This image has too many pixels: send a smaller one (at most 40 million pixels)."
    ),
}


def refusal(reason: str, file_name: str = "") -> str:
    """Why an upload was refused, naming the file when there were several."""
    if reason == "too-large":
        mb = MAX_BYTES // 2**20
        text = _("This file is too big: each photo may be at most %(mb)d MB.", mb=mb)
    else:
        text = str(REFUSALS.get(reason, REFUSALS["not-an-image"]))
    if file_name:
        return _("%(file)s: %(reason)s", file=file_name, reason=text)
    return text


def state(published: bool) -> str:
    """A photo's state as its badge says it."""
    return _("Published") if published else _("Internal")
