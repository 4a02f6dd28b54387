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
    subpage_types = ["cms.GuideIndexPage", "cms.DirectoryPage"]
    max_count = 1

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        context["guide_indexes"] = self.get_children().live().specific()
        return context


class DirectoryPage(Page):
    """The public resource directory: partner services people can look up
    themselves, with search and filters."""

    intro = RichTextField(blank=True)

    content_panels = [*Page.content_panels, FieldPanel("intro")]
    parent_page_types = ["cms.HomePage"]
    subpage_types = []
    max_count = 1
    PAGE_SIZE = 20

    # The page's search, filters and language live with the directory.
    template = "directory/find_help.html"

    def get_context(self, request, *args, **kwargs):
        from directory.public import find_help_context

        context = super().get_context(request, *args, **kwargs)
        context.update(find_help_context(request))
        return context

    def serve(self, request, *args, **kwargs):
        from directory.public import in_visitor_language

        return in_visitor_language(super().serve)(request, *args, **kwargs)


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


class WorkerHeartbeat(models.Model):
    """A running task worker, as its last sign of life: /readyz/ reads these, and
    workers put back in the queue the tasks a silent one left running."""

    worker_id = models.CharField(max_length=64, primary_key=True)
    hostname = models.CharField(max_length=255)
    pid = models.PositiveIntegerField()
    started_at = models.DateTimeField()
    seen_at = models.DateTimeField(db_index=True)
    tasks_run = models.PositiveIntegerField(default=0)

    def __str__(self):
        return f"{self.worker_id} on {self.hostname} (pid {self.pid})"
