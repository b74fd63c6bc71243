"""`{% session_timeout %}`: the warning before the session ends and the note after it has,
with the times static/js/session.js reads (exitprog/session.py)."""

from typing import Any

from django import template

from exitprog.session import session_times

register = template.Library()


@register.inclusion_tag("includes/session_timeout.html", takes_context=True)
def session_timeout(context: template.Context) -> dict[str, Any]:
    request = context["request"]
    return {"times": session_times(), "request": request, "user": context["user"]}
