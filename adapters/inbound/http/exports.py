"""Candle batches as CSV or JSON (both streamed), Parquet or Excel files; timestamps in IST ISO-8601.

The API's export route and `kitefetch candles` write them (nothing here imports Flask)."""

from __future__ import annotations

import io
import json
import tempfile
from collections.abc import Iterator
from typing import IO

import numpy as np

from application.export_candles import Export
from domain.candles import CandleFrame
from domain.clock_time import IST_OFFSET_SECONDS

EXCEL_MAX_ROWS = 1_048_575  # Excel's 1,048,576 rows, less the header
_IST = np.timedelta64(IST_OFFSET_SECONDS, "s")


def _columns(with_oi: bool) -> list[str]:
    return ["timestamp", "open", "high", "low", "close", "volume", *(["oi"] if with_oi else [])]


def stamps(frame: CandleFrame) -> np.ndarray:
    """IST ISO-8601 timestamps, e.g. 2024-01-01T09:15:00+05:30."""
    local = (frame.ts.astype("datetime64[s]") + _IST).astype(str)
    return np.char.add(local, "+05:30")


def csv_chunks(export: Export) -> Iterator[str]:
    """The header, then one block of lines per batch: the series is never whole in memory."""
    yield ",".join(_columns(export.with_oi)) + "\n"
    for frame in export.batches:
        if not len(frame):
            continue
        buffer = io.StringIO()
        columns = [stamps(frame), *(getattr(frame, c).astype(str) for c in ("open", "high", "low", "close")),
                   frame.volume.astype(str), *([frame.oi.astype(str)] if frame.oi is not None else [])]
        lines = columns[0]
        for column in columns[1:]:
            lines = np.char.add(np.char.add(lines, ","), column)
        buffer.write("\n".join(lines.tolist()))
        buffer.write("\n")
        yield buffer.getvalue()


def parquet_file(export: Export) -> tempfile.SpooledTemporaryFile:
    """A Parquet file written one row group per batch (timestamp as tz-aware IST)."""
    out = tempfile.SpooledTemporaryFile(max_size=8 * 1024 * 1024)  # noqa: SIM115 - handed to the response
    write_parquet(export, out)
    out.seek(0)
    return out


def write_parquet(export: Export, out: IO[bytes]) -> None:
    """Parquet into `out`, one row group per batch: it needs no seeking, so a pipe will do."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    fields = [pa.field("timestamp", pa.timestamp("s", tz="Asia/Kolkata"))]
    fields += [pa.field(c, pa.float64()) for c in ("open", "high", "low", "close")]
    fields += [pa.field("volume", pa.int64())] + ([pa.field("oi", pa.int64())] if export.with_oi else [])
    schema = pa.schema(fields)
    with pq.ParquetWriter(out, schema, compression="zstd") as writer:
        for frame in export.batches:
            arrays = [pa.array(frame.ts, pa.timestamp("s", tz="Asia/Kolkata"))]
            arrays += [pa.array(np.ascontiguousarray(getattr(frame, c))) for c in ("open", "high", "low", "close")]
            arrays += [pa.array(np.ascontiguousarray(frame.volume))]
            if export.with_oi:
                arrays.append(pa.array(np.ascontiguousarray(frame.oi)))
            writer.write_table(pa.Table.from_arrays(arrays, schema=schema))


def json_chunks(export: Export) -> Iterator[str]:
    """One JSON document shaped like the candles route's body (`columns`, then `rows` as arrays), written a
    batch at a time."""
    head = {"exchange": export.key.exchange.value, "symbol": export.key.symbol,
            "interval": export.key.interval.value,
            "resample": None if export.resample is None else str(export.resample), "columns": _columns(export.with_oi)}
    yield json.dumps(head)[:-1] + ', "rows": ['
    first = True
    for frame in export.batches:
        if not len(frame):
            continue
        values = [stamps(frame).tolist(), *(getattr(frame, c).tolist() for c in ("open", "high", "low", "close")),
                  frame.volume.tolist(), *([frame.oi.tolist()] if frame.oi is not None else [])]
        rows = ",\n".join(json.dumps(list(row)) for row in zip(*values, strict=True))
        yield ("\n" if first else ",\n") + rows
        first = False
    yield "\n]}\n"


def xlsx_file(export: Export) -> tempfile.SpooledTemporaryFile:
    """An Excel workbook written row by row (xlsxwriter's constant-memory mode)."""
    import xlsxwriter

    out = tempfile.SpooledTemporaryFile(max_size=8 * 1024 * 1024)  # noqa: SIM115 - handed to the response
    workbook = xlsxwriter.Workbook(out, {"constant_memory": True, "in_memory": False})
    sheet = workbook.add_worksheet(export.key.symbol[:31].replace("/", "_") or "candles")
    for col, name in enumerate(_columns(export.with_oi)):
        sheet.write_string(0, col, name)
    row = 1
    for frame in export.batches:
        times = stamps(frame).tolist()
        values = [getattr(frame, c).tolist() for c in ("open", "high", "low", "close", "volume")]
        if frame.oi is not None:
            values.append(frame.oi.tolist())
        for i, stamp in enumerate(times):
            sheet.write_string(row, 0, stamp)
            for col, column in enumerate(values, start=1):
                sheet.write_number(row, col, column[i])
            row += 1
    workbook.close()
    out.seek(0)
    return out
