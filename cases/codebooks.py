"""The shared codebooks and the first assessment instrument, loaded by a migration.

`codebooks_load` is also what the tests call after a browser test has flushed the tables.
"""

import datetime
from typing import Any

from django.apps import apps as django_apps

NEEDS = [
    ("housing", "Boende", "Housing", False),
    ("debt", "Skulder", "Debt", False),
    ("employment", "Arbete", "Employment", False),
    ("education", "Utbildning", "Education", False),
    ("trauma", "Trauma", "Trauma", True),
    ("psychiatric", "Psykisk ohälsa", "Psychiatric", True),
    ("substance_use", "Missbruk", "Substance use", True),
    ("family", "Familj", "Family", False),
    ("security", "Säkerhet", "Security", False),
    ("legal", "Juridik", "Legal", False),
]

INTERVENTION_TYPES = [
    ("protected_housing", "Skyddat boende", "Protected housing"),
    ("housing_support", "Boendestöd", "Housing support"),
    ("debt_counselling", "Budget- och skuldrådgivning", "Debt counselling"),
    ("employment_support", "Stöd till arbete", "Employment support"),
    ("studies", "Studier", "Studies"),
    ("trauma_treatment", "Traumabehandling", "Trauma treatment"),
    ("psychiatric_care", "Psykiatrisk vård", "Psychiatric care"),
    ("substance_treatment", "Missbruksbehandling", "Substance use treatment"),
    ("mentor", "Mentor", "Mentor"),
    ("security_measures", "Säkerhetsåtgärder", "Security measures"),
    ("family_support", "Familjestöd", "Family support"),
    ("legal_support", "Juridiskt stöd", "Legal support"),
    ("financial_support", "Ekonomiskt bistånd", "Financial support"),
]

ITEMS = [
    (
        "own_decision",
        "Har fattat ett eget beslut att lämna gruppen",
        "Has made their own decision to leave the group",
    ),
    (
        "distance",
        "Har tagit avstånd från gruppens aktiviteter",
        "Has distanced themselves from the group's activities",
    ),
    ("crime_free", "Lever utan brott", "Lives without crime"),
    (
        "cooperation",
        "Samarbetar med handläggaren och andra myndigheter",
        "Cooperates with the caseworker and other agencies",
    ),
    (
        "network",
        "Har kontakt med ett stödjande nätverk utanför gruppen",
        "Has contact with a supportive network outside the group",
    ),
    ("future", "Har konkreta mål för framtiden", "Has concrete goals for the future"),
]

CRITERIA = [
    ("decided_to_leave", "Har beslutat att lämna gruppen", "Has decided to leave the group"),
    ("stop_crime", "Kommer att sluta begå brott", "Will stop committing crimes"),
    ("drug_testing", "Accepterar drogtester", "Accepts drug testing"),
    ("agreement", "Accepterar programmets överenskommelse", "Accepts the program's agreement"),
    ("age", "Uppfyller programmets ålderskrav", "Meets the program's age requirement"),
]


def codebooks_load(apps: Any = django_apps) -> None:
    Need = apps.get_model("cases", "Need")
    InterventionType = apps.get_model("cases", "InterventionType")
    Instrument = apps.get_model("cases", "Instrument")
    for order, (code, sv, en, health) in enumerate(NEEDS):
        Need.objects.update_or_create(
            code=code, defaults={"name_sv": sv, "name_en": en, "is_health": health, "order": order}
        )
    for order, (code, sv, en) in enumerate(INTERVENTION_TYPES):
        InterventionType.objects.update_or_create(
            code=code, defaults={"name_sv": sv, "name_en": en, "order": order}
        )
    instrument, _ = Instrument.objects.get_or_create(
        code="motivation",
        version=1,
        defaults={
            "name": "Motivationsbedömning",
            "published_on": datetime.date(2026, 1, 1),
            "is_current": True,
        },
    )
    for order, (key, sv, en) in enumerate(ITEMS):
        instrument.items.get_or_create(
            key=key, defaults={"text_sv": sv, "text_en": en, "max_score": 4, "order": order}
        )
    for order, (key, sv, en) in enumerate(CRITERIA):
        instrument.criteria.get_or_create(
            key=key, defaults={"text_sv": sv, "text_en": en, "order": order}
        )
