"""Pages that record things in a case: assessments, threats, needs, interventions, journal
entries, consents and group affiliations.

Every view first asks the policy whether the user may edit the case (404 otherwise: only the
assigned caseworkers and the municipality's managers may), fetches sub-objects through the
case so an id of another case is "not found", lets a service do the write, logs it, and
sends the user back to the section of the case page.
"""

import functools
from collections.abc import Callable
from typing import Any, cast

from django import forms
from django.contrib import messages
from django.db import models
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from access import policy
from access.policy import CaseAction
from accounts.models import User
from audit.models import AccessAction
from audit.services import access_log_form_view, access_log_record
from cases import guardian_services, selectors, services
from cases.forms.records import (
    CONFIRM,
    AffiliationCorrectForm,
    AffiliationForm,
    AssessmentForm,
    ConsentCorrectForm,
    ConsentForm,
    EndForm,
    InterventionEndForm,
    InterventionForm,
    JournalForm,
    NeedForm,
    NeedResolveForm,
    PlacementCorrectForm,
    SeenForm,
    ThreatForm,
)
from cases.guardian_selectors import GIVER_CLIENT, consent_givers_of, consent_guardians
from cases.models import (
    AffiliationRole,
    Case,
    GroupAffiliation,
    Instrument,
    JournalEntry,
    Recommendation,
    StageOfChange,
    ThreatSource,
)
from cases.services import CaseRuleError
from cases.tabs import case_section_url, case_tab_url, tab_of_section
from cases.views.stale import keep_refused_input, unreadable_seen
from exitprog.concurrency import SeenFormMixin, StaleEditError

require_GET_or_POST = require_http_methods(["GET", "POST"])


def _editable_case(request: HttpRequest, case_id: int) -> tuple[Case, User]:
    """The case if the user may edit it (else 404), and the user."""
    case = policy.get_case_for_user(request.user, case_id, action=CaseAction.EDIT)
    # The policy lets only an authenticated user edit, and AUTH_USER_MODEL is accounts.User.
    return case, cast(User, request.user)


def _case_url(case: Case, section: str) -> str:
    return case_section_url(case.pk, section)


def _save(
    request: HttpRequest,
    form: forms.BaseForm,
    *,
    case: Case,
    write: Callable[[], models.Model],
    success: str,
    section: str,
) -> HttpResponseRedirect | None:
    """Run the service (which logs its write); redirect, or None with the form's error.

    A refusal (`CaseRuleError`) rolls back and becomes an error of the whole form, so the page
    is shown again with everything the user typed.
    """
    try:
        write()
    except StaleEditError:
        raise  # the caller shows the current values beside the user's input
    except CaseRuleError as exc:
        form.add_error(None, exc)
        return None
    messages.success(request, success)
    return redirect(_case_url(case, section))


def _render(
    request: HttpRequest,
    template: str,
    *,
    case: Case,
    form: forms.BaseForm,
    section: str,
    what: str,
    obj: models.Model | None = None,
    **context: Any,
) -> HttpResponse:
    """The form page; Cancel goes back to `section` of the case page. Showing it is logged."""
    access_log_form_view(request=request, case=case, what=what, obj=obj)
    context.update(case=case, form=form, cancel_url=_case_url(case, section))
    return render(request, f"cases/records/{template}", context)


# --- Assessments, threats, needs --------------------------------------------------------------


@require_GET_or_POST
def assessment_new(request: HttpRequest, case_id: int) -> HttpResponse:
    case, user = _editable_case(request, case_id)
    instrument = (
        Instrument.objects.filter(code="motivation", is_current=True)
        .prefetch_related("items", "criteria")
        .first()
    )
    if instrument is None:
        messages.error(
            request, _("There is no current assessment instrument. Ask an administrator.")
        )
        return redirect(_case_url(case, "assessments"))
    if request.method == "POST":
        form = AssessmentForm(request.POST, instrument=instrument)
        if form.is_valid():
            data = form.cleaned_data
            done = _save(
                request,
                form,
                case=case,
                write=lambda: services.assessment_record(
                    case=case,
                    by=user,
                    instrument=instrument,
                    assessed_on=data["assessed_on"],
                    stage=StageOfChange(data["stage"]),
                    scores=form.scores(),
                    criteria=form.criteria_checked(),
                    recommendation=Recommendation(data["recommendation"]),
                    notes=data["notes"],
                ),
                success=_("The assessment was saved."),
                section="assessments",
            )
            if done:
                return done
    else:
        form = AssessmentForm(instrument=instrument)
    return _render(
        request,
        "assessment_form.html",
        case=case,
        form=form,
        section="assessments",
        what="assessment form",
        instrument=instrument,
    )


