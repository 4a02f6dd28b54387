"""The public site: what the product is for, and guides to good practice."""

from django.db import models
from wagtail import blocks
from wagtail.admin.panels import FieldPanel
from wagtail.fields import RichTextField, StreamField
from wagtail.models import Page
from wagtail.search import index


class HomePage(Page):
    """The front page: what the workspace does for partnerships."""

    intro = models.CharField(max_length=300, blank=True)
    body = RichTextField(blank=True)

    content_panels = [*Page.content_panels, FieldPanel("intro"), FieldPanel("body")]
    subpage_types = ["cms.GuideIndexPage"]
    max_count = 1

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        context["guide_indexes"] = self.get_children().live().specific()
        return context


class GuideIndexPage(Page):
    """A collection of practice guides."""

    intro = RichTextField(blank=True)

    content_panels = [*Page.content_panels, FieldPanel("intro")]
    parent_page_types = ["cms.HomePage"]
    subpage_types = ["cms.GuidePage"]

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        context["guides"] = self.get_children().live().specific()
        return context


class GuidePage(Page):
    """A practice guide: what a good partnership or referral practice looks like
    and how the workspace supports it."""

    summary = models.CharField(max_length=300)
    body = StreamField(
        [
            ("heading", blocks.CharBlock(form_classname="title")),
            ("paragraph", blocks.RichTextBlock()),
            (
                "checklist",
                blocks.ListBlock(blocks.CharBlock(), label="Checklist"),
            ),
        ],
        blank=True,
    )

    search_fields = [*Page.search_fields, index.SearchField("summary")]
    content_panels = [*Page.content_panels, FieldPanel("summary"), FieldPanel("body")]
    parent_page_types = ["cms.GuideIndexPage"]
    subpage_types = []
