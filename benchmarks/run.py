"""`make bench`: measure the app under load beside a baseline taken in the same run.

For SQLite (always) and PostgreSQL (when BENCH_DATABASE_URL is set): a fresh database,
`flask db upgrade`, `flask seed-load`, then `gunicorn app:app` with the settings the
README recommends, loaded by locust (headless, on 127.0.0.1, bounded in time). Prints a
table (figure, measured, baseline, budget, met), writes it into benchmarks/README.md with
the machine and the date, and exits 1 if a budget is missed.

Scenarios are listed in SCENARIOS; BENCH_SCENARIOS (comma-separated names) runs only some.
"""

from __future__ import annotations

import contextlib
import csv
import os
import platform
import re
import resource
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import psutil
import requests
from sqlalchemy import bindparam, create_engine, text
from sqlalchemy.engine import make_url

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
README = ROOT / "benchmarks" / "README.md"
ACTIVITIES = 500
REGISTRATIONS = 20_000
RUSH_SESSIONS = 20
RUSH_CAPACITY = 30
RUSH_USERS = 50
RUSH_TARGET = 100.0  # registrations per second: the budget
READ_USERS = 50
DURATION = os.environ.get("BENCH_DURATION", "25s")
# Before the rush is measured, the same load on other sessions: a server in service has
# compiled its templates and opened its database connections long before a rush comes.
RUSH_WARM_UP = "5s"
# Comma-separated parts of scenario names ("rush", "programme"); unset: every scenario.
CORES = os.cpu_count() or 1
# The README's "Running in production" recommendation (BENCH_WORKERS/BENCH_THREADS: to
# measure others).
WORKERS = int(os.environ.get("BENCH_WORKERS") or 2 * CORES)
THREADS = int(os.environ.get("BENCH_THREADS") or 4)
RESULTS_START = "<!-- results: written by make bench -->"
RESULTS_END = "<!-- end of results -->"


@dataclass
class Figure:
    name: str
    measured: float
    unit: str
    baseline: str
    budget: str
    met: bool | None  # None: reported, no budget

    def cells(self) -> list[str]:
        met = "-" if self.met is None else ("yes" if self.met else "NO")
        return [self.name, f"{self.measured:,.1f} {self.unit}", self.baseline, self.budget, met]


@dataclass
class Backend:
    name: str
    url: str  # SQLAlchemy URL of the fresh database


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def environment(backend: Backend, smtp_port: int) -> dict:
    return {
        **os.environ,
        "DATABASE_URL": backend.url,
        "SECRET_KEY": "benchmarks-only",
        "BASE_URL": "http://127.0.0.1",
        "MAIL_SERVER": "127.0.0.1",
        "MAIL_PORT": str(smtp_port),
        "RATELIMIT_ENABLED": "false",
        # The README's production setting: the e-mails are sent by `flask outbox worker`
        # (outbox_worker below), not by threads of the web processes.
        "OUTBOX_SEND_FROM_WEB": "false",
    }


def flask(env: dict, *args: str) -> None:
    subprocess.run([str(BIN / "flask"), "--app", "app", *args], cwd=ROOT, env=env, check=True)


@contextlib.contextmanager
def smtp_sink() -> Iterator[tuple[int, psutil.Process]]:
    """A real SMTP server that accepts and drops every message: its port and process."""
    port = free_port()
    process = subprocess.Popen(
        [str(BIN / "aiosmtpd"), "-n", "-l", f"127.0.0.1:{port}", "-c", "aiosmtpd.handlers.Sink"]
    )
    try:
        wait_for_port(port)
        yield port, psutil.Process(process.pid)
    finally:
        process.terminate()
        process.wait(timeout=10)


def wait_for_port(port: int, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), 0.5):
            return
        time.sleep(0.1)
    raise RuntimeError(f"nothing listens on 127.0.0.1:{port}")


