"""Logging, set up by the factory: the app's own records from INFO up reach the server's log
(gunicorn's error log under gunicorn, standard error otherwise), and nothing personal does.

The app logs ids only, never an e-mail, an address or a message body. As a last line of defence
against a library quoting one (an SMTP error, a traceback of bad input, a database error with
the values it was given), every record that goes through the app's handlers (gunicorn's own
records too) has replaced by "[redacted]": e-mail and IP addresses, the values of the request's
form, the bound parameters SQLAlchemy quotes in its errors, and the tokens in withdraw and
invitation links.
"""

from __future__ import annotations

import ipaddress
import logging
import re

from flask import Flask
from flask.logging import default_handler

from campaign.web.requests import form_values

APP_LOGGER = "campaign"
REDACTED = "[redacted]"
_EMAIL_OR_IPV4 = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+|\b(?:\d{1,3}\.){3}\d{1,3}\b")
# Candidates for an IPv6 address; only those that parse as one are redacted (not "23:08:58").
_IPV6_LIKE = re.compile(r"(?<![\w:])[0-9A-Fa-f]{0,4}(?::[0-9A-Fa-f]{0,4}){2,7}(?![\w:])")
# What SQLAlchemy appends to a database error: every value the statement was given.
_SQL_PARAMETERS = re.compile(r"\[parameters: .*?\](?=\n|$)", re.DOTALL)
# A withdraw or invitation link carries its secret in the path.
_PATH_TOKEN = re.compile(r"(/(?:withdraw|invite)/)[^/\s?\"']+")
# Form values shorter than this are choices ("AT", "y", "en") that say nothing of anyone.
_SHORTEST_FORM_VALUE = 4


def _ipv6(match: re.Match[str]) -> str:
    try:
        ipaddress.IPv6Address(match.group(0))
    except ValueError:
        return match.group(0)
    return REDACTED


def redact(text: str) -> str:
    """*text* without e-mail and IP addresses, SQL parameters, link tokens and (inside a
    request) the values of its form, each replaced by "[redacted]"."""
    for value in form_values(_SHORTEST_FORM_VALUE):
        text = text.replace(value, REDACTED)
    text = _SQL_PARAMETERS.sub(f"[parameters: {REDACTED}]", text)
    text = _PATH_TOKEN.sub(rf"\1{REDACTED}", text)
    return _IPV6_LIKE.sub(_ipv6, _EMAIL_OR_IPV4.sub(_email_or_ipv4, text))


# The server's own addresses say nothing of anyone ("Running on http://127.0.0.1:5000").
_OWN_ADDRESSES = frozenset({"127.0.0.1", "0.0.0.0"})  # noqa: S104  # nosec B104  # compared, never bound


def _email_or_ipv4(match: re.Match[str]) -> str:
    return match.group(0) if match.group(0) in _OWN_ADDRESSES else REDACTED


class RedactPersonalData(logging.Filter):
    """Rewrite a record's message and traceback without e-mail or IP addresses."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        cleaned = redact(message)
        if cleaned != message:
            record.msg, record.args = cleaned, ()
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = redact(record.exc_text)
        return True


def init_app(app: Flask) -> None:
    """Send the app's records (``campaign`` and below) to gunicorn's error log when gunicorn
    serves the app, else to standard error, at ``LOG_LEVEL``; each handler redacts."""
    logger = logging.getLogger(APP_LOGGER)
    logger.setLevel(app.config["LOG_LEVEL"])
    served_by = logging.getLogger("gunicorn.error").handlers
    handlers = list(served_by) if served_by else [default_handler]
    for handler in handlers:
        if not any(isinstance(f, RedactPersonalData) for f in handler.filters):
            handler.addFilter(RedactPersonalData())
        if handler not in logger.handlers:
            logger.addHandler(handler)
    # The development server logs each request with the client's address on its own logger.
    werkzeug = logging.getLogger("werkzeug")
    if not any(isinstance(f, RedactPersonalData) for f in werkzeug.filters):
        werkzeug.addFilter(RedactPersonalData())
