"""Walk every URL of the project as people who must see nothing of the Eastside
partnership; each must be refused, except a short list of public pages, which
must not show it either."""

import re

import pytest
from django.urls import URLPattern, URLResolver, get_resolver

from accountability import services as accountability_services
from cms.middleware import ALLOWED_VIEW_NAMES
from referrals import services as referral_services

pytestmark = pytest.mark.django_db

# Reached without an account by design: each is checked to show nothing private.
PUBLIC = {
    "wagtail_serve",
    "wagtailcore_login",
    "wagtailcore_authenticate_with_password",
    "healthz",
    "invitation_accept",
    "meetings_feed",
    "directory_json",
    "directory_package",
    "directory_service",
    "screener:start",
    "screener:results",
    "meetings_rsvp",
    "mou_verify",
    "hsds_api:index",
    "hsds_api:services",
    "hsds_api:service",
    "hsds_api:organizations",
    "hsds_api:organization",
    "hsds_api:taxonomies",
    "hsds_api:taxonomy",
    "hsds_api:taxonomy_terms",
    "hsds_api:taxonomy_term",
    "read_api:openapi",
    "wagtailadmin_login",
    "wagtailadmin_password_reset",
    "wagtailadmin_password_reset_done",
    "wagtailadmin_password_reset_confirm",
    "wagtailadmin_password_reset_complete",
    "wagtailadmin_javascript_catalog",
    "wagtailadmin_sprite",
}

# Signed-in workspace chrome every partner user reaches; it must show nothing of
# a partnership they are not in.
WORKSPACE_CHROME = {
    "wagtailadmin_home",
    "wagtailadmin_account",
    "wagtailadmin_logout",
    "partnerships:index",
    "partnerships:add",
    "accountability:dashboard",
    "accountability:dashboard_export",
    "accountability:my_responsibilities",
    "meetings:feeds",
    "referrals:inbox",
    "api_tokens:index",
    "screening:assist",
    "screening:needs",
    "screening:needs_export",
}

# Wagtail routes that Wagtail itself leaves open (static assets and redirects to
# login); checked to leak nothing like the public ones.
OPEN_BY_WAGTAIL = {"wagtailadmin_userbar_frontend_tree", "wagtailimages_serve"}


def walk(patterns, prefix="", namespace=None):
    for pattern in patterns:
        regex = pattern.pattern.regex.pattern.lstrip("^")
        if isinstance(pattern, URLResolver):
            inner = namespace
            if pattern.namespace:
                inner = (
                    f"{namespace}:{pattern.namespace}"
                    if namespace
                    else pattern.namespace
                )
            yield from walk(
                pattern.url_patterns, prefix + regex.replace(r"\Z", ""), inner
            )
        elif isinstance(pattern, URLPattern):
            name = pattern.name or f"(unnamed {prefix + regex})"
            full = f"{namespace}:{name}" if namespace else name
            yield prefix + regex, full


