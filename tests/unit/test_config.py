import pytest

from eventweek import create_app
from eventweek.config import env_flag, normalise_database_url


@pytest.mark.parametrize("word", ["false", "FALSE", "0", "no", "off", " No "])
def test_false_words_read_as_false(monkeypatch, word):
    monkeypatch.setenv("RATELIMIT_ENABLED", word)
    assert env_flag("RATELIMIT_ENABLED", True) is False


def test_unset_flag_takes_the_default(monkeypatch):
    monkeypatch.delenv("RATELIMIT_ENABLED", raising=False)
    assert env_flag("RATELIMIT_ENABLED", True) is True


def test_postgresql_urls_get_the_psycopg_driver():
    assert normalise_database_url("postgresql://u@h/db") == "postgresql+psycopg://u@h/db"
    assert normalise_database_url("postgres://u@h/db") == "postgresql+psycopg://u@h/db"
    assert normalise_database_url("sqlite:///x.db") == "sqlite:///x.db"


def test_the_app_refuses_to_start_without_a_secret_key(monkeypatch, tmp_path):
    monkeypatch.delenv("SECRET_KEY", raising=False)
    monkeypatch.setattr("eventweek.config.read_secret_key", lambda _path: None)
    with pytest.raises(RuntimeError, match="SECRET_KEY"):
        create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path}/x.db"})


def test_cookies_are_secure_only_behind_https(monkeypatch, tmp_path):
    monkeypatch.setenv("SECRET_KEY", "x")
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path}/x.db")
    monkeypatch.setenv("BASE_URL", "https://esante.example.be/")
    app = create_app()
    assert app.config["SESSION_COOKIE_SECURE"] is True
    assert app.config["BASE_URL"] == "https://esante.example.be"
    monkeypatch.setenv("BASE_URL", "http://127.0.0.1:5000")
    assert create_app().config["SESSION_COOKIE_SECURE"] is False
