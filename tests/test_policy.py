"""The permission policy, asked directly."""

import pytest
from django.http import Http404

from access import policy
from access.policy import CaseAction
from accounts import services as role_services
from accounts.models import Role
from cases import services
from tests.factories import CaseFactory, UserFactory

pytestmark = pytest.mark.django_db


def visible(user) -> set[int]:
    return set(policy.cases_visible_to(user).values_list("pk", flat=True))


def test_assigned_caseworker_reads_and_edits_the_case(cast):
    access = policy.case_access(cast.caseworker, cast.case)
    assert access.read and access.edit and not access.manage


def test_teammate_reads_but_does_not_edit(cast):
    access = policy.case_access(cast.teammate, cast.case)
    assert access.read and not access.edit


def test_manager_may_manage(cast):
    access = policy.case_access(cast.manager, cast.case)
    assert access.read and access.edit and access.manage


def test_malmo_caseworker_reaches_nothing_of_stockholm(cast):
    stockholm_cases = {
        CaseFactory(municipality=cast.stockholm, created_by=cast.manager).pk for _ in range(3)
    } | {cast.case.pk}
    assert visible(cast.outsider).isdisjoint(stockholm_cases)
    assert policy.cases_assigned_to(cast.outsider).count() == 0
    assert policy.cases_shared_with(cast.outsider).count() == 0
    for action in CaseAction:
        assert not policy.may(cast.outsider, action, cast.case)
        with pytest.raises(Http404):
            policy.get_case_for_user(cast.outsider, cast.case.pk, action=action)
    assert not policy.may_open_intake(cast.outsider, cast.stockholm)
    assert policy.may_open_intake(cast.outsider, cast.malmo)


def test_malmo_caseworker_sees_malmo_cases(cast):
    malmo_case = CaseFactory(municipality=cast.malmo, created_by=cast.outsider)
    assert visible(cast.outsider) == {malmo_case.pk}


def test_administrator_sees_no_case_content_even_as_superuser(cast):
    cast.administrator.is_superuser = True
    cast.administrator.save()
    assert visible(cast.administrator) == set()
    assert policy.cases_shared_with(cast.administrator).count() == 0
    for action in CaseAction:
        assert not policy.may(cast.administrator, action, cast.case)


def test_analyst_sees_no_case(cast):
    assert visible(cast.analyst) == set()
    assert not any(policy.may(cast.analyst, a, cast.case) for a in CaseAction)


def test_police_liaison_without_share_sees_nothing(cast):
    assert policy.cases_shared_with(cast.police_unshared).count() == 0
    assert visible(cast.police_unshared) == set()
    with pytest.raises(Http404):
        policy.get_case_for_user(cast.police_unshared, cast.case.pk, action=CaseAction.VIEW_SHARED)


def test_police_liaison_with_share_sees_only_the_shared_parts(cast):
    other = CaseFactory(municipality=cast.stockholm, created_by=cast.manager)
    assert list(policy.cases_shared_with(cast.police)) == [cast.case]
    assert visible(cast.police) == set()  # never the whole file
    access = policy.case_access(cast.police, cast.case)
    assert access.view_shared and not access.read and not access.edit
    assert not policy.may(cast.police, CaseAction.VIEW_SHARED, other)


def test_region_share_reaches_every_liaison_of_the_region_only(cast, malmo):
    from accounts.models import PoliceRegion

    syd = PoliceRegion.objects.get(code="syd")
    malmo_case = CaseFactory(municipality=malmo, created_by=cast.outsider)
    malmo_manager = UserFactory()
    role_services.role_grant(user=malmo_manager, role=Role.MANAGER, municipality=malmo)
    services.case_share_with_police(
        case=malmo_case, by=malmo_manager, region=syd, legal_basis="OSL 10 kap. 18 a §"
    )
    assert list(policy.cases_shared_with(cast.police_unshared)) == [malmo_case]
    assert malmo_case not in policy.cases_shared_with(cast.police)


def test_team_visibility_off_leaves_caseworkers_only_their_assigned_cases(cast):
    other = CaseFactory(municipality=cast.stockholm, created_by=cast.manager)
    cast.stockholm.team_visibility = False
    cast.stockholm.save()
    for user in (cast.caseworker, cast.teammate, cast.manager):
        policy.forget_grants(user)
    assert visible(cast.caseworker) == {cast.case.pk}
    assert visible(cast.teammate) == set()
    assert visible(cast.manager) == {cast.case.pk, other.pk}


