"""Database triggers declared on the models: append-only tables and the history of changes.

Both are PostgreSQL triggers that pgtrigger writes into the models' migrations, so they hold
whoever writes (the ORM, raw SQL, psql), not only Django code:

- `AppendOnly()` in a model's `Meta.triggers` refuses every UPDATE and DELETE of its rows;
  with a `condition`, only of the rows it matches (a follow-up once it is recorded).
- `tracked()` on a mutable model keeps a copy of each row after every INSERT and UPDATE, and
  before a DELETE, in an event model `<Model>History` made by django-pghistory; its rows
  carry the request's context (`pghistory.middleware.HistoryMiddleware`: the user's id and
  the path), or none for the system's own work (Celery, commands). The event tables are
  append-only too.

TRUNCATE is deliberately not refused (a row trigger does not fire on it): pytest-django
empties the tables with one TRUNCATE after every transactional test. In production the
application's database role must instead lack the TRUNCATE privilege on these tables and own
neither the tables nor the triggers, so that it can neither empty them nor drop the triggers.
"""

from collections.abc import Callable, Sequence
from typing import Any

import pghistory
import pgtrigger
from django.apps import apps
from django.apps.registry import Apps
from django.db import migrations, models
from django.db.backends.base.schema import BaseDatabaseSchemaEditor

# Written on every save; a change of it alone is no change of the record.
UNTRACKED = ("updated_at",)
# The event model's name for a tracked model, e.g. InterventionHistory.
HISTORY_SUFFIX = "History"


class AppendOnly(pgtrigger.Protect):
    """A `pgtrigger.Protect` of UPDATE and DELETE that says "<table> is append-only"."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("name", "append_only")
        kwargs.setdefault("operation", pgtrigger.Update | pgtrigger.Delete)
        super().__init__(**kwargs)

    def get_func(self, model: type[models.Model]) -> str:  # type: ignore[override]
        # Row level (the default), with the message the project's tests and logs know.
        return self.format_sql("RAISE EXCEPTION '% is append-only', TG_TABLE_NAME;")


def tracked[M: type[models.Model]](
    *, exclude: Sequence[str] = (), fields: Sequence[str] | None = None
) -> Callable[[M], M]:
    """Keep the history of the model's rows in `<Model>History` (see the module's docstring).

    `fields`: only these are kept (and only their change makes a new version); otherwise
    every field but `exclude` and `updated_at`. The event model's `pgh_obj` points at the
    record (reverse name `history`); its `pgh_context` holds who made the change.
    """

    def track(model: M) -> M:
        return pghistory.track(
            pghistory.InsertEvent(),
            pghistory.UpdateEvent(),
            pghistory.DeleteEvent(),
            fields=list(fields) if fields is not None else None,
            exclude=[*UNTRACKED, *exclude] if fields is None else None,
            obj_field=pghistory.ObjForeignKey(related_name="history"),
            model_name=f"{model.__name__}{HISTORY_SUFFIX}",
            append_only=True,
        )(model)

    return track


def history_of(model: type[models.Model]) -> type[models.Model]:
    """The `<Model>History` event model of a model made `tracked()`."""
    label = model._meta.app_label
    return apps.get_model(label, f"{model._meta.object_name}{HISTORY_SUFFIX}")


# The label of the version a migration copies from each row that existed before its model's
# history began (`history_baseline`): the "before" of the row's first recorded change.
BASELINE = "baseline"


def history_baseline(app_label: str, *model_names: str) -> migrations.RunPython:
    """A migration operation that copies every existing row of the models into their
    `<Model>History` as a BASELINE version (no context: nobody changed anything then).

    Without it, the first change of a row made before the history began would show its new
    values only. Reversing it does nothing: the migration that made the event table drops it.
    """

    def copy(apps: Apps, schema_editor: BaseDatabaseSchemaEditor) -> None:
        quote = schema_editor.quote_name
        for name in model_names:
            model = apps.get_model(app_label, name)
            event = apps.get_model(app_label, f"{name}{HISTORY_SUFFIX}")
            columns = ", ".join(
                quote(field.column)
                for field in event._meta.local_fields
                if not field.name.startswith("pgh_")
            )
            schema_editor.execute(
                f"INSERT INTO {quote(event._meta.db_table)} "  # noqa: S608 (names from the models)
                f'({columns}, "pgh_created_at", "pgh_label", "pgh_obj_id") '
                f'SELECT {columns}, NOW(), %s, "id" FROM {quote(model._meta.db_table)}',
                [BASELINE],
            )

    return migrations.RunPython(copy, migrations.RunPython.noop)
