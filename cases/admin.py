"""Codebooks and shared reference records, for administrators. No case content is here."""

from typing import Any

from django import forms
from django.contrib import admin
from django.db import models
from django.http import HttpRequest
from django.utils.text import capfirst

from cases.models import CriminalGroup, GroupConflict, InterventionType, Need


class LabelledListEditable(admin.ModelAdmin):
    """A changelist whose editable cells are labelled: Django's list_editable renders bare
    inputs, which a screen reader announces without saying what they are. Each gets an
    aria-label naming the column and the row ("Active: Bostad")."""

    def get_changelist_form(self, request: HttpRequest, **kwargs: Any) -> type[forms.ModelForm]:
        base = super().get_changelist_form(request, **kwargs)

        class Labelled(base):  # type: ignore[misc,valid-type]
            def __init__(self, *args: Any, **kw: Any) -> None:
                super().__init__(*args, **kw)
                row = str(self.instance) if self.instance.pk else ""
                for name, field in self.fields.items():
                    if field.widget.is_hidden:
                        continue
                    column = capfirst(str(field.label or name))
                    field.widget.attrs["aria-label"] = f"{column}: {row}" if row else column

        return Labelled


@admin.register(Need)
class NeedAdmin(LabelledListEditable):
    list_display = ("code", "name_sv", "name_en", "is_health", "active", "order")
    list_editable = ("active", "order")


@admin.register(InterventionType)
class InterventionTypeAdmin(LabelledListEditable):
    list_display = ("code", "name_sv", "name_en", "active", "order")
    list_editable = ("active", "order")


@admin.register(CriminalGroup)
class CriminalGroupAdmin(admin.ModelAdmin):
    list_display = ("name", "kind", "area", "active")
    list_filter = ("kind", "active")
    search_fields = ("name",)


@admin.register(GroupConflict)
class GroupConflictAdmin(admin.ModelAdmin):
    list_display = ("group_a", "group_b", "since")
    # The browser's own date field: the admin's calendar shortcuts name their "Today" link
    # in English whatever the page's language, so it is read out differently from its text.
    formfield_overrides = {
        models.DateField: {"widget": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")}
    }
