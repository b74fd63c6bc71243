import pytest

from accounts.models import Municipality, PoliceRegion
from accounts.services import municipalities_load

pytestmark = pytest.mark.django_db


def test_all_290_municipalities_are_loaded_with_county_and_coordinate(municipalities):
    assert Municipality.objects.count() == 290
    assert Municipality.objects.values("county_code").distinct().count() == 21
    stockholm = Municipality.objects.get(code="0180")
    assert (stockholm.name, stockholm.county_name) == ("Stockholm", "Stockholms län")
    assert 59 < stockholm.latitude < 60 and 17 < stockholm.longitude < 19
    assert Municipality.objects.get(code="1480").name == "Göteborg"


def test_every_municipality_belongs_to_one_of_seven_police_regions(municipalities):
    assert PoliceRegion.objects.count() == 7
    assert not Municipality.objects.filter(police_region__isnull=True).exists()
    assert Municipality.objects.get(code="1280").police_region.code == "syd"
    assert Municipality.objects.get(code="2321").police_region.code == "nord"


def test_loading_again_changes_nothing_and_keeps_local_settings(municipalities):
    Municipality.objects.filter(code="0180").update(runs_program=True, team_visibility=False)
    assert municipalities_load() == (0, 0)
    stockholm = Municipality.objects.get(code="0180")
    assert stockholm.runs_program and not stockholm.team_visibility
