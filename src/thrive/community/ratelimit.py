"""A small fixed-window request counter in Django's cache, for the public join pages. The key is a
keyed hash of the address, kept only in the cache for one window: no address is ever written to
the database."""

import hashlib
import hmac
import time

from django.conf import settings
from django.core.cache import cache

from . import conf


def _client_key(request) -> str:
    address = request.META.get("REMOTE_ADDR", "")
    digest = hmac.new(settings.SECRET_KEY.encode(), address.encode(), hashlib.sha256)
    return digest.hexdigest()[:32]


def allow(request, bucket: str = "join") -> bool:
    """Count this request; False once the address has made more than the limit this window."""
    limit, window = conf.join_rate_limit()
    key = f"community-rl:{bucket}:{_client_key(request)}:{int(time.time() // window)}"
    if cache.add(key, 1, timeout=window + 1):
        return True
    try:
        count = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.add(key, 1, timeout=window + 1)
        return True
    return count <= limit
