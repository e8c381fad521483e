"""Fill in and submit the sandbox's login page, as a person would: one helper for every test that logs in."""

from __future__ import annotations

import re
from typing import Any

import requests

_FORM = re.compile(r'<form[^>]*action="([^"]+)"')
_INPUT = re.compile(r'<input[^>]*name="([^"]+)"[^>]*value="([^"]*)"')


def submit_login_page(page: requests.Response, client: Any = requests, *, follow: bool = True,
                      timeout: float = 30) -> requests.Response:
    """POST the login form on `page` with its prefilled fields; `follow=False` stops at the redirect that carries
    the request token."""
    form = _FORM.search(page.text)
    assert form is not None, f"no login form on {page.url}"
    fields = dict(_INPUT.findall(page.text))
    return client.post(requests.compat.urljoin(page.url, form.group(1)), data=fields, allow_redirects=follow,
                       timeout=timeout)
