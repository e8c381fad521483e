import pytest

from bootstrap.settings import ConfigurationError, Settings


def test_production_refuses_a_missing_secret(monkeypatch):
    monkeypatch.setenv("FLASK_ENV", "production")
    monkeypatch.delenv("FLASK_SECRET_KEY", raising=False)
    with pytest.raises(ConfigurationError):
        Settings.from_env(env_file=None).check()
    monkeypatch.setenv("FLASK_SECRET_KEY", "a-real-secret")
    Settings.from_env(env_file=None).check()


def test_env_file_and_defaults(tmp_path, monkeypatch):
    for name in ("KITE_API_KEY", "KITE_API_ROOT", "KITEFETCH_DATA_DIR", "FLASK_ENV"):
        monkeypatch.delenv(name, raising=False)
    env = tmp_path / ".env"
    env.write_text("KITE_API_KEY=from-file\nKITE_API_SECRET=shh\n")
    settings = Settings.from_env(env_file=str(env))
    assert settings.kite_api_key == "from-file" and settings.kite_api_root == "https://api.kite.trade"
    assert str(settings.data_dir) == "data/hdf5" and "shh" not in repr(settings)
    monkeypatch.setenv("FLASK_ENV", "staging")
    with pytest.raises(ConfigurationError):
        Settings.from_env(env_file=None)


def test_the_low_space_warning_threshold(monkeypatch):
    monkeypatch.delenv("KITEFETCH_MIN_FREE_MB", raising=False)
    assert Settings.from_env(env_file=None).min_free_mb == 1024
    monkeypatch.setenv("KITEFETCH_MIN_FREE_MB", "50")
    assert Settings.from_env(env_file=None).min_free_mb == 50


def test_the_sync_schedule_is_off_by_default_and_names_a_bad_time(monkeypatch):
    from datetime import time

    monkeypatch.delenv("KITEFETCH_SYNC_AT", raising=False)
    assert Settings.from_env(env_file=None).sync_at == ()
    monkeypatch.setenv("KITEFETCH_SYNC_AT", "16:05, 9:30")
    assert Settings.from_env(env_file=None).sync_at == (time(9, 30), time(16, 5))
    monkeypatch.setenv("KITEFETCH_SYNC_AT", "4pm")
    with pytest.raises(ConfigurationError, match="KITEFETCH_SYNC_AT: '4pm' is not a time of day"):
        Settings.from_env(env_file=None)


def test_a_slot_is_claimed_by_exactly_one_of_many_racing_claimants(tmp_path):
    from concurrent.futures import ThreadPoolExecutor

    from adapters.outbound.slot_claims import SlotClaimFiles

    claims = [SlotClaimFiles(tmp_path / "schedule") for _ in range(8)]
    with ThreadPoolExecutor(8) as pool:
        won = list(pool.map(lambda c: c.claim(1_718_361_300), claims))
    assert won.count(True) == 1 and not claims[0].claim(1_718_361_300) and claims[0].claim(1_718_361_360)
