"""A service's listing in a family's words: how to get help, what it costs, when it was last
checked. Plain Python over the Open Referral record (`Service.data`), no Django."""

from __future__ import annotations

import re
from datetime import date

_SELF_REFERRAL = re.compile(r"no referral|self[- ]?refer|refer yourself|just (turn|come) up|"
                            r"open[- ]access|drop[- ]?in", re.IGNORECASE)
_DROP_IN = re.compile(r"drop[- ]?in", re.IGNORECASE)
_REFERRAL = re.compile(r"\breferred\b|referral from|needs? a referral|gp referral",
                       re.IGNORECASE)
_REMOTE = re.compile(r"\b(online|text|chat|app|video|website)\b", re.IGNORECASE)


def how_to_access(data: dict) -> list[str]:
    """Ways in, most direct first: "Refer yourself", "Drop in", "Phone", "Online or by text",
    "Needs a referral". The service's own application_process comes first when it gives one."""
    text = " ".join(str(data.get(k) or "") for k in ("name", "description", "application_process"))
    ways = []
    process = str(data.get("application_process") or "").strip()
    if process:
        ways.append(process)
    if _REFERRAL.search(text) and not _SELF_REFERRAL.search(text):
        ways.append("Needs a referral")
    elif _SELF_REFERRAL.search(text) or not _REFERRAL.search(text):
        ways.append("Refer yourself")
    if _DROP_IN.search(text):
        ways.append("Drop in")
    if any(phone.get("number") for contact in data.get("contacts") or []
           for phone in contact.get("phones") or []):
        ways.append("Phone")
    if _REMOTE.search(text):
        ways.append("Online or by text")
    return list(dict.fromkeys(ways))


def cost(data: dict) -> str:
    options = data.get("cost_options") or []
    parts = []
    for option in options:
        amount, label = option.get("amount"), str(option.get("option") or "").strip()
        if amount == 0 or label.lower() == "free":
            parts.append("Free")
        elif isinstance(amount, (int, float)):
            currency = option.get("currency") or "GBP"
            money = f"£{amount:,.2f}".replace(".00", "") if currency == "GBP" else \
                f"{amount:,.2f} {currency}"
            parts.append(f"{label}: {money}" if label else money)
        elif label:
            parts.append(label)
        if option.get("amount_description"):
            parts[-1] += f" ({option['amount_description']})"
    if not parts and data.get("fees"):
        parts.append(str(data["fees"]))
    return "; ".join(dict.fromkeys(parts)) or "Ask the service"


def last_checked(data: dict) -> date | None:
    """When the listing was last checked: its assured date, else when it last changed."""
    for key in ("assured_date", "last_modified"):
        value = data.get(key)
        if value:
            try:
                return date.fromisoformat(str(value)[:10])
            except ValueError:
                continue
    return None
