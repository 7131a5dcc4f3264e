"""URL slugs from names in any script."""

from __future__ import annotations

import re
import unicodedata

_NON_WORD = re.compile(r"[^a-z0-9]+")


def slugify(text: str, max_length: int = 80) -> str:
    """Lower-case ASCII words joined by hyphens ("Yesenbek Ukteshbaev" -> "yesenbek-ukteshbaev").

    Text with no Latin letters (e.g. only Cyrillic) gives an empty slug; callers must then ask
    for one rather than invent it.
    """
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    slug = _NON_WORD.sub("-", ascii_text.lower()).strip("-")
    return slug[:max_length].rstrip("-")