@require_GET_or_POST
def threat_new(request: HttpRequest, case_id: int) -> HttpResponse:
    case, user = _editable_case(request, case_id)
    if request.method == "POST":
        form = ThreatForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            done = _save(
                request,
                form,
                case=case,
                write=lambda: services.threat_record(
                    case=case,
                    by=user,
                    level=data["level"],
                    source=ThreatSource(data["source"]),
                    assessed_on=data["assessed_on"],
                    note=data["note"],
                ),
                success=_("The threat assessment was saved."),
                section="threat",
            )
            if done:
                return done
    else:
        form = ThreatForm()
    return _render(
        request, "threat_form.html", case=case, form=form, section="threat", what="threat form"
    )


@require_GET_or_POST
def need_new(request: HttpRequest, case_id: int) -> HttpResponse:
    case, user = _editable_case(request, case_id)
    if request.method == "POST":
        form = NeedForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            done = _save(
                request,
                form,
                case=case,
                write=lambda: services.need_add(
                    case=case,
                    by=user,
                    need=data["need"],
                    identified_on=data["identified_on"],
                    note=data["note"],
                ),
                success=_("The need was added."),
                section="needs",
            )
            if done:
                return done
    else:
        form = NeedForm()
    return _render(
        request, "need_form.html", case=case, form=form, section="needs", what="need form"
    )


def need_resolve_key(need_id: int) -> str:
    """The session key of a need's resolve form input kept after an error (`exitprog.http`)."""
    return f"need-resolve:{need_id}"


@require_POST
def need_resolve(request: HttpRequest, case_id: int, need_id: int) -> HttpResponse:
    """Mark an open need as resolved (the form sits on the case page; errors come back there,
    with the date as it was typed). A form opened before someone else resolved or changed the
    need is refused, saying what the need is now."""
    case, user = _editable_case(request, case_id)
    case_need = get_object_or_404(case.needs.select_related("need"), pk=need_id)
    key = need_resolve_key(case_need.pk)
    form = NeedResolveForm(request.POST)
    if not form.is_valid():
        if "seen" in form.errors:
            unreadable_seen(request)
            keep_refused_input(request, key, request.POST, current=case_need)
        else:
            messages.error(request, " ".join(str(e) for e in form.errors["resolved_on"]))
            keep_refused_input(request, key, request.POST)
        return redirect(_case_url(case, "needs"))
    if not _confirmed(request):  # the case page's form lands on its confirmation first
        _log_page(request, case=case, what="need resolve form", obj=case_need)
        return render(
            request,
            "cases/records/need_resolve.html",
            {
                "case": case,
                "record": case_need,
                "form": form,
                "cancel_url": _case_url(case, "needs"),
                "confirm": True,
                "history_kind": "need",
            },
        )
    try:
        services.need_resolve(
            case_need=case_need,
            by=user,
            resolved_on=form.resolved(),
            seen=form.cleaned_data["seen"],
        )
    except StaleEditError as exc:
        messages.error(request, " ".join(exc.messages))
        if exc.current.resolved_on is None:  # still open: its form comes back with the date
            keep_refused_input(request, key, request.POST, current=exc.current)
    except CaseRuleError as exc:
        messages.error(request, " ".join(exc.messages))
        keep_refused_input(request, key, request.POST)
    else:
        messages.success(
            request,
            _("The need “%(need)s” was marked as resolved.") % {"need": case_need.need.label},
        )
    return redirect(_case_url(case, "needs"))


# --- Interventions ----------------------------------------------------------------------------


@require_GET_or_POST
def intervention_new(request: HttpRequest, case_id: int) -> HttpResponse:
    case, user = _editable_case(request, case_id)
    if request.method == "POST":
        form = InterventionForm(request.POST)
        if form.is_valid():
            done = _save(
                request,
                form,
                case=case,
                write=lambda: services.intervention_create(
                    case=case, by=user, type=form.cleaned_data["type"], **form.values()
                ),
                success=_("The intervention was saved."),
                section="interventions",
            )
            if done:
                return done
    else:
        form = InterventionForm()
    return _render(
        request,
        "intervention_form.html",
        case=case,
        form=form,
        section="interventions",
        what="intervention form",
    )


