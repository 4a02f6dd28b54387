"""Health-check results: means per practice and per organisation, trends across
rounds, and pairs of organisations that see their collaboration differently.

Nothing is shown while a round is open: watching a live average move as each
answer arrives would reveal that answer. After the round closes, a score is shown
only when at least MIN_RESPONDENTS people gave it, so no one's answer can be
singled out."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import Avg, Count

from partnerships.models import Organisation, Partnership

from .models import CollaborationRating, HealthCheckRound, Practice, PracticeRating

MIN_RESPONDENTS = 3
ASYMMETRY_LEVELS = 2


@dataclass
class Score:
    mean: float | None
    respondents: int

    @classmethod
    def of(cls, mean, respondents: int) -> Score:
        shown = respondents >= MIN_RESPONDENTS and mean is not None
        return cls(round(float(mean), 2) if shown else None, respondents)

    @property
    def hidden(self) -> bool:
        return self.mean is None and self.respondents > 0


@dataclass
class Pair:
    first: str
    second: str
    first_rates_second: Score
    second_rates_first: Score
    flagged: bool


@dataclass
class RoundResults:
    round: HealthCheckRound
    practices: list[tuple[str, Score]]
    organisations: list[tuple[str, list[Score]]]
    pairs: list[Pair] = field(default_factory=list)
    respondents: int = 0
    pending: bool = False

    @property
    def flagged_pairs(self) -> list[Pair]:
        return [pair for pair in self.pairs if pair.flagged]


def round_results(health_round: HealthCheckRound) -> RoundResults:
    if health_round.is_open:
        return RoundResults(
            round=health_round,
            practices=[(label, Score(None, 0)) for _value, label in Practice.choices],
            organisations=[],
            respondents=health_round.responses.count(),
            pending=True,
        )
    ratings = PracticeRating.objects.filter(response__round=health_round)
    overall = {
        row["practice"]: row
        for row in ratings.values("practice").annotate(mean=Avg("score"), n=Count("id"))
    }
    by_org: dict[int, dict[str, dict]] = {}
    for row in ratings.values("response__organisation_id", "practice").annotate(
        mean=Avg("score"), n=Count("id")
    ):
        by_org.setdefault(row["response__organisation_id"], {})[row["practice"]] = row
    organisations = list(
        Organisation.objects.filter(
            participations__partnership_id=health_round.partnership_id
        ).order_by("name")
    )
    names = {org.pk: org.name for org in organisations}
    practices = [
        (
            label,
            Score.of(
                overall.get(value, {}).get("mean"), overall.get(value, {}).get("n", 0)
            ),
        )
        for value, label in Practice.choices
    ]
    rows = []
    for org in organisations:
        cells = by_org.get(org.pk, {})
        rows.append(
            (
                org.name,
                [
                    Score.of(
                        cells.get(value, {}).get("mean"),
                        cells.get(value, {}).get("n", 0),
                    )
                    for value in Practice.values
                ],
            )
        )
    directed = {
        (row["response__organisation_id"], row["other_id"]): row
        for row in CollaborationRating.objects.filter(response__round=health_round)
        .values("response__organisation_id", "other_id")
        .annotate(mean=Avg("level"), n=Count("id"))
    }
    pairs = []
    for (a, b), forward in sorted(directed.items()):
        if a >= b or (b, a) not in directed or a not in names or b not in names:
            continue
        backward = directed[(b, a)]
        # The flag is a figure too: it is raised only where both directions
        # have enough respondents to be shown.
        flagged = (
            min(forward["n"], backward["n"]) >= MIN_RESPONDENTS
            and abs(forward["mean"] - backward["mean"]) >= ASYMMETRY_LEVELS
        )
        pairs.append(
            Pair(
                names[a],
                names[b],
                Score.of(forward["mean"], forward["n"]),
                Score.of(backward["mean"], backward["n"]),
                flagged,
            )
        )
    return RoundResults(
        round=health_round,
        practices=practices,
        organisations=rows,
        pairs=pairs,
        respondents=health_round.responses.count(),
    )


def trend(partnership: Partnership, limit: int = 8) -> tuple[list[str], dict]:
    """Mean per practice for the latest finished rounds, oldest first."""
    rounds = [
        r
        for r in partnership.health_rounds.order_by("-opened_at", "-pk")[: limit + 1]
        if not r.is_open
    ][:limit]
    rounds.reverse()
    rows = {
        (row["response__round_id"], row["practice"]): row
        for row in PracticeRating.objects.filter(response__round__in=rounds)
        .values("response__round_id", "practice")
        .annotate(mean=Avg("score"), n=Count("id"))
    }
    series = {
        label: [
            Score.of(
                rows.get((r.pk, value), {}).get("mean"),
                rows.get((r.pk, value), {}).get("n", 0),
            ).mean
            for r in rounds
        ]
        for value, label in Practice.choices
    }
    return [r.title for r in rounds], series
