"""Which links may be stored, shown and published: plain Python, no Django.

A link from a feed or a form becomes an `href` on our pages and a URL in the Open Referral API
that other directories import. Only an absolute http(s) address with a host is a link; anything
else (`javascript:`, `data:`, `vbscript:`, a scheme hidden behind whitespace, control characters
or mixed case, `javascript://host/%0a...`) is refused on import and never rendered or published.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

# Keys that hold a web address in Open Referral records (and the extra ones we publish).
URL_KEYS = frozenset({"url", "website", "logo", "uri", "term_uri", "schedule_link"})
# Whitespace, control characters, and invisible format characters anywhere in the address: a
# browser strips or ignores some of them, so "java\tscript:" or "\x01javascript:" could still run.
_UNSAFE_CHARS = re.compile(r"[\x00-\x20\x7f-\x9f\u00ad\u200b-\u200f\u2028-\u202e\u2060-\u206f\ufeff]")
MAX_URL_LENGTH = 2000
# A host name (letters, digits, dots, hyphens, underscores; not only dots) and optional port, or an
# IPv6 address in brackets. Browsers accept labels that DNS would not, so this is only as strict
# as safety needs.
_HOST = re.compile(r"^(?:(?=[^.]*[a-z0-9])[a-z0-9._-]+|\[[0-9a-f:.]+\])(?::\d{1,5})?$", re.IGNORECASE)


def is_safe_url(value) -> bool:
    """True only for an absolute http:// or https:// address with a proper host name."""
    if not isinstance(value, str) or not value or len(value) > MAX_URL_LENGTH:
        return False
    if _UNSAFE_CHARS.search(value) or "\\" in value:
        return False
    try:
        parts = urlsplit(value)
    except ValueError:
        return False
    if parts.scheme not in ("http", "https") or not value.lower().startswith(parts.scheme + "://"):
        return False
    host = parts.netloc.rsplit("@", 1)[-1]
    if "@" in parts.netloc or not host or not _HOST.match(host):
        return False
    return True


def has_unsafe_chars(value: str) -> bool:
    return bool(_UNSAFE_CHARS.search(value))


def safe_url(value) -> str:
    """The address if it is safe to link to, else ""."""
    return value if is_safe_url(value) else ""


def unsafe_links(obj, path: str = "") -> list[tuple[str, str]]:
    """Every (where, value) in a JSON document whose key holds a web address that is not safe."""
    found: list[tuple[str, str]] = []
    if isinstance(obj, dict):
        for key, value in obj.items():
            where = f"{path}.{key}" if path else str(key)
            if key in URL_KEYS and value not in (None, "") and not is_safe_url(value):
                found.append((where, value if isinstance(value, str) else repr(value)))
            elif isinstance(value, (dict, list)):
                found += unsafe_links(value, where)
    elif isinstance(obj, list):
        for index, value in enumerate(obj):
            found += unsafe_links(value, f"{path}[{index}]")
    return found


def without_unsafe_links(obj):
    """A copy of a JSON document with every unsafe web address removed (for publishing)."""
    if isinstance(obj, dict):
        return {k: without_unsafe_links(v) for k, v in obj.items()
                if not (k in URL_KEYS and v not in (None, "") and not is_safe_url(v))}
    if isinstance(obj, list):
        return [without_unsafe_links(v) for v in obj]
    return obj