@require_GET_or_POST
def intervention_edit(request: HttpRequest, case_id: int, intervention_id: int) -> HttpResponse:
    case, user = _editable_case(request, case_id)
    intervention = get_object_or_404(
        case.interventions.select_related("type", "provider"), pk=intervention_id
    )
    current = None  # the intervention as someone else saved it, after a refused stale save
    if request.method == "POST":
        form = InterventionForm(request.POST, intervention=intervention)
        if form.is_valid():
            try:
                done = _save(
                    request,
                    form,
                    case=case,
                    write=lambda: services.intervention_update(
                        intervention=intervention,
                        by=user,
                        seen=form.cleaned_data["seen"],
                        type=form.cleaned_data["type"],
                        **form.values(),
                    ),
                    success=_("The intervention was updated."),
                    section="interventions",
                )
            except StaleEditError as exc:
                current = exc.current
                form.rebind_seen(current)
                form.add_error(None, exc)
                done = None
            if done:
                return done
    else:
        form = InterventionForm(intervention=intervention)
    return _render(
        request,
        "intervention_form.html",
        case=case,
        form=form,
        section="interventions",
        what="intervention edit form",
        obj=intervention,
        intervention=intervention,
        current=current,
    )


# --- Journal ----------------------------------------------------------------------------------


def _entry_to_correct(request: HttpRequest, case: Case) -> JournalEntry | None:
    """The entry named by `?corrects=`, which must belong to `case`; 404 for anything else."""
    raw = request.GET.get("corrects")
    if raw is None:
        return None
    if not (raw.isascii() and raw.isdigit()):
        raise Http404
    return get_object_or_404(case.journal.select_related("author"), pk=int(raw))


@require_GET_or_POST
def journal_new(request: HttpRequest, case_id: int) -> HttpResponse:
    """A new journal entry; with `?corrects=<id>` a correction of an earlier entry.

    Entries are never edited: a correction is a new entry that points at the original.
    """
    case, user = _editable_case(request, case_id)
    original = _entry_to_correct(request, case)
    if request.method == "POST":
        form = JournalForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            done = _save(
                request,
                form,
                case=case,
                write=lambda: services.journal_write(
                    case=case,
                    by=user,
                    occurred_on=data["occurred_on"],
                    category=data["category"],
                    text=data["text"],
                    corrects=original,
                ),
                success=(
                    _("The correction was saved.")
                    if original
                    else _("The journal entry was saved.")
                ),
                section="journal",
            )
            if done:
                return done
    elif original is not None:
        # A correction is usually about the same event: start from the original's date and kind.
        form = JournalForm(
            initial={"occurred_on": original.occurred_on, "category": original.category}
        )
    else:
        form = JournalForm()
    return _render(
        request,
        "journal_form.html",
        case=case,
        form=form,
        section="journal",
        what="journal correction form" if original else "journal form",
        obj=original,
        original=original,
    )


# --- Consent ----------------------------------------------------------------------------------


@require_GET_or_POST
def consent_new(request: HttpRequest, case_id: int) -> HttpResponse:
    case, user = _editable_case(request, case_id)
    guardians = consent_guardians(user=user, case=case, today=timezone.localdate())
    given_by = None
    if guardians is not None:
        given_by = [(GIVER_CLIENT, _("The client")), *((str(g.pk), str(g)) for g in guardians)]
    if request.method == "POST":
        form = ConsentForm(request.POST, given_by=given_by)
        if form.is_valid():
            data = form.cleaned_data
            chosen = set(data.get("given_by") or ())
            record = functools.partial(
                services.consent_record,
                case=case,
                by=user,
                agencies=data["agencies"],
                information=data["information"],
                valid_from=data["valid_from"],
                valid_until=data["valid_until"],
                note=data["note"],
            )
            if guardians is not None:
                # A young client's consent says whose it is (cases.guardians.ConsentGiver).
                record = functools.partial(
                    guardian_services.consent_record_with_givers,
                    case=case,
                    by=user,
                    agencies=data["agencies"],
                    information=data["information"],
                    valid_from=data["valid_from"],
                    valid_until=data["valid_until"],
                    note=data["note"],
                    by_client=GIVER_CLIENT in chosen,
                    guardians=[g for g in guardians if str(g.pk) in chosen],
                )
            done = _save(
                request,
                form,
                case=case,
                write=record,
                success=_("The consent was saved."),
                section="consent",
            )
            if done:
                return done
    else:
        form = ConsentForm(given_by=given_by)
    return _render(
        request, "consent_form.html", case=case, form=form, section="consent", what="consent form"
    )


