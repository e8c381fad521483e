"""Login, Logout and AuthStatus against the fake Kite and an in-memory token store."""

import pytest
from structlog.testing import capture_logs

from application.access_tokens import AccessTokens, TokenSource, session_token
from application.auth_status import AuthStatus
from application.login import Login
from application.logout import Logout
from application.ports import BrokerSession
from domain.errors import InvalidInput, RequestTokenRefused, UpstreamFailure
from tests.fakes.market import MemoryTokenStore


@pytest.fixture
def store():
    return MemoryTokenStore()


@pytest.fixture
def in_session():
    """Run a block as a browser whose session holds `token`."""
    resets = []

    def enter(token: str) -> None:
        resets.append(session_token.set(token))

    yield enter
    for reset in reversed(resets):
        session_token.reset(reset)


def file_login(source, store) -> BrokerSession:
    return Login(source, store).execute("good-request-token")


def test_login_saves_the_token_and_a_refused_request_token_says_so(source, store):
    with pytest.raises(InvalidInput):
        Login(source, store).execute("  ")
    with pytest.raises(RequestTokenRefused):
        Login(source, store).execute("stale")
    assert store.token is None
    session = file_login(source, store)
    assert store.token.access_token == session.access_token
    assert "access-0" not in repr(session) and "access-0" not in repr(store.token)


def test_token_resolution_order_and_status_name_the_source(source, store):
    tokens = AccessTokens(store, env_token="from-env")
    assert tokens.resolve() == "from-env"
    assert AuthStatus(source, tokens).execute().source is TokenSource.ENVIRONMENT
    store.save(BrokerSession("fake-token", "AB1234", "Fake User", ""))
    assert tokens.resolve() == "fake-token"
    reset = session_token.set("from-session")
    try:
        assert tokens.resolve() == "from-session"
        assert "from-session" not in repr(tokens.held())
        state = AuthStatus(source, tokens).execute()
        assert not state.authenticated and state.source is TokenSource.SESSION
    finally:
        session_token.reset(reset)
    state = AuthStatus(source, tokens).execute()
    assert state.authenticated and state.user_id == "AB1234" and state.source is TokenSource.TOKEN_FILE
    nothing = AuthStatus(source, AccessTokens(MemoryTokenStore())).execute()
    assert not nothing.authenticated and nothing.source is None


def test_logout_of_the_token_file_invalidates_and_forgets_it(source, store):
    session = file_login(source, store)
    tokens = AccessTokens(store)
    result = Logout(source, tokens, store).execute()
    assert (result.logged_out, result.still_active) == (TokenSource.TOKEN_FILE, None)
    assert store.token is None and session.access_token not in source.valid_tokens
    assert not AuthStatus(source, tokens).execute().authenticated


def test_logout_of_a_browser_session_forgets_the_file_only_if_it_holds_that_login(source, store, in_session):
    first = file_login(source, store)
    second = file_login(source, store)  # the file now holds the second login
    in_session(first.access_token)
    result = Logout(source, AccessTokens(store), store).execute()
    assert (result.logged_out, result.still_active) == (TokenSource.SESSION, TokenSource.TOKEN_FILE)
    assert "log out again" in result.message
    assert store.token == second and first.access_token not in source.valid_tokens
    in_session(second.access_token)
    result = Logout(source, AccessTokens(store), store).execute()
    assert (result.logged_out, result.still_active) == (TokenSource.SESSION, None)
    assert store.token is None and second.access_token not in source.valid_tokens


def test_an_environment_token_is_reported_still_active_not_invalidated(source, store):
    tokens = AccessTokens(store, env_token="fake-token")
    result = Logout(source, tokens, store).execute()
    assert (result.logged_out, result.still_active) == (None, TokenSource.ENVIRONMENT)
    assert "unset KITE_ACCESS_TOKEN" in result.message and result.message.startswith("Not logged out")
    assert "fake-token" in source.valid_tokens  # the operator's setting, shared with other processes
    file_login(source, store)
    result = Logout(source, tokens, store).execute()
    assert (result.logged_out, result.still_active) == (TokenSource.TOKEN_FILE, TokenSource.ENVIRONMENT)
    assert result.message.startswith("Logged out of the Kite session in the token file; the token from "
                                     "KITE_ACCESS_TOKEN is still in use")


def test_logout_with_nothing_held_says_so_in_plain_text(source, store):
    result = Logout(source, AccessTokens(store), store).execute()
    assert (result.logged_out, result.still_active) == (None, None)
    assert result.message == "Not logged in: no Kite session, token file or KITE_ACCESS_TOKEN to log out of"


def test_the_local_copy_is_forgotten_when_kite_cannot_be_reached(source, store):
    session = file_login(source, store)
    source.logout_fails_with = UpstreamFailure("Could not reach Kite for the logout request (connection failed)")
    with capture_logs() as logs:
        result = Logout(source, AccessTokens(store), store).execute()
    assert result.logged_out is TokenSource.TOKEN_FILE and store.token is None
    assert "Kite could not be reached" in result.message
    assert [e["event"] for e in logs] == ["logout_invalidate_failed", "kite_logout"]
    assert session.access_token not in str(logs)


def test_a_token_kite_already_refuses_is_logged_out_quietly(source, store):
    store.save(BrokerSession("dead-token", "AB1234", "Fake User", ""))
    result = Logout(source, AccessTokens(store), store).execute()
    assert result.logged_out is TokenSource.TOKEN_FILE and "could not" not in result.message
    assert store.token is None


def test_the_environment_holding_the_same_token_is_not_still_active(source, store):
    """`make run` puts one token in the token file and in KITE_ACCESS_TOKEN: logging out kills both."""
    session = file_login(source, store)
    tokens = AccessTokens(store, env_token=session.access_token)
    result = Logout(source, tokens, store).execute()
    assert (result.logged_out, result.still_active) == (TokenSource.TOKEN_FILE, None)
    assert "still in use" not in result.message
