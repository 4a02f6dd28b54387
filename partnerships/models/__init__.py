from .accountability import (
    CollaborationRating,
    HealthCheckResponse,
    HealthCheckRound,
    LearningEntry,
    Practice,
    PracticeRating,
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
from .reminders import Reminder

__all__ = [
    "CollaborationRating",
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
    "Reminder",
    "Responsibility",
    "ResponsibilityUpdate",
    "SustainabilityCommitment",
    "timezone_choices",
    "validate_timezone",
]
