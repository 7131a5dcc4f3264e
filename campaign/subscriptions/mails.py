"""The e-mails of a subscription, written in the subscriber's language: the confirmation, one
update, the weekly digest. Plain text; every update and digest carries the one-click leave
(RFC 8058 headers) and the same link in its text."""

from __future__ import annotations

from collections.abc import Sequence

from flask import current_app
from flask_babel import force_locale
from flask_babel import gettext as _

from campaign.models import Case, Frequency, OutboxMail, Subscription
from campaign.outbox.services import enqueue
from campaign.subscriptions.links import public_url
from campaign.subscriptions.updates import Update


def locale_of(subscription: Subscription) -> str:
    """The subscriber's language when the site has it, English otherwise."""
    available = current_app.config["LANGUAGES"]
    return subscription.language if subscription.language in available else "en"


def _frequency_phrase(frequency: Frequency) -> str:
    if frequency == Frequency.WEEKLY:
        return _("a weekly digest of the news")
    return _("an e-mail at each update")


def queue_confirmation(subscription: Subscription, case: Case, confirm_url: str) -> OutboxMail:
    """Queue the double opt-in e-mail with its confirmation link."""
    hours = round(float(current_app.config["SUBSCRIPTION_CONFIRM_HOURS"]))
    with force_locale(locale_of(subscription)):
        subject = _("Confirm that you want to follow %(name)s", name=case.person_name)
        text = "\n\n".join(
            [
                _(
                    "Someone, probably you, asked to receive news about %(name)s from "
                    "%(site)s: %(what)s.",
                    name=case.person_name,
                    site=current_app.config["SITE_NAME"],
                    what=_frequency_phrase(subscription.frequency),
                ),
                _("To confirm, open this link within %(hours)d hours:", hours=hours)
                + "\n"
                + confirm_url,
                _(
                    "If it was not you, ignore this e-mail: nothing more will be sent, and the "
                    "address is deleted in a few days."
                ),
            ]
        )
    return enqueue(
        kind="subscription-confirmation",
        recipient=subscription.email,
        subject=subject,
        text=text + "\n",
    )


def _footer(case: Case, unsubscribe_url: str) -> str:
    return "\n\n".join(
        [
            _("The case page: %(url)s", url=public_url("public.case", slug=case.slug)),
            _("To receive no more e-mails about %(name)s, open this link:", name=case.person_name)
            + "\n"
            + unsubscribe_url,
        ]
    )


def _leave_headers(unsubscribe_url: str) -> dict[str, str]:
    """RFC 2369 and RFC 8058: mail programs show "Unsubscribe" and POST to the link."""
    return {
        "List-Unsubscribe": f"<{unsubscribe_url}>",
        "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
        "Auto-Submitted": "auto-generated",
    }


def queue_update(
    subscription: Subscription, case: Case, update: Update, unsubscribe_url: str
) -> OutboxMail:
    """Queue the e-mail of one update."""
    with force_locale(locale_of(subscription)):
        line = update.describe()
        subject = _("News about %(name)s", name=case.person_name)
        text = "\n\n".join(
            [
                _("There is news about %(name)s:", name=case.person_name),
                line,
                _footer(case, unsubscribe_url),
            ]
        )
    return enqueue(
        kind="subscription-update",
        recipient=subscription.email,
        subject=f"{subject}: {line}",
        text=text + "\n",
        headers=_leave_headers(unsubscribe_url),
    )


def queue_digest(
    subscription: Subscription, case: Case, updates: Sequence[Update], unsubscribe_url: str
) -> OutboxMail:
    """Queue the weekly digest of several updates."""
    with force_locale(locale_of(subscription)):
        subject = _("This week's news about %(name)s", name=case.person_name)
        lines = "\n".join(f"- {update.describe()}" for update in updates)
        text = "\n\n".join(
            [
                _("The news about %(name)s since the last digest:", name=case.person_name),
                lines,
                _footer(case, unsubscribe_url),
            ]
        )
    return enqueue(
        kind="subscription-digest",
        recipient=subscription.email,
        subject=subject,
        text=text + "\n",
        headers=_leave_headers(unsubscribe_url),
    )
