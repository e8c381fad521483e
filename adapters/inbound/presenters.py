"""Use-case results as the API's JSON bodies; the CLI's --json prints the very same dicts."""

from __future__ import annotations

import functools
from datetime import date, timedelta
from typing import TYPE_CHECKING

from adapters.shapes import adjustments_shape, day_counts_body, event_body, gaps_shape
from adapters.shapes import when as _when
from domain.clock_time import DAY, IST_OFFSET_SECONDS, ist_date, to_datetime
from domain.errors import DomainError
from domain.interval import Interval
from domain.market import Exchange

if TYPE_CHECKING:  # the CLI's queries use these bodies without importing the fetch use cases (and structlog)
    from application.batch_fetch import BatchResult, ItemFailure
    from application.fetch_history import FetchResult
    from application.fetch_record import FetchRecord
    from application.find_gaps import SeriesGaps
    from application.job import Job
    from application.ports import SeriesInfo, StoreDescription, StoredInstrument
    from application.resolve_tracked import Resolution
    from application.sync_series import SyncStarted
    from application.sync_summary import Skipped
    from application.tracked import Tracked
    from application.verify_history import VerifyResult
    from domain.instrument import Instrument, SeriesKey


def error_body(error: DomainError | str, error_type: str | None = None, **extra: object) -> dict:
    if isinstance(error, DomainError):
        message, kind = error.message, error.error_type
    else:
        message, kind = error, error_type or "unknown"
    return {"success": False, "error": message, "error_type": kind, **extra}


def fetch_body(result: FetchResult) -> dict:
    body = {
        "success": True,
        "symbol": result.symbol,
        "exchange": result.exchange.value,
        "interval": result.interval.value,
        "records": result.records,
        "rejected": result.rejected,
        "requests": result.requests,
        "date_range": str(result.date_range),
        "elapsed_seconds": result.elapsed_seconds,
        "warnings": list(result.warnings),
    }
    if result.adjustments:
        body["adjustments"] = [event_body(e) for e in result.adjustments]
    if result.rejected_reasons:
        body["rejected_reasons"] = dict(result.rejected_reasons)
    if result.out_of_session:
        body["out_of_session"] = day_counts_body(result.out_of_session)
    if result.message:
        body["message"] = result.message
    return body


def fetch_record_body(record: FetchRecord) -> dict:
    """One fetch log entry; `time` in IST with its offset (2026-11-30T16:05:00+05:30)."""
    return {"time": to_datetime(record.time).isoformat(), "exchange": record.exchange, "symbol": record.symbol,
            "interval": record.interval, "records": record.records, "rejected": record.rejected,
            "requests": record.requests, "elapsed_seconds": record.elapsed_seconds, "status": record.status.value,
            "error_type": record.error_type, "error": record.error,
            "out_of_session": day_counts_body(record.out_of_session), "warnings": list(record.warnings)}


def adjustments_body(stored: StoredInstrument) -> dict:
    return {"success": True, **adjustments_shape(stored)}


def verify_body(result: VerifyResult) -> dict:
    return {"success": True, "exchange": result.exchange.value, "symbol": result.symbol,
            "interval": result.interval.value, "candles": result.candles, "requests": result.requests,
            "elapsed_seconds": result.elapsed_seconds, "events": [event_body(e) for e in result.events],
            "warnings": list(result.warnings)}


def batch_body(result: BatchResult) -> dict:
    return {
        "success": True,
        "total": result.total,
        "successful": result.successful,
        "failed": result.failed,
        "success_rate": result.success_rate,
        "results": [outcome_body(r) for r in result.results],
    }


def outcome_body(outcome: FetchResult | ItemFailure) -> dict:
    from application.batch_fetch import ItemFailure  # here, not above: see TYPE_CHECKING

    if isinstance(outcome, ItemFailure):
        return error_body(outcome.error, symbol=outcome.symbol)
    return fetch_body(outcome)


