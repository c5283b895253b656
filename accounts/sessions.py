"""Django's database sessions, read with one prepared statement (quizsite.rows).

Every signed-in request reads its session first; the ORM compiled that query afresh each time.
Writes, expiry and everything else are Django's own (SESSION_ENGINE = "accounts.sessions").
"""

from django.contrib.sessions.backends.db import SessionStore as DatabaseSessionStore
from django.contrib.sessions.models import Session
from django.utils import timezone

from quizsite import rows

LOAD = (
    f"SELECT {rows.columns(Session)} FROM {Session._meta.db_table}"
    " WHERE session_key = %s AND expire_date > %s"
)


class SessionStore(DatabaseSessionStore):
    def _get_session_from_db(self):
        found = rows.fetch(Session, LOAD, [self.session_key, timezone.now()])
        if found:
            return found[0]
        self._session_key = None
        return None
