"""What a member of one organisation tries against the referral privacy promise:
figures for referrals it is not party to, differencing two allowed queries,
client details it may not read, and lifecycle moves that are not its own."""

import csv
import datetime
import io
import itertools
import random
import re

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone
from wagtail.models import ModelLogEntry

from referrals import services as referral_services
from referrals.models import Referral

pytestmark = pytest.mark.django_db

SEPTEMBER_27 = datetime.date(2026, 9, 27)


@pytest.fixture
def protocol(cast):
    return referral_services.protocol_save(
        partnership=cast.eastside,
        by=cast.coordinator,
        criteria="Families needing housing help.",
        steps="Ask consent, refer, follow up.",
        fields=[
            {"name": "need", "label": "Housing need", "type": "text", "required": True}
        ],
        collect_demographics=True,
        consent_required=True,
        consent_text="The client agrees that we share their need with the receiver.",
        acknowledge_days=2,
        outcome_days=30,
    )


def refer(cast, **overrides):
    values = {
        "partnership": cast.eastside,
        "by": cast.coordinator,
        "sender": cast.northside,
        "receiver": cast.riverside,
        "local_reference": "N-1",
        "initials": "QZ",
        "birth_year": 1957,
        "details": {"need": "eviction notice"},
        "consent": {"given": True, "by": "The client", "scope": "Need"},
        "demographics": {"race_ethnicity": "nhpi", "language": "Tongan"},
        **overrides,
    }
    return referral_services.referral_create(**values)


def closed_loop(cast, **overrides):
    referral = refer(cast, **overrides)
    referral_services.referral_move(
        referral=referral, by=cast.partner, status="accepted"
    )
    referral_services.referral_move(
        referral=referral, by=cast.partner, status="completed"
    )
    referral_services.referral_feedback(
        referral=referral, by=cast.partner, feedback="Housed.", satisfaction=5
    )
    referral.refresh_from_db()
    return referral


def bulk(cast, count, *, on, sender=None, receiver=None, **fields):
    """`count` referrals requested at noon on `on`, straight into the table."""
    moment = datetime.datetime.combine(
        on, datetime.time(12), timezone.get_current_timezone()
    )
    rows = []
    for n in range(count):
        referral = Referral(
            partnership=cast.eastside,
            sender=sender or cast.northside,
            receiver=receiver or cast.riverside,
            local_reference=f"B{on:%Y%m%d}-{n}-{random.random()}",
            initials="X",
            birth_year=1990,
            requested_at=moment,
            **fields,
        )
        referral.refresh_durations()
        rows.append(referral)
    Referral.objects.bulk_create(rows)


def content(page) -> str:
    """The page's main content, without the form tokens that change each time."""
    text = page.text.split("<main", 1)[-1].split("</main>", 1)[0]
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]*"', "", text)


def metrics_url(cast):
    return reverse("referrals:metrics", args=[cast.eastside.pk])


def figures_csv(client, url, **params) -> dict:
    """The metrics CSV as {(table, group, column): value or None when hidden}."""
    response = client.get(url, {**params, "format": "csv"})
    assert response.status_code == 200
    text = response.content.decode("utf-8-sig")
    figures = {}
    for row in csv.DictReader(io.StringIO(text)):
        for column, value in row.items():
            if column in ("Table", "Group") or value is None:
                continue
            value = value.strip()
            figures[(row["Table"], row["Group"], column)] = (
                None if value in ("", "—") else float(value)
            )
    return figures


# 2. Referral metrics ignore who may see referrals ---------------------------


def test_a_third_partner_gets_no_figures_for_a_pair_it_is_not_in(
    cast, protocol, client_for
):
    referral = closed_loop(cast)
    Referral.objects.filter(pk=referral.pk).update(
        requested_at=datetime.datetime.combine(
            SEPTEMBER_27, datetime.time(12), timezone.get_current_timezone()
        )
    )
    client = client_for(cast.housing)
    pair = f"{cast.northside.pk}-{cast.riverside.pk}"
    period = {"pair": pair, "from": "2026-09-27", "until": "2026-09-27"}
    page = client.get(metrics_url(cast), period)
    assert page.status_code == 200
    assert "1 referrals made" not in page.text
    assert "5.0" not in page.text
    figures = figures_csv(client, metrics_url(cast), **period)
    assert not [value for value in figures.values() if value]
    assert not any("Tongan" in key[1] for key in figures)
    assert not any("Pacific Islander" in key[1] for key in figures)


