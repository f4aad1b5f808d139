"""Pointing this test process's Celery app at another broker, for tests that
queue for real instead of running tasks inline."""

import contextlib
import socket

from crm_project.celery import app

_UNSET = object()


def use_broker(**conf) -> dict:
    """Point this process's Celery app at ``conf``; returns what to pass back to
    undo it. Undoing removes our values from the app's own layer again, so the
    Django settings (which tests may change) decide once more. The app's pools are
    only forgotten, not closed: kombu keeps them in a registry by broker URL, and
    other tests go on using the one for the old URL."""
    app.conf.broker_url  # noqa: B018 - load the configuration first: until then `changes` proxies all of it
    changes = app.conf.changes
    old = {key: changes.get(key, _UNSET) for key in conf}
    for key, value in conf.items():
        if value is _UNSET:
            changes.pop(key, None)
        else:
            changes[key] = value
    app._pool = None
    app.amqp._producer_pool = None
    return old


def closed_port() -> int:
    """A loopback port nothing listens on (bound, then released)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextlib.contextmanager
def dead_broker():
    """Queueing goes to a Redis URL on a closed port: every publish is refused."""
    url = f"redis://127.0.0.1:{closed_port()}/0"
    old = use_broker(task_always_eager=False, broker_url=url, broker_transport_options={})
    try:
        yield url
    finally:
        use_broker(**old)
