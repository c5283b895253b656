"""Per-user rate limits, far above human speed, against scripted abuse.

A fixed window counter in the shared cache (Redis in production, so every app server counts
together). Limits come from settings.RATE_LIMITS: {name: (requests, seconds)}.
"""

import functools
import time

from django.conf import settings
from django.core.cache import cache, caches
from django.core.cache.backends.redis import RedisCache
from django.shortcuts import render

MESSAGE = "请求过于频繁,请 {wait} 秒后再试。Too many requests: try again in {wait} seconds."


# One command: the counter and, when it is new, its expiry, atomically (Redis runs a script
# whole). Sent as EVALSHA, so only the script's digest travels after its first use.
COUNT_SCRIPT = """
local count = redis.call('INCR', KEYS[1])
if count == 1 then redis.call('EXPIRE', KEYS[1], ARGV[1]) end
return count
"""


def _redis_counter(backend: RedisCache):
    """The counting script bound to the backend's Redis client, built once per backend: the
    cache API builds a new client object on every call (0.2 ms, as long as the round trip)."""
    client = backend._cache
    script = client.__dict__.get("_rate_limit_script")
    if script is None:
        script = client.get_client(write=True).register_script(COUNT_SCRIPT)
        client.__dict__["_rate_limit_script"] = script
    return script


def _count(key: str, window: int) -> int:
    """Count one request in the window's counter and return the count.

    With Redis: one round trip (the script above). Other caches: add(), then incr().
    """
    backend = caches["default"]
    if isinstance(backend, RedisCache):
        name = backend.make_and_validate_key(key)
        return _redis_counter(backend)(keys=[name], args=[window + 1])
    if cache.add(key, 1, timeout=window + 1):
        return 1
    try:
        return cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.add(key, 1, timeout=window + 1)
        return 1


def is_allowed(name: str, user_id: int) -> tuple[bool, int]:
    limit, window = settings.RATE_LIMITS[name]
    bucket = int(time.time() // window)
    count = _count(f"rl:{name}:{user_id}:{bucket}", window)
    wait = window - int(time.time()) % window
    return count <= limit, wait


def rate_limited(name: str):
    """Answer 429 with a clear message when the signed-in user goes over the limit."""

    def decorator(view):
        @functools.wraps(view)
        def wrapper(request, *args, **kwargs):
            if request.method == "POST" and request.user.is_authenticated:
                allowed, wait = is_allowed(name, request.user.pk)
                if not allowed:
                    response = render(
                        request,
                        "interviews/_error.html" if request.htmx else "429.html",
                        {"message": MESSAGE.format(wait=wait)},
                        status=429,
                    )
                    response["Retry-After"] = str(wait)
                    if request.htmx:
                        response["HX-Retarget"] = "#page-errors"
                        response["HX-Reswap"] = "innerHTML"
                    return response
            return view(request, *args, **kwargs)

        return wrapper

    return decorator