def samples(cast) -> dict[str, str]:
    """Argument values naming Eastside objects, so a leak would show."""
    import datetime

    eastside = cast.eastside
    responsibility = accountability_services.responsibility_create(
        partnership=eastside,
        by=cast.coordinator,
        title="Care navigator rota",
        owner=cast.riverside,
        due_date=datetime.date(2020, 1, 1),
    )
    entry = accountability_services.learning_entry_create(
        partnership=eastside,
        by=cast.coordinator,
        title="Care navigator lessons",
        practice="learn",
        what_happened="x",
        what_we_learned="y",
        proposal_kind="mou",
        proposal="Care navigator clause",
    )
    health_round = accountability_services.health_round_open(
        partnership=eastside,
        by=cast.coordinator,
        title="Care navigator health check",
        closes_on=datetime.date.today() + datetime.timedelta(days=7),
    )
    from mou import services as mou_services
    from mou.default_template import ensure_default_template

    mou = mou_services.mou_create_from_template(
        partnership=eastside, template=ensure_default_template(), by=cast.coordinator
    )
    section = mou.sections.first()
    comment = mou_services.comment_add(
        mou=mou,
        by=cast.coordinator,
        clause=section.clauses.first(),
        body="Care navigator wording?",
    )
    from meetings import services as meeting_services

    series = meeting_services.series_create(
        partnership=eastside,
        by=cast.coordinator,
        title="Care navigator review",
        kind="shared_review",
        rrule="FREQ=MONTHLY;BYDAY=2TU",
        start_local=datetime.datetime(2026, 1, 13, 10, 0),
        duration_minutes=60,
        tz="America/New_York",
        invitees=[(None, "guest@example.com", "Guest")],
    )
    meeting = meeting_services.occurrence_for(series, "20260113T150000Z")
    item = meeting_services.agenda_item_add(
        meeting=meeting, by=cast.coordinator, title="Care navigator caseload"
    )
    from logicmodels import services as model_services

    logic_model = model_services.model_create(
        partnership=eastside, by=cast.coordinator, title="Care navigator model"
    )
    output = model_services.element_add(
        model=logic_model,
        by=cast.coordinator,
        kind="output",
        text="Care navigator visits",
    )
    indicator = model_services.indicator_add(
        element=output,
        by=cast.coordinator,
        name="Care navigator visits",
        responsible=cast.riverside,
        reporting_from=datetime.date(2026, 1, 1),
    )
    from referrals.models import Referral

    referral_services.protocol_save(
        partnership=eastside,
        by=cast.coordinator,
        criteria="Care navigator needs",
        steps="Refer",
        fields=[],
        consent_required=False,
    )
    referral = Referral.objects.create(
        partnership=eastside,
        sender=cast.northside,
        receiver=cast.riverside,
        local_reference="Care navigator 1",
        initials="CN",
        birth_year=1980,
    )
    return {
        "pk": str(eastside.pk),
        "referral_pk": str(referral.pk),
        "model_pk": str(logic_model.pk),
        "indicator_pk": str(indicator.pk),
        "series_pk": str(series.pk),
        "meeting_pk": str(meeting.pk),
        "invitee_pk": str(series.invitees.first().pk),
        "item_pk": str(item.pk),
        "key": "20260113T150000Z",
        "mou_pk": str(mou.pk),
        "section_pk": str(section.pk),
        "clause_pk": str(section.clauses.first().pk),  # its comment thread
        "comment_pk": str(comment.pk),
        "action": "submit",
        "direction": "up",
        "object_id": str(eastside.pk),
        "participation_pk": str(cast.eastside_riverside.pk),
        "invitation_pk": "1",
        "role_pk": str(cast.eastside_lead.people.first().pk),
        "commitment_pk": str(cast.eastside_lead.commitments.first().pk),
        "section": "mou",
        "responsibility_pk": str(responsibility.pk),
        "entry_pk": str(entry.pk),  # a proposal to amend the MOU
        "round_pk": str(health_round.pk),
        "figure": "overdue",
        "fmt": "csv",
        "app_label": "partnerships",
        "app_name": "partnerships",
        "model_name": "partnership",
        "content_type_app_name": "partnerships",
        "content_type_model_name": "partnership",
        "token": "not-a-token",
        "uidb64": "MQ",
        "path": "",
        "filter_spec": "original",
    }


def build(regex: str, values: dict[str, str]) -> str:
    def named(match):
        return values.get(match.group(1), "1")

    url = re.sub(r"\(\?P<(\w+)>(?:[^()]|\([^()]*\))*\)", named, regex)
    url = re.sub(r"\((?:[^()]|\([^()]*\))*\)[*?]?", "", url)
    url = url.replace(r"\Z", "").replace("$", "").replace("\\", "")
    return "/" + url


@pytest.fixture
def every_url(cast):
    values = samples(cast)
    return sorted(
        {
            (name, build(regex, values))
            for regex, name in walk(get_resolver().url_patterns)
        }
    )


def refused(response, *, anonymous: bool) -> bool:
    if response.status_code in (401, 403, 404, 405, 410):
        return True
    if response.status_code == 302:
        location = response["Location"]
        return location.startswith("/admin/login/") or (
            not anonymous and location == "/admin/"
        )
    return False


def test_the_walk_covers_the_whole_project(every_url):
    names = {name for name, _ in every_url}
    # Wagtail's admin alone has some two hundred routes; ours must be there too.
    assert len(every_url) > 200
    assert {"partnerships:detail", "partnerships:invite", "healthz"} <= names


@pytest.mark.parametrize("who", ["anonymous", "stranger", "outsider"])
def test_every_url_refuses_people_outside_the_partnership(cast, client, every_url, who):
    if who != "anonymous":
        client.force_login(getattr(cast, who))
    problems = []
    for name, url in every_url:
        for method in ("get", "post"):
            response = getattr(client, method)(url)
            body = response.content.decode(errors="replace")
            if (
                name in PUBLIC
                or name in OPEN_BY_WAGTAIL
                or (who != "anonymous" and name in WORKSPACE_CHROME)
            ):
                if "Eastside Family Support" in body or "Care navigator" in body:
                    problems.append(f"{method.upper()} {url} ({name}) shows Eastside")
                continue
            if not refused(response, anonymous=who == "anonymous"):
                problems.append(
                    f"{method.upper()} {url} ({name}) answered {response.status_code}"
                )
            elif "Eastside Family Support" in body:
                problems.append(f"{method.upper()} {url} ({name}) names Eastside")
        # Some views log the user out; stay who we are.
        if who != "anonymous" and name == "wagtailadmin_logout":
            client.force_login(getattr(cast, who))
    assert not problems, "\n".join(problems)


def test_every_allow_listed_name_matches_exactly_one_url(every_url):
    names = [name for name, _ in every_url]
    for allowed in ALLOWED_VIEW_NAMES:
        assert names.count(allowed) == 1, allowed


