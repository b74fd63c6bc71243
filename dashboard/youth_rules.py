"""The municipality's youth rules, set by its managers (issue 12)."""

from django.contrib import messages
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.utils.translation import gettext as _

from access import policy
from accounts.models import User, YouthRules
from audit.models import AccessAction
from audit.services import access_log_record
from cases import services
from cases.forms.youth_rules import YOUTH_RULE_FIELDS, YouthRulesForm
from cases.services import CaseRuleError
from exitprog.concurrency import StaleEditError


def youth_rules(request: HttpRequest, municipality_id: int) -> HttpResponse:
    """Read and set the youth rules. For the municipality's managers only (404 for anyone
    else, logged as a refusal); opening the page and saving it are access-log entries. A form
    opened before someone else saved the rules is refused with the rules as they are now
    beside the input, which is kept."""
    municipality = policy.get_managed_municipality_for_user(
        request.user, municipality_id, what="youth rules"
    )
    assert isinstance(request.user, User)  # noqa: S101 (a manager is a signed-in user)
    rules = YouthRules.of(municipality)
    form = YouthRulesForm(request.POST if request.method == "POST" else None, rules=rules)
    current = None  # the rules as someone else saved them, after a refused stale save
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.youth_rules_save(
                municipality=municipality,
                by=request.user,
                seen=data["seen"],
                **{name: data[name] for name in YOUTH_RULE_FIELDS},
            )
        except StaleEditError as exc:
            current = exc.current
            form.rebind_seen(current)
            form.add_error(None, exc)
        except CaseRuleError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("The youth rules are saved."))
            return HttpResponseRedirect(request.path)
    if request.method != "POST":
        access_log_record(
            user=request.user,
            action=AccessAction.VIEW,
            detail="youth rules",
            request=request,
            municipality=municipality,
        )
    return render(
        request,
        "dashboard/youth_rules.html",
        {"form": form, "municipality": municipality, "rules": rules, "current": current},
    )
