"""Database connections in background work.

A worker keeps its connection between tasks. After a PostgreSQL restart that connection is
dead, and anything run on it fails, the error handler of a failed task included. Tasks call
`close_unusable_connections` before their work, after it and in their failure paths: a
connection that saw an error and no longer answers (or is past CONN_MAX_AGE) is closed, and
the next query opens a new one.
"""

from django.db import connections


def close_unusable_connections() -> None:
    """Close each open connection that is broken or too old; never one inside a transaction
    (a task run inline in a request or a test keeps the caller's)."""
    for connection in connections.all(initialized_only=True):
        if not connection.in_atomic_block:
            connection.close_if_unusable_or_obsolete()
