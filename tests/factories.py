import factory
from django.contrib.auth import get_user_model

from partnerships import services
from partnerships.models import (
    Membership,
    Organisation,
    Participation,
    Partnership,
    PartnershipRole,
    SustainabilityCommitment,
)

PASSWORD = "a-long-test-password"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ["username"]
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"person{n}")
    first_name = factory.Faker("first_name")
    last_name = factory.Faker("last_name")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.org")
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def workspace(obj, create, extracted, **kwargs):
        if create:
            obj.save()
            if not obj.is_staff:
                services.workspace_access_grant(user=obj)


class OrganisationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organisation
        django_get_or_create = ["name"]

    name = factory.Sequence(lambda n: f"Organisation {n}")


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    user = factory.SubFactory(UserFactory)
    organisation = factory.SubFactory(OrganisationFactory)


class PartnershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Partnership

    name = factory.Sequence(lambda n: f"Partnership {n}")
    purpose = "Families get joined-up help."
    status = Partnership.Status.ACTIVE


class ParticipationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Participation

    partnership = factory.SubFactory(PartnershipFactory)
    organisation = factory.SubFactory(OrganisationFactory)
    role = Participation.Role.PARTNER


class PartnershipRoleFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PartnershipRole

    participation = factory.SubFactory(ParticipationFactory)
    user = factory.SubFactory(UserFactory)
    role = PartnershipRole.Role.CONTACT


class CommitmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = SustainabilityCommitment

    participation = factory.SubFactory(ParticipationFactory)
    kind = SustainabilityCommitment.Kind.STAFF_TIME
    description = "Coordinator time"
    amount = 20


def member(user_or_name, organisation, *, leadership=False, admin=False):
    user = (
        UserFactory(username=user_or_name)
        if isinstance(user_or_name, str)
        else user_or_name
    )
    MembershipFactory(
        user=user, organisation=organisation, is_leadership=leadership, is_admin=admin
    )
    return user


class DirectoryServiceFactory(factory.django.DjangoModelFactory):
    """A published service in the public directory."""

    class Meta:
        model = "directory.DirectoryService"

    organisation = factory.SubFactory(OrganisationFactory)
    name = factory.Sequence(lambda n: f"Service {n}")
    category = "other"
    city = "Springfield"
    postal_code = "01101"
    phone = "(555) 010-0100"
    opens_at = "09:00"
    closes_at = "17:00"