@require_POST
def consent_revoke(request: HttpRequest, case_id: int, consent_id: int) -> HttpResponse:
    """Revoke a consent at once (the button sits on the case page). A button shown before
    someone else revoked or changed the consent is refused, saying what it is now."""
    case, user = _editable_case(request, case_id)
    consent = get_object_or_404(case.consents, pk=consent_id)
    form = SeenForm(request.POST)
    if not form.is_valid():
        unreadable_seen(request)
        return redirect(_case_url(case, "consent"))
    if not _confirmed(request):  # revoking cannot be undone: the page asks first
        _log_page(request, case=case, what="consent revoke form", obj=consent)
        return render(
            request,
            "cases/records/consent_revoke.html",
            {
                "case": case,
                "record": consent,
                "form": form,
                "agencies": list(consent.agencies.all()),
                "cancel_url": _case_url(case, "consent"),
                "confirm": True,
                "history_kind": "consent",
            },
        )
    try:
        services.consent_revoke(consent=consent, by=user, seen=form.cleaned_data["seen"])
    except (StaleEditError, CaseRuleError) as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("The consent was revoked."))
    return redirect(_case_url(case, "consent"))


# --- Group affiliations -----------------------------------------------------------------------


@require_GET_or_POST
def affiliation_new(request: HttpRequest, case_id: int) -> HttpResponse:
    case, user = _editable_case(request, case_id)
    if request.method == "POST":
        form = AffiliationForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            done = _save(
                request,
                form,
                case=case,
                write=lambda: services.affiliation_add(
                    case=case,
                    by=user,
                    group=data["group"],
                    role=AffiliationRole(data["role"]),
                    started_on=data["started_on"],
                    ended_on=data["ended_on"],
                    source=data["source"],
                ),
                success=_("The group affiliation was saved."),
                section="groups",
            )
            if done:
                return done
    else:
        form = AffiliationForm()
    return _render(
        request,
        "affiliation_form.html",
        case=case,
        form=form,
        section="groups",
        what="affiliation form",
    )


# --- Corrections: reopening, ending and correcting records (issue 11) -------------------------
# An edit form shows the record's values and saves a correction; a page that ends or reopens
# something is its own confirmation step: it says what will happen and posts a button named
# `confirm`. A post without it saves nothing and shows the page (a form on the case page that
# posts straight here lands on it). Every page is logged when shown; every service logs its
# write. A form opened before someone else saved is refused with the record as it is now
# beside the input kept (exitprog.concurrency).


def _confirmed(request: HttpRequest) -> bool:
    return request.POST.get(CONFIRM) == "yes"


def _log_page(request: HttpRequest, *, case: Case, what: str, obj: models.Model) -> None:
    """Log a form page shown, on a GET (`access_log_form_view`) or after a post that did not
    confirm (the page shows the record then too)."""
    if request.method == "GET":
        access_log_form_view(request=request, case=case, what=what, obj=obj)
    else:
        access_log_record(
            user=request.user,
            action=AccessAction.VIEW,
            case=case,
            obj=obj,
            detail=what,
            request=request,
        )


def _correction_page(
    request: HttpRequest,
    *,
    case: Case,
    record: models.Model,
    form: forms.BaseForm,
    write: Callable[[], object],
    template: str,
    section: str,
    what: str,
    success: str,
    confirm: bool,
    **context: Any,
) -> HttpResponse:
    """Show the page of a correction, or save it.

    Steps: a GET (or a post that did not confirm, when `confirm`) shows the page; a valid post
    runs `write`; a refusal by a rule becomes an error of the form; a stale form is refused
    with the record as it is now shown above the input, and the next save is checked against
    it (`rebind_seen`).
    """
    current = None
    if request.method == "POST" and form.is_valid() and (_confirmed(request) or not confirm):
        try:
            write()
        except StaleEditError as exc:
            current = exc.current
            cast(SeenFormMixin, form).rebind_seen(current)
            form.add_error(None, exc)
        except CaseRuleError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, success)
            return redirect(_case_url(case, section))
    if request.method == "GET" or (confirm and not _confirmed(request)):
        _log_page(request, case=case, what=what, obj=record)
    context.update(
        case=case,
        form=form,
        record=current or record,
        current=current,
        cancel_url=_case_url(case, section),
        confirm=confirm,
    )
    return render(request, f"cases/records/{template}", context)


