"""The API servers live in tests/integration/conftest.py; re-exported here for the tests that import them."""

from tests.integration.conftest import _serve, stats  # noqa: F401
