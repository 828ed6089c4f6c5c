"""The one lock implementation: an exclusive, non-blocking flock on a file that names its holder.

    with held_lock(path, {"pid": ..., "run_id": ...}, busy=lambda holder: LockHeld(f"... {holder.get('pid')}")):
        ...

A second holder fails at once with the exception `busy` makes from what the first one wrote (its pid, run id, start
time), so the message can say who holds it. The kernel releases the lock when the process dies, however it dies;
the file is emptied on a clean release, so a name left in it means the holder was killed (core.runlog reads that).
Used by the ETL's writer lock (etl.publish), the refresh lock (etl.refresh) and the mail senders' lock
(read.mail_state).
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path


def _holder(fd: int) -> dict[str, object]:
    try:
        found = json.loads(os.pread(fd, 4096, 0).decode("utf-8") or "{}")
    except (ValueError, OSError):
        return {}
    return found if isinstance(found, dict) else {}


@contextlib.contextmanager
def held_lock(
    path: Path, info: Mapping[str, object], *, busy: Callable[[dict[str, object]], Exception], mode: int = 0o644
) -> Iterator[None]:
    """Hold `path` for the duration, writing `info` (JSON) into it; raise busy(holder's info) when it is held."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_RDWR | os.O_CREAT, mode)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        holder = _holder(fd)
        os.close(fd)
        raise busy(holder) from None
    try:
        os.ftruncate(fd, 0)
        os.pwrite(fd, json.dumps(dict(info)).encode("utf-8"), 0)
        yield
    finally:
        with contextlib.suppress(OSError):
            os.ftruncate(fd, 0)
        fcntl.flock(fd, fcntl.LOCK_UN)
        os.close(fd)


def lock_held(path: Path) -> bool:
    """Does someone hold `path` now? (A probe: takes the lock for an instant when it is free.)"""
    if not path.exists():
        return False
    fd = os.open(path, os.O_RDONLY)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return True
    else:
        fcntl.flock(fd, fcntl.LOCK_UN)
        return False
    finally:
        os.close(fd)


__all__ = ["held_lock", "lock_held"]
