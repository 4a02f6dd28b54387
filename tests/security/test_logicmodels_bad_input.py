"""Issue 10, defect 11 (logic models): a figure no field can hold is refused in
the form, the CSV import and the services; a huge import is refused whole; and
a bad figure already in the database never takes the pages down."""

import datetime
import io
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import DatabaseError, connection, transaction
from django.urls import reverse
from openpyxl import load_workbook

from logicmodels import services
from logicmodels.models import Indicator, Measurement, Target

from ..logicmodels import conftest as standing

pytestmark = pytest.mark.django_db

# The app's standing fixtures, shared with tests/logicmodels.
chain = standing.chain
model = standing.model

BAD_FIGURES = [
    ("1e999999999", "too large"),
    ("-1e999999999", "too large"),
    ("10000000000", "too large"),
    ("Infinity", "not a finite number"),
    ("NaN", "not a finite number"),
    ("0.00001", "more than 4 decimal places"),
]
Q1 = {
    "period_start": datetime.date(2026, 1, 1),
    "period_end": datetime.date(2026, 3, 31),
}


def _indicator_url(chain):
    return reverse("logicmodels:indicator", args=[chain["indicator"].pk])


@pytest.mark.parametrize(("figure", "message"), BAD_FIGURES)
def test_a_measurement_of_1e999999999_is_refused_in_the_service(
    cast, chain, figure, message
):
    indicator = chain["indicator"]
    for fields in [
        {"value": Decimal(figure)},
        {"numerator": Decimal(figure), "denominator": Decimal(1)},
        {"numerator": Decimal(1), "denominator": Decimal(figure)},
    ]:
        with pytest.raises(ValidationError, match=message):
            services.measurement_add(
                indicator=indicator, by=cast.partner, **Q1, **fields
            )
    with pytest.raises(ValidationError, match=message):
        services.target_add(indicator=indicator, by=cast.partner, **Q1, value=figure)
    assert not Measurement.all_objects.exists()
    assert not Target.all_objects.exists()


def test_a_ratio_that_overflows_is_refused(cast, chain):
    with pytest.raises(ValidationError, match="too large"):
        services.measurement_add(
            indicator=chain["indicator"],
            by=cast.partner,
            **Q1,
            numerator=Decimal("9999999999"),
            denominator=Decimal("0.0001"),
        )
    assert not Measurement.all_objects.exists()


@pytest.mark.parametrize(("figure", "message"), BAD_FIGURES)
def test_a_measurement_of_1e999999999_is_refused_in_the_model_clean(
    cast, chain, figure, message
):
    for instance, field in [
        (
            Measurement(indicator=chain["indicator"], **Q1, value=Decimal(figure)),
            "value",
        ),
        (Target(indicator=chain["indicator"], **Q1, value=Decimal(figure)), "value"),
        (Indicator(baseline_value=Decimal(figure)), "baseline_value"),
    ]:
        with pytest.raises(ValidationError) as refused:
            instance.clean()
        assert message in " ".join(refused.value.message_dict[field])


@pytest.mark.parametrize("figure", ["1e999999999", "Infinity", "NaN", "12345678901"])
def test_a_measurement_of_1e999999999_is_refused_in_the_forms(
    cast, chain, client_for, figure
):
    client = client_for(cast.partner)
    response = client.post(
        _indicator_url(chain),
        {
            "action": "measurement",
            "m-period_start": "2026-01-01",
            "m-period_end": "2026-03-31",
            "m-value": figure,
        },
    )
    assert response.status_code == 200
    assert (
        "Figures must be below 10,000,000,000" in response.text
        or "Enter a number" in response.text
    )
    response = client.post(
        _indicator_url(chain),
        {
            "action": "target",
            "t-period_start": "2026-01-01",
            "t-period_end": "2026-03-31",
            "t-value": figure,
        },
    )
    assert response.status_code == 200
    assert not Measurement.all_objects.exists()
    assert not Target.all_objects.exists()


@pytest.mark.parametrize(("figure", "message"), BAD_FIGURES)
def test_a_measurement_of_1e999999999_is_refused_in_the_csv_import(
    cast, chain, figure, message
):
    data = (
        "period_start,period_end,value,numerator,denominator,note\n"
        "2026-01-01,2026-03-31,45,,,fine\n"
        f"2026-04-01,2026-06-30,{figure},,,bad\n"
        f"2026-07-01,2026-09-30,,{figure},2,bad ratio\n"
    ).encode()
    count, problems = services.measurements_import(
        indicator=chain["indicator"], by=cast.partner, data=data
    )
    assert count == 0
    assert problems[0].startswith("Row 3: value")
    assert message in problems[0]
    assert problems[1].startswith("Row 4: numerator")
    assert not Measurement.all_objects.exists()


