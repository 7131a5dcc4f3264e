"""The confirmation of a message of support, to its sender: written to the outbox with the
message, sent by the outbox worker (campaign.outbox)."""

from __future__ import annotations

import logging

from flask import current_app
from flask_babel import force_locale
from flask_babel import gettext as _

from campaign.models import Case, Message
from campaign.outbox.services import enqueue

logger = logging.getLogger(__name__)


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


def confirmation_text(message: Message, case: Case, withdraw_url: str) -> tuple[str, str]:
    """The plain-text confirmation's subject and text: received, waiting for review, shown or
    private, the link; in the language of the message."""
    with force_locale(_locale_for(message)):
        subject = _("Your message to %(name)s was received", name=case.person_name)
        text = (
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
    return subject, text


def queue_confirmation(message: Message, case: Case, withdraw_url: str) -> bool:
    """Put the confirmation in the outbox, in the transaction that stores the message (so it
    is sent exactly when the message was kept); False when there is nobody or no server."""
    if not is_configured() or not message.email:
        return False
    subject, text = confirmation_text(message, case, withdraw_url)
    mail = enqueue(
        kind="support-confirmation", recipient=str(message.email), subject=subject, text=text
    )
    logger.info("confirmation e-mail %s queued for message %s", mail.id, message.id)
    return True