def test_a_party_sees_no_count_or_mean_of_a_single_referral(cast, protocol, client_for):
    closed_loop(cast)
    client = client_for(cast.coordinator)
    page = client.get(metrics_url(cast))
    assert "1 referrals made" not in page.text
    assert "5.0" not in page.text
    figures = figures_csv(client, metrics_url(cast))
    assert figures[("Summary", "Referrals made", "Made")] is None
    assert not any("Tongan" in key[1] for key in figures)


@pytest.mark.parametrize(("count", "shown"), [(10, False), (11, True)])
def test_suppression_boundary_of_a_total_is_between_10_and_11(
    cast, protocol, client_for, count, shown
):
    bulk(cast, count, on=datetime.date(2026, 3, 10), language="English")
    figures = figures_csv(
        client_for(cast.coordinator),
        metrics_url(cast),
        **{"from": "2026-03-01", "until": "2026-03-31"},
    )
    made = figures[("Summary", "Referrals made", "Made")]
    assert made == (count if shown else None)
    if shown:
        assert figures[("Primary language", "English", "Made")] == count
    else:
        # A hidden free-text group is not even named.
        assert ("Primary language", "English", "Made") not in figures
        assert (
            figures[("Primary language", "Other groups (small numbers)", "Made")]
            is None
        )


def test_a_day_sized_period_is_widened_to_whole_months(cast, protocol, client_for):
    page = client_for(cast.coordinator).get(
        metrics_url(cast), {"from": "2026-09-27", "until": "2026-09-27"}
    )
    assert 'value="2026-09-01"' in page.text
    assert 'value="2026-09-30"' in page.text
    assert "whole calendar months" in page.text


def test_a_leader_counts_their_organisations_referrals(cast, protocol, client_for):
    bulk(cast, 12, on=datetime.date(2026, 3, 10))
    bulk(cast, 30, on=datetime.date(2026, 3, 10), sender=cast.housing_org)
    figures = figures_csv(
        client_for(cast.leader),
        metrics_url(cast),
        **{"from": "2026-03-01", "until": "2026-03-31"},
    )
    assert figures[("Summary", "Referrals made", "Made")] == 12


COUNT_COLUMNS = {"Made", "Completed", "Loop closed"}


def _remainders(figures: dict) -> dict:
    """What an attacker works out: a column total minus the cells shown in a
    table is the sum of the hidden cells (keyed by which cells are hidden)."""
    totals = {
        "Made": figures.get(("Summary", "Referrals made", "Made")),
        "Completed": figures.get(("Summary", "Completed", "Made")),
        "Loop closed": figures.get(("Summary", "Loop closed", "Made")),
    }
    derived = {}
    tables = {key[0] for key in figures if key[0] != "Summary"}
    for table, column in itertools.product(tables, COUNT_COLUMNS):
        total = totals[column]
        if total is None:
            continue
        cells = {
            key[1]: value
            for key, value in figures.items()
            if key[0] == table and key[2] == column
        }
        hidden = tuple(sorted(group for group, value in cells.items() if value is None))
        shown = sum(value for value in cells.values() if value is not None)
        derived[(table, f"hidden: {hidden}", column)] = total - shown
    return derived


