"""Numbers and amounts the way the active language writes them: "12 500" and "12 500,50" in
Swedish, "12,500" and "12,500.50" in English. Used by the pages (the `sek` filter of
`exitprog/templatetags/amounts.py`) and the PDF reports alike."""

from decimal import Decimal

from django.utils import formats


def number(value: float | Decimal | int, decimals: int = 0) -> str:
    """`value` grouped in thousands the way the active language writes it ("12 500")."""
    return formats.number_format(value, decimal_pos=decimals, use_l10n=True, force_grouping=True)


def sek(amount: Decimal | None) -> str:
    """An amount in kronor: whole kronor unless it has öre; a dash when unknown."""
    if amount is None:
        return "\N{EN DASH}"
    return number(amount, 0 if amount == amount.to_integral_value() else 2)
