"""Per-user rate limits, far above human speed, against scripted abuse.

A fixed window counter in the shared cache (Redis in production, so every app server counts
together). Limits come from settings.RATE_LIMITS: {name: (requests, seconds)}.
"""

import functools
import hashlib
import logging
import os
import threading
import time

from django.conf import settings
from django.core.cache import cache, caches
from django.core.cache.backends.redis import RedisCache
from django.shortcuts import render

logger = logging.getLogger(__name__)

MESSAGE = "请求过于频繁,请 {wait} 秒后再试。Too many requests: try again in {wait} seconds."


# One command: the counter and, when it is new, its expiry, atomically (Redis runs a script
# whole). Sent as EVALSHA, so only the script's digest travels after its first use.
COUNT_SCRIPT = """
local count = redis.call('INCR', KEYS[1])
if count == 1 then redis.call('EXPIRE', KEYS[1], ARGV[1]) end
return count
"""
COUNT_SHA = hashlib.sha1(COUNT_SCRIPT.encode()).hexdigest()


class _Counters(threading.local):
    """Each thread's own connection from the cache's Redis pool, kept for the process's life.

    Every answer and draft counts itself here, so the call is kept short: redis-py's client
    takes a pooled connection and gives it back around each command, and Django's cache API
    builds a client object on each call (together about 60 µs of CPU a count; the command
    itself about 35 µs). The connection is redis-py's own (protocol, parsing, reconnecting).
    It is renewed in a forked child, which must not share its parent's socket, and when the
    cache's pool is another (other settings: another server or database).
    """

    connection = None
    pool = None
    pid = 0

    def count(self, backend: RedisCache, key: str, window: int) -> int:
        # redis-py is imported by the cache backend on its first use, not before (a site
        # without Redis never loads it); here it is loaded already, so this is a lookup.
        from redis.exceptions import ConnectionError, TimeoutError

        pool = backend._cache._get_connection_pool(True)
        if self.pool is not pool or self.pid != os.getpid():
            if self.connection is not None and self.pid == os.getpid():
                self.connection.disconnect()
            self.connection, self.pool, self.pid = pool.make_connection(), pool, os.getpid()
        try:
            return self._evalsha(key, window)
        except (ConnectionError, TimeoutError):
            # Redis restarted or the connection went stale: once more on a new connection.
            self.connection.disconnect()
        try:
            return self._evalsha(key, window)
        except (ConnectionError, TimeoutError) as error:
            # Redis is down: the request goes through uncounted. A guard against scripts must
            # not turn away the answers and drafts it guards (they would be lost).
            self.connection.disconnect()
            logger.warning("rate limit not counted, Redis is unavailable: %s", error)
            return 0

    def _evalsha(self, key: str, window: int) -> int:
        from redis.exceptions import NoScriptError

        connection = self.connection
        connection.send_command("EVALSHA", COUNT_SHA, 1, key, window)
        try:
            return connection.read_response()
        except NoScriptError:  # Redis restarted, or SCRIPT FLUSH: send the script itself
            connection.send_command("EVAL", COUNT_SCRIPT, 1, key, window)
            return connection.read_response()


_counters = _Counters()


def _count(key: str, window: int) -> int:
    """Count one request in the window's counter and return the count.

    With Redis: one round trip (the script above). Other caches: add(), then incr().
    """
    backend = caches["default"]
    if isinstance(backend, RedisCache):
        return _counters.count(backend, backend.make_and_validate_key(key), window + 1)
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