def test_a_200000_row_csv_import_is_refused_whole_with_the_limit_named(
    cast, chain, client_for
):
    rows = "".join("2026-01-01,2026-03-31,45,,,\n" for _ in range(200_000))
    data = (
        "period_start,period_end,value,numerator,denominator,note\n" + rows
    ).encode()
    count, problems = services.measurements_import(
        indicator=chain["indicator"], by=cast.partner, data=data
    )
    assert count == 0
    assert "larger than 1 MB" in problems[0]
    assert "split it into files of at most 5,000 rows" in problems[0]
    # Small lines under the byte limit: the row limit speaks.
    short = "".join("2026-01-01,2026-03-31,1\n" for _ in range(5_001))
    count, problems = services.measurements_import(
        indicator=chain["indicator"],
        by=cast.partner,
        data=("period_start,period_end,value\n" + short).encode(),
    )
    assert count == 0
    assert "more than 5,000 rows" in problems[0]
    assert "split it" in problems[0]
    # Exactly at the limit is accepted.
    count, problems = services.measurements_import(
        indicator=chain["indicator"],
        by=cast.partner,
        data=(
            "period_start,period_end,value\n" + short[: -len(short) // 5_001]
        ).encode(),
    )
    assert (count, problems) == (5_000, [])
    Measurement.objects.all().delete()
    # Through the upload form: refused before the file is read, nothing stored.
    response = client_for(cast.partner).post(
        _indicator_url(chain),
        {
            "action": "import",
            "i-file": SimpleUploadedFile("big.csv", data, content_type="text/csv"),
        },
    )
    assert response.status_code == 200
    assert "split it into files of at most 5,000 rows" in response.text
    assert not Measurement.all_objects.exists()


def _store_straight(measurement_pk: int, target_pk: int) -> bool:
    """Write an infinite figure past every check, as a script or an old import
    could. True when the database kept it (SQLite); PostgreSQL's numeric(14,4)
    refuses, which is the field not allowing it."""
    table, targets = Measurement._meta.db_table, Target._meta.db_table
    try:
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(
                f"UPDATE {table} SET value = 9e999 WHERE id = %s",  # noqa: S608
                [measurement_pk],
            )
            cursor.execute(
                f"UPDATE {targets} SET value = 1e15 WHERE id = %s",  # noqa: S608
                [target_pk],
            )
    except DatabaseError:
        return False
    return True


def test_a_bad_figure_already_stored_does_not_break_pages_or_exports(
    cast, chain, model, client_for
):
    indicator = chain["indicator"]
    good = services.measurement_add(
        indicator=indicator, by=cast.partner, **Q1, value=Decimal(45)
    )
    bad = services.measurement_add(
        indicator=indicator,
        by=cast.partner,
        period_start=datetime.date(2026, 4, 1),
        period_end=datetime.date(2026, 6, 30),
        value=Decimal(50),
        note="the broken one",
    )
    target = services.target_add(
        indicator=indicator, by=cast.partner, **Q1, value=Decimal(70)
    )
    services.target_add(
        indicator=indicator,
        by=cast.partner,
        period_start=datetime.date(2026, 4, 1),
        period_end=datetime.date(2026, 6, 30),
        value=Decimal(75),
    )
    stored = _store_straight(bad.pk, target.pk)
    for user in [cast.partner, cast.coordinator, cast.leader]:
        client = client_for(user)
        page = client.get(_indicator_url(chain))
        assert page.status_code == 200
        if stored:
            assert "the broken one" not in page.text
            assert "2 stored figures of this indicator could not be read" in page.text
        else:  # the database refused the write: the row is still the good 50
            assert "the broken one" in page.text
        assert client.get(model.get_absolute_url()).status_code == 200
        for fmt in ["csv", "xlsx", "docx"]:
            response = client.get(reverse("logicmodels:export", args=[model.pk, fmt]))
            assert response.status_code == 200, fmt
        csv = client.get(reverse("logicmodels:export", args=[model.pk, "csv"]))
        # The latest readable measurement: the good 45 when the bad row is hidden.
        latest = "45.0" if stored else "50.0"
        assert f"Percent,40.0,{latest}," in csv.content.decode("utf-8-sig")
        workbook = load_workbook(
            io.BytesIO(
                client.get(
                    reverse("logicmodels:export", args=[model.pk, "xlsx"])
                ).content
            )
        )
        assert workbook.active.max_row == 4  # header and three elements
        diagram = client.get(reverse("logicmodels:diagram", args=[model.pk]))
        assert diagram.status_code == 200
    assert list(indicator.measurements.all()) == ([good] if stored else [good, bad])
