"""The free-text plan a case had (`Case.plan`, which no page let anyone write) becomes version
1 of the case's plan, one goal holding the text, before the field goes (cases/0016)."""

import datetime

from django.db import migrations
from django.utils import timezone


def copy_plan_texts(apps, schema_editor):
    Case = apps.get_model("cases", "Case")
    CasePlan = apps.get_model("records", "CasePlan")
    PlanGoal = apps.get_model("records", "PlanGoal")
    today = timezone.localdate()
    for case in Case.objects.exclude(plan="").exclude(plan__isnull=True).iterator():
        if CasePlan.objects.filter(case=case).exists():
            continue
        plan = CasePlan.objects.create(
            case=case,
            version=1,
            written_by_id=case.created_by_id,
            next_review_on=case.next_review_on or today + datetime.timedelta(days=14),
        )
        PlanGoal.objects.create(
            plan=plan, order=1, goal=case.plan, responsible_id=case.created_by_id
        )


class Migration(migrations.Migration):
    dependencies = [
        ("records", "0001_initial"),
        ("cases", "0016_append_only_and_history"),
    ]

    operations = [migrations.RunPython(copy_plan_texts, migrations.RunPython.noop)]
