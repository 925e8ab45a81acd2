"""Load scenarios for `make bench` (run by benchmarks/run.py; one user class per run).

- ProgrammeReader: reads the programme page and its calendar feed, as fast as it can.
- RushRegistrant: opens a session's page, then posts its registration form with the
  CSRF token found there (cookies kept, as a browser does), each time with a new address:
  as fast as it can, or one registration every BENCH_RUSH_PACING seconds per user (the
  offered rate is then users / pacing).

Both use FastHttpUser (geventhttpclient, shipped with locust): locust runs on the same
machine as the server, and HttpUser (requests) spent several times more CPU per request,
taken from the server being measured. The ceiling runs with the same user classes.
"""

from __future__ import annotations

import os
import random
import re
import uuid
from urllib.parse import urlencode

from locust import FastHttpUser, constant, constant_pacing, task

CSRF_FIELD = re.compile(r'name="csrf_token" (?:type="hidden" )?value="([^"]+)"')
RUSH_IDS = [int(value) for value in os.environ.get("BENCH_RUSH_IDS", "").split(",") if value]
RUSH_PACING = float(os.environ.get("BENCH_RUSH_PACING") or 0)


class ProgrammeReader(FastHttpUser):
    wait_time = constant(0)

    @task(3)
    def programme(self):
        self.client.get("/programme", name="/programme")

    @task(1)
    def feed(self):
        self.client.get("/programme.ics", name="/programme.ics")


class RushRegistrant(FastHttpUser):
    wait_time = constant_pacing(RUSH_PACING) if RUSH_PACING else constant(0)

    @task
    def register(self):
        activity_id = random.choice(RUSH_IDS)  # noqa: S311 - load spreading, not security
        with self.client.get(f"/sessions/{activity_id}", name="form", catch_response=True) as page:
            token = CSRF_FIELD.search(page.text or "")
            if page.status_code != 200 or token is None:
                page.failure(f"no form: {page.status_code}")
                return
        address = f"rush-{uuid.uuid4().hex}@example.org"
        with self.client.post(
            f"/sessions/{activity_id}/register",
            name="register",
            data=urlencode(
                {
                    "full_name": "Participant de la ruée",
                    "email": address,
                    "language": "fr",
                    "consent": "y",
                    "csrf_token": token.group(1),
                }
            ),
            headers={"Content-Type": "application/x-www-form-urlencoded"},
            catch_response=True,
        ) as response:
            if response.status_code != 200:
                response.failure(f"status {response.status_code}")
