"""Money figures as the profile shows them: amount, ISO currency, period and a short display ("$86B")."""

from __future__ import annotations

from typing import Any

CURRENCY_SYMBOLS = {"USD": "$", "EUR": "€", "GBP": "£", "JPY": "¥", "CAD": "CA$", "AUD": "A$"}
SCALES = ((1e12, "T"), (1e9, "B"), (1e6, "M"), (1e3, "K"))


def money_display(amount: float, currency: str) -> str:
    """``$86B``, ``€1.2M``, ``SEK 450M``: two significant decimals at most, sign kept."""
    sign = "-" if amount < 0 else ""
    value = abs(amount)
    suffix = ""
    for threshold, letter in SCALES:
        if value >= threshold:
            value, suffix = value / threshold, letter
            break
    number = f"{value:.2f}".rstrip("0").rstrip(".")
    symbol = CURRENCY_SYMBOLS.get(currency)
    return f"{sign}{symbol}{number}{suffix}" if symbol else f"{sign}{currency} {number}{suffix}"


def money_figure(kind: str, amount: float, currency: str, period: str) -> dict[str, Any]:
    """A ``MoneyFigure`` dict (proto field names)."""
    return {
        "kind": kind,
        "amount": amount,
        "currency": currency,
        "period": period,
        "display": money_display(amount, currency),
    }
