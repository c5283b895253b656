"""The numbers behind the statistics, as pure functions.

Shared by the incremental write path, the full recomputation (whose SQL mirrors them) and the
pages, so the three agree by construction.
"""

from __future__ import annotations

import math
import zoneinfo
from datetime import date, datetime, timedelta

# Recent answers say more about what a candidate knows now: an answer's weight halves every
# 30 days. The mastery estimate uses the decayed weights as its amount of evidence.
HALF_LIFE = timedelta(days=30)
# One-sided 95 %: the mastery estimate is the score the candidate beats with 95 % confidence.
CONFIDENCE_Z = 1.645


def decay(elapsed: timedelta) -> float:
    """The weight left to an answer given `elapsed` ago."""
    return 0.5 ** (elapsed.total_seconds() / HALF_LIFE.total_seconds())


def decay_sql(elapsed: str) -> str:
    """`decay` in SQL, for an interval expression."""
    seconds = HALF_LIFE.total_seconds()
    return f"power(0.5::float8, (extract(epoch FROM {elapsed}) / {seconds})::float8)"


def wilson_lower_bound(successes: float, trials: float, z: float = CONFIDENCE_Z) -> float:
    """Wilson score interval's lower bound, for fractional successes (scores in 0..1).

    Treating a score as a fractional success keeps the Bernoulli variance p(1-p), an upper bound
    for the variance of scores with mean p: the bound errs on the cautious side.
    """
    if trials <= 0:
        return 0.0
    p = min(1.0, max(0.0, successes / trials))
    z2 = z * z
    centre = p + z2 / (2 * trials)
    margin = z * math.sqrt(p * (1 - p) / trials + z2 / (4 * trials * trials))
    return max(0.0, (centre - margin) / (1 + z2 / trials))


def mastery(recent_score: float, recent_weight: float, as_of: datetime | None, now) -> float:
    """Mastery of a topic at `now`: the Wilson lower bound of its decayed answers.

    Decaying both sums by the time since the last answer keeps the mean and lowers the amount
    of evidence: the estimate drifts down while a topic is not practised.
    """
    if as_of is None or recent_weight <= 0:
        return 0.0
    factor = decay(max(now - as_of, timedelta(0)))
    return wilson_lower_bound(recent_score * factor, recent_weight * factor)


def week_start(moment: datetime, tz: zoneinfo.ZoneInfo) -> date:
    """The Monday of the week `moment` falls in, in the user's time zone."""
    local = moment.astimezone(tz).date()
    return local - timedelta(days=local.weekday())
