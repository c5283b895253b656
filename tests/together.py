"""Requests sent at the same moment, for tests of concurrent writes."""

import threading

from django.db import connection


def post_together(requests):
    """Send each (client, path, data) at the same moment from its own thread (so its own
    database connection); the responses, in order."""
    barrier = threading.Barrier(len(requests), timeout=30)
    responses = [None] * len(requests)

    def send(index, client, path, data):
        try:
            barrier.wait()
            responses[index] = client.post(path, data)
        finally:
            connection.close()

    threads = [
        threading.Thread(target=send, args=(i, *request)) for i, request in enumerate(requests)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return responses


def statuses_together(requests) -> list[int]:
    """post_together's responses' status codes."""
    return [response.status_code for response in post_together(requests)]
