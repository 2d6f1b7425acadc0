"""A statement PostgreSQL plans once a connection rather than once a request.

The navigation's counts run on every page: one statement whose parts carry the reader's scope as
subqueries, which PostgreSQL takes longer to plan than to run (a supervisor's: 17 ms planned, 8 ms
run). Django binds parameters in the client, so each request sends new text and is planned anew; this
cursor binds them on the server and prepares the statement, which the connection (kept between
requests, CONN_MAX_AGE) then runs with the plan PostgreSQL keeps once its generic plan is as good.

Only for statements chosen for it: a generic plan cannot use a partial index whose condition the
parameters decide (status IN (...), rule = 'R1'), which many of the pages' queries rely on (the
director's renewal figures ran 10 → 38 ms with every statement prepared). Prepared statements need a
direct connection or a session-mode pooler, as docker-compose.yml has.
"""

from contextlib import contextmanager

import psycopg
from django.db import connections
from django.db.backends.utils import CursorDebugWrapper, CursorWrapper


class _PreparingCursor(psycopg.Cursor):
    def execute(self, query, params=None, *, prepare=None, binary=None):
        return super().execute(query, params, prepare=True, binary=binary)


class _LoggedWithValues(CursorDebugWrapper):
    """Logs the statement with its values written in, as the queries Django binds itself are logged
    (a prepared statement leaves the driver no text of its own to read)."""

    def execute(self, sql, params=None):
        with self.debug_sql(self.db.ops.compose_sql(sql, params), params):
            return CursorWrapper.execute(self, sql, params)


@contextmanager
def prepared_cursor(using: str = "default"):
    """A cursor of the connection `using` that prepares what it runs (PostgreSQL), else a plain one;
    wrapped as Django's own, so its queries are logged and counted alike."""
    connection = connections[using]
    with connection.cursor() as plain:  # the connection opened and checked, as for any query
        if connection.vendor != "postgresql":
            yield plain
            return
        raw = _PreparingCursor(connection.connection)
        logged = connection.queries_logged  # DEBUG, or a test counting queries
        with _LoggedWithValues(raw, connection) if logged else connection.make_cursor(raw) as cursor:
            yield cursor