@contextlib.contextmanager
def gunicorn(target: str, env: dict) -> Iterator[tuple[str, psutil.Process]]:
    port = free_port()
    process = subprocess.Popen(
        [
            str(BIN / "gunicorn"),
            target,
            "--workers",
            str(WORKERS),
            "--threads",
            str(THREADS),
            "--preload",
            "--bind",
            f"127.0.0.1:{port}",
            "--log-level",
            "warning",
        ],
        cwd=ROOT,
        env=env,
    )
    try:
        wait_for_port(port)
        master = psutil.Process(process.pid)
        while len(master.children()) < WORKERS:  # the port is bound before they start
            time.sleep(0.1)
        yield f"http://127.0.0.1:{port}", master
    finally:
        process.terminate()
        process.wait(timeout=30)


@contextlib.contextmanager
def outbox_worker(env: dict) -> Iterator[psutil.Process]:
    """`flask outbox worker` with the README's production interval."""
    process = subprocess.Popen(
        [str(BIN / "flask"), "--app", "app", "outbox", "worker", "--interval", "0.5"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
    )
    try:
        yield psutil.Process(process.pid)
    finally:
        process.terminate()
        process.wait(timeout=30)


@dataclass
class LoadResult:
    requests: int
    rps: float
    p95: float
    failures: int
    per_name: dict[str, dict]


def rush_emails(engine, rush_ids: list[int], timeout: float = 120) -> tuple[dict[str, int], float]:
    """The rush registrations' e-mails by status, once none is waiting for its first
    attempt (or after `timeout`), and how long that took: every one must be sent, by the
    outbox worker."""
    started = time.monotonic()
    while True:
        with engine.connect() as connection:
            counts = dict(
                connection.execute(
                    text(
                        "SELECT m.status, COUNT(*) FROM outbox_message m "
                        "JOIN registration r ON r.id = m.registration_id "
                        "WHERE r.activity_id IN :ids GROUP BY m.status"
                    ).bindparams(bindparam("ids", expanding=True)),
                    {"ids": rush_ids},
                ).all()
            )
        waited = time.monotonic() - started
        if (not counts.get("pending") and not counts.get("sending")) or waited > timeout:
            return counts, waited
        time.sleep(0.2)


def cpu_seconds(workers: list[psutil.Process], sink: psutil.Process) -> dict[str, float]:
    """CPU used so far by the server's workers, the load generator (locust, a waited-for
    child), the SMTP sink and PostgreSQL's processes when it runs here: all share this
    machine's cores during a run (a PostgreSQL connection ended meanwhile is missed)."""
    children = resource.getrusage(resource.RUSAGE_CHILDREN)

    def used(process: psutil.Process) -> float:
        with contextlib.suppress(psutil.Error):
            times = process.cpu_times()
            return times.user + times.system
        return 0.0

    return {
        "server": sum(used(worker) for worker in workers),
        "locust": children.ru_utime + children.ru_stime,
        "SMTP sink": used(sink),
        "PostgreSQL": sum(
            used(process)
            for process in psutil.process_iter(["name"])
            if process.info["name"] in ("postgres", "postmaster")
        ),
    }


def locust(
    user_class: str, host: str, users: int, env: dict, run_time: str = DURATION
) -> LoadResult:
    with tempfile.TemporaryDirectory() as folder:
        prefix = str(Path(folder) / "run")
        subprocess.run(
            [
                str(BIN / "locust"),
                "-f",
                str(ROOT / "benchmarks" / "locustfile.py"),
                "--headless",
                "--users",
                str(users),
                "--spawn-rate",
                str(users),
                "--run-time",
                run_time,
                "--host",
                host,
                "--csv",
                prefix,
                "--only-summary",
                "--loglevel",
                "WARNING",
                user_class,
            ],
            cwd=ROOT,
            env=env,
            check=False,  # locust exits 1 when a request failed: the figures say it
            stdout=subprocess.DEVNULL,
        )
        with open(f"{prefix}_stats.csv", newline="") as stats_file:
            rows = {row["Name"]: row for row in csv.DictReader(stats_file)}
    total = rows.pop("Aggregated")
    return LoadResult(
        requests=int(total["Request Count"]),
        rps=float(total["Requests/s"]),
        p95=float(total["95%"]),
        failures=int(total["Failure Count"]),
        per_name=rows,
    )


@contextlib.contextmanager
def peak_rss(master: psutil.Process) -> Iterator[dict]:
    """Samples the resident memory of the server's workers until the block ends."""
    peak = {"bytes": 0}
    stop = threading.Event()

    def sample():
        while not stop.is_set():
            for worker in master.children():
                with contextlib.suppress(psutil.Error):
                    peak["bytes"] = max(peak["bytes"], worker.memory_info().rss)
            time.sleep(0.2)

    thread = threading.Thread(target=sample, daemon=True)
    thread.start()
    try:
        yield peak
    finally:
        stop.set()
        thread.join()


def programme_scenario(backend: Backend, env: dict) -> list[Figure]:
    """(a) The programme page and feed, unchanged programme, beside the ceiling."""
    figures = []
    with gunicorn("app:app", env) as (host, _master):
        recorded = Path(tempfile.mkdtemp(prefix="bench-ceiling-"))
        for path in ("programme", "programme.ics"):
            response = requests.get(f"{host}/{path}", timeout=30)
            response.raise_for_status()
            (recorded / f"{path}.body").write_bytes(response.content)
            (recorded / f"{path}.type").write_text(response.headers["Content-Type"])
        app_result = locust("ProgrammeReader", host, READ_USERS, env)
    with gunicorn("benchmarks.ceiling:app", {**env, "BENCH_CEILING_DIR": str(recorded)}) as (
        host,
        _master,
    ):
        ceiling = locust("ProgrammeReader", host, READ_USERS, env)
    shutil.rmtree(recorded, ignore_errors=True)
    half = ceiling.rps / 2
    figures.append(
        Figure(
            f"{backend.name}: /programme + .ics (3:1), {ACTIVITIES} activities",
            app_result.rps,
            "req/s",
            f"ceiling {ceiling.rps:,.1f} req/s",
            f">= {half:,.1f} req/s (half)",
            app_result.rps >= half and app_result.failures == 0,
        )
    )
    figures.append(
        Figure(
            f"{backend.name}: /programme + .ics p95",
            app_result.p95,
            "ms",
            f"ceiling {ceiling.p95:,.0f} ms",
            "-",
            None,
        )
    )
    return figures


@dataclass
class RushCounts:
    confirmed: int
    waitlisted: int
    beyond: int  # confirmed beyond an activity's capacity

    @property
    def stored(self) -> int:
        return self.confirmed + self.waitlisted


def rush_counts(engine, rush_ids: list[int]) -> RushCounts:
    with engine.connect() as connection:
        rows = connection.execute(
            text(
                "SELECT a.id, a.capacity, "
                "SUM(CASE WHEN r.state = 'confirmed' THEN 1 ELSE 0 END), "
                "SUM(CASE WHEN r.state = 'waitlisted' THEN 1 ELSE 0 END) "
                "FROM activity a LEFT JOIN registration r ON r.activity_id = a.id "
                "WHERE a.id IN :ids GROUP BY a.id, a.capacity"
            ).bindparams(bindparam("ids", expanding=True)),
            {"ids": rush_ids},
        ).all()
    return RushCounts(
        confirmed=sum(row[2] or 0 for row in rows),
        waitlisted=sum(row[3] or 0 for row in rows),
        beyond=sum(max((row[2] or 0) - row[1], 0) for row in rows),
    )


def phase_seconds(result: LoadResult) -> float:
    register = result.per_name["register"]
    return int(register["Request Count"]) / float(register["Requests/s"] or 1)


# Registrations per second at saturation, by backend: PostgreSQL's budget is SQLite's.
RUSH_RATES: dict[str, float] = {}


def rush_scenario(backend: Backend, env: dict) -> list[Figure]:
    """(b) Registration rush, and (c) peak memory of a worker during it.

    Two phases on fresh sessions, in one server, once the same paced load has run for
    RUSH_WARM_UP on other sessions (not counted). First at the budget's rate: each user
    registers once every RUSH_USERS / RUSH_TARGET seconds, and the p95 is read at that
    load. Then as fast as the users can (a closed loop with no pause), which gives the
    most registrations per second; its p95 is only the queue that 50 users waiting on
    each other make (Little's law: 50 users / the throughput), reported beside it.
    """
    engine = create_engine(backend.url)
    with engine.connect() as connection:
        rush_ids = list(
            connection.execute(
                text("SELECT id FROM activity WHERE title_en LIKE 'Load-test rush%' ORDER BY id")
            ).scalars()
        )
        # Generated sessions that take registrations (full ones: their waiting lists).
        warm_up_ids = list(
            connection.execute(
                text(
                    "SELECT id FROM activity WHERE title_en LIKE 'Load test no.%' "
                    "AND registration_required = :yes ORDER BY id LIMIT :count"
                ),
                {"yes": True, "count": RUSH_SESSIONS},
            ).scalars()
        )
    assert len(rush_ids) == RUSH_SESSIONS, rush_ids
    load_env = {**env, "BENCH_RUSH_IDS": ",".join(map(str, rush_ids))}
    paced_env = {**load_env, "BENCH_RUSH_PACING": str(RUSH_USERS / RUSH_TARGET)}
    warm_up_env = {**paced_env, "BENCH_RUSH_IDS": ",".join(map(str, warm_up_ids))}
    sink = psutil.Process(int(env["BENCH_SMTP_PID"]))
    with (
        gunicorn("app:app", env) as (host, master),
        outbox_worker(env) as sender,
        peak_rss(master) as peak,
    ):
        warm_up = locust("RushRegistrant", host, RUSH_USERS, warm_up_env, RUSH_WARM_UP)
        assert warm_up.failures == 0, "the warm-up failed"
        rush_emails(engine, warm_up_ids)  # its e-mails are sent before the rush starts
        workers = [*master.children(), sender]
        before = cpu_seconds(workers, sink)
        paced = locust("RushRegistrant", host, RUSH_USERS, paced_env)
        after_paced = rush_counts(engine, rush_ids)
        psutil.cpu_percent()  # starts the count of the machine's use in the saturated phase
        saturated = locust("RushRegistrant", host, RUSH_USERS, load_env)
        # Near 100: the rate is bound by the cores that the server, its database, locust
        # and the SMTP sink share, not by a lock or a wait.
        busy = psutil.cpu_percent()
        emails, drained = rush_emails(engine, rush_ids)
        after = cpu_seconds(workers, sink)
    counts = rush_counts(engine, rush_ids)
    engine.dispose()
    paced_rate = after_paced.stored / phase_seconds(paced)
    rate = (counts.stored - after_paced.stored) / phase_seconds(saturated)
    RUSH_RATES[backend.name] = rate
    target = RUSH_TARGET if backend.name == "SQLite" else RUSH_RATES.get("SQLite", RUSH_TARGET)
    paced_p95 = float(paced.per_name["register"]["95%"])
    # The locustfile marks any answer but 200 as a failure (5xx, 4xx, no form).
    failures = paced.failures + saturated.failures
    per_registration = {
        part: (after[part] - before[part]) * 1000 / max(counts.stored, 1) for part in after
    }
    return [
        Figure(
            f"{backend.name}: rush, registrations stored per second (saturated)",
            rate,
            "reg/s",
            f"{RUSH_USERS} users with no pause, {RUSH_SESSIONS}x{RUSH_CAPACITY} seats, "
            f"the {CORES} cores {busy:.0f}% busy",
            f">= {target:,.1f} reg/s" + ("" if backend.name == "SQLite" else " (SQLite's)"),
            rate >= target,
        ),
        Figure(
            f"{backend.name}: rush at {RUSH_TARGET:.0f} reg/s, POST register p95",
            paced_p95,
            "ms",
            f"{paced_rate:,.1f} reg/s stored, form GET p95 "
            f"{float(paced.per_name['form']['95%']):,.0f} ms",
            f"< 250 ms at >= {0.95 * RUSH_TARGET:.0f} reg/s",
            paced_p95 < 250 and paced_rate >= 0.95 * RUSH_TARGET,
        ),
        Figure(
            f"{backend.name}: rush saturated, POST register p95",
            float(saturated.per_name["register"]["95%"]),
            "ms",
            f"form GET p95 {float(saturated.per_name['form']['95%']):,.0f} ms",
            "-",
            None,
        ),
        Figure(
            f"{backend.name}: rush, confirmed beyond capacity",
            counts.beyond,
            "",
            f"{counts.confirmed} confirmed, {counts.waitlisted} waiting",
            "0",
            # Only overbooking misses this budget; a short run may not fill every seat.
            counts.beyond == 0,
        ),
        Figure(
            f"{backend.name}: rush, failed requests (5xx or other)",
            failures,
            "",
            f"{paced.requests + saturated.requests:,} requests",
            "0",
            failures == 0,
        ),
        Figure(
            f"{backend.name}: rush, e-mails not sent",
            sum(count for status, count in emails.items() if status != "sent"),
            "",
            f"{emails.get('sent', 0):,} sent for {counts.stored:,} registrations, "
            f"the last {drained:,.1f} s after the rush",
            "0",
            set(emails) <= {"sent"} and emails.get("sent", 0) >= counts.stored,
        ),
        Figure(
            f"{backend.name}: rush, server CPU per registration (e-mail included)",
            per_registration["server"],
            "ms",
            f"locust {per_registration['locust']:,.1f} ms, "
            f"SMTP sink {per_registration['SMTP sink']:,.1f} ms"
            + (
                f", PostgreSQL {per_registration['PostgreSQL']:,.1f} ms"
                if backend.name == "PostgreSQL"
                else ""
            ),
            "-",
            None,
        ),
        Figure(
            f"{backend.name}: rush, peak RSS of a worker",
            peak["bytes"] / 2**20,
            "MiB",
            f"{WORKERS} workers x {THREADS} threads",
            "-",
            None,
        ),
    ]


def cold_render_scenario(backend: Backend, env: dict) -> list[Figure]:
    """The 500-activity page rendered with an empty cache, in process (median of 7)."""
    timings = in_process("cold", env)
    median = statistics.median(timings["cold"])
    return [
        Figure(
            f"{backend.name}: cold render of /programme ({ACTIVITIES} activities)",
            median,
            "ms",
            f"cached {statistics.median(timings['warm']):.1f} ms",
            "< 50 ms",
            median < 50,
        )
    ]


def in_process(mode: str, env: dict) -> dict[str, list[float]]:
    """Runs `profile.py <mode>` and returns its `name_ms=` timings by name."""
    output = subprocess.run(
        [sys.executable, str(ROOT / "benchmarks" / "profile.py"), mode],
        cwd=ROOT,
        env=env,
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    timings: dict[str, list[float]] = {}
    for name, value in re.findall(r"(\w+)_ms=([0-9.]+)", output):
        timings.setdefault(name, []).append(float(value))
    return timings


def awards_scenario(backend: Backend, env: dict) -> list[Figure]:
    """Award aggregation, 30 nominations x 15 jurors x 10 criteria, in process (median of 7).

    A plain function without the database: measured once, under the first backend only.
    """
    if backend.name != "SQLite":
        return []
    timings = in_process("awards", env)
    median = statistics.median(timings["aggregate"])
    return [
        Figure(
            "award aggregation, 30 nominations x 15 jurors x 10 criteria",
            median,
            "ms",
            f"building its inputs {statistics.median(timings['inputs']):.1f} ms",
            "< 50 ms",
            median < 50,
        )
    ]


def metrics_scenario(backend: Backend, env: dict) -> list[Figure]:
    """Metrics import of a 100,000-row CSV in one transaction, rolled back."""
    timings = in_process("metrics", env)
    seconds = timings["import"][0] / 1000
    return [
        Figure(
            f"{backend.name}: metrics import, 100,000 rows",
            seconds,
            "s",
            f"csv module alone {timings['csv'][0] / 1000:.2f} s",
            "< 10 s",
            seconds < 10,
        )
    ]


# (name, function), run in this order on each backend.
SCENARIOS: list[tuple[str, Callable[[Backend, dict], list[Figure]]]] = [
    ("cold render", cold_render_scenario),
    ("programme", programme_scenario),
    ("registration rush", rush_scenario),
    ("award aggregation", awards_scenario),
    ("metrics import", metrics_scenario),
]


def selected_scenarios() -> list[tuple[str, Callable[[Backend, dict], list[Figure]]]]:
    """SCENARIOS, or those named in BENCH_SCENARIOS (comma-separated names as in
    SCENARIOS, e.g. `BENCH_SCENARIOS="cold render,programme"`); every one when unset."""
    wanted = [name.strip() for name in os.environ.get("BENCH_SCENARIOS", "").split(",")]
    wanted = [name for name in wanted if name]
    if not wanted:
        return SCENARIOS
    known = [name for name, _scenario in SCENARIOS]
    unknown = [name for name in wanted if name not in known]
    if unknown:
        raise SystemExit(f"Unknown BENCH_SCENARIOS {unknown}; known: {', '.join(known)}")
    return [(name, scenario) for name, scenario in SCENARIOS if name in wanted]


@contextlib.contextmanager
def backends() -> Iterator[list[Backend]]:
    folder = Path(tempfile.mkdtemp(prefix="bench-db-"))
    found = [Backend("SQLite", f"sqlite:///{folder / 'bench.sqlite3'}")]
    server = os.environ.get("BENCH_DATABASE_URL")
    admin = None
    name = f"eventweek_bench_{uuid.uuid4().hex[:10]}"
    if server:
        server_url = make_url(server.replace("postgresql://", "postgresql+psycopg://", 1))
        admin = create_engine(server_url, isolation_level="AUTOCOMMIT")
        with admin.connect() as connection:
            connection.execute(text(f'CREATE DATABASE "{name}"'))
        url = server_url.set(database=name).render_as_string(hide_password=False)
        found.append(Backend("PostgreSQL", url))
    try:
        yield found
    finally:
        shutil.rmtree(folder, ignore_errors=True)  # the SQLite database, ~30 MB a run
        if admin is not None:
            with admin.connect() as connection:
                connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            admin.dispose()


def analyse(backend: Backend) -> None:
    engine = create_engine(backend.url, isolation_level="AUTOCOMMIT")
    with engine.connect() as connection:
        connection.execute(text("VACUUM ANALYZE"))
    engine.dispose()


def machine() -> str:
    model = "unknown CPU"
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    memory = psutil.virtual_memory().total / 2**30
    return (
        f"{CORES} cores ({model}), {memory:.0f} GiB RAM, {platform.system()} "
        f"{platform.release()}, Python {platform.python_version()}"
    )


def table(figures: list[Figure]) -> str:
    header = ["figure", "measured", "baseline", "budget", "met"]
    lines = ["| " + " | ".join(header) + " |", "|" + " --- |" * len(header)]
    lines += ["| " + " | ".join(figure.cells()) + " |" for figure in figures]
    return "\n".join(lines)


def write_readme(figures: list[Figure]) -> None:
    stamp = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    block = (
        f"{RESULTS_START}\nLast run: {stamp}, on {machine()}; gunicorn {WORKERS} workers x "
        f"{THREADS} threads and one outbox worker, locust {READ_USERS}/{RUSH_USERS} users for "
        f"{DURATION} each.\n\n"
        f"{table(figures)}\n{RESULTS_END}"
    )
    content = README.read_text()
    start, end = content.index(RESULTS_START), content.index(RESULTS_END) + len(RESULTS_END)
    README.write_text(content[:start] + block + content[end:])


def main() -> int:
    scenarios = selected_scenarios()
    figures: list[Figure] = []
    with smtp_sink() as (smtp_port, sink), backends() as found:
        for backend in found:
            env = environment(backend, smtp_port)
            env["BENCH_SMTP_PID"] = str(sink.pid)
            flask(env, "db", "upgrade")
            flask(
                env,
                "seed-load",
                "--activities",
                str(ACTIVITIES),
                "--registrations",
                str(REGISTRATIONS),
                "--rush-sessions",
                str(RUSH_SESSIONS),
                "--rush-capacity",
                str(RUSH_CAPACITY),
            )
            if backend.name == "PostgreSQL":
                # As autovacuum would within a minute of a bulk load: without statistics
                # the planner takes the 20,000 registrations for a handful of rows.
                analyse(backend)
            for name, scenario in scenarios:
                print(f"{backend.name}: {name}…", flush=True)
                figures += scenario(backend, env)
    print(table(figures))
    if len(scenarios) < len(SCENARIOS):
        print("Partial run (BENCH_SCENARIOS): benchmarks/README.md left as it is.")
    else:
        write_readme(figures)
    missed = [figure.name for figure in figures if figure.met is False]
    if missed:
        print("Budgets missed: " + "; ".join(missed), file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
