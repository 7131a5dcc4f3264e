"""Absolute links for e-mails, in a request or from the command line, on the public site.

Inside a request ``url_for`` already builds them from PUBLIC_BASE_URL (campaign.web.routing);
a command (``flask subscriptions send``) has no request, so the address is built from
PUBLIC_BASE_URL directly, and without it the command says what to set.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from flask import current_app, has_request_context, url_for


class NoPublicAddress(RuntimeError):
    """Links are needed outside a request and PUBLIC_BASE_URL is not set."""


def public_url(endpoint: str, **values: Any) -> str:
    """The absolute address of *endpoint* on the public site."""
    if has_request_context():
        return url_for(endpoint, _external=True, **values)
    base = current_app.config["PUBLIC_BASE_URL"]
    if not base:
        raise NoPublicAddress(
            "Set PUBLIC_BASE_URL (the site's address, such as https://campaign.example.org): "
            "the links in e-mails are built from it."
        )
    parts = urlsplit(str(base))
    adapter = current_app.url_map.bind(parts.netloc, url_scheme=parts.scheme)
    return adapter.build(endpoint, values, force_external=True)
