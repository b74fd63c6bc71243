"""One factory per model (factory_boy)."""

import datetime
import itertools

import factory
from django.utils import timezone

from accounts.models import Municipality, PoliceRegion, User
from cases.identity import identity_pseudonym, luhn_check_digit
from cases.models import Case, CaseState, Client
from reports.models import AUDIENCE_OF_KIND, Report, ReportKind
from reports.periods import Period

TEST_PASSWORD = "correct-horse-battery-staple"


def synthetic_identity_number(n: int) -> str:
    """A made-up personal identity number, valid by checksum (birth numbers 980-999)."""
    birth = datetime.date(1990, 1, 1) + datetime.timedelta(days=n % 5000)
    nine = f"{birth:%y%m%d}{980 + n % 20}"
    return f"{birth:%Y%m%d}{nine[6:]}{luhn_check_digit(nine)}"


class PoliceRegionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PoliceRegion
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"region-{n}")
    name = factory.Sequence(lambda n: f"Polisregion {n}")


class MunicipalityFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Municipality
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"{9000 + n % 1000:04d}")
    name = factory.Sequence(lambda n: f"Testkommun {n}")
    county_code = "99"
    county_name = "Testlän"
    latitude = "59.00000"
    longitude = "18.00000"
    police_region = factory.SubFactory(PoliceRegionFactory)
    runs_program = True


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    first_name = factory.Faker("first_name", locale="sv_SE")
    last_name = factory.Faker("last_name", locale="sv_SE")
    password = factory.PostGenerationMethodCall("set_password", TEST_PASSWORD)

    @factory.post_generation
    def _save(obj, create, extracted, **kwargs):
        if create:
            obj.save()


class ClientFactory(factory.django.DjangoModelFactory):
    """A client of `municipality` (a made-up one unless given).

    `CaseFactory(municipality=m, client=ClientFactory())` gives the still case-less client
    the case's municipality, as the database wants a case's client in the case's
    municipality; pass `municipality=` to make a client of a place without a case.
    """

    class Meta:
        model = Client

    municipality = factory.SubFactory(MunicipalityFactory)
    first_name = factory.Faker("first_name", locale="sv_SE")
    # Unique, so that "this name is not on the page" never meets a namesake.
    last_name = factory.Sequence(lambda n: f"Testsson{n}x")
    identity_number = factory.Sequence(synthetic_identity_number)
    birth_date = factory.LazyAttribute(
        lambda o: datetime.date(
            int(o.identity_number[:4]), int(o.identity_number[4:6]), int(o.identity_number[6:8])
        )
    )
    pseudonym = factory.LazyAttribute(lambda o: identity_pseudonym(o.identity_number))


class CaseFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Case

    reference = factory.Sequence(lambda n: f"T-{n:06d}")
    municipality = factory.SubFactory(MunicipalityFactory)
    client = factory.SubFactory(ClientFactory, municipality=factory.SelfAttribute("..municipality"))
    state = CaseState.ACTIVE
    opened_on = factory.LazyFunction(lambda: timezone.localdate() - datetime.timedelta(days=90))
    next_review_on = factory.LazyFunction(
        lambda: timezone.localdate() + datetime.timedelta(days=30)
    )
    created_by = factory.SubFactory(UserFactory)

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        client, municipality = kwargs.get("client"), kwargs.get("municipality")
        if (
            client is not None
            and municipality is not None
            and client.municipality_id != municipality.pk
            and not client.cases.exists()
        ):
            client.municipality = municipality
            client.save(update_fields=["municipality"])
        return super()._create(model_class, *args, **kwargs)


class ReportFactory(factory.django.DjangoModelFactory):
    """A case follow-up report of last month, waiting to be made."""

    class Meta:
        model = Report

    kind = ReportKind.CASE_FOLLOW_UP
    audience = factory.LazyAttribute(lambda o: AUDIENCE_OF_KIND[ReportKind(o.kind)])
    case = factory.SubFactory(CaseFactory)
    municipality = factory.LazyAttribute(lambda o: o.case.municipality if o.case else None)
    period_start = factory.LazyFunction(lambda: Period.previous_month(timezone.localdate()).start)
    period_end = factory.LazyFunction(lambda: Period.previous_month(timezone.localdate()).end)


_unique_names = itertools.count(1)


def unique_name(prefix: str = "Unik") -> str:
    """A name no page holds by chance, for "this name is not on the page" (e.g. "Unik7q")."""
    return f"{prefix}{next(_unique_names)}q"
