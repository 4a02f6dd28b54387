import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from accountability import services as accountability_services
from accountability.models import Responsibility, ResponsibilityUpdate

from ..factories import ParticipationFactory, PartnershipFactory

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate()


def make(cast, **fields):
    defaults = {
        "partnership": cast.eastside,
        "by": cast.coordinator,
        "title": "Send the shared-families list",
        "owner": cast.riverside,
    }
    return accountability_services.responsibility_create(**{**defaults, **fields})


def test_a_recurring_responsibility_rolls_forward_when_done(cast):
    due = datetime.date(2027, 1, 31)
    responsibility = make(cast, due_date=due, cadence="monthly")
    accountability_services.responsibility_report(
        responsibility=responsibility, by=cast.partner, status="done", note="Sent."
    )
    responsibility.refresh_from_db()
    assert responsibility.due_date == datetime.date(2027, 2, 28)
    assert responsibility.status == Responsibility.Status.NOT_STARTED
    log = list(responsibility.updates.order_by("pk"))
    assert [(u.status_to, u.due_date) for u in log[1:]] == [
        ("done", due),
        ("not_started", datetime.date(2027, 2, 28)),
    ]
    assert log[1].note == "Sent."


def test_due_today_is_not_overdue_but_yesterday_is(cast):
    today = make(cast, title="Today", due_date=TODAY)
    yesterday = make(cast, title="Yesterday", due_date=TODAY - datetime.timedelta(1))
    make(cast, title="Done late", due_date=TODAY - datetime.timedelta(5))
    accountability_services.responsibility_report(
        responsibility=Responsibility.objects.get(title="Done late"),
        by=cast.partner,
        status="done",
    )
    assert not today.is_overdue(TODAY)
    assert yesterday.is_overdue(TODAY)
    assert list(
        Responsibility.objects.overdue(TODAY).values_list("title", flat=True)
    ) == ["Yesterday"]


def test_the_owner_reports_progress_and_everyone_sees_the_log(cast, client_for):
    responsibility = make(cast)
    client = client_for(cast.partner)
    response = client.post(
        responsibility.get_absolute_url(),
        {"status": "in_progress", "note": "Half the list is done."},
    )
    assert response.status_code == 302
    page = client_for(cast.leader).get(responsibility.get_absolute_url())
    assert "Half the list is done." in page.text
    assert "Not started → In progress" in page.text
    assert "Report progress" not in page.text


