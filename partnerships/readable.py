"""Stored names and values as people read them on screen and in mail:
"Best time" not "best_time", "Urgent: No" not "Urgent: False"."""

import datetime

from django.utils import formats


def human_key(key) -> str:
    """A stored name as people write it: "best_time" → "Best time"."""
    return str(key).replace("_", " ").strip().capitalize()


def human_value(value) -> str:
    """A stored value as people read it: Yes/No rather than True/False, a dash
    for nothing, 2 Nov 2026 rather than 2026-11-02, lists joined."""
    if value is None or value == "" or value == []:
        return "—"
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if isinstance(value, list | tuple):
        return ", ".join(human_value(item) for item in value)
    if isinstance(value, str) and len(value) == 10:
        try:
            day = datetime.date.fromisoformat(value)
        except ValueError:
            return value
        return formats.date_format(day, "j M Y")
    return str(value)


def choice_label(value, labels) -> str:
    """The label of a stored choice ("in_progress" → "In progress"), from a
    {value: label} mapping, or the value made readable when it has none."""
    if value in (None, ""):
        return "—"
    return str(labels.get(value) or human_key(value))
