"""The fixed vocabularies of the field, each value with a translatable label for people."""

from __future__ import annotations

import enum
from datetime import date, timedelta
from functools import cache

from flask_babel import lazy_gettext as _l
from flask_babel.speaklater import LazyString
from wtforms.fields.choices import SelectChoice


class Vocabulary(enum.StrEnum):
    """A string enum whose members carry a translatable label (set in ``_labels``)."""

    @property
    def label(self) -> LazyString:
        """The member's name for people, in the current locale."""
        return _label_table(type(self))[self.value]

    @classmethod
    def _labels(cls) -> dict[str, LazyString]:
        raise NotImplementedError

    @classmethod
    def choices(cls) -> list[SelectChoice]:
        """The members as WTForms select choices (value and label), in declaration order."""
        return [SelectChoice(m.value, m.label) for m in cls]


class CaseStatus(Vocabulary):
    """Where the person stands now."""

    AT_RISK = "at_risk"
    DETAINED = "detained"
    HOUSE_ARREST = "house_arrest"
    SENTENCED = "sentenced"
    RELEASED = "released"
    ACQUITTED = "acquitted"
    IN_EXILE = "in_exile"
    MISSING = "missing"
    DIED_IN_CUSTODY = "died_in_custody"

    @classmethod
    def _labels(cls) -> dict[str, LazyString]:
        return {
            "at_risk": _l("At risk"),
            "detained": _l("Detained"),
            "house_arrest": _l("Under house arrest"),
            "sentenced": _l("Sentenced"),
            "released": _l("Released"),
            "acquitted": _l("Acquitted"),
            "in_exile": _l("In exile"),
            "missing": _l("Missing"),
            "died_in_custody": _l("Died in custody"),
        }

    @property
    def in_custody(self) -> bool:
        """Whether the person is deprived of liberty: these cases come first and count days."""
        return self in {CaseStatus.DETAINED, CaseStatus.SENTENCED, CaseStatus.HOUSE_ARREST}


class EventFamily(Vocabulary):
    """The two families that share one timeline."""

    LEGAL = "legal"
    SOLIDARITY = "solidarity"

    @classmethod
    def _labels(cls) -> dict[str, LazyString]:
        return {"legal": _l("Legal and custody"), "solidarity": _l("Solidarity")}


class EventType(Vocabulary):
    """What happened: a legal or custody event, or a solidarity action."""

    ARREST = "arrest"
    CHARGE = "charge"
    HEARING = "hearing"
    TRIAL = "trial"
    VERDICT = "verdict"
    SENTENCE = "sentence"
    APPEAL_LODGED = "appeal_lodged"
    APPEAL_HEARING = "appeal_hearing"
    APPEAL_DECISION = "appeal_decision"
    TRANSFER = "transfer"
    HUNGER_STRIKE_START = "hunger_strike_start"
    HUNGER_STRIKE_END = "hunger_strike_end"
    HEALTH_ALERT = "health_alert"
    LOSS_OF_CONTACT = "loss_of_contact"
    RELEASE = "release"
    PICKET = "picket"
    DEMONSTRATION = "demonstration"
    VIGIL = "vigil"
    LETTER = "letter"
    PETITION = "petition"
    STATEMENT = "statement"
    PARLIAMENTARY_ACTION = "parliamentary_action"
    MEDIA_COVERAGE = "media_coverage"
    OTHER_ACTION = "other_action"

    @classmethod
    def _labels(cls) -> dict[str, LazyString]:
        return {
            "arrest": _l("Arrest"),
            "charge": _l("Charge"),
            "hearing": _l("Court hearing"),
            "trial": _l("Trial"),
            "verdict": _l("Verdict"),
            "sentence": _l("Sentence"),
            "appeal_lodged": _l("Appeal lodged"),
            "appeal_hearing": _l("Appeal hearing"),
            "appeal_decision": _l("Appeal decision"),
            "transfer": _l("Transfer"),
            "hunger_strike_start": _l("Hunger strike started"),
            "hunger_strike_end": _l("Hunger strike ended"),
            "health_alert": _l("Health alert"),
            "loss_of_contact": _l("Loss of contact"),
            "release": _l("Release"),
            "picket": _l("Picket"),
            "demonstration": _l("Demonstration"),
            "vigil": _l("Vigil"),
            "letter": _l("Letter to an authority"),
            "petition": _l("Petition"),
            "statement": _l("Public statement"),
            "parliamentary_action": _l("Parliamentary action"),
            "media_coverage": _l("Media coverage"),
            "other_action": _l("Other action"),
        }

    @property
    def family(self) -> EventFamily:
        """Legal and custody events versus solidarity actions."""
        return EventFamily.LEGAL if self in LEGAL_TYPES else EventFamily.SOLIDARITY


