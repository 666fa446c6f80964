"""Money is Decimal yuan with two places, never float, never negative where it is paid."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

CENT = Decimal("0.01")


def yuan(value: str | int | Decimal) -> Decimal:
    if isinstance(value, float):
        raise TypeError("Money must not be a float.")
    try:
        amount = Decimal(value)
    except InvalidOperation as exc:
        raise ValueError(f"not an amount: {value!r}") from exc
    if not amount.is_finite():
        raise ValueError(f"not an amount: {value!r}")
    return amount.quantize(CENT, rounding=ROUND_HALF_UP)
