"""The one e-mail the tracker sends: the confirmation of a message of support, to its sender."""

from __future__ import annotations

import logging
import smtplib
import ssl
from email.message import EmailMessage

from flask import current_app
from flask_babel import force_locale
from flask_babel import gettext as _

from campaign.models import Case, Message

logger = logging.getLogger(__name__)

SMTP_TIMEOUT_SECONDS = 15


def is_configured() -> bool:
    """Whether an SMTP server is set: without one, the form asks for no e-mail at all."""
    return bool(current_app.config["MAIL_SERVER"])


def _locale_for(message: Message) -> str:
    """The message's language when the site has a catalogue for it, English otherwise."""
    available = current_app.config["LANGUAGES"]
    if message.language and message.language in available:
        return message.language
    return "en"


def _publication_line(message: Message, case: Case) -> str:
    """Whether the message may appear on the site or is only delivered, as the sender chose."""
    if message.consent_to_publish:
        return _(
            "You allowed publication: once approved, your message may appear on the site with "
            "your signature, and it is printed and delivered to %(name)s.",
            name=case.person_name,
        )
    return _(
        "You chose to keep your message private: it will never be shown on the site, "
        "only printed and delivered to %(name)s.",
        name=case.person_name,
    )


def build_confirmation(message: Message, case: Case, withdraw_url: str) -> EmailMessage:
    """The plain-text confirmation: received, waiting for review, shown or private, the link."""
    config = current_app.config
    fallback = f"no-reply@{config['MAIL_SERVER']}"
    sender = config["MAIL_FROM"] or config["MAIL_USERNAME"] or fallback
    email = EmailMessage()
    with force_locale(_locale_for(message)):
        email["Subject"] = _("Your message to %(name)s was received", name=case.person_name)
        email.set_content(
            "\n\n".join(
                [
                    _(
                        "Thank you: your message of support to %(name)s was received.",
                        name=case.person_name,
                    ),
                    _(
                        "It waits for review: an organiser reads every message before it is "
                        "published or delivered, usually within a few days."
                    ),
                    _publication_line(message, case),
                    _("If you change your mind, you can withdraw your message with this link:")
                    + "\n"
                    + withdraw_url,
                    _(
                        "Your e-mail address is never shown to anyone and is deleted after "
                        "the message has been reviewed. You will receive no other e-mail from us."
                    ),
                ]
            )
            + "\n"
        )
    email["From"] = str(sender)
    email["To"] = str(message.email)
    return email


def send_confirmation(message: Message, case: Case, withdraw_url: str) -> bool:
    """Send the confirmation to the message's sender; False (and a log line) if it failed.

    The log names the message id only, never the address: SMTP errors can quote the address,
    so only the error's class is logged.
    """
    if not is_configured() or not message.email:
        return False
    config = current_app.config
    try:
        # Inside the try: a malformed MAIL_FROM or a case name a header refuses raises here.
        email = build_confirmation(message, case, withdraw_url)
        with smtplib.SMTP(
            str(config["MAIL_SERVER"]),
            config["MAIL_PORT"],
            timeout=SMTP_TIMEOUT_SECONDS,
        ) as smtp:
            if config["MAIL_USE_TLS"]:
                smtp.starttls(context=ssl.create_default_context())
            username = config["MAIL_USERNAME"]
            if username:
                smtp.login(str(username), str(config["MAIL_PASSWORD"] or ""))
            smtp.send_message(email, to_addrs=[str(message.email)])
    except (smtplib.SMTPException, OSError, ValueError) as error:
        logger.warning(
            "the confirmation e-mail for message %s could not be sent (%s)",
            message.id,
            type(error).__name__,
        )
        return False
    return True
