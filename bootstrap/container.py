"""The one place that knows both the adapters and the use cases."""

from __future__ import annotations

import hashlib
from pathlib import Path

from dependency_injector import containers, providers

from adapters.outbound.disk_space import DataDirSpace
from adapters.outbound.fetch_log import FetchLogFile
from adapters.outbound.instruments.cache import InstrumentCache
from adapters.outbound.job_files import JobFiles
from adapters.outbound.kite.market_data import KiteMarketData
from adapters.outbound.kite.rate_limiter import SharedRateLimiter
from adapters.outbound.system_clock import SystemClock
from adapters.outbound.token_file import TokenFile
from application.access_tokens import AccessTokens
from application.auth_status import AuthStatus
from application.batch_fetch import BatchFetch
from application.cancel_job import CancelJob
from application.check_free_space import CheckFreeSpace
from application.describe_database import DescribeDatabase
from application.export_candles import ExportCandles
from application.fetch_history import FetchHistory
from application.find_gaps import FindGaps
from application.get_existing_range import GetExistingRange
from application.get_instruments import GetInstruments
from application.get_job import GetJob
from application.interrupt_orphaned_jobs import InterruptOrphanedJobs
from application.list_adjustments import ListAdjustments
from application.list_fetches import ListFetches
from application.list_tracked import ListTracked
from application.login import Login
from application.logout import Logout
from application.lookup_instrument import LookupInstrument
from application.read_candles import ReadCandles
from application.resolve_tracked import ResolveTracked
from application.resume_job import ResumeJob
from application.run_job import RunJob
from application.show_dashboard import ShowDashboard
from application.start_job import StartJob
from application.start_verify import StartVerify
from application.sync_series import SyncSeries
from application.sync_status import ShowSyncStatus
from application.track_rule import TrackRule
from application.track_series import TrackSeries
from application.untrack import Untrack
from application.verify_history import VerifyHistory
from bootstrap.jobs import JobExecutor, process_alive
from bootstrap.queries import instruments_dir, segment_store, tracked_file, trading_calendar
from bootstrap.settings import Settings
from domain.market import Segment


def _under_data_dir(settings: Settings, name: str) -> Path:
    return Path(settings.data_dir) / name


def _limiter_path(settings: Settings) -> Path:
    """One window per api_key, shared by every kitefetch process using this data dir."""
    digest = hashlib.sha256(settings.kite_api_key.encode()).hexdigest()[:12]
    return Path(settings.data_dir) / f".kite-rate-{digest}"


