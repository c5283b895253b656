"""Per-user rate limits, far above human speed, against scripted abuse.

A fixed window counter in the shared cache (Redis in production, so every app server counts
together). Limits come from settings.RATE_LIMITS: {name: (requests, seconds)}.
"""

import functools
import time

from django.conf import settings
from django.core.cache import cache
from django.shortcuts import render

MESSAGE = "请求过于频繁,请 {wait} 秒后再试。Too many requests: try again in {wait} seconds."


def is_allowed(name: str, user_id: int) -> tuple[bool, int]:
    limit, window = settings.RATE_LIMITS[name]
    bucket = int(time.time() // window)
    key = f"rl:{name}:{user_id}:{bucket}"
    if cache.add(key, 1, timeout=window + 1):
        count = 1
    else:
        try:
            count = cache.incr(key)
        except ValueError:  # expired between add and incr
            cache.add(key, 1, timeout=window + 1)
            count = 1
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