def test_another_organisation_cannot_change_the_status(cast, client_for):
    responsibility = make(cast, owner=cast.northside)
    response = client_for(cast.signatory).post(
        responsibility.get_absolute_url(), {"status": "done", "note": "Not ours"}
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("wagtailadmin_home")
    responsibility.refresh_from_db()
    assert responsibility.status == Responsibility.Status.NOT_STARTED
    assert responsibility.updates.count() == 1
    outsider = client_for(cast.outsider).post(
        responsibility.get_absolute_url(), {"status": "done"}
    )
    assert outsider.status_code == 404


def test_a_report_with_nothing_new_is_explained(cast, client_for):
    responsibility = make(cast)
    response = client_for(cast.partner).post(
        responsibility.get_absolute_url(), {"status": "not_started", "note": " "}
    )
    assert response.status_code == 200
    assert "Nothing to record" in response.text
    assert responsibility.updates.count() == 1


@pytest.mark.parametrize("due", ["31/02/2027", "next tuesday", "2027-13-01"])
def test_an_unreadable_due_date_is_refused_and_nothing_saved(cast, client_for, due):
    response = client_for(cast.partner).post(
        reverse("accountability:responsibility_add", args=[cast.eastside.pk]),
        {"title": "Print leaflets", "owner": cast.riverside.pk, "due_date": due},
    )
    assert response.status_code == 200
    assert "Enter the due date as YYYY-MM-DD" in response.text
    assert not Responsibility.objects.filter(title="Print leaflets").exists()


def test_a_recurring_responsibility_needs_a_first_due_date(cast, client_for):
    response = client_for(cast.partner).post(
        reverse("accountability:responsibility_add", args=[cast.eastside.pk]),
        {"title": "Monthly list", "owner": cast.riverside.pk, "cadence": "monthly"},
    )
    assert "needs the date it is first due" in response.text
    assert not Responsibility.objects.exists()


def test_partners_add_responsibilities_for_their_own_organisation_only(
    cast, client_for
):
    url = reverse("accountability:responsibility_add", args=[cast.eastside.pk])
    response = client_for(cast.partner).post(
        url, {"title": "Their job", "owner": cast.northside.pk}
    )
    assert "for your own organisation" in response.text
    response = client_for(cast.partner).post(
        url,
        {
            "title": "Our job",
            "owner": cast.riverside.pk,
            "owner_person": cast.coordinator.pk,
        },
    )
    assert "does not work for Riverside Health Clinic" in response.text
    assert not Responsibility.objects.exists()


def test_the_list_filters_and_the_matrix_counts_by_organisation(cast, client_for):
    make(cast, title="Overdue one", due_date=TODAY - datetime.timedelta(3))
    blocked = make(cast, title="Blocked one", owner=cast.northside)
    accountability_services.responsibility_report(
        responsibility=blocked, by=cast.coordinator, status="blocked"
    )
    client = client_for(cast.partner)
    url = reverse("accountability:responsibilities", args=[cast.eastside.pk])
    page = client.get(url, {"overdue": "1"})
    assert "Overdue one" in page.text
    assert "Blocked one" not in page.text
    page = client.get(url, {"status": "blocked"})
    assert "Blocked one" in page.text and "Overdue one" not in page.text
    matrix = client.get(url).context["matrix"]
    rows = {row["organisation"].name: row for row in matrix["rows"]}
    assert rows["Riverside Health Clinic"]["overdue"] == 1
    assert rows["Northside Family Services"]["cells"][3] == 1  # blocked
    assert rows["Eastside Housing Coalition"]["total"] == 0


def test_coordinators_change_status_in_bulk_and_partners_cannot(cast, client_for):
    first = make(cast, title="First")
    second = make(cast, title="Second", owner=cast.northside)
    url = reverse("accountability:responsibility_bulk", args=[cast.eastside.pk])
    data = {"responsibilities": [first.pk, second.pk], "status": "at_risk"}
    assert client_for(cast.partner).post(url, data).status_code == 302
    assert not Responsibility.objects.filter(status="at_risk").exists()
    client_for(cast.coordinator).post(url, data)
    assert Responsibility.objects.filter(status="at_risk").count() == 2
    assert ResponsibilityUpdate.objects.filter(status_to="at_risk").count() == 2


def test_bulk_change_ignores_responsibilities_of_other_partnerships(cast, client_for):
    foreign = accountability_services.responsibility_create(
        partnership=cast.lakeshore,
        by=cast.outsider,
        title="Lakeshore job",
        owner=cast.lakeshore_org,
    )
    response = client_for(cast.coordinator).post(
        reverse("accountability:responsibility_bulk", args=[cast.eastside.pk]),
        {"responsibilities": [foreign.pk], "status": "done"},
        follow=True,
    )
    assert "Select a valid choice" in response.text
    foreign.refresh_from_db()
    assert foreign.status == "not_started"


def test_my_organisations_responsibilities_span_partnerships(cast, client_for):
    make(cast, title="Eastside housing job", owner=cast.housing_org)
    accountability_services.responsibility_create(
        partnership=cast.lakeshore,
        by=cast.outsider,
        title="Lakeshore housing job",
        owner=cast.housing_org,
    )
    make(cast, title="Not ours", owner=cast.riverside)
    page = client_for(cast.housing).get(reverse("accountability:my_responsibilities"))
    assert "Eastside housing job" in page.text
    assert "Lakeshore housing job" in page.text
    assert "Not ours" not in page.text


def test_a_source_is_mirrored_once_and_refreshed_not_duplicated(cast):
    source = cast.eastside_riverside  # any row can be a source
    for title in ["Draft title", "Final title"]:
        accountability_services.responsibility_from_source(
            partnership=cast.eastside,
            source=Responsibility.Source.MOU_CLAUSE,
            source_object=source,
            by=cast.coordinator,
            title=title,
            owner=cast.riverside,
            due_date=datetime.date(2027, 5, 1),
        )
    [mirrored] = Responsibility.objects.all()
    assert mirrored.title == "Final title"
    assert mirrored.source_object == source


def test_the_list_and_my_page_cost_a_bounded_number_of_queries(
    cast, client_for, django_assert_max_num_queries
):
    organisations = [cast.northside, cast.riverside, cast.housing_org]
    Responsibility.objects.bulk_create(
        Responsibility(
            partnership=cast.eastside,
            title=f"Job {i}",
            owner=organisations[i % 3],
            owner_person=cast.partner if i % 3 == 1 else None,
            due_date=TODAY + datetime.timedelta(days=i - 100),
        )
        for i in range(400)
    )
    for i in range(30):
        partnership = PartnershipFactory()
        ParticipationFactory(partnership=partnership, organisation=cast.riverside)
        Responsibility.objects.create(
            partnership=partnership, title=f"Elsewhere {i}", owner=cast.riverside
        )
    client = client_for(cast.partner)
    with django_assert_max_num_queries(20):
        page = client.get(
            reverse("accountability:responsibilities", args=[cast.eastside.pk])
        )
    assert "Page 1 of 8" in page.text
    with django_assert_max_num_queries(14):
        page = client.get(reverse("accountability:my_responsibilities"))
    assert page.status_code == 200
