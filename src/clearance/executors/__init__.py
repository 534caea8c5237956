"""Where collection units run: the local thread pool (default) or an existing Dask cluster.

``local`` runs units on the scan's own thread pool; ``dask://HOST:PORT`` (``dask+tls://HOST:PORT`` with Dask's
TLS configuration) runs them on the workers of a Dask scheduler. A library caller can also pass an
:class:`Executor` it opened itself, e.g. ``DaskExecutor(gateway_cluster.get_client())``. See docs/distributed.md.
"""

from __future__ import annotations

from collections.abc import Iterator
from concurrent.futures import Executor as FuturesExecutor
from contextlib import contextmanager

from ..errors import UsageError
from .interface import Completed, Executor, UnitResult, WorkUnit, run_unit
from .local import LocalExecutor

__all__ = [
    "Completed",
    "Executor",
    "ExecutorSpec",
    "LocalExecutor",
    "UnitResult",
    "WorkUnit",
    "open_executor",
    "parse_spec",
    "run_unit",
]

ExecutorSpec = str | Executor
"""``local``, ``dask://HOST:PORT``, ``dask+tls://HOST:PORT``, or an executor the caller opened."""

LOCAL = "local"
_SCHEMES = {"dask://": "tcp://", "dask+tls://": "tls://"}


def parse_spec(spec: str) -> str | None:
    """The Dask scheduler address a spec names, or None for ``local``; a malformed spec is a usage error."""
    if spec == LOCAL:
        return None
    for scheme, comm in _SCHEMES.items():
        if spec.startswith(scheme):
            host, sep, port = spec.removeprefix(scheme).rpartition(":")
            if host and sep and port.isdigit() and 0 < int(port) < 65536:
                return f"{comm}{host}:{port}"
    raise UsageError(f"executor {spec!r}: expected local, dask://HOST:PORT or dask+tls://HOST:PORT")


@contextmanager
def open_executor(spec: ExecutorSpec, local_pool: FuturesExecutor) -> Iterator[Executor]:
    """The executor ``spec`` names, closed on exit if opened here; ``local`` runs units on ``local_pool``."""
    if isinstance(spec, Executor):
        yield spec
        return
    address = parse_spec(spec)
    if address is None:
        yield LocalExecutor(local_pool)
        return
    from .dask import DaskExecutor

    with DaskExecutor.connect(address) as executor:
        yield executor