class Container(containers.DeclarativeContainer):
    settings = providers.Dependency(instance_of=Settings)

    clock = providers.Singleton(SystemClock)
    token_store = providers.Singleton(TokenFile, providers.Callable(_under_data_dir, settings, "kite_token.json"),
                                      durable=settings.provided.durable)
    access_tokens = providers.Singleton(AccessTokens, store=token_store,
                                        env_token=settings.provided.kite_access_token)
    limiter = providers.Singleton(SharedRateLimiter, providers.Callable(_limiter_path, settings),
                                  max_calls=settings.provided.kite_rate_limit)
    market_data = providers.Singleton(
        KiteMarketData,
        api_key=settings.provided.kite_api_key,
        api_secret=settings.provided.kite_api_secret,
        root=settings.provided.kite_api_root,
        login_url=settings.provided.kite_login_url,
        token_provider=access_tokens.provided.resolve,
        limiter=limiter,
        timeout=settings.provided.kite_timeout,
    )
    equity_store = providers.Singleton(segment_store, settings, Segment.EQUITY)  # as the CLI queries build them
    derivatives_store = providers.Singleton(segment_store, settings, Segment.DERIVATIVES)
    stores = providers.Dict({Segment.EQUITY: equity_store, Segment.DERIVATIVES: derivatives_store})
    catalog = providers.Singleton(InstrumentCache, source=market_data,
                                  directory=providers.Callable(instruments_dir, settings), clock=clock,
                                  durable=settings.provided.durable)

    calendar = providers.Singleton(trading_calendar, settings)
    fetch_log = providers.Singleton(FetchLogFile, providers.Callable(_under_data_dir, settings, "fetch-log.jsonl"),
                                    durable=settings.provided.durable)
    fetch_history = providers.Factory(FetchHistory, source=market_data, stores=stores, catalog=catalog, clock=clock,
                                      calendar=calendar, concurrency=settings.provided.fetch_concurrency,
                                      fetch_log=fetch_log)
    batch_fetch = providers.Factory(BatchFetch, fetch_history=fetch_history, workers=settings.provided.batch_workers)
    verify_history = providers.Factory(VerifyHistory, source=market_data, stores=stores, catalog=catalog, clock=clock,
                                       calendar=calendar, concurrency=settings.provided.fetch_concurrency)
    list_adjustments = providers.Factory(ListAdjustments, stores=stores)
    get_instruments = providers.Factory(GetInstruments, catalog=catalog)
    lookup_instrument = providers.Factory(LookupInstrument, catalog=catalog)
    get_existing_range = providers.Factory(GetExistingRange, stores=stores)
    describe_database = providers.Factory(DescribeDatabase, stores=stores)
    read_candles = providers.Factory(ReadCandles, stores=stores, calendar=calendar)
    find_gaps = providers.Factory(FindGaps, stores=stores, calendar=calendar)
    export_candles = providers.Factory(ExportCandles, stores=stores, calendar=calendar)
    login = providers.Factory(Login, source=market_data, tokens=token_store)
    logout = providers.Factory(Logout, source=market_data, tokens=access_tokens, store=token_store)
    auth_status = providers.Factory(AuthStatus, source=market_data, tokens=access_tokens)

    jobs = providers.Singleton(JobFiles, providers.Callable(_under_data_dir, settings, "jobs"),
                               durable=settings.provided.durable)
    run_job = providers.Factory(RunJob, jobs=jobs, fetch_history=fetch_history, clock=clock,
                                workers=settings.provided.batch_workers, verify_history=verify_history)
    job_executor = providers.Singleton(JobExecutor, run_job=run_job.provider)
    start_job = providers.Factory(StartJob, jobs=jobs, submit=job_executor.provided.submit, clock=clock)
    start_verify = providers.Factory(StartVerify, jobs=jobs, stores=stores, submit=job_executor.provided.submit,
                                     clock=clock)
    get_job = providers.Factory(GetJob, jobs=jobs)
    cancel_job = providers.Factory(CancelJob, jobs=jobs, signal=job_executor.provided.signal)
    resume_job = providers.Factory(ResumeJob, jobs=jobs, submit=job_executor.provided.submit)
    interrupt_orphaned_jobs = providers.Factory(InterruptOrphanedJobs, jobs=jobs,
                                                is_alive=providers.Object(process_alive), clock=clock)

    tracked = providers.Singleton(tracked_file, settings)  # as the CLI's `tracked` query builds it
    track_series = providers.Factory(TrackSeries, tracked=tracked, catalog=catalog, clock=clock)
    track_rule = providers.Factory(TrackRule, tracked=tracked, catalog=catalog, clock=clock)
    list_tracked = providers.Factory(ListTracked, tracked=tracked)
    untrack = providers.Factory(Untrack, tracked=tracked)
    resolve_tracked = providers.Factory(ResolveTracked, tracked=tracked, catalog=catalog, source=market_data,
                                        clock=clock)
    sync_series = providers.Factory(SyncSeries, resolve=resolve_tracked, stores=stores, catalog=catalog,
                                    start_job=start_job, clock=clock, calendar=calendar)

    disk_space = providers.Singleton(DataDirSpace, settings.provided.data_dir)
    check_free_space = providers.Factory(CheckFreeSpace, disk=disk_space, minimum_mb=settings.provided.min_free_mb)
    show_dashboard = providers.Factory(ShowDashboard, stores=stores, fetch_log=fetch_log, jobs=jobs,
                                       free_space=check_free_space, tracked=list_tracked)
    list_fetches = providers.Factory(ListFetches, fetch_log=fetch_log)
    sync_status = providers.Factory(ShowSyncStatus, jobs=jobs, calendar=calendar, clock=clock,
                                    times=settings.provided.sync_at)


def build_container(settings: Settings) -> Container:
    container = Container(settings=settings)
    return container
