"""Queueing Celery work so that a dead broker loses nothing and fails nobody.

Every task the project queues from a request or a service belongs to a row that
is already stored (an intake event, a queued import, a marketing spend day, a
delivery due again). The row is the truth; the broker message is only a nudge.
So queueing never raises: when the broker cannot be reached the failure is
logged and the row waits for its beat safety net (``intake-requeue-stale-events``,
``import-requeue-stale-runs``, the analytics rollup of re-entered days, the
reminder pass every minute), which queues it again once the broker is back.

Use ``enqueue_on_commit`` for every task started from inside a write: the
worker must not run before the row it reads is committed.
"""

import logging

from django.db import transaction
from kombu.exceptions import OperationalError

logger = logging.getLogger(__name__)

# A web request must not hang on an unreachable broker: a couple of quick tries, then give up.
PUBLISH_RETRY_POLICY = {"max_retries": 2, "interval_start": 0, "interval_step": 0.2, "interval_max": 0.5}

BROKER_DOWN = "Broker unreachable, %s%s not queued (the stored row waits for its safety net): %s"


def enqueue(task, *args, **kwargs) -> bool:
    """Queue ``task(*args, **kwargs)`` now; False (and an error log line) when the
    broker cannot be reached. Errors of a task run inline (eager mode) still raise."""
    try:
        task.apply_async(args=args, kwargs=kwargs, retry=True, retry_policy=PUBLISH_RETRY_POLICY)
    except (OperationalError, OSError) as exc:
        logger.error(BROKER_DOWN, task.name, args, exc.__class__.__name__ + f": {exc}")
        return False
    return True


def enqueue_on_commit(task, *args, **kwargs) -> None:
    """Queue ``task`` once the current transaction commits (at once outside one).
    Arguments are bound now, so a loop queues each id, not the last one.

    Robust: whatever happens while queueing is logged and never reaches the
    caller, whose write is committed anyway. In production the task runs on a
    worker and cannot fail the request; with tasks run inline (tests, eager
    mode) the same holds, and the task's outcome is visible on its row."""

    def enqueue_task():
        enqueue(task, *args, **kwargs)

    # Django names a failing robust callback by its __qualname__ (a partial has none,
    # and the error logging itself would then raise).
    enqueue_task.__qualname__ = f"enqueue[{task.name}]"
    transaction.on_commit(enqueue_task, robust=True)
