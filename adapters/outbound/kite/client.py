"""The official `kiteconnect` client, with its two slow parsers swapped for columnar ones.

Everything on the wire (URLs, headers, auth, error mapping) stays the official client's; only what it
does with a decoded body changes: candles become a CandleFrame and the instrument CSV is handed back raw.
JSON is decoded with orjson through a response hook, so the client's own error checks still run.
"""

from __future__ import annotations

import orjson
import requests
from kiteconnect import KiteConnect

from adapters.outbound.kite.candle_parser import parse_candles
from domain.candles import CandleFrame


def _orjson_hook(response: requests.Response, *args, **kwargs) -> requests.Response:
    def fast_json(**_: object) -> object:
        return orjson.loads(response.content)

    response.json = fast_json  # type: ignore[method-assign]
    return response


class ColumnarKiteConnect(KiteConnect):
    """KiteConnect whose `historical_data` returns a CandleFrame and `instruments` the raw CSV bytes."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        adapter = requests.adapters.HTTPAdapter(pool_connections=4, pool_maxsize=32)
        self.reqsession.mount("http://", adapter)
        self.reqsession.mount("https://", adapter)
        self.reqsession.hooks["response"].append(_orjson_hook)

    def historical_frame(self, instrument_token: int, from_text: str, to_text: str, interval: str,
                         oi: bool) -> CandleFrame:
        data = self._get("market.historical",
                         url_args={"instrument_token": instrument_token, "interval": interval},
                         params={"from": from_text, "to": to_text, "interval": interval,
                                 "continuous": 0, "oi": 1 if oi else 0})
        candles = data.get("candles") if isinstance(data, dict) else None
        return parse_candles(candles or [], with_oi=oi)

    def _parse_instruments(self, data: bytes) -> bytes:
        return data
