"""The case state "transferred" goes: the services never reached it (a transfer moves the whole
case, with its state, to the receiving municipality; see `cases.services.transfer_accept`).

A case still in it is closed as discontinued, with a decision row that says why. A decision
needs a person: it names whoever recorded the move to "transferred" (else the case's creator),
and its reason says that the system, not that person, made it. The decision rows that name
"transferred" stay as written (`cases.models.DECISION_STATES` keeps their label). No follow-up
is scheduled: the client left for another municipality; the program did not end the work.
"""

from django.db import migrations, models
from django.utils import timezone

RETIRED = "transferred"
REASON = (
    "Ärendet stängdes av systemet när tillståndet ”Överflyttad” togs bort ur exitprog. "
    "En överflyttning flyttar numera hela ärendet med sitt tillstånd till den mottagande "
    "kommunen, så inget ärende ska stå kvar i det tillståndet. Beslutet fattades inte av "
    "den som står som beslutsfattare (den som registrerade överflyttningen)."
)


def close_transferred(apps, schema_editor):
    Case = apps.get_model("cases", "Case")
    CaseStateChange = apps.get_model("cases", "CaseStateChange")
    now = timezone.now()
    for case in Case.objects.filter(state=RETIRED).order_by("pk"):
        moved = (
            CaseStateChange.objects.filter(case=case, to_state=RETIRED).order_by("-at", "-id").first()
        )
        case.state = "discontinued"
        case.closed_on = case.closed_on or (
            timezone.localdate(moved.at) if moved else timezone.localdate(now)
        )
        case.next_review_on = None
        case.save(update_fields=["state", "closed_on", "next_review_on"])
        CaseStateChange.objects.create(
            case=case,
            from_state=RETIRED,
            to_state="discontinued",
            at=now,
            by_id=moved.by_id if moved else case.created_by_id,
            reason=REASON,
        )


class Migration(migrations.Migration):
    dependencies = [("cases", "0014_updated_at")]

    operations = [
        migrations.RunPython(close_transferred, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="case",
            name="state",
            field=models.CharField(
                choices=[
                    ("inquiry", "Inquiry"),
                    ("assessment", "Assessment"),
                    ("accepted", "Accepted"),
                    ("active", "Active"),
                    ("completed", "Completed"),
                    ("discontinued", "Discontinued"),
                    ("rejected", "Rejected"),
                ],
                default="inquiry",
                max_length=20,
                verbose_name="state",
            ),
        ),
    ]
