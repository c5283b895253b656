"""The rate limit's counter in Redis, as production runs it (REDIS_URL): one round trip."""

import time

import pytest
from django.core.cache import caches
from django.test import override_settings

from quizsite import ratelimit

REDIS = {
    "default": {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": "redis://127.0.0.1:6379/14",
        "KEY_PREFIX": "ratelimit-test",
    }
}


@pytest.fixture
def redis_cache():
    with override_settings(CACHES=REDIS, RATE_LIMITS={"answer": (3, 60)}):
        cache = caches["default"]
        try:
            cache.clear()
        except Exception as error:  # the service is part of the machine, as in CI
            pytest.fail(f"Redis at 127.0.0.1:6379 is needed for this test: {error}")
        yield cache
        cache.clear()


def test_the_fourth_request_in_the_window_is_refused_and_the_counter_expires(redis_cache):
    allowed = [ratelimit.is_allowed("answer", user_id=7)[0] for _ in range(4)]
    assert allowed == [True, True, True, False]
    # Another user has a counter of their own.
    assert ratelimit.is_allowed("answer", user_id=8)[0]
    # The counter is an ordinary cache value with the window's expiry.
    (key,) = list(redis_cache._cache.get_client().keys("*rl:answer:7:*"))
    assert redis_cache._cache.get_client().ttl(key) in range(1, 62)
    assert redis_cache.get(key.decode().split(":", 2)[2]) == 4


def test_counting_goes_on_after_redis_forgets_the_script(redis_cache):
    """Redis restarted (or SCRIPT FLUSH): the counter's script is sent again, nothing fails."""
    assert ratelimit.is_allowed("answer", user_id=9)[0]
    redis_cache._cache.get_client().script_flush()
    allowed = [ratelimit.is_allowed("answer", user_id=9)[0] for _ in range(3)]
    assert allowed == [True, True, False]


def test_counting_goes_on_after_redis_drops_the_connection(redis_cache):
    """Redis restarted, or closed an idle connection: the count is sent again on a new one."""
    assert ratelimit.is_allowed("answer", user_id=10)[0]
    connection = ratelimit._counters.connection
    connection.send_command("CLIENT", "ID")
    redis_cache._cache.get_client().client_kill_filter(_id=connection.read_response())
    allowed = [ratelimit.is_allowed("answer", user_id=10)[0] for _ in range(3)]
    assert allowed == [True, True, False]
    assert redis_cache.get(f"rl:answer:10:{int(time.time() // 60)}") == 4


def test_each_redis_server_counts_on_its_own_connection(redis_cache):
    """Settings naming another Redis database: the counter goes there, not to the first one."""
    assert ratelimit.is_allowed("answer", user_id=11)[0]
    other = {"default": {**REDIS["default"], "LOCATION": "redis://127.0.0.1:6379/15"}}
    with override_settings(CACHES=other):
        caches["default"].clear()
        assert [ratelimit.is_allowed("answer", user_id=11)[0] for _ in range(3)] == [True] * 3
        assert caches["default"].get(f"rl:answer:11:{int(time.time() // 60)}") == 3
        caches["default"].clear()
    assert redis_cache.get(f"rl:answer:11:{int(time.time() // 60)}") == 1


def test_with_redis_down_requests_go_through_uncounted(caplog):
    """Nothing listens at the configured address: every request is allowed, with a warning,
    rather than failing (an answer or a draft refused for that would be lost)."""
    down = {"default": {**REDIS["default"], "LOCATION": "redis://127.0.0.1:1/0"}}
    with override_settings(CACHES=down, RATE_LIMITS={"answer": (1, 60)}):
        allowed = [ratelimit.is_allowed("answer", user_id=12)[0] for _ in range(3)]
    assert allowed == [True, True, True]
    assert "Redis is unavailable" in caplog.text


@pytest.mark.django_db
def test_a_draft_is_saved_while_redis_is_down(start_interview, candidate, candidate_client):
    interview = start_interview(candidate, count=1)
    down = {"default": {**REDIS["default"], "LOCATION": "redis://127.0.0.1:1/0"}}
    with override_settings(CACHES=down):
        saved = candidate_client.post(
            f"/interviews/{interview.pk}/q/1/draft/", {"answer": "草稿"}, HTTP_HX_REQUEST="true"
        )
    assert saved.status_code == 200
    assert interview.responses.get(position=0).draft_text == "草稿"
