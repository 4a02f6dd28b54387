from .accountability import (
    CollaborationRating,
    HealthCheckResponse,
    HealthCheckRound,
    LearningEntry,
    Practice,
    PracticeRating,
    ReminderSent,
    Responsibility,
    ResponsibilityUpdate,
)
from .core import (
    Invitation,
    Membership,
    Organisation,
    Participation,
    Partnership,
    PartnershipRole,
    SustainabilityCommitment,
    timezone_choices,
    validate_timezone,
)
from .directory import DirectoryService
from .referrals import Referral, ReferralEvent, ReferralProtocol

__all__ = [
    "CollaborationRating",
    "DirectoryService",
    "HealthCheckResponse",
    "HealthCheckRound",
    "Invitation",
    "LearningEntry",
    "Membership",
    "Organisation",
    "Participation",
    "Partnership",
    "PartnershipRole",
    "Practice",
    "PracticeRating",
    "Referral",
    "ReferralEvent",
    "ReferralProtocol",
    "ReminderSent",
    "Responsibility",
    "ResponsibilityUpdate",
    "SustainabilityCommitment",
    "timezone_choices",
    "validate_timezone",
]
