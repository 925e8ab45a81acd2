"""The app served by real gunicorn processes, for concurrency and rate-limit tests."""

from __future__ import annotations

import contextlib
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import requests

from tests.smtp import free_port

ROOT = Path(__file__).resolve().parents[1]


def server_environment(database_url: str, smtp_port: int, **overrides: str) -> dict:
    return {
        **os.environ,
        "DATABASE_URL": database_url,
        "SECRET_KEY": "tests-only",
        "BASE_URL": "http://eventweek.test",
        "MAIL_SERVER": "127.0.0.1",
        "MAIL_PORT": str(smtp_port),
        "RATELIMIT_ENABLED": "false",
        **overrides,
    }


@contextlib.contextmanager
def gunicorn(environment: dict, *, workers: int = 4, threads: int = 4) -> Iterator[str]:
    """Serve `app:app` on a free loopback port; yields the base URL, stops on exit."""
    with gunicorn_master(environment, workers=workers, threads=threads) as (base, _master):
        yield base


@contextlib.contextmanager
def gunicorn_master(
    environment: dict, *, workers: int = 4, threads: int = 4
) -> Iterator[tuple[str, subprocess.Popen]]:
    """As `gunicorn`, and also yields the master process, whose children are the workers."""
    port = free_port()
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "app:app",
            "--workers",
            str(workers),
            "--worker-class",
            "gthread",
            "--threads",
            str(threads),
            "--bind",
            f"127.0.0.1:{port}",
            "--log-level",
            "warning",
        ],
        cwd=ROOT,
        env=environment,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            # Workers still booting may accept and answer late: both just mean "not yet".
            with contextlib.suppress(requests.RequestException):
                if requests.get(f"{base}/healthz", timeout=5).status_code == 200:
                    break
            if process.poll() is not None:
                raise RuntimeError("gunicorn exited before serving")
            if time.monotonic() > deadline:
                raise RuntimeError("gunicorn did not start within 30 s")
            time.sleep(0.2)
        yield base, process
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)


def flask_command(environment: dict, *arguments: str, **popen) -> subprocess.Popen:
    """`flask --app app …` as a separate process (an outbox worker, `outbox send`)."""
    return subprocess.Popen(
        [sys.executable, "-m", "flask", "--app", "app", *arguments],
        cwd=ROOT,
        env=environment,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        **popen,
    )
