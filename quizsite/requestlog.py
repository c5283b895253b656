"""One structured (JSON) log line per request: who, what, how long; never secrets or answers."""

import json
import logging
import time

logger = logging.getLogger("quizsite.requests")


class RequestLogMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        started = time.perf_counter()
        response = self.get_response(request)
        match = getattr(request, "resolver_match", None)
        record = {
            "event": "request",
            "method": request.method,
            "path": request.path,
            "view": match.view_name if match else None,
            "status": response.status_code,
            "ms": round((time.perf_counter() - started) * 1000, 1),
            "user_id": request.user.pk if getattr(request, "user", None) else None,
            "htmx": bool(getattr(request, "htmx", False)),
        }
        if match and match.namespace == "interviews" and "pk" in match.kwargs:
            record["interview_id"] = match.kwargs["pk"]
        if match and match.namespace == "teams" and "pk" in match.kwargs:
            record["team_id"] = match.kwargs["pk"]
        level = logging.WARNING if response.status_code >= 500 else logging.INFO
        logger.log(level, json.dumps(record, ensure_ascii=False))
        return response
