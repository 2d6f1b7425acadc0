"""The load run: gunicorn serving one database, and signed-in clients requesting each page at once.

Only the standard library: one `http.client` connection per request (gunicorn's sync workers close
each connection), the session and CSRF cookies kept by hand, one thread per client.
"""

import http.client
import math
import os
import re
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import urlencode

CSRF_INPUT = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


class SignInFailed(Exception):
    pass


@dataclass(frozen=True)
class PageRef:
    key: str
    username: str
    path: str


class Session:
    """One browser: its cookies, signed in as one person."""

    def __init__(self, host: str, port: int, *, timeout: float = 300):
        self.host, self.port, self.timeout = host, port, timeout
        self.cookies: dict[str, str] = {}

    def request(self, method: str, path: str, body: str | None = None) -> tuple[int, dict, bytes]:
        connection = http.client.HTTPConnection(self.host, self.port, timeout=self.timeout)
        headers = {"Host": "localhost", "Accept-Language": "zh-hans"}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        if body is not None:
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        try:
            connection.request(method, path, body=body, headers=headers)
            response = connection.getresponse()
            content = response.read()
            for header in response.headers.get_all("Set-Cookie") or []:
                cookie = SimpleCookie()
                cookie.load(header)
                for name, morsel in cookie.items():
                    self.cookies[name] = morsel.value
            return response.status, dict(response.headers), content
        finally:
            connection.close()

    def sign_in(self, username: str, password: str) -> None:
        status, _headers, page = self.request("GET", "/accounts/login/")
        token = CSRF_INPUT.search(page.decode("utf-8", "replace"))
        if status != 200 or not token:
            raise SignInFailed(f"{username}: the login page answered {status}")
        form = urlencode({"username": username, "password": password, "csrfmiddlewaretoken": token.group(1)})
        status, _headers, _page = self.request("POST", "/accounts/login/", form)
        if status != 302 or "sessionid" not in self.cookies:
            raise SignInFailed(f"{username}: signing in answered {status}")


@dataclass
class Load:
    key: str
    latencies: list[float] = field(default_factory=list)  # seconds, of the 200 answers
    errors: dict[int, int] = field(default_factory=dict)  # status (0: no answer) -> how many

    @property
    def median_ms(self) -> float | None:
        return round(percentile(self.latencies, 50) * 1000, 1) if self.latencies else None

    @property
    def p95_ms(self) -> float | None:
        return round(percentile(self.latencies, 95) * 1000, 1) if self.latencies else None


def percentile(values: list[float], p: float) -> float:
    """The nearest-rank percentile."""
    ordered = sorted(values)
    return ordered[max(0, math.ceil(p / 100 * len(ordered)) - 1)]


def drive(
    host: str,
    port: int,
    pages: Iterable,
    *,
    password: str,
    clients: int = 8,
    requests: int = 32,
    warmup: int = 1,
    page_seconds: float = 120,
    progress=None,
    sessions: dict | None = None,
) -> dict[str, Load]:
    """Each page (with `key`, `username`, `path`) in turn, requested `requests` times by `clients`
    clients at once, each signed in as the page's reader in a session of its own (kept in `sessions`
    for the next call). Each client first requests the page `warmup` times unmeasured; none starts a
    request after `page_seconds`."""
    sessions = {} if sessions is None else sessions
    results = {}
    for page in pages:
        load = Load(page.key)
        lock = threading.Lock()
        start = threading.Barrier(clients)
        shares = [requests // clients + (1 if i < requests % clients else 0) for i in range(clients)]
        failures = []

        def client(i: int, page=page, load=load, lock=lock, start=start, shares=shares, failures=failures):
            try:
                session = sessions.get((i, page.username))
                if session is None:
                    session = sessions[(i, page.username)] = Session(host, port)
                    session.sign_in(page.username, password)
                for _ in range(warmup):
                    session.request("GET", page.path)
            except Exception as error:  # noqa: BLE001 - reported below, the barrier released
                failures.append(error)
                start.abort()
                return
            try:
                start.wait()
            except threading.BrokenBarrierError:
                return
            deadline = time.monotonic() + page_seconds
            for _ in range(shares[i]):
                if time.monotonic() > deadline:
                    break
                began = time.perf_counter()
                try:
                    status, _headers, _body = session.request("GET", page.path)
                except OSError:
                    status = 0
                took = time.perf_counter() - began
                with lock:
                    if status == 200:
                        load.latencies.append(took)
                    else:
                        load.errors[status] = load.errors.get(status, 0) + 1

        threads = [threading.Thread(target=client, args=(i,), daemon=True) for i in range(clients)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        if failures:
            raise failures[0]
        results[page.key] = load
        if progress is not None:
            progress(load)
    return results


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    """gunicorn serving config.wsgi with `env` (the database, the settings) on a free local port."""

    def __init__(self, env: dict, *, workers: int = 4, log: Path, cwd: Path, boot_seconds: float = 120):
        self.env, self.workers, self.log, self.cwd, self.boot_seconds = env, workers, log, cwd, boot_seconds
        self.port = 0
        self.process = None

    def __enter__(self) -> "Server":
        self.port = free_port()
        self.log.parent.mkdir(parents=True, exist_ok=True)
        command = [
            sys.executable, "-m", "gunicorn", "config.wsgi:application",
            "--workers", str(self.workers), "--bind", f"127.0.0.1:{self.port}",
            "--timeout", "600", "--graceful-timeout", "5", "--log-level", "warning",
            "--error-logfile", str(self.log),
        ]  # fmt: skip
        self.process = subprocess.Popen(command, cwd=self.cwd, env={**os.environ, **self.env})
        began = time.monotonic()
        while time.monotonic() - began < self.boot_seconds:
            if self.process.poll() is not None:
                raise RuntimeError(f"gunicorn exited ({self.process.returncode}); see {self.log}")
            try:
                status, _headers, _body = Session("127.0.0.1", self.port, timeout=5).request(
                    "GET", "/accounts/login/"
                )
                if status == 200:
                    return self
            except OSError:
                pass
            time.sleep(0.2)
        self.__exit__(None, None, None)
        raise RuntimeError(f"gunicorn did not answer within {self.boot_seconds:.0f} s; see {self.log}")

    def __exit__(self, *exc) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
