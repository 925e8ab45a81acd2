"""A real SMTP server on loopback (aiosmtpd) that keeps what it receives, for tests."""

from __future__ import annotations

import email
import email.policy
import socket
import threading
import time
from email.message import EmailMessage

from aiosmtpd.controller import Controller


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class RecordingHandler:
    def __init__(self, server: SmtpServer):
        self.server = server

    async def handle_DATA(self, _server, session, envelope):
        if self.server.refuse:
            return "451 4.3.0 Try again later"
        message = email.message_from_bytes(envelope.content, policy=email.policy.default)
        with self.server.lock:
            self.server.messages.append(message)
            self.server.hello_names.append(session.host_name)
            self.server.peers.append(session.peer)
        return "250 OK"


class SmtpServer:
    """Start, stop and restart on the same port; `messages` holds the parsed e-mails."""

    def __init__(self):
        self.port = free_port()
        self.messages: list[EmailMessage] = []
        self.hello_names: list[str] = []  # the name each sender gave in HELO/EHLO
        self.peers: list[tuple] = []  # the client address of each message: one per connection
        self.lock = threading.Lock()
        self.refuse = False
        self.controller: Controller | None = None

    def start(self) -> None:
        self.controller = Controller(
            RecordingHandler(self), hostname="127.0.0.1", port=self.port, ready_timeout=10
        )
        self.controller.start()

    def stop(self) -> None:
        if self.controller is not None:
            self.controller.stop()
            self.controller = None

    def clear(self) -> None:
        with self.lock:
            self.messages.clear()
            self.hello_names.clear()
            self.peers.clear()
        self.refuse = False

    def wait_for(self, count: int, timeout: float = 10.0) -> list[EmailMessage]:
        """The messages received, once there are at least `count` (or when time runs out)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with self.lock:
                if len(self.messages) >= count:
                    return list(self.messages)
            time.sleep(0.02)
        with self.lock:
            return list(self.messages)

    def to(self, address: str) -> list[EmailMessage]:
        with self.lock:
            return [m for m in self.messages if m["To"] == address]
