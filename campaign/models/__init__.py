"""Every model of the tracker, importable from one place (and registered with the metadata)."""

from campaign.models.accounts import (
    Invitation,
    LoginAttempt,
    RecoveryCode,
    SecurityPolicy,
    User,
    UserSession,
)
from campaign.models.appeals import (
    Appeal,
    AppealLetter,
    AppealResponse,
    AppealState,
    AppealTarget,
    AuthorityRole,
    LetterReport,
    ResponseKind,
    appeal_cases,
)
from campaign.models.audit import AuditChainHead, AuditEntry
from campaign.models.cases import Case, CaseEventEffect, CaseStatusChange, case_links
from campaign.models.events import Event, event_cases, event_organisations, event_sources
from campaign.models.messages import DeliveryPack, Message
from campaign.models.organisations import Organisation, Source, Venue
from campaign.models.outbox import OutboxMail, OutboxState
from campaign.models.photos import Photo
from campaign.models.privacy import ClientHashKey, RateLimit
from campaign.models.reach import CaseReach
from campaign.models.search import SearchDocument
from campaign.models.sheets import SheetMapping, SheetUpload
from campaign.models.site import PublicVersion
from campaign.models.subscriptions import Frequency, Subscription, SubscriptionDelivery
from campaign.models.translations import CaseTranslation, EventTranslation
from campaign.models.vocab import (
    AuditAction,
    CaseStatus,
    DatePrecision,
    DeliveryMethod,
    EventFamily,
    EventType,
    MessageState,
    OrganisationKind,
    Role,
    Verification,
    Visibility,
)

__all__ = [
    "Appeal",
    "AppealLetter",
    "AppealResponse",
    "AppealState",
    "AppealTarget",
    "AuditAction",
    "AuditChainHead",
    "AuditEntry",
    "AuthorityRole",
    "Case",
    "CaseEventEffect",
    "CaseReach",
    "CaseStatus",
    "CaseStatusChange",
    "CaseTranslation",
    "ClientHashKey",
    "DatePrecision",
    "DeliveryMethod",
    "DeliveryPack",
    "Event",
    "EventFamily",
    "EventTranslation",
    "EventType",
    "Frequency",
    "Invitation",
    "LetterReport",
    "LoginAttempt",
    "Message",
    "MessageState",
    "Organisation",
    "OrganisationKind",
    "OutboxMail",
    "OutboxState",
    "Photo",
    "PublicVersion",
    "RateLimit",
    "RecoveryCode",
    "ResponseKind",
    "Role",
    "SearchDocument",
    "SecurityPolicy",
    "SheetMapping",
    "SheetUpload",
    "Source",
    "Subscription",
    "SubscriptionDelivery",
    "User",
    "UserSession",
    "Venue",
    "Verification",
    "Visibility",
    "appeal_cases",
    "case_links",
    "event_cases",
    "event_organisations",
    "event_sources",
]
