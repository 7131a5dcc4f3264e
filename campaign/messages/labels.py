"""How a message is named for people: its first words and signature, its decision, its language."""

from __future__ import annotations

from babel import Locale
from flask_babel import get_locale, ngettext
from flask_babel import gettext as _

from campaign.messages.services import DecisionNotAllowed, Decisions
from campaign.models import Message, MessageState

SUMMARY_WORDS = 6
SUMMARY_CHARS = 60


def is_private(message: Message) -> bool:
    """Whether a message is for delivery only: its sender did not allow it on the site."""
    return not message.consent_to_publish


def decision_label(message: Message) -> str:
    """A message's state for organisers, saying whether an approved one is on the site."""
    if message.state == MessageState.PUBLISHED:
        if is_private(message):
            return _("Approved (private: delivery only)")
        return _("Approved (shown on the site)")
    return str(message.state.label)


def message_summary(message: Message) -> str:
    """Name a message the way the queue shows it: its first words and who signed it, never an id.

    Supporters' e-mails are never used: the sender is their display name or "a supporter".
    """
    words = message.body.split()
    if not words:  # withdrawn: its words and name are erased, when it came is what is left
        return _(
            "The message received %(when)s UTC",
            when=message.created_at.strftime("%Y-%m-%d %H:%M"),
        )
    start = " ".join(words[:SUMMARY_WORDS])
    if len(start) > SUMMARY_CHARS:
        start = start[:SUMMARY_CHARS].rstrip()
    if start != " ".join(words):
        start += "…"
    who = message.display_name or _("a supporter")
    return _("“%(start)s” from %(who)s", start=start, who=who)


def language_name(code: str | None) -> str:
    """A language's name in the current locale ("de" -> "German"), or the code if unknown."""
    if not code:
        return ""
    locale = get_locale() or Locale("en")
    return str(locale.languages.get(code) or code)


def refusal(error: DecisionNotAllowed) -> str:
    """Why a decision was not taken, in words for the organiser."""
    if error.reason == DecisionNotAllowed.WITHDRAWN:
        return _("its sender withdrew it")
    if error.reason == DecisionNotAllowed.DECIDED_MEANWHILE:
        return _(
            "someone decided it after you opened the page (now: %(state)s); look at it again",
            state=decision_label(error.message),
        )
    return _("it already had that decision")


def done(state: MessageState, count: int, private: int = 0) -> str:
    """ "2 approved": how many messages took the decision (and how many of them are private)."""
    if state == MessageState.PUBLISHED:
        approved = ngettext("%(num)d approved", "%(num)d approved", count)
        if not private:
            return approved
        return _(
            "%(approved)s (%(private)s)",
            approved=approved,
            private=ngettext(
                "%(num)d of them private: delivery only, never shown on the site",
                "%(num)d of them private: delivery only, never shown on the site",
                private,
            ),
        )
    if state == MessageState.REJECTED:
        return ngettext("%(num)d rejected", "%(num)d rejected", count)
    if state == MessageState.SPAM:
        return ngettext("%(num)d marked as spam", "%(num)d marked as spam", count)
    return ngettext("%(num)d returned to review", "%(num)d returned to review", count)


def not_done(state: MessageState, count: int) -> str:
    """ "1 not approved": how many messages did not take the decision."""
    if state == MessageState.PUBLISHED:
        return ngettext("%(num)d not approved", "%(num)d not approved", count)
    if state == MessageState.REJECTED:
        return ngettext("%(num)d not rejected", "%(num)d not rejected", count)
    if state == MessageState.SPAM:
        return ngettext("%(num)d not marked as spam", "%(num)d not marked as spam", count)
    return ngettext("%(num)d not returned to review", "%(num)d not returned to review", count)


# Messages named one by one in a bulk decision's outcome, at most: more would fill the page.
NAMED_AT_MOST = 5


def outcome(state: MessageState, decisions: Decisions) -> str:
    """One sentence for the organiser: what was done, and what was not, and why.

    Messages that already had the decision are counted, not named (a bulk decision sent twice
    would list the whole page); those withdrawn or decided by someone else meanwhile are
    named, up to :data:`NAMED_AT_MOST`, as the organiser may want to look at them again.
    """
    changed, refused = decisions.changed, decisions.refused
    parts = []
    if changed or not (refused or decisions.missing):
        private = sum(1 for m in changed if is_private(m))
        parts.append(done(state, len(changed), private))
    unchanged = [e for e in refused if e.reason == DecisionNotAllowed.UNCHANGED]
    named = [e for e in refused if e.reason != DecisionNotAllowed.UNCHANGED]
    if unchanged:
        parts.append(
            ngettext(
                "%(num)d already had that decision",
                "%(num)d already had that decision",
                len(unchanged),
            )
        )
    if named:
        reasons = [
            _("%(message)s: %(reason)s", message=message_summary(e.message), reason=refusal(e))
            for e in named[:NAMED_AT_MOST]
        ]
        if len(named) > NAMED_AT_MOST:
            more = len(named) - NAMED_AT_MOST
            reasons.append(ngettext("%(num)d more", "%(num)d more", more))
        parts.append(
            _(
                "%(count)s: %(reasons)s",
                count=not_done(state, len(named)),
                reasons="; ".join(reasons),
            )
        )
    if decisions.missing:
        parts.append(
            ngettext(
                "%(num)d not found (deleted with its case)",
                "%(num)d not found (deleted with their case)",
                decisions.missing,
            )
        )
    return "; ".join(parts) + "."
