"""The default executor: units on this process's thread pool, as clearance has always run them."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Executor as FuturesExecutor
from concurrent.futures import Future, as_completed
from typing import TypeVar

from .interface import Completed, Executor

T = TypeVar("T")
R = TypeVar("R")


class LocalExecutor(Executor):
    """Runs units on ``pool`` (the scan's bounded unit pool, owned and shut down by whoever made it).

    Units run in this process, so they use the driver's inventory writer, sessions and detail pool directly.
    """

    def __init__(self, pool: FuturesExecutor):
        self.pool = pool

    def map_unordered(self, fn: Callable[[T], R], items: Sequence[T]) -> Iterator[Completed[R]]:
        futures: dict[Future[R], int] = {self.pool.submit(fn, item): i for i, item in enumerate(items)}
        try:
            for future in as_completed(futures):
                try:
                    value = future.result()
                except Exception as exc:
                    yield Completed(futures[future], error=exc)
                else:
                    yield Completed(futures[future], value)
        finally:
            for future in futures:
                future.cancel()
