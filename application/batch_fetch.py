"""BatchFetch: many FetchHistory requests, where one bad item never fails the others."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

from application.context_pool import submit_in_context
from application.fetch_history import FetchHistory, FetchResult
from application.fetch_request import FetchRequest
from domain.errors import AuthRequired, DomainError


@dataclass(frozen=True, slots=True)
class ItemFailure:
    """An item that could not be fetched; `error` says why in domain terms."""

    symbol: str
    error: DomainError


BatchItem = FetchRequest | ItemFailure
ItemOutcome = FetchResult | ItemFailure


@dataclass(frozen=True, slots=True)
class BatchResult:
    results: tuple[ItemOutcome, ...]

    @property
    def total(self) -> int:
        return len(self.results)

    @property
    def successful(self) -> int:
        return sum(1 for r in self.results if isinstance(r, FetchResult))

    @property
    def failed(self) -> int:
        return self.total - self.successful

    @property
    def success_rate(self) -> float:
        return round(100.0 * self.successful / self.total, 1) if self.total else 0.0


ProgressCallback = Callable[[int, ItemOutcome], None]


class BatchFetch:
    """Run each item through FetchHistory and report each outcome as it finishes.

    Rules: items that failed to parse arrive as ItemFailure and are reported, not run; a failing item
    does not stop the others; but a rejected access token stops the whole batch (AuthRequired), since
    every later item would fail the same way. Items run `workers` at a time, each in the caller's context (its
    Kite session token and log fields); results keep input order.
    """

    def __init__(self, fetch_history: FetchHistory, workers: int = 1) -> None:
        self._fetch_history = fetch_history
        self._workers = max(1, workers)

    def execute(self, items: Sequence[BatchItem], on_progress: ProgressCallback | None = None) -> BatchResult:
        def run(index: int, item: BatchItem) -> ItemOutcome:
            outcome: ItemOutcome
            if isinstance(item, ItemFailure):
                outcome = item
            else:
                try:
                    outcome = self._fetch_history.execute(item)
                except AuthRequired:
                    raise
                except DomainError as error:
                    outcome = ItemFailure(item.symbol, error)
            if on_progress:
                on_progress(index, outcome)
            return outcome

        if self._workers == 1 or len(items) < 2:
            return BatchResult(tuple(run(i, item) for i, item in enumerate(items)))
        with ThreadPoolExecutor(max_workers=min(self._workers, len(items)), thread_name_prefix="batch") as pool:
            futures = [submit_in_context(pool, run, i, item) for i, item in enumerate(items)]
            try:
                return BatchResult(tuple(f.result() for f in futures))
            except AuthRequired:
                for f in futures:
                    f.cancel()
                raise
