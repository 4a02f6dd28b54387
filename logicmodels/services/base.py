"""What every logic-model write shares: the policy check, the history entry,
the lock on adopted versions, and the import limits."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from wagtail.log_actions import log

from partnerships import permissions
from partnerships.models import Partnership

from ..models import (
    LogicModel,
)

# One import request stays small enough to check every row and store it at once.
MAX_IMPORT_ROWS = 5_000


MAX_IMPORT_BYTES = 1_000_000


def _require(by, model_or_partnership, check=permissions.can_edit):
    partnership = (
        model_or_partnership
        if isinstance(model_or_partnership, Partnership)
        else model_or_partnership.partnership
    )
    if not check(by, partnership):
        raise PermissionDenied


def _log(model: LogicModel, verb: str, by, **data):
    log(
        model.partnership,
        f"logicmodels.{verb}",
        user=by,
        data={"model": model.title, **data},
    )


def _editable(model: LogicModel):
    if not model.is_editable:
        raise ValidationError(
            f"This logic model is {model.get_state_display().lower()}; start a new "
            "version to change it."
        )