def instrument_body(i: Instrument) -> dict:
    return {
        "instrument_token": i.instrument_token,
        "exchange_token": i.exchange_token,
        "tradingsymbol": i.tradingsymbol,
        "name": i.name,
        "last_price": i.last_price,
        "expiry": i.expiry.isoformat() if i.expiry else "",
        "strike": i.strike,
        "tick_size": i.tick_size,
        "lot_size": i.lot_size,
        "instrument_type": i.instrument_type,
        "segment": i.segment,
        "exchange": i.exchange,
    }


def range_body(key: SeriesKey, info: SeriesInfo | None) -> dict:
    """The series found answers in its stored spelling (`reliance` asked, `RELIANCE` stored), as lookups and
    fetches print Kite's; a series not found echoes the key asked."""
    key = info.key if info is not None else key
    body = {"success": True, "exchange": key.exchange.value, "symbol": key.symbol, "interval": key.interval.value}
    if info is None or info.first_ts is None or info.last_ts is None:
        return {**body, "start_date": None, "end_date": None, "rows": 0, "message": "No existing data found"}
    return {**body, "start_date": ist_date(info.first_ts).isoformat(), "end_date": ist_date(info.last_ts).isoformat(),
            "rows": info.rows}


def series_notes(info: SeriesInfo) -> dict:
    """What Kite's changes to the past left on a series: `stale_before` (the day before which it still holds Kite's
    old candles, being healed), `healed_at` (IST) and `provisional_from` (IST), each null when none."""
    return {"stale_before": ist_date(info.stale.before_ts).isoformat() if info.stale else None,
            "healed_at": _when(info.healed_at), "provisional_from": _when(info.provisional_from)}


def gaps_body(found: SeriesGaps) -> dict:
    """What a series lacks (GET /api/data/gaps, `kitefetch gaps --json`); dates are IST days, ranges inclusive."""
    return {"success": True, **gaps_shape(found)}


def database_body(d: StoreDescription, offset: int = 0, limit: int | None = None) -> dict:
    """`datasets` from `offset`, at most `limit` of them (all by default); `total_datasets` counts them all. A page
    asked for (`limit`, or an `offset`) is echoed as `offset` and `limit`; the unpaged body is as it always was.

    Built for 50,000 datasets: a dataset's dict without helper calls, an IST day's text made once (`_day_text`).
    """
    exchanges = sorted(e.value for e in d.stored_exchanges())
    shown = d.series[offset:] if limit is None else d.series[offset:offset + limit]
    body: dict[str, object] = {
        "success": True,
        "segment": d.segment.value,
        "file_path": d.file_path,
        "exists": d.exists,
        "size_mb": round(d.size_bytes / 1_048_576, 3),
        "exchanges": exchanges,
        "total_datasets": len(d.series),
    }
    if limit is not None or offset:
        body.update({"offset": offset, "limit": limit})
    body["datasets"] = [_dataset(s) for s in shown]
    return body


