"""Process-wide runtime tuning, applied once the application is built."""

from __future__ import annotations

import gc


def tune_gc() -> None:
    """Freeze start-up objects out of the collector's reach and collect less often.

    Decoding a Kite response creates ~100k short-lived lists; each young-generation overflow can trigger a
    full collection that walks every long-lived object (pandas, numpy, Flask, ...). Measured: ingesting four
    responses (36k candles) took 67 ms with the default collector, 19 ms with start-up objects frozen.
    """
    gc.collect()
    gc.freeze()
    gc.set_threshold(10_000, 20, 20)
