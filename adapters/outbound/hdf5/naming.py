"""Reversible mapping from Kite symbols to HDF5 node names that cannot escape their group.

Letters and digits stay as they are; every other byte (and a leading digit) becomes `_XX` (hex), so
`M&M` -> `M_26M`, `NIFTY 50` -> `NIFTY_2050`, `../x` -> `_2E_2E_2Fx`. The result is a valid Python
identifier, so PyTables' natural naming works and no `/` or `..` survives.
"""

from __future__ import annotations

import re

_ESCAPE = re.compile(r"_([0-9A-F]{2})")


def encode_symbol(symbol: str) -> str:
    out: list[str] = []
    for i, byte in enumerate(symbol.encode("utf-8")):
        char = chr(byte)
        if byte < 128 and char.isalnum() and not (i == 0 and char.isdigit()):
            out.append(char)
        else:
            out.append(f"_{byte:02X}")
    return "".join(out)


def decode_symbol(node_name: str) -> str:
    raw = _ESCAPE.sub(lambda m: "\x00" + m.group(1), node_name)
    data = bytearray()
    i = 0
    while i < len(raw):
        if raw[i] == "\x00":
            data.append(int(raw[i + 1:i + 3], 16))
            i += 3
        else:
            data.extend(raw[i].encode())
            i += 1
    return data.decode("utf-8")


def series_path(exchange: str, symbol: str, interval: str) -> str:
    """The HDF5 group of one series, e.g. `/NSE/RELIANCE/day`; pandas reads it with `read_hdf(file, path)`."""
    return f"/{exchange}/{encode_symbol(symbol)}/{interval}"
