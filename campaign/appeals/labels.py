"""How appeals are named for people: why one is due, the language of a letter."""

from __future__ import annotations

from flask_babel import gettext as _

from campaign.appeals.queries import Reason
from campaign.messages.labels import language_name

__all__ = ["language_name", "reason_label"]


def reason_label(reason: Reason | str) -> str:
    """Why an appeal is on the staff home's list, in words."""
    value = Reason(reason)
    if value == Reason.FOLLOW_UP:
        return _("follow-up due")
    if value == Reason.NO_REPLY:
        return _("no reply by the deadline")
    return _("deadline reached")
