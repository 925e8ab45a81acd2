"""In-process measurements of the programme page and the registration POST.

`python benchmarks/profile.py cold`: the 500-activity /programme rendered with an empty
cache (median of 7, after one request that compiles the templates), and served from
the cache; `make bench` runs it on the database it built (DATABASE_URL).

`python benchmarks/profile.py awards`: the award aggregation of 30 nominations x 15 jurors x
10 criteria (median of 7), beside building its inputs.

`python benchmarks/profile.py metrics`: the import of a 100,000-row figures CSV (rolled back),
beside reading the same file with the csv module alone.

`python benchmarks/profile.py profile`: pyinstrument profiles of a cold render and of
20 registrations (form GET + POST), printed as text. Without DATABASE_URL it builds
its own SQLite database with `seed-load` data.

`python benchmarks/profile.py stages`: the CPU time of each stage of a registration in
process (the form page, the POST, its e-mail sent in batches of 12 to an SMTP sink on
loopback), mean of 300: where the rush's CPU goes, without a server or a load tool.

`python benchmarks/profile.py calls`: the same stages counted in Python and C function
calls instead: a measure that does not move with the machine's speed, to compare two
versions of the code.
"""

from __future__ import annotations

import atexit
import os
import re
import shutil
import statistics
import sys
import tempfile
import time
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

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
    atexit.register(shutil.rmtree, folder, ignore_errors=True)
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
    from eventweek.sessions.programme_cache import clear_cached_parts

    client = app.test_client()
    timed_get(client, "/programme")  # compiles the templates
    colds, warms = [], []
    for _ in range(7):
        clear_cached_parts()
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


def rush_activity_ids(app) -> list[int]:
    from sqlalchemy import select

    from eventweek.extensions import db
    from eventweek.sessions.models import Activity

    with app.app_context():
        return list(
            db.session.execute(
                select(Activity.id).where(Activity.title_en.like("Load-test rush%"))
            ).scalars()
        )


def cpu_ms(action: Callable[[], Any]) -> tuple[Any, float]:
    """`action()`, and the CPU time this thread spent on it, in ms."""
    started = time.thread_time()
    result = action()
    return result, (time.thread_time() - started) * 1000


def python_calls(action: Callable[[], Any]) -> tuple[Any, float]:
    """`action()`, and how many Python and C functions it called in this thread: the same
    count on a slow machine as on a fast one."""
    calls = 0

    def count(_frame, event: str, _arg) -> None:
        nonlocal calls
        if event in ("call", "c_call"):
            calls += 1

    sys.setprofile(count)
    try:
        result = action()
    finally:
        sys.setprofile(None)
    return result, calls


def register_once(client, activity_id: int, measure=cpu_ms) -> tuple[float, float]:
    """Opens the form page and posts it; what `measure` gives for each."""
    page, form_cost = measure(lambda: client.get(f"/sessions/{activity_id}"))
    token = CSRF_FIELD.search(page.get_data(as_text=True)).group(1)
    response, post_cost = measure(
        lambda: client.post(
            f"/sessions/{activity_id}/register",
            data={
                "full_name": "Profil",
                "email": f"profile-{uuid.uuid4().hex}@example.org",
                "language": "fr",
                "consent": "y",
                "csrf_token": token,
            },
        )
    )
    assert response.status_code == 200, response.status_code
    return form_cost, post_cost


def register_many(app, count: int) -> None:
    activity_ids = rush_activity_ids(app)
    client = app.test_client()
    for number in range(count):
        register_once(client, activity_ids[number % len(activity_ids)])


def smtp_sink():
    """An SMTP server on loopback that accepts everything, started."""
    import socket

    from aiosmtpd.controller import Controller
    from aiosmtpd.handlers import Sink

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    smtp = Controller(Sink(), hostname="127.0.0.1", port=port)
    smtp.start()
    return smtp


def profile() -> None:
    from pyinstrument import Profiler

    from eventweek import create_app
    from eventweek.sessions.programme_cache import clear_cached_parts

    smtp = smtp_sink()
    app = create_app(
        {"RATELIMIT_ENABLED": False, "MAIL_SERVER": "127.0.0.1", "MAIL_PORT": smtp.port}
    )
    client = app.test_client()
    client.get("/programme")
    profiler = Profiler()
    with profiler:
        for _ in range(5):
            clear_cached_parts()
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


class HeldForLater:
    """Stands in for the process's sender thread: keeps the ids, to send them in batches."""

    def __init__(self):
        self.message_ids: list[int] = []

    def submit(self, message_ids: list[int]) -> None:
        self.message_ids += message_ids