def _seen(form: forms.BaseForm) -> Any:
    return form.cleaned_data["seen"]


@require_GET_or_POST
def need_reopen(request: HttpRequest, case_id: int, need_id: int) -> HttpResponse:
    """Open a need again that was marked as met (a confirmation page)."""
    case, user = _editable_case(request, case_id)
    case_need = get_object_or_404(case.needs.select_related("need"), pk=need_id)
    form = SeenForm(request.POST or None, record=case_need)
    return _correction_page(
        request,
        case=case,
        record=case_need,
        form=form,
        write=lambda: services.need_reopen(case_need=case_need, by=user, seen=_seen(form)),
        template="need_reopen.html",
        section="needs",
        what="need reopen form",
        history_kind="need",
        success=_("The need “%(need)s” is open again.") % {"need": case_need.need.label},
        confirm=True,
    )


@require_GET_or_POST
def intervention_end(request: HttpRequest, case_id: int, intervention_id: int) -> HttpResponse:
    """End an intervention: completed or cancelled, with the date (a confirmation page)."""
    case, user = _editable_case(request, case_id)
    intervention = get_object_or_404(
        case.interventions.select_related("type", "provider"), pk=intervention_id
    )
    form = InterventionEndForm(request.POST or None, record=intervention)
    return _correction_page(
        request,
        case=case,
        record=intervention,
        form=form,
        write=lambda: services.intervention_end(
            intervention=intervention,
            by=user,
            status=form.cleaned_data["status"],
            ended_on=form.cleaned_data["ended_on"],
            outcome=form.cleaned_data["outcome"],
            seen=_seen(form),
        ),
        template="intervention_end.html",
        section="interventions",
        what="intervention end form",
        history_kind="intervention",
        success=_("The intervention was ended."),
        confirm=True,
    )


@require_GET_or_POST
def consent_edit(request: HttpRequest, case_id: int, consent_id: int) -> HttpResponse:
    """Correct a consent's kinds of information, period and note."""
    case, user = _editable_case(request, case_id)
    consent = get_object_or_404(case.consents.prefetch_related("agencies"), pk=consent_id)
    guardians = consent_guardians(user=user, case=case, today=timezone.localdate())
    given_by = given = None
    if guardians is not None:
        given_by = [(GIVER_CLIENT, _("The client")), *((str(g.pk), str(g)) for g in guardians)]
        given = consent_givers_of(consent=consent)
    form = ConsentCorrectForm(request.POST or None, consent=consent, given_by=given_by, given=given)

    def write() -> object:
        data = form.cleaned_data
        correct = functools.partial(
            services.consent_correct,
            consent=consent,
            by=user,
            information=data["information"],
            valid_from=data["valid_from"],
            valid_until=data["valid_until"],
            note=data["note"],
            seen=_seen(form),
        )
        if guardians is None:
            return correct()
        # A young client's consent says whose it is (cases.guardians.ConsentGiver).
        chosen = set(data.get("given_by") or ())
        return guardian_services.consent_correct_with_givers(
            correct=correct,
            by=user,
            by_client=GIVER_CLIENT in chosen,
            guardians=[g for g in guardians if str(g.pk) in chosen],
        )

    return _correction_page(
        request,
        case=case,
        record=consent,
        form=form,
        write=write,
        template="consent_edit.html",
        section="consent",
        what="consent edit form",
        history_kind="consent",
        success=_("The consent was corrected."),
        confirm=False,
        agencies=list(consent.agencies.all()),
    )


def _affiliation_of(case: Case, affiliation_id: int) -> GroupAffiliation:
    """A group affiliation of the case's client; 404 for any other."""
    return get_object_or_404(
        GroupAffiliation.objects.filter(client_id=case.client_id).select_related("group"),
        pk=affiliation_id,
    )


