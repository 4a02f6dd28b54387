"""Every write to logic models: elements, links (kept acyclic), indicators,
targets, measurements (typed or imported), check-ins and versions. One module
per concern; this package is what the rest of the product calls."""

from .base import (
    MAX_IMPORT_BYTES,
    MAX_IMPORT_ROWS,
)
from .measures import (
    CSV_COLUMNS,
    checkin_add,
    may_measure,
    measurement_add,
    measurements_import,
    too_big_message,
    too_many_message,
)
from .structure import (
    element_add,
    element_tie,
    find_cycle,
    indicator_add,
    link_add,
    model_create,
    target_add,
)
from .versions import (
    model_adopt,
    model_new_version,
    quality_checklist,
    version_from_proposal,
)

__all__ = [
    "MAX_IMPORT_ROWS",
    "MAX_IMPORT_BYTES",
    "model_create",
    "element_add",
    "find_cycle",
    "link_add",
    "indicator_add",
    "target_add",
    "element_tie",
    "may_measure",
    "measurement_add",
    "CSV_COLUMNS",
    "too_big_message",
    "too_many_message",
    "measurements_import",
    "checkin_add",
    "model_adopt",
    "model_new_version",
    "quality_checklist",
    "version_from_proposal",
]
