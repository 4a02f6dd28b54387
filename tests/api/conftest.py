"""API tokens for the standing cast's organisations, issued by each
organisation's administrator, and the Eastside referral fixtures."""

import pytest

from api import services as api_services
from tests.referrals.conftest import protocol, referral_in  # noqa: F401


class Tokens:
    """Keys by name; `header(name)` is what a client sends."""

    def __init__(self):
        self.keys = {}
        self.tokens = {}

    def header(self, name: str) -> dict:
        return {"HTTP_AUTHORIZATION": f"Bearer {self.keys[name]}"}


@pytest.fixture
def tokens(cast) -> Tokens:
    issued = Tokens()
    for name, organisation, admin, scope in [
        ("riverside", cast.riverside, cast.signatory, "read-write"),
        ("riverside_read", cast.riverside, cast.signatory, "read"),
        ("northside", cast.northside, cast.coordinator, "read-write"),
        ("housing", cast.housing_org, cast.housing, "read-write"),
        ("lakeshore", cast.lakeshore_org, cast.outsider, "read-write"),
        ("stranger", cast.stranger_org, cast.stranger, "read-write"),
    ]:
        token, key = api_services.token_create(
            organisation=organisation, by=admin, name=f"{name} system", scope=scope
        )
        issued.tokens[name] = token
        issued.keys[name] = key
    return issued
