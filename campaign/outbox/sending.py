"""Handing one e-mail to the SMTP server of the settings (MAIL_*)."""

from __future__ import annotations

import smtplib
import ssl
from email.message import EmailMessage

from flask import current_app

from campaign.outbox.services import Claimed

SMTP_TIMEOUT_SECONDS = 15


def is_configured() -> bool:
    """Whether an SMTP server is set: without one the app collects no address to write to."""
    return bool(current_app.config["MAIL_SERVER"])


def sender() -> str:
    """The From address: MAIL_FROM, else MAIL_USERNAME, else no-reply at the mail server."""
    config = current_app.config
    fallback = f"no-reply@{config['MAIL_SERVER']}"
    return str(config["MAIL_FROM"] or config["MAIL_USERNAME"] or fallback)


def build(mail: Claimed) -> EmailMessage:
    """The e-mail as it leaves: plain text (with an HTML alternative if there is one).

    Raises ValueError for a header the e-mail package refuses (a malformed MAIL_FROM).
    """
    email = EmailMessage()
    email["Subject"] = mail.subject
    email["From"] = sender()
    email["To"] = mail.recipient
    for name, value in mail.headers.items():
        email[name] = value
    email.set_content(mail.body_text)
    if mail.body_html:
        email.add_alternative(mail.body_html, subtype="html")
    return email


def is_permanent(error: Exception) -> bool:
    """Whether trying again cannot help: the server refused every recipient for good (5xx)."""
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        codes = [code for code, _message in error.recipients.values()]
        return bool(codes) and all(500 <= int(code) < 600 for code in codes)
    return False


def send(mail: Claimed) -> None:
    """Send one e-mail through the configured server; raises what smtplib raises (or
    ValueError for a malformed header)."""
    config = current_app.config
    email = build(mail)
    with smtplib.SMTP(
        str(config["MAIL_SERVER"]), config["MAIL_PORT"], timeout=SMTP_TIMEOUT_SECONDS
    ) as smtp:
        if config["MAIL_USE_TLS"]:
            smtp.starttls(context=ssl.create_default_context())
        username = config["MAIL_USERNAME"]
        if username:
            smtp.login(str(username), str(config["MAIL_PASSWORD"] or ""))
        smtp.send_message(email, to_addrs=[mail.recipient])