def test_revoked_role_ends_access_to_assigned_cases(cast):
    role_services.role_revoke(
        user=cast.caseworker, role=Role.CASEWORKER, municipality=cast.stockholm
    )
    assert visible(cast.caseworker) == set()
    assert not policy.may(cast.caseworker, CaseAction.READ, cast.case)


def test_manager_of_two_municipalities_sees_both(cast):
    role_services.role_grant(user=cast.manager, role=Role.MANAGER, municipality=cast.malmo)
    malmo_case = CaseFactory(municipality=cast.malmo, created_by=cast.outsider)
    assert {cast.case.pk, malmo_case.pk} <= visible(cast.manager)


def test_inactive_and_anonymous_users_hold_nothing(cast):
    from django.contrib.auth.models import AnonymousUser

    cast.caseworker.is_active = False
    policy.forget_grants(cast.caseworker)
    assert visible(cast.caseworker) == set()
    assert visible(AnonymousUser()) == set()


def test_user_without_role_sees_nothing(cast):
    assert visible(UserFactory()) == set()


def test_roles_live_in_groups_with_object_permissions_on_the_municipality(cast):
    from accounts.models import MunicipalityGroupObjectPermission

    codenames = set(
        MunicipalityGroupObjectPermission.objects.filter(
            group__role_group__role=Role.CASEWORKER, content_object=cast.stockholm
        ).values_list("permission__codename", flat=True)
    )
    assert codenames == {"view_cases", "work_cases"}
    # Guardian's own API agrees with the policy.
    assert cast.caseworker.has_perm("accounts.work_cases", cast.stockholm)
    assert not cast.caseworker.has_perm("accounts.manage_cases", cast.stockholm)
    assert cast.caseworker.has_perm("cases.work_case", cast.case)


def test_granting_a_role_twice_makes_one_group(cast):
    role_services.role_grant(user=cast.teammate, role=Role.CASEWORKER, municipality=cast.stockholm)
    assert cast.teammate.groups.count() == 1


def test_policy_reads_grants_once_per_request(cast, django_assert_num_queries):
    policy.forget_grants(cast.caseworker)
    # The role groups, the municipality permissions and the police regions in one query.
    with django_assert_num_queries(1):
        policy.grants_for(cast.caseworker)
        policy.grants_for(cast.caseworker)


def test_revoked_consent_ends_police_access_at_once(cast):
    assert policy.may(cast.police, CaseAction.VIEW_SHARED, cast.case)
    services.consent_revoke(consent=cast.consent, by=cast.caseworker)
    policy.forget_grants(cast.police)
    assert not policy.may(cast.police, CaseAction.VIEW_SHARED, cast.case)
    assert policy.cases_shared_with(cast.police).count() == 0


def test_expired_consent_ends_police_access(cast):
    import datetime

    from django.utils import timezone

    from cases.models import Consent

    Consent.objects.filter(pk=cast.consent.pk).update(
        valid_until=timezone.localdate() - datetime.timedelta(days=1)
    )
    assert policy.cases_shared_with(cast.police).count() == 0


def test_a_grant_without_a_share_record_gives_nothing(cast):
    other = CaseFactory(municipality=cast.stockholm, created_by=cast.manager)
    policy.case_grant_police_share(case=other, liaison=cast.police)
    assert other not in policy.cases_shared_with(cast.police)


def test_sharing_needs_a_consent_covering_the_police_or_a_legal_basis(cast):
    other = CaseFactory(municipality=cast.stockholm, created_by=cast.manager)
    with pytest.raises(services.CaseRuleError):
        services.case_share_with_police(case=other, by=cast.manager, liaison=cast.police)
    with pytest.raises(services.CaseRuleError):  # the consent of another case
        services.case_share_with_police(
            case=other, by=cast.manager, liaison=cast.police, consent=cast.consent
        )
    with pytest.raises(services.CaseRuleError):  # only managers share
        services.case_share_with_police(
            case=other, by=cast.caseworker, liaison=cast.police, legal_basis="LVU"
        )
    services.case_share_with_police(
        case=other, by=cast.manager, liaison=cast.police, legal_basis="OSL 10 kap. 18 a §"
    )
    assert other in policy.cases_shared_with(cast.police)
