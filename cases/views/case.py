"""The case page, the intake, the state decisions, assignment and team visibility."""

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from access import policy
from access.policy import CaseAction, MunicipalityPerm
from accounts.models import Role, User
from audit.models import AccessAction
from audit.services import access_log_record
from cases import selectors, services
from cases.charts import TrendPoint, motivation_trend_svg
from cases.forms.case import AssignForm, IntakeForm, TeamVisibilityForm, TransitionForm
from cases.models import CaseState, StageOfChange
from cases.services import CaseRuleError
from referrals.selectors import case_referral_rows
from reports import selectors as report_selectors
from reports.forms import ReportRequestForm


def _user(request: HttpRequest) -> User:
    # LoginRequiredMiddleware guarantees an authenticated accounts.User here.
    assert isinstance(request.user, User)  # noqa: S101
    return request.user


def case_new(request: HttpRequest) -> HttpResponse:
    """Open an inquiry: a new client, or a new case for a client already registered."""
    user = _user(request)
    municipalities = policy.municipalities_where(user, MunicipalityPerm.WORK_CASES).order_by("name")
    if not municipalities.exists():
        raise Http404
    form = IntakeForm(
        request.POST if request.method == "POST" else None, municipalities=municipalities
    )
    duplicate = False
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        existing = None
        if data["identity_number"]:
            existing = services.client_find_by_identity_number(
                identity_number=data["identity_number"]
            )
        if existing is not None and not data["same_person"]:
            duplicate = True
        else:
            try:
                case = services.case_open(
                    by=user,
                    municipality=data["municipality"],
                    first_name=data["first_name"],
                    last_name=data["last_name"],
                    identity_number=data["identity_number"],
                    reserve_identity=data["reserve_identity"],
                    protected_identity=data["protected_identity"],
                    address=data["address"],
                    source=data["source"],
                    reason=data["reason"],
                    existing_client=existing,
                )
            except CaseRuleError as exc:
                form.add_error(None, exc)
            else:
                access_log_record(
                    user=user,
                    action=AccessAction.CREATE,
                    case=case,
                    obj=case,
                    detail="case opened",
                    request=request,
                )
                messages.success(
                    request, _("Case %(reference)s is opened.") % {"reference": case.reference}
                )
                return HttpResponseRedirect(reverse("cases:detail", args=[case.pk]))
    return render(
        request,
        "cases/new.html",
        {"form": form, "duplicate": duplicate, "single_municipality": municipalities.count() == 1},
    )


def case_detail(request: HttpRequest, case_id: int) -> HttpResponse:
    user = _user(request)
    case = policy.get_case_for_user(user, case_id, action=CaseAction.READ)
    page = selectors.case_page(user=user, case=case, journal_page=request.GET.get("journal"))
    access_log_record(
        user=user,
        action=AccessAction.VIEW,
        case=case,
        obj=case,
        detail="case page",
        request=request,
    )
    chronological = sorted(page.assessments, key=lambda a: (a.assessed_on, a.pk))
    chart = ""
    if chronological and page.max_score:
        chart = motivation_trend_svg(
            [
                TrendPoint(a.assessed_on, a.total_score, str(StageOfChange(a.stage).label))
                for a in chronological
            ],
            max_score=page.max_score,
            title=_("Motivation over time"),
            desc=_(
                "Total score of each motivation assessment, by date; "
                "the table below has the same figures."
            ),
        )
    transitions = [
        (to.value, str(to.label))
        for to, action in services.transitions_from(case.state)
        if page.access.allows(action)
    ]
    report_kinds = policy.case_report_kinds(page.access)
    caseworkers = None
    if page.access.manage:
        caseworkers = AssignForm(caseworkers=_municipality_caseworkers(case.municipality_id))
    return render(
        request,
        "cases/detail.html",
        {
            "page": page,
            "case": case,
            "chart": chart,
            "chronological_assessments": chronological,
            "transition_form": TransitionForm(choices=transitions) if transitions else None,
            "assign_form": caseworkers,
            "child": (case.client.age_on(timezone.localdate()) or 99) < 18,
            "referral_rows": case_referral_rows(case=case, today=timezone.localdate()),
            "transfers": selectors.case_transfers(case=case),
            "police": selectors.case_police_section(case=case),
            "reports": report_selectors.reports_for_case(user=user, case=case),
            "report_form": ReportRequestForm(kinds=report_kinds) if report_kinds else None,
        },
    )


def _municipality_caseworkers(municipality_id: int):  # type: ignore[no-untyped-def]
    return (
        User.objects.filter(
            is_active=True,
            groups__role_group__role=Role.CASEWORKER,
            groups__role_group__municipality_id=municipality_id,
        )
        .distinct()
        .order_by("last_name", "first_name")
    )


@require_POST
def case_transition_view(request: HttpRequest, case_id: int) -> HttpResponse:
    user = _user(request)
    case = policy.get_case_for_user(user, case_id, action=CaseAction.READ)
    choices = [(s.value, str(s.label)) for s in CaseState]
    form = TransitionForm(request.POST, choices=choices)
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, str(error))
        return HttpResponseRedirect(reverse("cases:detail", args=[case.pk]) + "#decisions")
    try:
        services.case_transition(
            case=case,
            to_state=form.cleaned_data["to_state"],
            by=user,
            reason=form.cleaned_data["reason"],
        )
    except CaseRuleError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        access_log_record(
            user=user,
            action=AccessAction.CHANGE,
            case=case,
            obj=case,
            detail=f"state {form.cleaned_data['to_state'].value}",
            request=request,
        )
        messages.success(request, _("The decision is recorded."))
    return HttpResponseRedirect(reverse("cases:detail", args=[case.pk]) + "#decisions")


@require_POST
def case_assign_view(request: HttpRequest, case_id: int) -> HttpResponse:
    user = _user(request)
    case = policy.get_case_for_user(user, case_id, action=CaseAction.MANAGE)
    form = AssignForm(request.POST, caseworkers=_municipality_caseworkers(case.municipality_id))
    if not form.is_valid():
        messages.error(request, _("Choose one of the municipality's caseworkers."))
    else:
        caseworker = form.cleaned_data["caseworker"]
        try:
            if form.cleaned_data["remove"]:
                services.case_unassign(case=case, caseworker=caseworker, by=user)
                done = _("%(name)s no longer works on the case.")
            else:
                services.case_assign(case=case, caseworker=caseworker, by=user)
                done = _("%(name)s is assigned to the case.")
        except CaseRuleError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            access_log_record(
                user=user,
                action=AccessAction.CHANGE,
                case=case,
                obj=case,
                detail=f"assignment {caseworker.username}",
                request=request,
            )
            messages.success(request, done % {"name": caseworker})
    return HttpResponseRedirect(reverse("cases:detail", args=[case.pk]) + "#team")


def team_visibility(request: HttpRequest, municipality_id: int) -> HttpResponse:
    user = _user(request)
    municipality = get_object_or_404(
        policy.municipalities_where(user, MunicipalityPerm.MANAGE_CASES), pk=municipality_id
    )
    form = TeamVisibilityForm(
        request.POST if request.method == "POST" else None,
        initial={"team_visibility": municipality.team_visibility},
    )
    if request.method == "POST" and form.is_valid():
        services.municipality_set_team_visibility(
            municipality=municipality, enabled=form.cleaned_data["team_visibility"], by=user
        )
        messages.success(request, _("The setting is saved."))
        return HttpResponseRedirect(request.path)
    return render(
        request, "cases/team_visibility.html", {"form": form, "municipality": municipality}
    )
