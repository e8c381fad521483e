"""`/api/data/candles` (JSON for charts and clients) and `/api/data/export` (CSV, Parquet, Excel downloads)."""

from __future__ import annotations

import re

from dependency_injector.wiring import Provide, inject
from flask import Blueprint, Response, jsonify, request, send_file, stream_with_context

from adapters.inbound.http.exports import EXCEL_MAX_ROWS, csv_chunks, parquet_file, stamps, xlsx_file
from adapters.inbound.schemas import CandlesQuerySchema, ExportQuerySchema, load
from application.export_candles import ExportCandles
from application.read_candles import ReadCandles
from domain.bar_spec import BarSpec
from domain.clock_time import to_datetime
from domain.date_range import EARLIEST, LATEST, DateRange
from domain.instrument import SeriesKey

blueprint = Blueprint("candles", __name__, url_prefix="/api/data")
_MIMETYPES = {"csv": "text/csv", "parquet": "application/vnd.apache.parquet",
              "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}


def _resample(query: dict) -> BarSpec | None:
    return BarSpec.parse(query["resample"]) if query.get("resample") is not None else None


def _range(query: dict) -> DateRange | None:
    if query.get("from_date") is None and query.get("to_date") is None:
        return None
    return DateRange(query.get("from_date") or EARLIEST, query.get("to_date") or LATEST)


@blueprint.get("/candles/<exchange>/<path:symbol>/<interval>")
@inject
def candles(exchange: str, symbol: str, interval: str, use_case: ReadCandles = Provide["read_candles"]):
    query = load(CandlesQuerySchema(), request.args.to_dict())
    key = SeriesKey.parse(exchange, symbol, interval)
    resample = _resample(query)
    read = use_case.execute(key, _range(query), query.get("limit"), resample)
    frame = read.candles
    columns = [stamps(frame).tolist(), *(getattr(frame, c).tolist() for c in ("open", "high", "low", "close")),
               frame.volume.tolist()]
    names = ["timestamp", "open", "high", "low", "close", "volume"]
    if frame.oi is not None:
        columns.append(frame.oi.tolist())
        names.append("oi")
    rows = [list(row) for row in zip(*columns, strict=True)]
    return jsonify({"success": True, "exchange": key.exchange.value, "symbol": key.symbol,
                    "interval": key.interval.value, "resample": None if resample is None else str(resample),
                    "columns": names, "rows": rows, "count": len(frame),
                    "total": read.total, "truncated": read.truncated,
                    "gaps": [[to_datetime(a).isoformat(), to_datetime(b).isoformat()] for a, b in read.gaps]})


@blueprint.get("/export/<exchange>/<path:symbol>/<interval>")
@inject
def export(exchange: str, symbol: str, interval: str, use_case: ExportCandles = Provide["export_candles"]):
    query = load(ExportQuerySchema(), request.args.to_dict())
    key = SeriesKey.parse(exchange, symbol, interval)
    fmt = query["format"]
    date_range = _range(query)
    resample = _resample(query)
    prepared = use_case.execute(key, date_range, EXCEL_MAX_ROWS if fmt == "xlsx" else None, "Excel", resample)
    span = "" if date_range is None else f"_{query.get('from_date') or 'start'}_{query.get('to_date') or 'end'}"
    bars = "" if resample is None else f"_{resample}"
    filename = (f"{key.exchange.value}_{re.sub(r'[^A-Za-z0-9]+', '_', key.symbol)}_{key.interval.value}{bars}{span}"
                f".{fmt}")
    if fmt == "csv":
        return Response(stream_with_context(csv_chunks(prepared)), mimetype=_MIMETYPES["csv"],
                        headers={"Content-Disposition": f'attachment; filename="{filename}"'})
    build = parquet_file if fmt == "parquet" else xlsx_file
    return send_file(build(prepared), mimetype=_MIMETYPES[fmt], as_attachment=True, download_name=filename)
