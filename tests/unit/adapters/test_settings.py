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
