"""The public site's pages: home, the practice guides and "find help". Called
last by `manage.py load_demo_data`; the pages need no demo partnership."""

from wagtail.models import Page, Site

from cms.management.commands.guides import GUIDES, HOME_BODY, HOME_INTRO
from cms.models import DirectoryPage, GuideIndexPage, GuidePage, HomePage


def load() -> None:
    """Publish the home page, the guides and the public directory page."""
    home = HomePage.objects.first()
    if home is None:
        root = Page.get_first_root_node()
        home = root.add_child(
            instance=HomePage(
                title="Partnerships that work as one",
                slug="welcome",
                intro=HOME_INTRO,
                body=HOME_BODY,
            )
        )
        home.save_revision().publish()
        site = Site.objects.filter(is_default_site=True).first()
        if site:
            old_root = site.root_page
            site.root_page = home
            site.save()
            if old_root.pk != home.pk and old_root.specific_class is Page:
                old_root.delete()
        else:
            Site.objects.create(
                hostname="localhost", root_page=home, is_default_site=True
            )
    index = GuideIndexPage.objects.first()
    if index is None:
        index = home.add_child(
            instance=GuideIndexPage(
                title="Guides",
                slug="guides",
                intro="<p>Short guides to the practices that keep partnerships "
                "and referrals working, and how the workspace supports each "
                "one.</p>",
            )
        )
        index.save_revision().publish()
    if not DirectoryPage.objects.exists():
        directory = home.add_child(
            instance=DirectoryPage(
                title="Find help near you",
                slug="find-help",
                intro="<p>Services offered by the partner organisations. Search "
                "by need, language or location; call the service or ask any "
                "partner to refer you.</p>",
            )
        )
        directory.save_revision().publish()
    for guide in GUIDES:
        if not GuidePage.objects.filter(slug=guide["slug"]).exists():
            page = index.add_child(instance=GuidePage(**guide))
            page.save_revision().publish()
