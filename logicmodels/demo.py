"""The demo partnership's logic model: 25 elements, the chain between them, and
two years of monthly measurements for eight indicators. Called by
`manage.py load_demo_data`."""

import datetime

from logicmodels import services as model_services
from logicmodels.models import Measurement
from partnerships.demo import Demo


def load(*, demo: Demo) -> None:
    eastside = demo.eastside
    orgs = demo.organisations
    people = demo.people
    today = demo.today
    if eastside.logic_models.exists():
        return
    by = people["coordinator"]
    model = model_services.model_create(
        partnership=eastside,
        by=by,
        title="Families connected to the help they need",
        problem_statement="Families on the east side juggle health, housing and "
        "family services that do not talk to each other; many give up between "
        "referrals.",
        next_review=today + datetime.timedelta(days=120),
    )
    north, river, housing = (
        orgs["Northside Family Services"],
        orgs["Riverside Health Clinic"],
        orgs["Eastside Housing Coalition"],
    )
    plan = {
        "input": [
            "Coordinator, half time",
            "Care navigators at the clinic",
            "Emergency housing fund",
            "Shared referral protocol",
        ],
        "activity": [
            "Screen patients for housing and family needs",
            "Warm hand-offs between partners",
            "Monthly review of shared families",
            "Joint training on trauma-informed care",
        ],
        "output": [
            "Families screened",
            "Referrals made with consent",
            "Shared families reviewed each month",
            "Staff trained",
        ],
        "short": [
            "Families connected to housing help within 14 days",
            "Families keep their appointments",
        ],
        "intermediate": [
            "Families stably housed for six months",
            "Fewer emergency visits by shared families",
        ],
        "long": ["Children stay in the same school all year"],
        "impact": ["East-side families are healthy and stably housed"],
        "assumption": [
            "Families agree to share information",
            "Housing units become available each quarter",
        ],
        "external": ["Rents keep rising", "State funding for navigators"],
        # 25 elements in all
    }
    plan["output"].append("Housing applications completed")
    plan["input"].append("Interpreter line")
    plan["activity"].append("Quarterly report to the partners' boards")
    elements = {}
    for kind, texts in plan.items():
        for text in texts:
            elements[text] = model_services.element_add(
                model=model, by=by, kind=kind, text=text
            )
    chain = [
        ("Coordinator, half time", "Monthly review of shared families"),
        (
            "Care navigators at the clinic",
            "Screen patients for housing and family needs",
        ),
        ("Emergency housing fund", "Warm hand-offs between partners"),
        ("Shared referral protocol", "Warm hand-offs between partners"),
        ("Screen patients for housing and family needs", "Families screened"),
        ("Warm hand-offs between partners", "Referrals made with consent"),
        ("Warm hand-offs between partners", "Housing applications completed"),
        (
            "Monthly review of shared families",
            "Shared families reviewed each month",
        ),
        ("Joint training on trauma-informed care", "Staff trained"),
        (
            "Referrals made with consent",
            "Families connected to housing help within 14 days",
        ),
        (
            "Housing applications completed",
            "Families connected to housing help within 14 days",
        ),
        ("Shared families reviewed each month", "Families keep their appointments"),
        (
            "Families connected to housing help within 14 days",
            "Families stably housed for six months",
        ),
        (
            "Families keep their appointments",
            "Fewer emergency visits by shared families",
        ),
        (
            "Families stably housed for six months",
            "Children stay in the same school all year",
        ),
        (
            "Children stay in the same school all year",
            "East-side families are healthy and stably housed",
        ),
    ]
    for source, target in chain:
        model_services.link_add(
            model=model, by=by, source=elements[source], target=elements[target]
        )
    start = (today - datetime.timedelta(days=730)).replace(day=1)
    indicators = [
        (
            "Families screened",
            "Families screened per month",
            "count",
            river,
            40,
            90,
            3.0,
            "on_track",
        ),
        (
            "Referrals made with consent",
            "Referrals made with consent",
            "count",
            river,
            10,
            35,
            1.2,
            "on_track",
        ),
        (
            "Housing applications completed",
            "Housing applications completed",
            "count",
            housing,
            5,
            20,
            0.6,
            "at_risk",
        ),
        (
            "Staff trained",
            "Staff trained (cumulative)",
            "count",
            north,
            0,
            60,
            2.5,
            "on_track",
        ),
        (
            "Families connected to housing help within 14 days",
            "Share connected within 14 days",
            "percent",
            housing,
            35,
            80,
            0.4,
            "off_track",
        ),
        (
            "Families keep their appointments",
            "Appointments kept",
            "percent",
            river,
            60,
            85,
            0.9,
            "on_track",
        ),
        (
            "Families stably housed for six months",
            "Housed six months later",
            "percent",
            housing,
            50,
            75,
            0.8,
            "at_risk",
        ),
        (
            "Fewer emergency visits by shared families",
            "Emergency visits per 100 families",
            "rate",
            river,
            30,
            15,
            -0.5,
            "on_track",
        ),
    ]
    for element, name, unit, owner, baseline, target, step, status in indicators:
        indicator = model_services.indicator_add(
            element=elements[element],
            by=by,
            name=name,
            unit=unit,
            responsible=owner,
            frequency="monthly",
            direction="down" if step < 0 else "up",
            baseline_value=baseline,
            baseline_date=start,
            reporting_from=start,
            data_source="Partners' case records",
        )
        model_services.target_add(
            indicator=indicator,
            by=by,
            period_start=today.replace(month=1, day=1),
            period_end=today.replace(month=12, day=31),
            value=target,
        )
        month = start
        value = float(baseline)
        rows = []
        while month < today.replace(day=1):
            following = (month + datetime.timedelta(days=32)).replace(day=1)
            value += step
            rows.append(
                Measurement(
                    indicator=indicator,
                    period_start=month,
                    period_end=following - datetime.timedelta(days=1),
                    value=round(value, 1),
                    entered_by=by,
                )
            )
            month = following
        Measurement.objects.bulk_create(rows)
        model_services.checkin_add(
            indicator=indicator,
            by=by,
            status=status,
            narrative={
                "on_track": "Steady progress towards this year's target.",
                "at_risk": "Behind plan; partners agreed extra effort.",
                "off_track": "Waiting lists for housing grew this winter; we "
                "will not reach the target without more units.",
            }[status],
        )
    model_services.model_adopt(model=model, by=by)
