"""The URLs of the caseload bench: the project's, and a plain ListView to compare with.

`bench/caseload.py` sets ROOT_URLCONF to this module; nothing else uses it.
"""

from typing import Any

from django.conf import settings
from django.db.models import QuerySet
from django.http import HttpResponse
from django.template import engines
from django.urls import path
from django.utils import timezone
from django.views.generic import ListView

from cases.models import Case
from cases.selectors import CaseloadFilters, caseload_for
from exitprog.urls import urlpatterns as project_urlpatterns

# The caseload's columns, in a table extending the same base template; no filter form.
PLAIN_TEMPLATE = engines["django"].from_string(
    """{% extends "base.html" %}{% load i18n %}
{% block content %}<h1>{% translate "Caseload" %}</h1>
<p>{{ paginator.count }}</p>
<table class="table caseload"><thead><tr><th scope="col">{% translate "Case" %}</th>
<th scope="col">{% translate "Client" %}</th><th scope="col">{% translate "Municipality" %}</th>
<th scope="col">{% translate "State" %}</th><th scope="col">{% translate "Threat level" %}</th>
<th scope="col">{% translate "Assigned caseworkers" %}</th>
<th scope="col">{% translate "Next review" %}</th></tr></thead><tbody>
{% for case in object_list %}<tr>
<th scope="row"><a href="{% url 'cases:detail' case.pk %}">{{ case.reference }}</a></th>
<td>{% include "includes/client_name.html" with show_protected=case.identity_visible %}</td>
<td>{{ case.municipality.name }}</td><td>{% include "includes/case_state.html" %}</td>
<td>{{ case.threat_level|default:"-" }}</td>
<td>{% for grant in case.assignments %}{{ grant.user.get_full_name }} {% endfor %}</td>
<td>{{ case.next_review_on|date:"SHORT_DATE_FORMAT" }}</td></tr>{% endfor %}
</tbody></table>
{% include "includes/pagination.html" with page=page_obj label="pages" %}
{% endblock %}"""
)


class PlainCaseList(ListView):
    """A plain ListView over the caseload's visible queryset (OFFSET pages of 50)."""

    paginate_by = 50

    def get_queryset(self) -> QuerySet[Case]:
        return caseload_for(
            user=self.request.user,
            filters=CaseloadFilters(query=self.request.GET.get("q", "")),
            today=timezone.localdate(),
            due_within_days=settings.EXITPROG_DUE_SOON_DAYS,
        )

    def render_to_response(self, context: dict[str, Any], **kwargs: Any) -> HttpResponse:
        return HttpResponse(PLAIN_TEMPLATE.render(context, self.request))


urlpatterns = [path("bench/plain/", PlainCaseList.as_view()), *project_urlpatterns]