def _dataset(s: SeriesInfo) -> dict:
    """One series of database_body; the keys and values of `series_notes` after its own, spelled out (a dict merge
    and three calls per dataset are a third of the listing's time)."""
    key, stale, healed, provisional = s.key, s.stale, s.healed_at, s.provisional_from
    first, last = s.first_ts, s.last_ts
    return {"exchange": _NAMES[key.exchange], "symbol": key.symbol, "interval": _NAMES[key.interval], "rows": s.rows,
            "start_date": None if first is None else _day_text((first + IST_OFFSET_SECONDS) // DAY),
            "end_date": None if last is None else _day_text((last + IST_OFFSET_SECONDS) // DAY),
            "stale_before": None if stale is None else _day_text((stale.before_ts + IST_OFFSET_SECONDS) // DAY),
            "healed_at": None if healed is None else _when(healed),
            "provisional_from": None if provisional is None else _when(provisional)}


@functools.lru_cache(maxsize=100_000)
def _day_text(day: int) -> str:
    """The IST day `day` days after 1970-01-01 as YYYY-MM-DD."""
    return (_EPOCH + timedelta(days=day)).isoformat()


_EPOCH = date(1970, 1, 1)
_NAMES = {member: member.value for member in (*Exchange, *Interval)}  # an enum's `.value` is a slow property


def tracked_body(entry: Tracked) -> dict:
    """A tracked entry as POST /api/data/tracked takes it, with its id; `rule` is null for one symbol. An options
    rule's `underlying_symbol` is the one in use (its default when none was given)."""
    from application.tracked import RuleKind, TrackedSeries  # here: see TYPE_CHECKING

    body: dict = {"id": entry.id}
    if isinstance(entry, TrackedSeries):
        body.update({"rule": None, "exchange": entry.exchange.value, "symbol": entry.symbol})
    else:
        body.update({"rule": entry.kind.value, "exchange": entry.exchange.value, "underlying": entry.underlying})
        if entry.kind is RuleKind.OPTIONS:
            body.update({"expiries": entry.expiries, "strikes": entry.strikes,
                         "underlying_symbol": str(entry.price_symbol)})
    return {**body, "intervals": [i.value for i in entry.intervals],
            "from_date": entry.from_date.isoformat() if entry.from_date else None,
            "created_at": to_datetime(entry.created_at).isoformat()}


def contract_body(i: Instrument) -> dict:
    return {"exchange": i.exchange, "symbol": i.tradingsymbol, "expiry": i.expiry.isoformat() if i.expiry else None,
            "strike": i.strike if i.instrument_type in ("CE", "PE") else None, "instrument_type": i.instrument_type}


def resolution_body(r: Resolution) -> dict:
    """Today's contracts of one entry; `underlying`: the close an options rule's strikes were chosen around."""
    price = r.underlying
    return {"success": True, "id": r.entry.id, "count": len(r.contracts),
            "contracts": [contract_body(i) for i in r.contracts],
            "underlying": {"symbol": str(price.symbol), "close": price.close, "date": price.day.isoformat()}
            if price else None}


def skipped_body(s: Skipped) -> dict:
    return {"series": s.what, "reason": s.reason, "finished": s.finished, "tracked_id": s.tracked_id,
            "error_type": s.error_type}


def sync_body(started: SyncStarted) -> dict:
    """The job that runs the sync (its items: one fetch per series with something due; none at all, and the job
    completed already, when every series is up to date) and what the sync left out, and why."""
    due = len(started.job.items)
    return {"success": True, "job_id": started.job.id, "status": started.job.status.value,
            "series": due + len(started.up_to_date), "due": due, "up_to_date": len(started.up_to_date),
            "skipped": [skipped_body(s) for s in started.skipped]}


def sync_summary_body(job: Job) -> dict | None:
    """A sync job's summary in a job's body: counts, and the tracked entries it could not resolve (the finished
    contracts, which pile up over the years, only counted). None for a job that is no sync."""
    if job.summary is None:
        return None
    skipped = job.summary.skipped
    return {"up_to_date": len(job.summary.up_to_date), "finished": sum(s.finished for s in skipped),
            "not_resolved": [skipped_body(s) for s in skipped if not s.finished]}


def sync_result_body(job: Job) -> dict:
    """A sync as its job tells it (finished or not): totals, then per series fetched what happened (its job item),
    the series found up to date, and what was left out."""
    items = []
    for item in job.items:
        request = item.request
        items.append({"series": f"{request.get('exchange')}:{item.symbol}:{request.get('interval')}",
                      "from_date": request.get("from_date"), "to_date": request.get("to_date"),
                      "status": item.status.value, "records": item.records, "requests": item.requests_done,
                      **({"error": item.error, "error_type": item.error_type} if item.error else {})})
    up_to_date = job.summary.up_to_date if job.summary else ()
    return {"success": True, "job_id": job.id, "status": job.status.value, "created_at": job.created_at,
            "finished_at": job.finished_at, "series": len(job.items) + len(up_to_date),
            "series_updated": sum(i.records > 0 for i in job.items),
            "candles_added": sum(i.records for i in job.items),
            "requests": sum(i.requests_done for i in job.items), "failures": job.counts["failed"],
            "up_to_date": len(up_to_date), "items": items, "up_to_date_series": list(up_to_date),
            "skipped": [skipped_body(s) for s in (job.summary.skipped if job.summary else ())]}