LEGAL_TYPES = frozenset(
    {
        EventType.ARREST,
        EventType.CHARGE,
        EventType.HEARING,
        EventType.TRIAL,
        EventType.VERDICT,
        EventType.SENTENCE,
        EventType.APPEAL_LODGED,
        EventType.APPEAL_HEARING,
        EventType.APPEAL_DECISION,
        EventType.TRANSFER,
        EventType.HUNGER_STRIKE_START,
        EventType.HUNGER_STRIKE_END,
        EventType.HEALTH_ALERT,
        EventType.LOSS_OF_CONTACT,
        EventType.RELEASE,
    }
)
# Scheduled events of these types count as "the next hearing" on a case page.
HEARING_TYPES = frozenset(
    {EventType.HEARING, EventType.TRIAL, EventType.APPEAL_HEARING, EventType.VERDICT}
)


class DatePrecision(Vocabulary):
    """How much of an event's date is known; whether it is only approximate is kept apart."""

    DAY = "day"
    MONTH = "month"
    YEAR = "year"

    @classmethod
    def _labels(cls) -> dict[str, LazyString]:
        return {"day": _l("Day"), "month": _l("Month only"), "year": _l("Year only")}

    def period_end(self, value: date) -> date:
        """The last day of the period a date stands for (31 May 2010 for "May 2010")."""
        if self == DatePrecision.YEAR:
            return value.replace(month=12, day=31)
        if self == DatePrecision.MONTH:
            following = value.replace(day=28) + timedelta(days=4)
            return following - timedelta(days=following.day)
        return value


class Visibility(Vocabulary):
    """Whether the public may see an event, or only staff."""

    PUBLIC = "public"
    INTERNAL = "internal"

    @classmethod
    def _labels(cls) -> dict[str, LazyString]:
        return {"public": _l("Public"), "internal": _l("Internal")}


class Verification(Vocabulary):
    """Whether an organiser has checked an event against its sources."""

    REPORTED = "reported"
    VERIFIED = "verified"

    @classmethod
    def _labels(cls) -> dict[str, LazyString]:
        return {"reported": _l("Reported"), "verified": _l("Verified")}


class OrganisationKind(Vocabulary):
    """What sort of body an organisation is."""

    PARTY = "party"
    UNION = "union"
    RIGHTS_GROUP = "rights_group"
    MOVEMENT = "movement"
    PARLIAMENTARIAN = "parliamentarian"
    MEDIA = "media"
    OTHER = "other"

    @classmethod
    def _labels(cls) -> dict[str, LazyString]:
        return {
            "party": _l("Party or party section"),
            "union": _l("Trade union"),
            "rights_group": _l("Human-rights group"),
            "movement": _l("Movement"),
            "parliamentarian": _l("Member of parliament"),
            "media": _l("Media"),
            "other": _l("Other"),
        }


class MessageState(Vocabulary):
    """Where a message of support stands in moderation."""

    PENDING = "pending"
    # Approved by an organiser: delivered, and shown on the site only if the sender consented.
    PUBLISHED = "published"
    REJECTED = "rejected"
    SPAM = "spam"
    WITHDRAWN = "withdrawn"

    @classmethod
    def _labels(cls) -> dict[str, LazyString]:
        return {
            "pending": _l("Awaiting review"),
            "published": _l("Approved"),
            "rejected": _l("Rejected"),
            "spam": _l("Spam"),
            "withdrawn": _l("Withdrawn by the sender"),
        }


class DeliveryMethod(Vocabulary):
    """How a pack of messages reached the person."""

    POST = "post"
    LAWYER = "lawyer"
    VISIT = "visit"
    RELEASE = "release"

    @classmethod
    def _labels(cls) -> dict[str, LazyString]:
        return {
            "post": _l("To the prison by post"),
            "lawyer": _l("Through the lawyer"),
            "visit": _l("At a visit"),
            "release": _l("At release"),
        }


class Role(Vocabulary):
    """What a staff account may do."""

    ADMIN = "admin"
    ORGANISER = "organiser"
    ACTIVIST = "activist"

    @classmethod
    def _labels(cls) -> dict[str, LazyString]:
        return {"admin": _l("Admin"), "organiser": _l("Organiser"), "activist": _l("Activist")}


class AuditAction(Vocabulary):
    """The kind of change an audit entry records."""

    CREATE = "create"
    UPDATE = "update"
    DELETE = "delete"

    @classmethod
    def _labels(cls) -> dict[str, LazyString]:
        return {"create": _l("Created"), "update": _l("Changed"), "delete": _l("Deleted")}


@cache
def _label_table(vocabulary: type[Vocabulary]) -> dict[str, LazyString]:
    """A vocabulary's labels, made once: they are lazy, so each is still translated into the
    locale of the page that shows it. (Building the table at every ``label`` made a page with
    fifty events build some three hundred lazy strings.)"""
    return vocabulary._labels()