def test_the_middleware_refuses_partner_staff_with_a_visible_403(cast, client):
    client.force_login(cast.partner)
    for url in ["/admin/pages/", "/admin/reports/site-history/", "/admin/users/"]:
        response = client.get(url)
        assert response.status_code == 403, url
        assert "not part of your workspace" in response.text
    # Hub staff are not affected.
    client.force_login(cast.hub)
    assert client.get("/admin/reports/site-history/").status_code == 200


def test_the_partner_menu_only_links_to_allowed_pages(cast, client):
    from django.urls import resolve

    from cms.middleware import is_allowed

    client.force_login(cast.partner)
    for url in ["/admin/", "/admin/partnerships/", cast.eastside.get_absolute_url()]:
        html = client.get(url).text
        for href in set(re.findall(r'href="(/admin/[^"#?]*)', html)):
            match = resolve(href)
            assert is_allowed(match.view_name, match.namespaces), f"{url} -> {href}"


# What a leadership viewer may still change: their own session and account.
LEADER_MAY_POST = {"wagtailadmin_logout", "wagtailadmin_account", "meetings:feeds"}


def test_a_leadership_viewer_posting_to_every_url_changes_nothing(
    cast, client, every_url
):
    """`leader` follows Northside's partnerships read-only. Every form of the
    project, posted by them, is refused, and nothing is recorded in their name."""
    from wagtail.models import ModelLogEntry

    client.force_login(cast.leader)
    problems = []
    for name, url in every_url:
        if name in PUBLIC or name in OPEN_BY_WAGTAIL or name in LEADER_MAY_POST:
            continue
        response = client.post(url)
        if not refused(response, anonymous=False):
            problems.append(f"POST {url} ({name}) answered {response.status_code}")
    assert not problems, "\n".join(problems)
    assert not ModelLogEntry.objects.filter(user=cast.leader).exists()


def test_a_third_partner_sees_no_referral_between_two_others(cast, client, every_url):
    """`housing` is in the Eastside partnership but neither sent nor received the
    Northside → Riverside referral: no page, export or figure shows it."""
    from referrals.models import Referral

    referral_path = f"/referrals/{Referral.objects.get().pk}/"
    client.force_login(cast.housing)
    problems = []
    for name, url in every_url:
        if name in ("wagtailadmin_logout",):
            continue
        response = client.get(url)
        body = response.content.decode(errors="replace")
        if "Care navigator 1" in body:
            problems.append(f"GET {url} ({name}) shows the referral")
        if referral_path in url and not refused(response, anonymous=False):
            problems.append(f"GET {url} ({name}) answered {response.status_code}")
    assert not problems, "\n".join(problems)


# Every API route, asked with the token of an organisation that must see
# nothing of Eastside's referral (Eastside Housing is in the partnership but
# neither sent nor received it) or of Eastside at all (Lakeshore, a stranger).
API_NAMESPACES = ("read_api", "fhir_api", "hsds_api")


@pytest.mark.parametrize(
    "who, admin",
    [("housing", "housing"), ("lakeshore", "outsider"), ("stranger", "stranger")],
)
def test_every_api_route_refuses_an_outside_organisations_token(
    cast, client, every_url, who, admin
):
    from django.urls import reverse

    from api import services as api_services
    from referrals.models import Referral

    organisation = {
        "housing": cast.housing_org,
        "lakeshore": cast.lakeshore_org,
        "stranger": cast.stranger_org,
    }[who]
    _, key = api_services.token_create(
        organisation=organisation,
        by=getattr(cast, admin),
        name="walk",
        scope="read-write",
    )
    referral = Referral.objects.get()
    routes = [(n, u) for n, u in every_url if n.split(":")[0] in API_NAMESPACES]
    assert {n.split(":")[0] for n, _ in routes} == set(API_NAMESPACES)
    # The FHIR routes name the referral, the others Eastside.
    for kind in ("task", "servicerequest", "consent", "patient"):
        routes.append(
            (f"fhir_api:{kind}", reverse(f"fhir_api:{kind}", args=[referral.pk]))
        )
    referral_urls = {url for _, url in routes[-4:]}
    # Housing is in Eastside: it sees the partnership, never the referral.
    hidden = (
        ["Care navigator 1"]
        if who == "housing"
        else ["Eastside Family Support", "Care navigator"]
    )
    problems = []
    for name, url in routes:
        for method in ("get", "post", "put"):
            response = getattr(client, method)(url, HTTP_AUTHORIZATION=f"Bearer {key}")
            body = response.content.decode(errors="replace")
            if any(text in body for text in hidden):
                problems.append(f"{method.upper()} {url} ({name}) shows {hidden}")
            if url in referral_urls and response.status_code not in (404, 405):
                problems.append(
                    f"{method.upper()} {url} answered {response.status_code}"
                )
            if response.status_code in (200, 201, 204) and method != "get":
                problems.append(f"{method.upper()} {url} ({name}) accepted a write")
    assert not problems, "\n".join(problems)
    assert Referral.objects.get().status == "requested"