def test_differencing_two_allowed_queries_reveals_no_small_count(
    cast, protocol, client_for
):
    chance = random.Random(20260927)
    months = [datetime.date(2026, month, 10) for month in (1, 2, 3, 4)]
    pairs = [
        (cast.northside, cast.riverside),
        (cast.riverside, cast.northside),
        (cast.northside, cast.housing_org),
        (cast.housing_org, cast.riverside),
    ]
    for day, (sender, receiver) in itertools.product(months, pairs):
        for race in ("black", "white", "asian"):
            for status in ("completed", "requested"):
                count = chance.choice([0, 0, 2, 5, 11, 13, 24])
                bulk(
                    cast,
                    count,
                    on=day,
                    sender=sender,
                    receiver=receiver,
                    race_ethnicity=race,
                    language=chance.choice(["English", "Spanish", "Somali"]),
                    status=status,
                    loop_closed_at=timezone.now() if status == "completed" else None,
                )
    client = client_for(cast.coordinator)
    url = metrics_url(cast)
    ends = [datetime.date(2026, month, 1) for month in (1, 2, 3, 4, 5)]
    pair_options = [""] + [f"{s.pk}-{r.pk}" for s, r in pairs]
    results = {}
    for (i, start), pair in itertools.product(enumerate(ends[:-1]), pair_options):
        for end in ends[i + 1 :]:
            figures = figures_csv(
                client,
                url,
                **{
                    "from": start.isoformat(),
                    "until": (end - datetime.timedelta(days=1)).isoformat(),
                    "pair": pair,
                },
            )
            figures.update(_remainders(figures))
            results[(start, end, pair)] = figures

    def counts(figures):
        return {
            key: value
            for key, value in figures.items()
            if key[2] in COUNT_COLUMNS
            and value is not None
            and not (
                key[0] == "Summary" and ("%" in key[1] or "mean" in key[1].lower())
            )
        }

    compared = 0
    for (start, end, pair), figures in results.items():
        mine = counts(figures)
        for value in mine.values():
            assert not 1 <= value <= 10
        # Neighbours: one month more at either end, or every pair instead of one.
        neighbours = [
            (start, end + datetime.timedelta(days=31), pair),
            (start - datetime.timedelta(days=31), end, pair),
            (start, end, ""),
        ]
        for other in neighbours:
            other = (other[0].replace(day=1), other[1].replace(day=1), other[2])
            if other not in results or other == (start, end, pair):
                continue
            theirs = counts(results[other])
            for key in mine.keys() & theirs.keys():
                difference = abs(theirs[key] - mine[key])
                assert not 1 <= difference <= 10, (start, end, pair, other, key)
                compared += 1
    assert compared > 100


# 3. History and overview list every referral ---------------------------------


def test_a_third_partner_finds_no_referral_in_the_partnership_history(
    cast, protocol, client_for
):
    referral = refer(cast)
    on_partnership = ModelLogEntry.objects.filter(
        content_type__model="partnership",
        object_id=str(cast.eastside.pk),
        action__startswith="partnerships.refer",
    ).exclude(action="partnerships.referral_protocol")
    assert not on_partnership.exists()
    entry = ModelLogEntry.objects.get(
        content_type__model="referral", object_id=str(referral.pk)
    )
    assert entry.action == "partnerships.referral_create"
    assert "QZ" not in entry.label and "N-1" not in entry.label
    history = client_for(cast.housing).get(
        reverse("partnerships:history", args=[cast.eastside.pk])
    )
    assert "referred a client" not in history.text


# 7. Leadership viewers read client details ------------------------------------


def test_a_leader_reads_no_client_detail_of_their_organisations_referral(
    cast, protocol, client_for
):
    referral = refer(cast)
    client = client_for(cast.leader)
    for url in (
        referral.get_absolute_url(),
        reverse("referrals:index", args=[cast.eastside.pk]),
    ):
        page = client.get(url)
        assert page.status_code in (200, 404)
        for detail in ("eviction notice", "QZ", "1957", "N-1", "Tongan"):
            assert detail not in content(page), (url, detail)


def test_nobody_reads_client_details_once_consent_is_revoked(
    cast, protocol, client_for
):
    referral = refer(cast)
    referral_services.referral_consent_revoke(
        referral=referral, by=cast.partner, reason="The client asked us to stop."
    )
    for person in (cast.coordinator, cast.partner, cast.leader, cast.hub):
        client = client_for(person)
        for url in (
            referral.get_absolute_url(),
            reverse("referrals:index", args=[cast.eastside.pk]),
            reverse("referrals:inbox"),
        ):
            page = content(client.get(url))
            for detail in ("eviction notice", "QZ", "1957", "N-1"):
                assert detail not in page, (person, url, detail)
    page = client_for(cast.coordinator).get(referral.get_absolute_url())
    assert "Requested" in page.text and "revoked" in page.text


