"""The case page, the intake, the state decisions, assignment and team visibility."""

import dataclasses

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from access import policy
from access.policy import CaseAction, MunicipalityPerm
from accounts.models import Role, User, YouthRules
from audit.models import AccessAction
from audit.services import access_log_record
from cases import guardian_selectors, selectors, services
from cases.age import is_young
from cases.charts import TrendPoint, motivation_trend_svg
from cases.forms.case import AssignForm, IntakeForm, TeamVisibilityForm, TransitionForm
from cases.forms.records import NeedResolveForm
from cases.models import AWAITING_INTAKE_STATES, CaseState, StageOfChange
from cases.services import CaseRuleError
from cases.tabs import ALL_SECTIONS, OVERVIEW, TAB_SECTIONS, TAB_SLUGS, TABS, case_section_url
from cases.views.records import need_resolve_key
from cases.views.stale import UNREADABLE_SEEN, keep_refused_input, unreadable_seen
from exitprog.concurrency import StaleEditError
from exitprog.http import input_keep, input_kept


def _user(request: HttpRequest) -> User:
    # LoginRequiredMiddleware guarantees an authenticated accounts.User here.
    assert isinstance(request.user, User)  # noqa: S101
    return request.user


def case_new(request: HttpRequest) -> HttpResponse:
    """Open an inquiry: a new client, or a new case for a client already registered.

    The duplicate check looks only at the chosen municipality's clients that the user may
    read (`services.client_find_by_identity_number`); `case_open` checks it again.
    """
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
        match = services.client_find_by_identity_number(
            by=user, municipality=data["municipality"], identity_number=data["identity_number"]
        )
        if match.hidden:
            form.add_error(None, services.registered_elsewhere_message(data["municipality"]))
        elif match.client is not None and not data["same_person"]:
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
                    birth_date=data["birth_date"],
                    age_band=data["age_band"],
                    protected_identity=data["protected_identity"],
                    address=data["address"],
                    source=data["source"],
                    reason=data["reason"],
                    existing_client=match.client,
                )
            except CaseRuleError as exc:
                form.add_error(None, exc)
            else:
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
    """The case page's first tab, the overview (`cases.tabs`)."""
    return _case_page(request, case_id, tab=OVERVIEW)


def case_tab(request: HttpRequest, case_id: int, tab: str) -> HttpResponse:
    """Another tab of the case page, at /cases/<id>/tab/<tab>/ (an unknown tab, or the
    overview under a second URL, is 404)."""
    if tab not in TAB_SLUGS or tab == OVERVIEW:
        raise Http404
    return _case_page(request, case_id, tab=tab)


def case_print(request: HttpRequest, case_id: int) -> HttpResponse:
    """The whole case as one document to print: every section, no navigation and no form
    (the page is drawn with an access that only reads), with the confidentiality marking."""
    return _case_page(request, case_id, tab=None)