@require_GET_or_POST
def affiliation_edit(request: HttpRequest, case_id: int, affiliation_id: int) -> HttpResponse:
    case, user = _editable_case(request, case_id)
    affiliation = _affiliation_of(case, affiliation_id)
    form = AffiliationCorrectForm(request.POST or None, affiliation=affiliation)
    return _correction_page(
        request,
        case=case,
        record=affiliation,
        form=form,
        write=lambda: services.affiliation_correct(
            affiliation=affiliation,
            case=case,
            by=user,
            group=form.cleaned_data["group"],
            role=AffiliationRole(form.cleaned_data["role"]),
            started_on=form.cleaned_data["started_on"],
            ended_on=form.cleaned_data["ended_on"],
            source=form.cleaned_data["source"],
            seen=_seen(form),
        ),
        template="affiliation_edit.html",
        section="groups",
        what="affiliation edit form",
        history_kind="affiliation",
        success=_("The group affiliation was corrected."),
        confirm=False,
    )


@require_GET_or_POST
def affiliation_end(request: HttpRequest, case_id: int, affiliation_id: int) -> HttpResponse:
    """Record the day a group affiliation ended (a confirmation page)."""
    case, user = _editable_case(request, case_id)
    affiliation = _affiliation_of(case, affiliation_id)
    form = EndForm(request.POST or None, record=affiliation)
    return _correction_page(
        request,
        case=case,
        record=affiliation,
        form=form,
        write=lambda: services.affiliation_end(
            affiliation=affiliation,
            case=case,
            by=user,
            ended_on=form.cleaned_data["ended_on"],
            seen=_seen(form),
        ),
        template="affiliation_end.html",
        section="groups",
        what="affiliation end form",
        history_kind="affiliation",
        success=_("The group affiliation was ended."),
        confirm=True,
    )


@require_GET_or_POST
def placement_edit(request: HttpRequest, case_id: int, placement_id: int) -> HttpResponse:
    case, user = _editable_case(request, case_id)
    placement = get_object_or_404(case.placements.select_related("municipality"), pk=placement_id)
    form = PlacementCorrectForm(request.POST or None, placement=placement)
    return _correction_page(
        request,
        case=case,
        record=placement,
        form=form,
        write=lambda: services.placement_correct(
            placement=placement,
            by=user,
            municipality=form.cleaned_data["municipality"],
            kind=form.cleaned_data["kind"],
            started_on=form.cleaned_data["started_on"],
            ended_on=form.cleaned_data["ended_on"],
            seen=_seen(form),
        ),
        template="placement_edit.html",
        section="police",
        what="placement edit form",
        history_kind="placement",
        success=_("The placement was corrected."),
        confirm=False,
    )


@require_GET_or_POST
def placement_end(request: HttpRequest, case_id: int, placement_id: int) -> HttpResponse:
    """Record the day the client moved out of a placement (a confirmation page)."""
    case, user = _editable_case(request, case_id)
    placement = get_object_or_404(case.placements.select_related("municipality"), pk=placement_id)
    form = EndForm(request.POST or None, record=placement)
    return _correction_page(
        request,
        case=case,
        record=placement,
        form=form,
        write=lambda: services.placement_end(
            placement=placement, by=user, ended_on=form.cleaned_data["ended_on"], seen=_seen(form)
        ),
        template="placement_end.html",
        section="police",
        what="placement end form",
        history_kind="placement",
        success=_("The placement was ended."),
        confirm=True,
    )


def assessment_detail(request: HttpRequest, case_id: int, assessment_id: int) -> HttpResponse:
    """Every answer of one motivation assessment, for whoever may read the whole case (a
    police liaison reads only the shared parts: 404). Reading it is logged."""
    # "assessment": the page's name in the access log (audit.sentences.PAGES).
    case = policy.get_case_for_user(
        request.user, case_id, action=CaseAction.READ, what="assessment"
    )
    assessment = selectors.assessment_detail(case=case, pk=assessment_id)
    if assessment is None:
        raise Http404
    access_log_record(
        user=request.user,
        action=AccessAction.VIEW,
        case=case,
        obj=assessment,
        detail="assessment",
        request=request,
    )
    return render(
        request,
        "cases/records/assessment_detail.html",
        {
            "case": case,
            "assessment": assessment,
            "back_url": _case_url(case, "assessments"),
        },
    )


def journal_entry(request: HttpRequest, case_id: int, entry_id: int) -> HttpResponse:
    """The journal page of the case page that shows one entry, at the entry (the link from a
    correction to its original, or back, when the other is on another page)."""
    case = policy.get_case_for_user(request.user, case_id, action=CaseAction.READ)
    page = selectors.journal_page_of(case=case, entry_id=entry_id)
    if page is None:
        raise Http404
    url = case_tab_url(case.pk, tab_of_section("journal"))
    return redirect(f"{url}?journal={page}#entry-{entry_id}")
