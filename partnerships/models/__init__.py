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
    "Invitation",
    "Membership",
    "Organisation",
    "Participation",
    "Partnership",
    "PartnershipRole",
    "Reminder",
    "SustainabilityCommitment",
    "timezone_choices",
    "validate_timezone",
]
