"""`{{ intervention.cost_sek|sek }}`: an amount in kronor with the language's digit groups."""

from decimal import Decimal

from django import template

from exitprog import numbers

register = template.Library()


@register.filter
def sek(amount: Decimal | None) -> str:
    return numbers.sek(amount)
