"""Pages for reports: ask for one, watch it being made, download it, list them.

Every view reaches a report through the policy (`get_report_for_user`: 404 for anyone who may
not read it) and a case through `get_case_for_user`. Asking for a report and downloading one
are written to the access log; polling a report's progress is not (it shows no case content).
"""

from typing import cast

from django.contrib import messages
from django.core.paginator import Paginator
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from access import policy
from access.policy import CaseAction
from accounts.models import User
from audit.models import AccessAction
from audit.services import access_log_form_view, access_log_record
from cases.models import Case
from cases.tabs import case_section_url
from exitprog.concurrency import StaleEditError
from reports import selectors, services
from reports.forms import CaseloadReportForm, CaseReportCadenceForm, ReportRequestForm
from reports.models import Report, ReportKind, ReportState
from reports.periods import preset_period

PAGE_SIZE = 25


def _user(request: HttpRequest) -> User:
    # LoginRequiredMiddleware lets only authenticated users here; AUTH_USER_MODEL is User.
    return cast(User, request.user)


def _case_page_url(user: User, case: Case) -> str:
    if policy.may(user, CaseAction.READ, case):
        return case_section_url(case.pk, "reports")
    return reverse("cases:shared", args=[case.pk]) + "#reports"


def _request(
    request: HttpRequest,
    *,
    form: ReportRequestForm | CaseloadReportForm,
    back: str,
    case: Case | None = None,
) -> HttpResponse:
    """Ask for the report the valid form describes and go to its progress page."""
    user = _user(request)
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, str(error))
        return HttpResponseRedirect(back)
    data = form.cleaned_data
    try:
        with transaction.atomic():
            report = services.report_request(
                kind=data.get("kind", ReportKind.CASELOAD),
                by=user,
                period=preset_period(data["period"], timezone.localdate()),
                case=case,
                municipality=data.get("municipality"),
                language=get_language(),
            )
    except services.ReportRuleError as exc:
        messages.error(request, " ".join(exc.messages))
        return HttpResponseRedirect(back)
    return HttpResponseRedirect(reverse("reports:detail", args=[report.pk]))


@require_POST
def case_report_new(request: HttpRequest, case_id: int) -> HttpResponse:
    user = _user(request)
    case = policy.get_case_for_user(user, case_id, action=CaseAction.VIEW_SHARED)
    kinds = policy.case_report_kinds(policy.case_access(user, case))
    form = ReportRequestForm(request.POST, kinds=kinds)
    return _request(request, form=form, back=_case_page_url(user, case), case=case)


@require_POST
def caseload_report_new(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    managed = policy.managed_municipalities(user).order_by("name")
    form = CaseloadReportForm(request.POST, municipalities=managed)
    if not managed.exists():
        raise Http404
    return _request(request, form=form, back=reverse("home") + "#caseload-report")


def _status(report: Report) -> dict[str, object]:
    """What the progress display needs, for the page and for each poll."""
    if report.state == ReportState.READY:
        message = _("The report is ready.")
    elif report.state == ReportState.FAILED:
        message = _(
            "The report could not be made. Ask for it again; if it fails again, "
            "tell your administrator."
        )
    elif report.state == ReportState.RENDERING:
        message = _("The report is being made…")
    elif report.attempts:
        message = _("Making the report failed; it will be tried again shortly.")
    else:
        message = _("The report is waiting for its turn…")
    return {
        "state": report.state,
        "state_label": str(ReportState(report.state).label),
        "progress": report.progress,
        "finished": report.is_finished,
        "message": message,
        "download_url": reverse("reports:download", args=[report.pk]) if report.is_ready else "",
    }


@require_GET
def report_detail(request: HttpRequest, report_id: int) -> HttpResponse:
    user = _user(request)
    report = policy.get_report_for_user(user, report_id, what="report page")
    back = _case_page_url(user, report.case) if report.case else reverse("home")
    if report.case:
        access_log_form_view(request=request, case=report.case, what="report page", obj=report)
    return render(
        request,
        "reports/detail.html",
        {"report": report, "status": _status(report), "back": back},
    )


@require_GET
def report_status(request: HttpRequest, report_id: int) -> JsonResponse:
    report = policy.get_report_for_user(request.user, report_id)
    response = JsonResponse(_status(report))
    response["Cache-Control"] = "no-store"
    return response


@require_GET
def report_download(request: HttpRequest, report_id: int) -> HttpResponse:
    user = _user(request)
    report = policy.get_report_for_user(user, report_id, what="report download")
    try:
        pdf = services.report_read(report=report)
    except services.ReportRuleError as exc:
        messages.error(request, " ".join(exc.messages))
        return HttpResponseRedirect(reverse("reports:detail", args=[report.pk]))
    access_log_record(
        user=user,
        action=AccessAction.DOWNLOAD,
        case=report.case,
        obj=report,
        detail=f"{report.kind} report",
        request=request,
    )
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{report.filename()}"'
    response["Cache-Control"] = "no-store"
    return response


@require_GET
def report_list(request: HttpRequest) -> HttpResponse:
    page = Paginator(
        selectors.report_list_for(user=request.user).order_by("-created_at", "-id"), PAGE_SIZE
    ).get_page(request.GET.get("page"))
    return render(request, "reports/list.html", {"page": page})


@require_http_methods(["GET", "POST"])
def case_report_cadence(request: HttpRequest, municipality_id: int) -> HttpResponse:
    """The manager sets how often each active case gets its follow-up report."""
    user = _user(request)
    municipality = get_object_or_404(policy.managed_municipalities(user), pk=municipality_id)
    form = CaseReportCadenceForm(
        request.POST if request.method == "POST" else None,
        initial={"case_report_months": municipality.case_report_months},
        record=municipality,
    )
    current = None  # the municipality as someone else saved it, after a refused stale save
    if request.method == "POST" and form.is_valid():
        try:
            services.municipality_set_case_report_cadence(
                municipality=municipality,
                months=form.cleaned_data["case_report_months"],
                by=user,
                seen=form.cleaned_data["seen"],
            )
        except StaleEditError as exc:
            current = exc.current
            form.rebind_seen(current)
            form.add_error(None, exc)
        except services.ReportRuleError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("The setting is saved."))
            return HttpResponseRedirect(reverse("home") + "#caseload-report")
    return render(
        request,
        "reports/cadence.html",
        {"form": form, "municipality": municipality, "current": current},
    )
