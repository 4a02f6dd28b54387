"""What every workspace page says about where you are: its title and the
breadcrumb trail that ends in the object shown, not the app it belongs to."""

from django import template

from partnerships import readable

register = template.Library()


@register.filter
def ending_in(items, label):
    """The breadcrumb trail with `label` as its last, unlinked step (unless the
    trail already ends there)."""
    items = list(items or [])
    if label and (not items or items[-1].get("label") != label):
        items.append({"url": None, "label": label})
    return items


@register.simple_tag(takes_context=True)
def page_heading(context):
    """The page's full name: "Meetings: Eastside Family Support Partnership" for a
    section, the object itself ("Eastside Family Support Partnership MOU v2") when
    its name already says which partnership, or what the view set explicitly."""
    if context.get("header_title"):
        return context["header_title"]
    title = str(context.get("page_title") or "")
    partnership = context.get("partnership")
    if partnership is None or not title or partnership.name in title:
        return title
    return f"{title}: {partnership.name}"


register.filter("human_key", readable.human_key)
register.filter("human_value", readable.human_value)
register.filter("choice_label", readable.choice_label)
