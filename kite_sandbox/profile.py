"""The sandbox user, shaped like Kite's profile and session responses (see kite-mocks)."""

from __future__ import annotations

import datetime
import secrets
from typing import Any

_USER: dict[str, Any] = {
    "user_id": "SB0001",
    "user_type": "individual",
    "email": "sandbox@example.com",
    "user_name": "Kite Sandbox",
    "user_shortname": "Sandbox",
    "broker": "ZERODHA",
    "exchanges": ["NSE", "NFO", "BFO", "CDS", "BSE", "MCX", "BCD", "MF"],
    "products": ["CNC", "NRML", "MIS", "BO", "CO"],
    "order_types": ["MARKET", "LIMIT", "SL", "SL-M"],
    "avatar_url": None,
    "meta": {"demat_consent": "physical"},
}


def profile_data() -> dict[str, Any]:
    return {k: (list(v) if isinstance(v, list) else dict(v) if isinstance(v, dict) else v)
            for k, v in _USER.items()}


def session_data(api_key: str, access_token: str, login_time: datetime.datetime) -> dict[str, Any]:
    return {
        **profile_data(),
        "avatar_url": "",
        "api_key": api_key,
        "access_token": access_token,
        "public_token": secrets.token_urlsafe(12),
        "enctoken": secrets.token_urlsafe(24),
        "refresh_token": "",
        "silo": "",
        "login_time": login_time.strftime("%Y-%m-%d %H:%M:%S"),
    }