def stages(measure=cpu_ms, unit: str = "ms", count: int = 300, batch: int = 12) -> None:
    """Prints form_ms=, post_ms= and email_ms= (means of `count`, this thread's CPU
    time), or form_calls=, post_calls= and email_calls= with `python_calls`."""
    from eventweek import create_app
    from eventweek.extensions import db
    from eventweek.outbox.delivery import deliver

    smtp = smtp_sink()
    app = create_app(
        {"RATELIMIT_ENABLED": False, "MAIL_SERVER": "127.0.0.1", "MAIL_PORT": smtp.port}
    )
    held = app.extensions["outbox_first_attempts"] = HeldForLater()
    activity_ids = rush_activity_ids(app)
    client = app.test_client()

    def send_held() -> int:
        sent = 0
        with app.app_context():
            for start in range(0, len(held.message_ids), batch):
                sent += deliver(message_ids=held.message_ids[start : start + batch]).sent
                db.session.remove()
        held.message_ids.clear()
        return sent

    for number in range(20):  # compiles the templates, fills the caches
        register_once(client, activity_ids[number % len(activity_ids)])
    send_held()
    costs = [
        register_once(client, activity_ids[number % len(activity_ids)], measure)
        for number in range(count)
    ]
    sent, email_cost = measure(send_held)
    smtp.stop()
    assert sent == count, (sent, count)
    print(f"form_{unit}={statistics.mean(form for form, _post in costs):.2f}")
    print(f"post_{unit}={statistics.mean(post for _form, post in costs):.2f}")
    print(f"email_{unit}={email_cost / count:.2f}")


def awards() -> None:
    """Prints aggregate_ms= and inputs_ms= (building the scores the aggregation reads)."""
    import random

    from eventweek.awards.scoring import CriterionSpec, JuryScore, NomineeInput, aggregate

    generator = random.Random(9)

    def inputs():
        criteria = [CriterionSpec(c, f"c{c}", "jury", 1 + c % 3) for c in range(8)]
        criteria += [CriterionSpec(c, f"m{c}", "metric", 1) for c in (8, 9)]
        nominees = [
            NomineeInput(n, f"org{n}", {8: generator.random() * 100, 9: None if n % 7 else 3.0})
            for n in range(30)
        ]
        scores = [
            JuryScore(n, j, c, float(generator.randint(0, 10)))
            for n in range(30)
            for j in range(15)
            for c in range(8)
        ]
        recused = [(n, n % 15) for n in range(0, 30, 5)]
        return criteria, nominees, scores, recused

    for _ in range(7):
        started = time.perf_counter()
        criteria, nominees, scores, recused = inputs()
        print(f"inputs_ms={(time.perf_counter() - started) * 1000:.2f}")
        started = time.perf_counter()
        aggregate(criteria, nominees, scores, recused, normalise=True)
        print(f"aggregate_ms={(time.perf_counter() - started) * 1000:.2f}")


def metrics(app) -> None:
    """Prints import_ms= and csv_ms= (the csv module reading the same file)."""
    import csv
    import io
    from datetime import date, timedelta

    from eventweek.extensions import db
    from eventweek.metrics.imports import import_figures
    from eventweek.metrics.keys import METRIC_KEYS

    keys = list(METRIC_KEYS.values())
    lines = ["date,scope,key,value,unit,source"]
    start = date(2020, 1, 1)
    day = 0
    while len(lines) <= 100_000:
        for metric in keys:
            lines.append(
                f"{start + timedelta(days=day)},network,{metric.key},{day * 7 % 1000}.5,"
                f"{metric.unit},Benchmark"
            )
        day += 1
    raw = ("\n".join(lines[:100_001]) + "\n").encode()
    started = time.perf_counter()
    rows = sum(1 for _ in csv.DictReader(io.StringIO(raw.decode())))
    print(f"csv_ms={(time.perf_counter() - started) * 1000:.2f}")
    with app.app_context(), app.test_request_context():
        started = time.perf_counter()
        report = import_figures(raw)
        print(f"import_ms={(time.perf_counter() - started) * 1000:.2f}")
        assert report.created + report.updated + report.unchanged == rows, report
        db.session.rollback()


def main() -> None:
    mode = sys.argv[1] if len(sys.argv) > 1 else "cold"
    if mode not in ("awards", "calls", "cold", "metrics", "profile", "stages"):
        sys.exit(f"unknown mode {mode!r}: awards, calls, cold, metrics, profile or stages")
    if mode == "awards":
        awards()
        return
    if "DATABASE_URL" not in os.environ:
        build_database()
    if mode == "calls":
        stages(python_calls, "calls")
        return
    if mode in ("profile", "stages"):
        {"profile": profile, "stages": stages}[mode]()
        return
    from eventweek import create_app

    app = create_app({"RATELIMIT_ENABLED": False})
    {"cold": cold, "metrics": metrics}[mode](app)


if __name__ == "__main__":
    main()
