"""Where a form may send the browser next: only to a path on this site (no open redirects)."""

from __future__ import annotations

from urllib.parse import urlsplit


def local_target(target: str | None, default: str) -> str:
    """*target* when it is a path on this site, else *default*.

    Refuses other hosts (``//evil.example``, ``https://...``) and backslash tricks that some
    browsers read as ``//``.
    """
    if target and target.startswith("/") and not target.startswith("//") and "\\" not in target:
        parts = urlsplit(target)
        if not parts.scheme and not parts.netloc:
            return target
    return default
