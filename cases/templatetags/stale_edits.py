"""`seen_value`: the hidden `seen` field of a one-button form, in the template that shows the
record (optimistic locking, exitprog.concurrency)."""

from django import template
from django.db import models

from exitprog import concurrency

register = template.Library()


@register.filter
def seen_value(record: models.Model) -> str:
    """What the hidden `seen` input of a form that changes `record` carries."""
    return concurrency.seen_value(record)