def test_a_leader_cannot_move_or_revoke_a_referral(cast, protocol):
    referral = refer(cast)
    with pytest.raises(PermissionDenied):
        referral_services.referral_move(
            referral=referral, by=cast.leader, status="cancelled", reason="x"
        )
    with pytest.raises(PermissionDenied):
        referral_services.referral_consent_revoke(
            referral=referral, by=cast.leader, reason="Client asked"
        )
    referral.refresh_from_db()
    assert referral.status == "requested" and referral.consent_revoked_at is None


# 9. Referral rights ----------------------------------------------------------


def test_the_sender_cannot_mark_a_closed_loop_entered_in_error(cast, protocol):
    referral = closed_loop(cast)
    with pytest.raises((ValidationError, PermissionDenied)):
        referral_services.referral_move(
            referral=referral,
            by=cast.coordinator,
            status="entered-in-error",
            reason="Oops",
        )
    referral.refresh_from_db()
    assert referral.status == "completed"


def test_the_receiver_cannot_mark_the_senders_referral_entered_in_error(cast, protocol):
    referral = refer(cast)
    with pytest.raises(PermissionDenied):
        referral_services.referral_move(
            referral=referral, by=cast.partner, status="entered-in-error", reason="x"
        )
    referral_services.referral_move(
        referral=referral,
        by=cast.coordinator,
        status="entered-in-error",
        reason="Wrong client",
    )
    referral.refresh_from_db()
    assert referral.status == "entered-in-error"


def test_the_sender_cannot_close_the_loop(cast, protocol):
    referral = refer(cast)
    referral_services.referral_move(
        referral=referral, by=cast.partner, status="accepted"
    )
    referral_services.referral_move(
        referral=referral, by=cast.partner, status="completed"
    )
    with pytest.raises(PermissionDenied):
        referral_services.referral_feedback(
            referral=referral, by=cast.coordinator, feedback="Went well", satisfaction=5
        )
    referral.refresh_from_db()
    assert referral.loop_closed_at is None and referral.satisfaction is None


def test_the_loop_closes_once(cast, protocol):
    referral = closed_loop(cast)
    with pytest.raises(ValidationError):
        referral_services.referral_feedback(
            referral=referral, by=cast.partner, feedback="Again", satisfaction=1
        )
    referral.refresh_from_db()
    assert referral.satisfaction == 5


def test_the_receiver_cannot_cancel_on_the_senders_behalf(cast, protocol):
    referral = refer(cast)
    with pytest.raises(PermissionDenied):
        referral_services.referral_move(
            referral=referral, by=cast.partner, status="cancelled", reason="x"
        )


@pytest.mark.parametrize("who", ["housing", "outsider", "stranger", "hub"])
def test_only_the_parties_revoke_consent(cast, protocol, who):
    referral = refer(cast)
    with pytest.raises(PermissionDenied):
        referral_services.referral_consent_revoke(
            referral=referral, by=getattr(cast, who), reason="Client asked"
        )
    referral.refresh_from_db()
    assert referral.consent_revoked_at is None


def test_revoking_consent_needs_a_reason_and_happens_once(cast, protocol):
    referral = refer(cast)
    with pytest.raises(ValidationError):
        referral_services.referral_consent_revoke(
            referral=referral, by=cast.coordinator, reason=" "
        )
    referral_services.referral_consent_revoke(
        referral=referral, by=cast.coordinator, reason="Client phoned"
    )
    with pytest.raises(ValidationError):
        referral_services.referral_consent_revoke(
            referral=referral, by=cast.partner, reason="Again"
        )
    event = referral.events.get(kind="consent revoked")
    assert event.by == cast.coordinator
    assert event.organisation_id == cast.northside.pk
    assert event.reason == "Client phoned"


