"""Who the client of this request is, as a keyed hash of its address: never the address itself."""

from __future__ import annotations

import logging

from flask import Flask, request

from campaign.util.privacy import keyed_hash

logger = logging.getLogger(__name__)


def client_address() -> str:
    """The client's address as the app sees it (behind a configured proxy, the forwarded one)."""
    return request.remote_addr or "unknown"


def client_key() -> str:
    """Identify the current client for rate limits and spam checks by a rotating keyed hash."""
    return keyed_hash(client_address())


def warn_of_unconfigured_proxy(app: Flask) -> None:
    """Log once, at the first request that carries ``X-Forwarded-For``, that no proxy is trusted.

    Behind a proxy that the app does not know of, every visitor has the proxy's address, so
    every per-client limit (sign-in, the support form) is shared by everybody.
    """
    warned = False

    @app.before_request
    def _check_forwarded_for() -> None:
        nonlocal warned
        if warned or "X-Forwarded-For" not in request.headers:
            return
        warned = True
        logger.warning(
            "Requests arrive with an X-Forwarded-For header but PROXY_FIX_X_FOR is 0: every "
            "client looks like the proxy, so per-client limits are shared by all. Set "
            "CAMPAIGN_PROXY_FIX_X_FOR to the number of proxies in front of the app."
        )