def _case_page(request: HttpRequest, case_id: int, *, tab: str | None) -> HttpResponse:
    """The case page's `tab`, or with `tab=None` the print view of the whole case."""
    user = _user(request)
    printing = tab is None
    case = policy.get_case_for_user(user, case_id, action=CaseAction.READ, what="case page")
    page = selectors.case_page(
        user=user,
        case=case,
        journal_page=request.GET.get("journal"),
        whole_journal=printing,
        sections=None if tab is None else TAB_SECTIONS[tab],
    )
    show_contact = policy.may_see_contact_card(user, case, page.access)
    can_edit_contact = show_contact and page.access.edit
    if printing:
        page = dataclasses.replace(page, access=policy.CaseAccess(read=True))
    shown = set(TAB_SECTIONS[tab]) if tab is not None else ALL_SECTIONS
    access_log_record(
        user=user,
        action=AccessAction.VIEW,
        case=case,
        obj=case,
        detail="case print view" if printing else "case page",
        request=request,
    )
    chronological = sorted(page.assessments, key=lambda a: (a.assessed_on, a.pk))
    chart = ""
    if chronological and page.max_score and "assessments" in shown:
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
    # A decision or a resolved date refused a moment ago comes back as it was typed; a
    # decision's reason is shown on its own when the case is now in a state that has none.
    kept_decision = input_kept(request, _decision_key(case.pk))
    unsaved_reason = (
        (kept_decision.get("reason") or "") if kept_decision and not transitions else ""
    )
    needs = [
        (
            need,
            None
            if need.resolved_on or not page.access.edit
            else NeedResolveForm(
                input_kept(request, need_resolve_key(need.pk)),
                auto_id=f"need-{need.pk}-%s",
                record=need,
            ),
        )
        for need in page.needs
    ]
    caseworkers = None
    if page.access.manage:
        caseworkers = AssignForm(caseworkers=_municipality_caseworkers(case.municipality_id))
    return render(
        request,
        "cases/detail.html",
        {
            # The tabs (cases.tabs): `tab` is None in the print view, which shows every section.
            "tab": tab,
            "tabs": TABS,
            "shown": shown,
            "printing": printing,
            "layout": "cases/print_base.html" if printing else "base.html",
            "printed_at": timezone.now(),
            "today": timezone.localdate(),
            "due": selectors.case_due(case=case, page=page),
            "contact": selectors.case_contact(case=case) if show_contact else None,
            # A young client's guardians, shown in the contact card (cases.guardians).
            "guardians": (
                guardian_selectors.case_guardians(case=case)
                if show_contact and "contact" in shown
                else []
            ),
            "can_edit_contact": can_edit_contact and not printing,
            "show_contact": show_contact,
            "page": page,
            "case": case,
            # The latest assessment, shown beside the intake decision (no query: the page's).
            "deciding_intake": case.state in AWAITING_INTAKE_STATES,
            # The youth path: offered on a young client's intake decision, and once taken,
            # shown with the child unit of the municipality's youth rules (one query, then).
            "youth_path_offered": CaseState.ACCEPTED.value in dict(transitions)
            and services.youth_path_offered(case=case, day=timezone.localdate()),
            "youth_rules": YouthRules.of(case.municipality) if case.youth_path else None,
            "latest_assessment": page.assessments[0] if page.assessments else None,
            "chart": chart,
            "chronological_assessments": chronological,
            "transition_form": (
                TransitionForm(kept_decision, choices=transitions, record=case)
                if transitions
                else None
            ),
            "unsaved_reason": unsaved_reason,
            "needs": needs,
            "assign_form": caseworkers,
            "child": is_young(case.client, timezone.localdate()),
            "transfers": selectors.case_transfers(case=case) if "transfer" in shown else [],
            "police": selectors.case_police_section(case=case) if "police" in shown else None,
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


def closing_input_key(case_id: int) -> str:
    """The session key of a closing decision on its way to the closing checklist."""
    return f"closing:{case_id}"


def _decision_key(case_id: int) -> str:
    """The session key of the decision form's input kept after an error (`exitprog.http`)."""
    return f"decision:{case_id}"


decision_input_key = _decision_key  # for the closing checklist (dashboard.closing)


@require_POST
def case_transition_view(request: HttpRequest, case_id: int) -> HttpResponse:
    """Record a decision from the case page. A form opened before the case changed (another
    decision, a transfer) is refused with the state it is in now, and the input is kept."""
    user = _user(request)
    case = policy.get_case_for_user(user, case_id, action=CaseAction.READ)
    back = HttpResponseRedirect(case_section_url(case.pk, "decisions"))
    key = _decision_key(case.pk)
    choices = [(s.value, str(s.label)) for s in CaseState]
    form = TransitionForm(request.POST, choices=choices)
    if not form.is_valid():
        if "seen" in form.errors:
            unreadable_seen(request)
        for name, errors in form.errors.items():
            if name != "seen":
                for error in errors:
                    messages.error(request, str(error))
        if request.POST.get("from_checklist") and "seen" not in form.errors:
            # A closing refused for its input (no reason): back to the checklist, input kept.
            input_keep(request, closing_input_key(case.pk), request.POST)
            return HttpResponseRedirect(reverse("case_close", args=[case.pk]))
        keep_refused_input(
            request, key, request.POST, current=case if "seen" in form.errors else None
        )
        return back
    if (
        form.cleaned_data["to_state"] in services.ENDING_STATES
        and not form.cleaned_data["confirm_closing"]
    ):
        # Closing goes through the checklist (dashboard.closing): what is still open, the
        # follow-ups it schedules, and an explicit confirmation. The decision goes with it.
        if request.POST.get("from_checklist"):
            messages.error(request, _("Tick the confirmation to close the case."))
        input_keep(request, closing_input_key(case.pk), request.POST)
        return HttpResponseRedirect(reverse("case_close", args=[case.pk]))
    try:
        if form.cleaned_data["youth_path"] and form.cleaned_data["to_state"] == CaseState.ACCEPTED:
            services.case_accept_youth_path(
                case=case,
                by=user,
                reason=form.cleaned_data["reason"],
                seen=form.cleaned_data["seen"],
            )
        else:
            services.case_transition(
                case=case,
                to_state=form.cleaned_data["to_state"],
                by=user,
                reason=form.cleaned_data["reason"],
                seen=form.cleaned_data["seen"],
            )
    except StaleEditError as exc:
        messages.error(request, " ".join(exc.messages))
        keep_refused_input(request, key, request.POST, current=exc.current)
    except CaseRuleError as exc:
        messages.error(request, " ".join(exc.messages))
        keep_refused_input(request, key, request.POST)
    else:
        messages.success(request, _("The decision is recorded."))
    return back


@require_POST
def case_assign_view(request: HttpRequest, case_id: int) -> HttpResponse:
    """Assign or remove a caseworker. Without a `seen` field: the service refuses a change
    that another manager already made (see `cases.services.case_assign`), with who is
    assigned now."""
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
            messages.success(request, done % {"name": caseworker})
    return HttpResponseRedirect(case_section_url(case.pk, "team"))


def team_visibility(request: HttpRequest, municipality_id: int) -> HttpResponse:
    """The manager turns team visibility on or off. A form opened before someone else saved
    the municipality is refused with the setting as it is now, and the choice is kept."""
    user = _user(request)
    municipality = get_object_or_404(policy.managed_municipalities(user), pk=municipality_id)
    form = TeamVisibilityForm(
        request.POST if request.method == "POST" else None,
        initial={"team_visibility": municipality.team_visibility},
        record=municipality,
    )
    current = None  # the municipality as someone else saved it, after a refused stale save
    if request.method == "POST" and form.is_valid():
        try:
            services.municipality_set_team_visibility(
                municipality=municipality,
                enabled=form.cleaned_data["team_visibility"],
                by=user,
                seen=form.cleaned_data["seen"],
            )
        except StaleEditError as exc:
            current = exc.current
            form.rebind_seen(current)
            form.add_error(None, exc)
        except CaseRuleError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("The setting is saved."))
            return HttpResponseRedirect(request.path)
    elif request.method == "POST" and "seen" in form.errors:
        # The choice is kept, to be saved over the setting as the page now shows it.
        current = municipality
        form.rebind_seen(current)
        form.add_error(None, str(UNREADABLE_SEEN))
    return render(
        request,
        "cases/team_visibility.html",
        {"form": form, "municipality": municipality, "current": current},
    )