def test_every_change_is_recorded_and_the_other_party_told_without_details(
    cast, protocol, smtp, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        referral = refer(cast)
    with django_capture_on_commit_callbacks(execute=True):
        referral_services.referral_move(
            referral=referral, by=cast.partner, status="accepted"
        )
    with django_capture_on_commit_callbacks(execute=True):
        referral_services.referral_move(
            referral=referral, by=cast.partner, status="completed"
        )
    with django_capture_on_commit_callbacks(execute=True):
        referral_services.referral_feedback(
            referral=referral, by=cast.partner, feedback="Housed.", satisfaction=4
        )
    actions = list(
        ModelLogEntry.objects.filter(
            content_type__model="referral", object_id=str(referral.pk)
        )
        .order_by("timestamp", "pk")
        .values_list("action", "user__username")
    )
    assert actions == [
        ("partnerships.referral_create", "coordinator"),
        ("partnerships.referral_move", "partner"),
        ("partnerships.referral_move", "partner"),
        ("partnerships.referral_feedback", "partner"),
    ]
    to_sender = smtp.to(cast.coordinator.email)
    to_receiver = smtp.to(cast.partner.email)
    assert len(to_receiver) == 1  # the new referral
    assert len(to_sender) == 3  # accepted, completed, feedback
    for message in smtp.messages:
        text = smtp.text(message) + message["Subject"]
        assert "Northside Family Services" in text
        assert referral.get_absolute_url() in text
        for detail in ("QZ", "1957", "N-1", "eviction", "Housed", "Tongan"):
            assert detail not in text
    assert cast.housing.email not in {a for m in smtp.messages for a in m.envelope_to}


@pytest.mark.parametrize(("count", "shown"), [(10, False), (11, True)])
def test_the_dashboard_panel_shows_no_small_referral_count(
    cast, protocol, client_for, count, shown
):
    bulk(cast, count, on=timezone.localdate())
    bulk(cast, 40, on=timezone.localdate(), sender=cast.housing_org)
    panel = client_for(cast.leader).get("/admin/").text
    panel = panel.split('data-figure="referrals"', 1)[1].split("</table>", 1)[0]
    assert f"<td>{count}</td>" in panel if shown else "<td>—</td>" in panel
    assert "<td>40</td>" not in panel and "<td>50</td>" not in panel


def test_a_referral_entered_in_error_leaves_the_figures(cast, protocol, client_for):
    bulk(cast, 11, on=datetime.date(2026, 3, 10))
    mistaken = Referral.objects.first()
    referral_services.referral_move(
        referral=mistaken,
        by=cast.coordinator,
        status="entered-in-error",
        reason="Duplicate",
    )
    figures = figures_csv(
        client_for(cast.partner),
        metrics_url(cast),
        **{"from": "2026-03-01", "until": "2026-03-31"},
    )
    # 10 left: hidden, not 11.
    assert figures[("Summary", "Referrals made", "Made")] is None


def test_a_leader_is_offered_no_move_and_the_receiver_only_its_own(
    cast, protocol, client_for
):
    referral = refer(cast)
    leader_page = content(client_for(cast.leader).get(referral.get_absolute_url()))
    assert "data-move-form" not in leader_page
    assert "data-revoke-form" not in leader_page
    receiver_page = content(client_for(cast.partner).get(referral.get_absolute_url()))
    assert 'value="accepted"' in receiver_page
    assert 'value="cancelled"' not in receiver_page


def test_a_referrer_who_became_a_leadership_viewer_is_not_told_of_changes(
    cast, protocol, smtp, django_capture_on_commit_callbacks
):
    """Notices go to the people who act for a party: the person who made the
    referral stops hearing about it once they only follow the organisation
    read-only (they could otherwise still read its progress in their inbox)."""
    from partnerships import permissions
    from partnerships.models import Membership

    referral = refer(cast)
    # Another Northside member keeps acting for the sender.
    from ..factories import member

    member("intake", cast.northside, admin=True)
    Membership.objects.filter(user=cast.coordinator).update(is_leadership=True)
    permissions.forget(cast.coordinator)
    with django_capture_on_commit_callbacks(execute=True):
        referral_services.referral_move(
            referral=referral, by=cast.partner, status="accepted"
        )
    assert smtp.to(cast.coordinator.email) == []
