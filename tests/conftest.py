"""The standing cast: two partnerships and one person for each role, including
people who must see nothing of the Eastside partnership."""

import os
from dataclasses import dataclass

import pytest
from django.contrib.auth import get_user_model

from partnerships.models import Participation, Partnership, PartnershipRole

from .factories import (
    CommitmentFactory,
    OrganisationFactory,
    ParticipationFactory,
    PartnershipFactory,
    PartnershipRoleFactory,
    UserFactory,
    member,
)

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


@dataclass
class Cast:
    eastside: Partnership
    lakeshore: Partnership
    northside: object
    riverside: object
    housing_org: object
    lakeshore_org: object
    stranger_org: object
    coordinator: object
    partner: object
    signatory: object
    housing: object
    leader: object
    outsider: object
    stranger: object
    hub: object

    @property
    def eastside_lead(self) -> Participation:
        return self.eastside.participations.get(organisation=self.northside)

    @property
    def eastside_riverside(self) -> Participation:
        return self.eastside.participations.get(organisation=self.riverside)


@pytest.fixture
def cast(db) -> Cast:
    northside = OrganisationFactory(name="Northside Family Services")
    riverside = OrganisationFactory(name="Riverside Health Clinic")
    housing_org = OrganisationFactory(name="Eastside Housing Coalition")
    lakeshore_org = OrganisationFactory(name="Lakeshore Youth Center")
    stranger_org = OrganisationFactory(name="Unrelated Food Bank")

    eastside = PartnershipFactory(name="Eastside Family Support Partnership")
    lakeshore = PartnershipFactory(name="Lakeshore Youth Mentoring Partnership")
    lead = ParticipationFactory(
        partnership=eastside, organisation=northside, role=Participation.Role.LEAD
    )
    river = ParticipationFactory(partnership=eastside, organisation=riverside)
    east_housing = ParticipationFactory(partnership=eastside, organisation=housing_org)
    lake_lead = ParticipationFactory(
        partnership=lakeshore, organisation=lakeshore_org, role=Participation.Role.LEAD
    )
    ParticipationFactory(partnership=lakeshore, organisation=housing_org)

    # Each organisation's administrator decides who works for it.
    coordinator = member("coordinator", northside, admin=True)
    partner = member("partner", riverside)
    signatory = member("signatory", riverside, admin=True)
    housing = member("housing", housing_org, admin=True)
    leader = member("leader", northside, leadership=True)
    outsider = member("outsider", lakeshore_org, admin=True)
    stranger = member("stranger", stranger_org, admin=True)
    hub = UserFactory(username="hub", is_staff=True, is_superuser=True)

    Role = PartnershipRole.Role
    PartnershipRoleFactory(participation=lead, user=coordinator, role=Role.COORDINATOR)
    PartnershipRoleFactory(participation=lead, user=coordinator, role=Role.SIGNATORY)
    PartnershipRoleFactory(participation=river, user=signatory, role=Role.SIGNATORY)
    PartnershipRoleFactory(participation=river, user=partner, role=Role.CONTACT)
    PartnershipRoleFactory(
        participation=east_housing, user=housing, role=Role.SIGNATORY
    )
    PartnershipRoleFactory(
        participation=lake_lead, user=outsider, role=Role.COORDINATOR
    )
    CommitmentFactory(participation=lead, description="Coordinator, half time")
    CommitmentFactory(participation=river, description="Care navigator")

    return Cast(
        eastside=eastside,
        lakeshore=lakeshore,
        northside=northside,
        riverside=riverside,
        housing_org=housing_org,
        lakeshore_org=lakeshore_org,
        stranger_org=stranger_org,
        coordinator=coordinator,
        partner=partner,
        signatory=signatory,
        housing=housing,
        leader=leader,
        outsider=outsider,
        stranger=stranger,
        hub=hub,
    )


@pytest.fixture
def client_for(client):
    """Log a client in as one of the cast."""

    def login(user):
        client.force_login(user)
        return client

    return login


@pytest.fixture
def users():
    return get_user_model().objects


class _Inbox:
    """Messages a real SMTP server on loopback received, parsed back."""

    def __init__(self):
        self.messages = []

    async def handle_DATA(self, server, session, envelope):  # noqa: N802
        from email import message_from_bytes, policy

        message = message_from_bytes(envelope.content, policy=policy.default)
        message.envelope_to = list(envelope.rcpt_tos)
        self.messages.append(message)
        return "250 Message accepted for delivery"

    def to(self, address):
        return [m for m in self.messages if address in m.envelope_to]

    @staticmethod
    def text(message):
        return message.get_body(preferencelist=("plain",)).get_content()


@pytest.fixture
def smtp(settings):
    """Route the product's mail through a real SMTP server on 127.0.0.1."""
    import socket

    from aiosmtpd.controller import Controller

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    inbox = _Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = port
    settings.EMAIL_USE_TLS = False
    settings.EMAIL_USE_SSL = False
    try:
        yield inbox
    finally:
        controller.stop()
