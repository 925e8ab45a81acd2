"""Configuration read from the environment, with documented defaults (see README)."""

import os
from pathlib import Path

FALSE_WORDS = {"0", "false", "no", "off", ""}


def env_flag(name: str, default: bool) -> bool:
    """Read a yes/no environment variable; `false`, `0`, `no`, `off` and empty mean no."""
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() not in FALSE_WORDS


def env_int(name: str, default: int) -> int:
    value = os.environ.get(name)
    return int(value) if value not in (None, "") else default


def env_float(name: str, default: float) -> float:
    value = os.environ.get(name)
    return float(value) if value not in (None, "") else default


def normalise_database_url(url: str) -> str:
    """Let operators write `postgresql://…`; SQLAlchemy needs the psycopg 3 driver named."""
    if url.startswith("postgres://"):
        url = "postgresql://" + url.removeprefix("postgres://")
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url.removeprefix("postgresql://")
    return url


def read_secret_key(instance_path: str) -> str | None:
    """SECRET_KEY from the environment, else the file `make run` writes in the instance folder."""
    if os.environ.get("SECRET_KEY"):
        return os.environ["SECRET_KEY"]
    key_file = Path(instance_path) / "secret_key"
    if key_file.is_file():
        return key_file.read_text().strip() or None
    return None


def build_config(instance_path: str) -> dict:
    """Every setting the app reads, from the environment; the README documents each one."""
    base_url = os.environ.get("BASE_URL", "http://127.0.0.1:5000").rstrip("/")
    default_database = "sqlite:///" + str(Path(instance_path) / "eventweek.sqlite3")
    secure_cookies = base_url.startswith("https://")
    award_attachment_max = env_int("AWARD_ATTACHMENT_MAX_BYTES", 5_000_000)
    metrics_import_max = env_int("METRICS_IMPORT_MAX_BYTES", 20_000_000)
    return {
        "SECRET_KEY": read_secret_key(instance_path),
        "SQLALCHEMY_DATABASE_URI": normalise_database_url(
            os.environ.get("DATABASE_URL", default_database)
        ),
        # hide_parameters: database errors in the logs never show the values (e-mails…).
        # A connection dropped by a database restart is replaced, not handed out:
        # eventweek/pool_ping.py checks those that sat idle.
        "SQLALCHEMY_ENGINE_OPTIONS": {"hide_parameters": True},
        "BASE_URL": base_url,
        "SESSION_COOKIE_SECURE": secure_cookies,
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "REMEMBER_COOKIE_SECURE": secure_cookies,
        "REMEMBER_COOKIE_HTTPONLY": True,
        "PREFERRED_URL_SCHEME": "https" if secure_cookies else "http",
        # Behind a reverse proxy: how many proxies' X-Forwarded-For / X-Forwarded-Proto to
        # trust (0: none). X-Forwarded-Proto makes HTTPS requests known as such (HSTS).
        "PROXY_FIX_X_FOR": env_int("PROXY_FIX_X_FOR", 0),
        "PROXY_FIX_X_PROTO": env_int("PROXY_FIX_X_PROTO", 0),
        # Mail: Flask-Mail's own setting names.
        "MAIL_SERVER": os.environ.get("MAIL_SERVER", "localhost"),
        "MAIL_PORT": env_int("MAIL_PORT", 25),
        "MAIL_USE_TLS": env_flag("MAIL_USE_TLS", False),
        "MAIL_USE_SSL": env_flag("MAIL_USE_SSL", False),
        "MAIL_USERNAME": os.environ.get("MAIL_USERNAME") or None,
        "MAIL_PASSWORD": os.environ.get("MAIL_PASSWORD") or None,
        "MAIL_DEFAULT_SENDER": os.environ.get(
            "MAIL_DEFAULT_SENDER", "Semaine eSanté <noreply@localhost>"
        ),
        "MAIL_SUPPRESS_SEND": False,
        # Whether the web processes send their requests' e-mails themselves, from a thread
        # (eventweek/outbox/first_attempts.py), or leave them all to `flask outbox worker`.
        "OUTBOX_SEND_FROM_WEB": env_flag("OUTBOX_SEND_FROM_WEB", True),
        # Seconds the first delivery attempt waits to gather the e-mails of other requests
        # of the process, to send them over one connection (eventweek/outbox/first_attempts.py).
        "OUTBOX_BATCH_WINDOW": env_float("OUTBOX_BATCH_WINDOW", 0.5),
        # Rate limits: Flask-Limiter's own setting names.
        "RATELIMIT_ENABLED": env_flag("RATELIMIT_ENABLED", True),
        "RATELIMIT_STORAGE_URI": os.environ.get("RATELIMIT_STORAGE_URI", "memory://"),
        "RATELIMIT_HEADERS_ENABLED": True,
        # Per client address, on the registration form (Flask-Limiter's notation).
        "REGISTRATION_RATE_LIMIT": os.environ.get(
            "REGISTRATION_RATE_LIMIT", "20 per minute;200 per hour"
        ),
        # Per client address, on sign-in and password-reset forms together.
        "LOGIN_RATE_LIMIT": os.environ.get("LOGIN_RATE_LIMIT", "10 per minute;50 per hour"),
        # Demo accounts share a password printed in the README: only for a local demo.
        "DEMO_ACCOUNTS_ENABLED": env_flag("DEMO_ACCOUNTS_ENABLED", False),
        "RETENTION_DAYS": env_int("RETENTION_DAYS", 90),
        # Languages: French first, as the week is run from a French-speaking office.
        "LANGUAGES": ("fr", "nl", "en"),
        "BABEL_DEFAULT_LOCALE": "fr",
        "BABEL_DEFAULT_TIMEZONE": "Europe/Brussels",
        "API_PAGE_SIZE": env_int("API_PAGE_SIZE", 100),
        # Award nominations' PDF attachments: largest size, and the folder (not web-served).
        "AWARD_ATTACHMENT_MAX_BYTES": award_attachment_max,
        "AWARD_ATTACHMENT_DIR": os.environ.get(
            "AWARD_ATTACHMENT_DIR", str(Path(instance_path) / "award_attachments")
        ),
        # Largest CSV of figures an organiser may upload at /admin/metrics.
        "METRICS_IMPORT_MAX_BYTES": metrics_import_max,
        # Largest request body of all: above it Werkzeug stops reading and answers 413.
        # The default leaves room for the largest upload plus the form around it.
        "MAX_CONTENT_LENGTH": env_int(
            "MAX_CONTENT_LENGTH", max(metrics_import_max, award_attachment_max) + 1_000_000
        ),
        # The rendered programme and feeds (Flask-Caching's names): per process by default,
        # shared by every process in Redis when CACHE_REDIS_URL is set.
        "CACHE_TYPE": os.environ.get(
            "CACHE_TYPE", "RedisCache" if os.environ.get("CACHE_REDIS_URL") else "SimpleCache"
        ),
        "CACHE_REDIS_URL": os.environ.get("CACHE_REDIS_URL") or None,
        "CACHE_DEFAULT_TIMEOUT": env_int("CACHE_DEFAULT_TIMEOUT", 3600),
        "CACHE_KEY_PREFIX": "eventweek:",
    }
