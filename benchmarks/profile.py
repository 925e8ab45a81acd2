"""In-process measurements of the programme page and the registration POST.

`python benchmarks/profile.py cold`: the 500-activity /programme rendered with an empty
cache (median of 7, after one request that compiles the templates), and served from
the cache; `make bench` runs it on the database it built (DATABASE_URL).

`python benchmarks/profile.py profile`: pyinstrument profiles of a cold render and of
20 registrations (form GET + POST), printed as text. Without DATABASE_URL it builds
its own SQLite database with `seed-load` data.
"""

from __future__ import annotations

import os
import re
import statistics
import sys
import tempfile
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

CSRF_FIELD = re.compile(r'name="csrf_token" (?:type="hidden" )?value="([^"]+)"')


def build_database() -> None:
    """A fresh SQLite database with the benchmark's data, when none was given."""
    import flask_migrate

    from eventweek import create_app
    from eventweek.extensions import db
    from eventweek.sessions.load_data import seed_load

    folder = Path(tempfile.mkdtemp(prefix="bench-profile-"))
    os.environ["DATABASE_URL"] = f"sqlite:///{folder / 'bench.sqlite3'}"
    os.environ.setdefault("SECRET_KEY", "benchmarks-only")
    app = create_app()
    with app.app_context():
        flask_migrate.upgrade()
        seed_load(500, 20_000, rush_activities=20)
        db.session.commit()


def timed_get(client, url: str) -> float:
    started = time.perf_counter()
    response = client.get(url)
    elapsed = (time.perf_counter() - started) * 1000
    assert response.status_code == 200, response.status_code
    return elapsed


def cold(app) -> None:
    from eventweek.extensions import cache

    client = app.test_client()
    timed_get(client, "/programme")  # compiles the templates
    colds, warms = [], []
    for _ in range(7):
        cache.clear()
        colds.append(timed_get(client, "/programme"))
    for _ in range(7):
        warms.append(timed_get(client, "/programme"))
    for value in colds:
        print(f"cold_ms={value:.2f}")
    for value in warms:
        print(f"warm_ms={value:.2f}")
    print(
        f"median cold {statistics.median(colds):.1f} ms, cached {statistics.median(warms):.1f} ms"
    )


def register_many(app, count: int) -> None:
    from sqlalchemy import select

    from eventweek.extensions import db
    from eventweek.sessions.models import Activity

    with app.app_context():
        activity_ids = list(
            db.session.execute(
                select(Activity.id).where(Activity.title_en.like("Load-test rush%"))
            ).scalars()
        )
    client = app.test_client()
    for number in range(count):
        activity_id = activity_ids[number % len(activity_ids)]
        page = client.get(f"/sessions/{activity_id}").get_data(as_text=True)
        token = CSRF_FIELD.search(page).group(1)
        response = client.post(
            f"/sessions/{activity_id}/register",
            data={
                "full_name": "Profil",
                "email": f"profile-{uuid.uuid4().hex}@example.org",
                "language": "fr",
                "consent": "y",
                "csrf_token": token,
            },
        )
        assert response.status_code == 200, response.status_code


def profile(app) -> None:
    import socket

    from aiosmtpd.controller import Controller
    from aiosmtpd.handlers import Sink
    from pyinstrument import Profiler

    from eventweek.extensions import cache

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    smtp = Controller(Sink(), hostname="127.0.0.1", port=port)
    smtp.start()
    app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=smtp.port)
    client = app.test_client()
    client.get("/programme")
    profiler = Profiler()
    with profiler:
        for _ in range(5):
            cache.clear()
            client.get("/programme")
    print("=== 5 cold renders of /programme ===")
    print(profiler.output_text(unicode=True, show_all=False))
    register_many(app, 2)  # warm-up
    profiler = Profiler()
    with profiler:
        register_many(app, 20)
    print("=== 20 registrations (form GET + POST) ===")
    print(profiler.output_text(unicode=True, show_all=False))
    smtp.stop()


def main() -> None:
    mode = sys.argv[1] if len(sys.argv) > 1 else "cold"
    if "DATABASE_URL" not in os.environ:
        build_database()
    from eventweek import create_app

    app = create_app({"RATELIMIT_ENABLED": False})
    if mode == "cold":
        cold(app)
    else:
        profile(app)


if __name__ == "__main__":
    main()
