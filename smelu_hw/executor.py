"""One executor for scale-out: local processes, or the workers of a Dask distributed scheduler.

Both are :class:`concurrent.futures.Executor`, so a caller submits top-level functions of an
importable module and collects futures the same way whichever runs them. The Dask path needs
the ``cluster`` extra (``pip install 'smelu_hw[cluster]'``) and workers that can import
``smelu_hw`` and run its tools.
"""

from __future__ import annotations

import concurrent.futures
import contextlib
import os
from collections.abc import Iterator

__all__ = ["CONNECT_TIMEOUT", "connect_timeout", "open_executor"]

#: Seconds to wait for a Dask scheduler before giving up, unless ``$SMELU_CONNECT_TIMEOUT``
#: says otherwise: long enough for a scheduler across a network, short enough that a wrong
#: address is reported promptly (Dask's own default is 30 s).
CONNECT_TIMEOUT = 10.0

MISSING_EXTRA = "--cluster needs the 'cluster' extra: pip install 'smelu_hw[cluster]'"


def connect_timeout() -> float:
    """Seconds to wait for a Dask scheduler: ``$SMELU_CONNECT_TIMEOUT`` as it is set now, else
    :data:`CONNECT_TIMEOUT`.

    Raises
    ------
    ValueError
        If ``$SMELU_CONNECT_TIMEOUT`` is not a positive number of seconds (one line).
    """
    value = os.environ.get("SMELU_CONNECT_TIMEOUT")
    if value is None:
        return CONNECT_TIMEOUT
    try:
        seconds = float(value)
    except ValueError:
        seconds = 0.0
    if not seconds > 0:
        raise ValueError(f"SMELU_CONNECT_TIMEOUT must be a positive number of seconds, not {value!r}")
    return seconds


@contextlib.contextmanager
def open_executor(jobs: int = 1, cluster: str | None = None) -> Iterator[concurrent.futures.Executor]:
    """Open an executor for independent jobs; shut it down (and disconnect) on exit.

    Parameters
    ----------
    jobs : int, optional
        Worker processes of the local pool. Ignored with ``cluster``, whose scheduler decides
        how many tasks run at once.
    cluster : str or None, optional
        Address of a running Dask distributed scheduler, e.g. ``tcp://127.0.0.1:8786``.
        ``None`` runs the jobs in a local :class:`~concurrent.futures.ProcessPoolExecutor`
        with the platform's default start method.

    Yields
    ------
    concurrent.futures.Executor
        The local process pool, or the ``concurrent.futures`` view of a
        :class:`distributed.Client`. Every submission runs, even one equal to an earlier one
        (``pure=False``), as in a process pool.

    Raises
    ------
    ValueError
        ``cluster`` is given but :mod:`distributed` is not installed, or the address is
        malformed or no scheduler answers there within :func:`connect_timeout` seconds, or
        ``$SMELU_CONNECT_TIMEOUT`` is not a number of seconds. The message is one line.
    """
    if cluster is None:
        with concurrent.futures.ProcessPoolExecutor(max_workers=jobs) as pool:
            yield pool
        return
    try:
        import distributed
        from distributed.comm import get_address_host_port
    except ImportError:
        raise ValueError(MISSING_EXTRA) from None
    timeout = connect_timeout()
    try:
        # A malformed address fails here: inside Client() it would leave a half-made client
        # whose finalizer blocks interpreter exit for 20 s.
        get_address_host_port(cluster)
        client = distributed.Client(cluster, timeout=timeout, set_as_default=False)
    except (OSError, ValueError, distributed.TimeoutError) as error:  # asyncio's: no OSError on 3.10
        reason = " ".join(str(error).split()) or type(error).__name__
        raise ValueError(f"cannot reach the Dask scheduler at {cluster!r}: {reason}") from None
    try:
        executor = client.get_executor(pure=False)
        try:
            yield executor
        finally:
            executor.shutdown(wait=True)
    finally:
        client.close()
