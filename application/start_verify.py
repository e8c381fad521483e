"""StartVerify: verify stored history in the background (VerifyHistory per instrument), answering with the job."""

from __future__ import annotations

import os
import secrets
from collections.abc import Callable, Mapping

from application.job import ACTIVE, Job, JobItem, JobKind
from application.ports import CandleStore, Clock, JobRepository
from application.verify_history import stored_instruments
from domain.errors import NotFound
from domain.instrument import check_symbol
from domain.market import Exchange, Segment


class StartVerify:
    """Rules: one item per instrument: the one named (it must have stored series, else NotFound), or every stored
    instrument (of `exchange` when given; none stored is NotFound). Each verify costs Kite requests at 3 a second,
    so while a verify of the same instruments is queued or running, that job is the answer, not a second one. The
    job is saved before it runs, so it survives a restart like any other."""

    def __init__(self, jobs: JobRepository, stores: Mapping[Segment, CandleStore], submit: Callable[[str], None],
                 clock: Clock) -> None:
        self._jobs = jobs
        self._stores = stores
        self._submit = submit
        self._clock = clock

    def execute(self, exchange: Exchange | None = None, symbol: str | None = None) -> Job:
        if exchange is not None and symbol is not None:
            symbol = check_symbol(symbol)
            store = self._stores[exchange.segment]
            stored = store.instrument(exchange, symbol) or store.instrument(exchange, symbol.upper())
            if stored is None:
                raise NotFound(f"Nothing stored for {exchange.value}:{symbol}")
            targets = [(exchange, stored.symbol)]
        else:
            targets = stored_instruments(self._stores, exchange)
            if not targets:
                raise NotFound("Nothing stored to verify" + (f" on {exchange.value}" if exchange else ""))
        requests = [{"exchange": e.value, "symbol": s} for e, s in targets]
        for job in self._jobs.with_status(ACTIVE):
            if [i.request for i in job.items if i.kind is JobKind.VERIFY] == requests:
                return job
        now = self._clock.now_ts()
        items = [JobItem(request, request["symbol"], kind=JobKind.VERIFY) for request in requests]
        job = Job(secrets.token_hex(8), now, items, owner_pid=os.getpid(), updated_at=now)
        self._jobs.save(job)
        self._submit(job.id)
        return job
