"""Units on an existing Dask cluster (``dask.distributed``), for estates that outgrow one machine.

Dask is imported only when this executor is opened (the ``dask`` extra). Each unit runs on a worker as a
:class:`~clearance.executors.interface.WorkUnit`; the scheduler retries a unit whose worker died, and a unit that
still fails comes back as an error for the driver to record as a FAILED listing. See docs/distributed.md.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from typing import Any, TypeVar

from ..errors import UsageError
from .interface import Completed, Executor

T = TypeVar("T")
R = TypeVar("R")

CONNECT_TIMEOUT = 30.0
"""Seconds to wait for the scheduler before giving up with a usage error."""


class DaskExecutor(Executor):
    """Runs units as tasks of a ``dask.distributed.Client``.

    Built with :meth:`connect` from an address (the executor owns that client and closes it), or around a client
    the caller already has — a Dask Gateway cluster's ``cluster.get_client()`` — which stays open.
    """

    remote = True

    def __init__(self, client: Any, *, owned: bool = False):
        self.client = client
        self._owned = owned

    @classmethod
    def connect(cls, address: str, *, timeout: float = CONNECT_TIMEOUT) -> DaskExecutor:
        """A client of the scheduler at ``address`` (``tcp://HOST:PORT`` or ``tls://HOST:PORT``)."""
        try:
            from dask.distributed import Client
        except ImportError:
            raise UsageError("the Dask executor needs the 'dask' extra: pip install 'clearance[dask]'") from None
        try:
            client = Client(address, timeout=timeout, set_as_default=False)  # type: ignore[no-untyped-call]
        except (OSError, TimeoutError) as exc:
            raise UsageError(f"executor: cannot reach the Dask scheduler at {address}: {exc}") from None
        return cls(client, owned=True)

    def map_unordered(self, fn: Callable[[T], R], items: Sequence[T]) -> Iterator[Completed[R]]:
        from dask.distributed import as_completed

        futures = self.client.map(fn, list(items), pure=False)
        index = {future.key: i for i, future in enumerate(futures)}
        try:
            for future in as_completed(futures, loop=self.client.loop):  # type: ignore[no-untyped-call]
                try:
                    value = future.result()
                except (KeyboardInterrupt, SystemExit):
                    raise
                except BaseException as exc:  # a cancelled task raises CancelledError: that unit failed
                    yield Completed(index[future.key], error=exc)
                else:
                    yield Completed(index[future.key], value)
                future.release()  # the worker may drop the result now that the driver has it
        finally:
            pending = [f for f in futures if not f.done()]
            if pending:
                self.client.cancel(pending)

    def close(self) -> None:
        if self._owned:
            self.client.close()
