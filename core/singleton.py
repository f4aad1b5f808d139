"""Process-wide locks for roles that must run exactly once (Celery beat).

On PostgreSQL a session advisory lock held on a connection of its own for the
life of the process: a second holder anywhere (another machine too) is refused,
and the lock goes away by itself when the holder dies (its connection closes),
so a crashed beat never blocks its replacement. On SQLite (one machine,
development) an exclusive lock on a file under var/.
"""

import fcntl
import hashlib
import logging
from pathlib import Path

from django.conf import settings
from django.db import connections

logger = logging.getLogger(__name__)

_held = {}  # name -> the connection or open file that holds the lock


def _key(name: str) -> int:
    """A stable signed 64-bit advisory-lock key for ``name``."""
    return int.from_bytes(hashlib.sha256(f"crm:{name}".encode()).digest()[:8], "big", signed=True)


def hold_lock(name: str) -> bool:
    """Take the lock ``name`` for the rest of this process; False if another process holds it."""
    if name in _held:
        return True
    if connections["default"].vendor == "postgresql":
        connection = connections.create_connection("default")
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_try_advisory_lock(%s)", [_key(name)])
            (taken,) = cursor.fetchone()
        if not taken:
            connection.close()
            return False
        _held[name] = connection
        return True
    path = Path(settings.BASE_DIR) / "var" / f"{name}.lock"
    path.parent.mkdir(parents=True, exist_ok=True)
    handle = path.open("w")
    try:
        fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        handle.close()
        return False
    _held[name] = handle
    return True
