"""The referral sections of a case's pages, rendered by the referrals app itself.

The case pages live in `cases`, below `referrals`; their templates load this tag instead of
their views importing referrals (../shared/STYLE.md, the layout).
"""

from typing import Any

from django import template
from django.utils import timezone

from cases.models import Case
from exitprog.http import input_kept
from referrals import selectors
from referrals.views import referral_move_key

register = template.Library()


@register.inclusion_tag("referrals/_case_section.html", takes_context=True)
def case_referral_section(context: template.Context, case: Case, can_edit: bool) -> dict[str, Any]:
    """The case page's referrals, with their waiting times (one query).

    A move refused a moment ago comes back as it was typed (`kept_move`: the referral's id,
    the chosen state and the note; see `exitprog.http`)."""
    rows = selectors.case_referral_rows(case=case, today=timezone.localdate())
    request = context.get("request")
    kept_move = None
    if can_edit and request is not None:
        for row in rows:
            kept = row.next_states and input_kept(request, referral_move_key(row.referral.pk))
            if kept:
                kept_move = {
                    "referral_id": row.referral.pk,
                    "to_state": kept.get("to_state", ""),
                    "note": kept.get("note", ""),
                }
                break
    return {
        "case": case,
        "referral_rows": rows,
        "kept_move": kept_move,
        "can_edit": can_edit,
        "csrf_token": context.get("csrf_token"),
        "request": context.get("request"),
    }


@register.inclusion_tag("referrals/_police_section.html")
def police_referral_section(case: Case) -> dict[str, Any]:
    """What a police liaison sees of the case's referrals: those between the program and the
    police, without their purpose (one query)."""
    return {"referrals": selectors.police_referrals_for_case(case=case)}
