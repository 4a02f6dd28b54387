import pytest

from referrals import services as referral_services


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
        consent_required=True,
        consent_text="The client agrees that Northside shares their need.",
        acknowledge_days=2,
        outcome_days=30,
    )


@pytest.fixture
def refer(cast, protocol):
    """Northside (the coordinator) refers a client to Riverside."""

    def make(reference="N-1"):
        return referral_services.referral_create(
            partnership=cast.eastside,
            by=cast.coordinator,
            sender=cast.northside,
            receiver=cast.riverside,
            local_reference=reference,
            initials="QZ",
            birth_year=1987,
            details={"need": "Facing eviction from Maplewood Court"},
            consent={"given": True, "by": "The client", "scope": "Need"},
        )

    return make


@pytest.fixture
def smtp_down(settings):
    """SMTP pointed at a loopback port nobody listens on."""
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = port
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    settings.EMAIL_TIMEOUT = 3
    return port
