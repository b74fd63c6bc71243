"""The access log in words: each entry as one sentence in the reader's language.

An entry keeps an `action` and a `detail` naming what was touched ("journal entry",
"state completed", "refused: case page"), written by the services and views all over the code
base. This module is the one place that turns the pair into a sentence: "Kim Svensson added a
journal entry", "Kim Svensson was refused access to the case page", "The system ended a police
share: The consent expired".

Steps of `describe`: who (the user's name; "The system" or "Someone not signed in" without
one), then the first that fits of: no detail (a sentence per action), a refusal ("refused:
<what>", `REFUSALS` or `PAGES`), an event (`EVENTS`, by action and detail), a page opened
(`PAGES`), a detail with a value in it (`PATTERNS`, "state <state>"). A detail none of these
knows (an older one, or one written since) still reads, as "Kim Svensson changed: <detail>":
a new detail never breaks the page. `tests/test_access_log_page.py` walks the source for every
`detail=`/`what=` written and checks that each has its sentence here.

The values inside a detail are shown by their labels, read from the model fields that hold them
("cases.Case" by string, as the log's foreign key: the audit sink imports no app above it).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.apps import apps
from django.db import models
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from audit.models import AccessAction

if TYPE_CHECKING:
    from audit.models import AccessLogEntry

REFUSED_PREFIX = "refused: "  # written by audit.services.access_log_refusal

# What a page, form or file is called when it is opened (VIEW, detail = the name) and when it is
# refused (DENIED, "refused: <name>"). The same names are the `what=` of the refusals.
PAGES: dict[str, Promise] = {
    "case page": pgettext_lazy("access log", "the case page"),
    "record history": pgettext_lazy("access log", "the history of a record"),
    "access log": pgettext_lazy("access log", "the case's access log"),
    "municipality access log": pgettext_lazy("access log", "the municipality's access log"),
    "shared parts": pgettext_lazy("access log", "the parts of the case shared with the police"),
    "shared view": pgettext_lazy("access log", "the parts of the case shared with the police"),
    "caseload": pgettext_lazy("access log", "the caseload"),
    "saved caseload filter": pgettext_lazy("access log", "a saved filter of the caseload"),
    "roles of the municipality": pgettext_lazy("access log", "the municipality's roles"),
    "report": pgettext_lazy("access log", "a report"),
    "report page": pgettext_lazy("access log", "a report's page"),
    "report download": pgettext_lazy("access log", "a report's file"),
    "referral letter": pgettext_lazy("access log", "a referral letter"),
    "referral form": pgettext_lazy("access log", "the referral form"),
    "referral consent warning": pgettext_lazy(
        "access log", "the warning that no consent covers a referral's agency"
    ),
    "intake queue": pgettext_lazy("access log", "the cases waiting for an intake decision"),
    "closing checklist": pgettext_lazy("access log", "the checklist before closing the case"),
    "assessment form": pgettext_lazy("access log", "the motivation assessment form"),
    "threat form": pgettext_lazy("access log", "the threat assessment form"),
    "need form": pgettext_lazy("access log", "the need form"),
    "intervention form": pgettext_lazy("access log", "the intervention form"),
    "intervention edit form": pgettext_lazy("access log", "the form to change an intervention"),
    "journal form": pgettext_lazy("access log", "the journal form"),
    "journal correction form": pgettext_lazy("access log", "the form to correct a journal entry"),
    "consent form": pgettext_lazy("access log", "the consent form"),
    "affiliation form": pgettext_lazy("access log", "the group affiliation form"),
    "police note form": pgettext_lazy("access log", "the police note form"),
    "police share form": pgettext_lazy("access log", "the form to share the case with the police"),
    "placement form": pgettext_lazy("access log", "the placement form"),
    "transfer form": pgettext_lazy("access log", "the transfer form"),
    "transfer": pgettext_lazy("access log", "a transfer"),
    "follow-up form": pgettext_lazy("access log", "the follow-up form"),
    "case plan": pgettext_lazy("access log", "the case plan"),
    "case plan form": pgettext_lazy("access log", "the form to write the case plan"),
    "review form": pgettext_lazy("access log", "the review form"),
    "assessment": pgettext_lazy("access log", "a motivation assessment with every answer"),
    "need resolve form": pgettext_lazy("access log", "the page to mark a need as met"),
    "need reopen form": pgettext_lazy("access log", "the page to open a need again"),
    "intervention end form": pgettext_lazy("access log", "the page to end an intervention"),
    "consent edit form": pgettext_lazy("access log", "the form to correct a consent"),
    "consent revoke form": pgettext_lazy("access log", "the page to revoke a consent"),
    "affiliation edit form": pgettext_lazy("access log", "the form to correct a group affiliation"),
    "affiliation end form": pgettext_lazy("access log", "the page to end a group affiliation"),
    "placement edit form": pgettext_lazy("access log", "the form to correct a placement"),
    "placement end form": pgettext_lazy("access log", "the page to end a placement"),
    "task form": pgettext_lazy("access log", "the task form"),
    "task": pgettext_lazy("access log", "a task"),
    "case print view": pgettext_lazy("access log", "the case for printing"),
    "contact card form": pgettext_lazy("access log", "the contact card form"),
    "contact person form": pgettext_lazy("access log", "the form to add a person to the network"),
    "contact person removal form": pgettext_lazy(
        "access log", "the page to remove a person from the network"
    ),
    "guardian form": pgettext_lazy("access log", "the form to add a guardian"),
    "guardian edit form": pgettext_lazy("access log", "the form to change a guardian"),
    "guardian removal form": pgettext_lazy("access log", "the page to remove a guardian"),
    "youth rules": pgettext_lazy("access log", "the municipality's youth rules"),
    "report of concern form": pgettext_lazy("access log", "the report of concern form"),
    "joint meeting form": pgettext_lazy("access log", "the joint meeting form"),
    "joint meeting": pgettext_lazy("access log", "a joint meeting"),
    "joint meeting police part": pgettext_lazy(
        "access log", "the part of a joint meeting meant for the police"
    ),
}

OPENED = _("%(who)s opened %(page)s")
REFUSED_PAGE = _("%(who)s was refused access to %(page)s")

# Refusals named by the case action asked for (`access.policy.CaseAction`'s values), the
# policy's `what` when the view names no page.
REFUSALS: dict[str, Promise] = {
    "read": _("%(who)s was refused access to the case"),
    "edit": _("%(who)s was refused changing the case"),
    "manage": _("%(who)s was refused managing the case"),
    "view_shared": _("%(who)s was refused access to the parts of the case shared with the police"),
    "add_police_note": _("%(who)s was refused the police liaison's pages of the case"),
    "view_access_log": _("%(who)s was refused access to the case's access log"),
}

EVENTS: dict[tuple[AccessAction, str], Promise] = {
    (AccessAction.CREATE, "saved caseload filter"): _("%(who)s saved a filter of the caseload"),
    (AccessAction.CHANGE, "saved caseload filter deleted"): _(
        "%(who)s deleted a saved filter of the caseload"
    ),
    (AccessAction.CREATE, "case opened"): _("%(who)s registered the case"),
    (AccessAction.CREATE, "case opened for a registered client"): _(
        "%(who)s registered the case for a client already registered"
    ),
    (AccessAction.CREATE, "motivation assessment"): _("%(who)s recorded a motivation assessment"),
    (AccessAction.CREATE, "threat assessment"): _("%(who)s recorded a threat assessment"),
    (AccessAction.CREATE, "need"): _("%(who)s added a need"),
    (AccessAction.CREATE, "case plan"): _("%(who)s wrote a new version of the case plan"),
    (AccessAction.CREATE, "review"): _("%(who)s recorded a review of the case"),
    (AccessAction.CREATE, "task"): _("%(who)s added a task"),
    (AccessAction.CHANGE, "task done"): _("%(who)s marked a task as done"),
    (AccessAction.CHANGE, "need resolved"): _("%(who)s marked a need as resolved"),
    (AccessAction.CHANGE, "need reopened"): _("%(who)s opened a need again"),
    (AccessAction.CHANGE, "intervention ended"): _("%(who)s ended an intervention"),
    (AccessAction.CHANGE, "consent corrected"): _("%(who)s corrected a consent"),
    (AccessAction.CHANGE, "group affiliation corrected"): _(
        "%(who)s corrected a group affiliation"
    ),
    (AccessAction.CHANGE, "group affiliation ended"): _("%(who)s ended a group affiliation"),
    (AccessAction.CHANGE, "placement corrected"): _("%(who)s corrected a placement"),
    (AccessAction.CHANGE, "placement ended"): _("%(who)s ended a placement"),
    (AccessAction.CREATE, "intervention"): _("%(who)s added an intervention"),
    (AccessAction.CHANGE, "intervention"): _("%(who)s changed an intervention"),
    (AccessAction.CREATE, "journal entry"): _("%(who)s added a journal entry"),
    (AccessAction.CREATE, "journal correction"): _("%(who)s corrected a journal entry"),
    (AccessAction.CREATE, "consent"): _("%(who)s recorded a consent"),
    (AccessAction.CHANGE, "consent revoked"): _("%(who)s recorded that a consent was revoked"),
    (AccessAction.CREATE, "group affiliation"): _("%(who)s recorded a group affiliation"),
    (AccessAction.CREATE, "contact card"): _("%(who)s wrote the contact card"),
    (AccessAction.CHANGE, "contact card"): _("%(who)s changed the contact card"),
    (AccessAction.CREATE, "contact person"): _("%(who)s added a person to the client's network"),
    (AccessAction.CHANGE, "contact person removed"): _(
        "%(who)s removed a person from the client's network"
    ),
    (AccessAction.CREATE, "guardian"): _("%(who)s recorded a guardian of the client"),
    (AccessAction.CHANGE, "guardian"): _("%(who)s changed a guardian of the client"),
    (AccessAction.CHANGE, "guardian removed"): _("%(who)s removed a guardian of the client"),
    (AccessAction.CHANGE, "consent givers"): _("%(who)s recorded whose consent a consent is"),
    (AccessAction.CHANGE, "client turned 18"): _(
        "%(who)s marked the client as no longer young: they turned 18"
    ),
    (AccessAction.CHANGE, "youth rules"): _("%(who)s changed the municipality's youth rules"),
    (AccessAction.CHANGE, "youth path"): _(
        "%(who)s accepted the case on the youth path, with the child unit"
    ),
    (AccessAction.CREATE, "report of concern"): _(
        "%(who)s recorded a report of concern to the child unit"
    ),
    (AccessAction.CREATE, "joint meeting"): _("%(who)s recorded a joint meeting"),
    (AccessAction.CHANGE, "police share"): _("%(who)s shared the case with the police"),
    (AccessAction.CHANGE, "police share ended"): _("%(who)s ended a police share"),
    (AccessAction.CREATE, "police note"): _("%(who)s wrote a police note"),
    (AccessAction.CREATE, "placement"): _("%(who)s recorded a placement"),
    (AccessAction.CHANGE, "transfer proposed"): _("%(who)s proposed a transfer of the case"),
    (AccessAction.CHANGE, "transfer accepted"): _("%(who)s accepted a transfer of the case"),
    (AccessAction.CHANGE, "transfer declined"): _("%(who)s declined a transfer of the case"),
    (AccessAction.CHANGE, "transfer withdrawn"): _("%(who)s withdrew a transfer of the case"),
    (AccessAction.CHANGE, "follow-up"): _("%(who)s recorded a follow-up"),
    (AccessAction.VIEW, "follow-up"): _("%(who)s opened a recorded follow-up"),
    (AccessAction.CREATE, "referral"): _("%(who)s wrote a referral"),
    (AccessAction.CREATE, "inbound referral"): _("%(who)s received a referral from an agency"),
    (AccessAction.DOWNLOAD, "referral letter"): _("%(who)s downloaded a referral letter"),
    (AccessAction.CHANGE, "referral sent without consent"): _(
        "%(who)s sent a referral that no valid consent covers, after the warning"
    ),
}


@dataclass(frozen=True)
class Pattern:
    """A detail with a value in it: `prefix` + value + `suffix`, the value shown by the label of
    `labels` (a "app.Model.field" with choices) or as it is."""

    action: AccessAction
    prefix: str
    suffix: str
    sentence: Promise
    labels: str = ""

    @property
    def shape(self) -> str:
        """The detail with `{}` for the value, as an f-string writing it reads."""
        return f"{self.prefix}{{}}{self.suffix}"

    def value_of(self, detail: str) -> str | None:
        fits = (
            len(detail) > len(self.prefix) + len(self.suffix)
            and detail.startswith(self.prefix)
            and detail.endswith(self.suffix)
        )
        return detail[len(self.prefix) : len(detail) - len(self.suffix)] if fits else None

    def label(self, value: str) -> str:
        if not self.labels:
            return value
        app_label, model_name, field_name = self.labels.split(".")
        field = apps.get_model(app_label, model_name)._meta.get_field(field_name)
        choices = dict(field.flatchoices) if isinstance(field, models.Field) else {}
        return str(choices.get(value, value))


PATTERNS: tuple[Pattern, ...] = (
    Pattern(
        AccessAction.CHANGE,
        "state ",
        "",
        _("%(who)s changed the state to %(value)s"),
        "cases.Case.state",
    ),
    Pattern(
        AccessAction.CHANGE, "assignment added ", "", _("%(who)s assigned %(value)s to the case")
    ),
    Pattern(
        AccessAction.CHANGE, "assignment removed ", "", _("%(who)s took %(value)s off the case")
    ),
    # Entries written before assignments said which way they went.
    Pattern(
        AccessAction.CHANGE, "assignment ", "", _("%(who)s changed the assignment of %(value)s")
    ),
    Pattern(
        AccessAction.CHANGE,
        "police share ended: ",
        "",
        _("%(who)s ended a police share: %(value)s"),
        "cases.PoliceShare.end_reason",
    ),
    Pattern(
        AccessAction.CHANGE,
        "referral ",
        "",
        _("%(who)s marked a referral as %(value)s"),
        "referrals.Referral.state",
    ),
    Pattern(
        AccessAction.CREATE,
        "",
        " report asked for",
        _("%(who)s asked for a report: %(value)s"),
        "reports.Report.kind",
    ),
    Pattern(
        AccessAction.DOWNLOAD,
        "",
        " report",
        _("%(who)s downloaded a report: %(value)s"),
        "reports.Report.kind",
    ),
)

# An entry without a detail.
PLAIN: dict[str, Promise] = {
    AccessAction.VIEW: _("%(who)s opened a page"),
    AccessAction.CREATE: _("%(who)s added a record"),
    AccessAction.CHANGE: _("%(who)s made a change"),
    AccessAction.DOWNLOAD: _("%(who)s downloaded a file"),
    AccessAction.EXPORT: _("%(who)s exported data"),
    AccessAction.DENIED: _("%(who)s was refused access"),
}

# A detail this module does not know, shown as it was written.
FALLBACK: dict[str, Promise] = {
    AccessAction.VIEW: _("%(who)s viewed: %(detail)s"),
    AccessAction.CREATE: _("%(who)s created: %(detail)s"),
    AccessAction.CHANGE: _("%(who)s changed: %(detail)s"),
    AccessAction.DOWNLOAD: _("%(who)s downloaded: %(detail)s"),
    AccessAction.EXPORT: _("%(who)s exported: %(detail)s"),
    AccessAction.DENIED: _("%(who)s was refused: %(detail)s"),
}
UNKNOWN_ACTION = _("%(who)s: %(detail)s")

SYSTEM = _("The system")
ANONYMOUS = _("Someone not signed in")


@dataclass(frozen=True)
class Described:
    text: str
    known: bool  # False: the generic sentence of a detail not in this module
    security_event: bool  # a refused attempt


def who_of(entry: AccessLogEntry) -> str:
    """The user's name; without one, the system's own work (no request) or an anonymous request."""
    user = entry.user
    if user is not None:
        return user.get_full_name() or user.get_username()
    return str(ANONYMOUS if entry.path else SYSTEM)


def sentence(action: str, detail: str, *, who: str) -> Described:
    """The sentence of one (action, detail) pair, said of `who`."""
    security_event = action == AccessAction.DENIED
    template, values, known = _template(action, detail)
    return Described(
        text=str(template) % {"who": who, **values}, known=known, security_event=security_event
    )


def describe(entry: AccessLogEntry) -> Described:
    return sentence(entry.action, entry.detail, who=who_of(entry))


def _template(action: str, detail: str) -> tuple[Promise, dict[str, str], bool]:
    if not detail:
        return PLAIN.get(action, UNKNOWN_ACTION), {"detail": ""}, True
    if action == AccessAction.DENIED:
        what = detail.removeprefix(REFUSED_PREFIX)
        if detail.startswith(REFUSED_PREFIX) and what in REFUSALS:
            return REFUSALS[what], {}, True
        if detail.startswith(REFUSED_PREFIX) and what in PAGES:
            return REFUSED_PAGE, {"page": str(PAGES[what])}, True
        return FALLBACK[action], {"detail": what}, False
    event = EVENTS.get((AccessAction(action), detail)) if action in AccessAction else None
    if event is not None:
        return event, {}, True
    if action == AccessAction.VIEW and detail in PAGES:
        return OPENED, {"page": str(PAGES[detail])}, True
    for pattern in PATTERNS:
        if pattern.action == action and (value := pattern.value_of(detail)) is not None:
            return pattern.sentence, {"value": pattern.label(value)}, True
    return FALLBACK.get(action, UNKNOWN_ACTION), {"detail": detail}, False
