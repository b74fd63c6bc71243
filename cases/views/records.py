"""Pages that record things in a case: assessments, threats, needs, interventions, journal
entries, consents and group affiliations.

Every view first asks the policy whether the user may edit the case (404 otherwise: only the
assigned caseworkers and the municipality's managers may), fetches sub-objects through the
case so an id of another case is "not found", lets a service do the write, logs it, and
sends the user back to the section of the case page.
"""

from collections.abc import Callable
from typing import Any, cast

from django import forms
from django.contrib import messages
from django.db import models
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from access import policy
from access.policy import CaseAction
from accounts.models import User
from audit.services import access_log_form_view
from cases import services
from cases.forms.records import (
    AffiliationForm,
    AssessmentForm,
    ConsentForm,
    InterventionForm,
    JournalForm,
    NeedForm,
    NeedResolveForm,
    SeenForm,
    ThreatForm,
)
from cases.models import (
    AffiliationRole,
    Case,
    Instrument,
    JournalEntry,
    Recommendation,
    StageOfChange,
    ThreatSource,
)
from cases.services import CaseRuleError
from cases.views.stale import keep_refused_input, unreadable_seen
from exitprog.concurrency import StaleEditError

require_GET_or_POST = require_http_methods(["GET", "POST"])


def _editable_case(request: HttpRequest, case_id: int) -> tuple[Case, User]:
    """The case if the user may edit it (else 404), and the user."""
    case = policy.get_case_for_user(request.user, case_id, action=CaseAction.EDIT)
    # The policy lets only an authenticated user edit, and AUTH_USER_MODEL is accounts.User.
    return case, cast(User, request.user)


def _case_url(case: Case, section: str) -> str:
    return reverse("cases:detail", args=[case.pk]) + f"#{section}"


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
    if request.method == "POST":
        form = ConsentForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            done = _save(
                request,
                form,
                case=case,
                write=lambda: services.consent_record(
                    case=case,
                    by=user,
                    agencies=data["agencies"],
                    information=data["information"],
                    valid_from=data["valid_from"],
                    valid_until=data["valid_until"],
                    note=data["note"],
                ),
                success=_("The consent was saved."),
                section="consent",
            )
            if done:
                return done
    else:
        form = ConsentForm()
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
