"""A real API (uvicorn in a subprocess) and real `syllabus runner` processes, for e2e tests and the bench."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import httpx

from api.settings import PROJECT_ROOT


def free_port() -> int:
    """A TCP port nobody listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def _clean_env() -> dict[str, str]:
    return {k: v for k, v in os.environ.items() if not k.startswith("SYLLABUS_")}


class LiveApi:
    """`uvicorn api.app:create_app` on 127.0.0.1 with its settings from the environment; restartable."""

    def __init__(self, *, database_url: str, secret: str, log_path: Path, **settings: Any) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log_path = log_path
        self.env = _clean_env() | {
            "SYLLABUS_DATABASE_URL": database_url,
            "SYLLABUS_ENVIRONMENT": "test",
            "SYLLABUS_SECRET_KEY": secret,
            "SYLLABUS_LOG_LEVEL": "WARNING",
            **{f"SYLLABUS_{name.upper()}": str(value) for name, value in settings.items()},
        }
        self.proc: subprocess.Popen[bytes] | None = None

    def start(self, timeout_s: float = 30.0) -> None:
        """Start the server and wait until `/healthz` answers."""
        with self.log_path.open("ab") as log:
            self.proc = subprocess.Popen(
                [sys.executable, "-m", "uvicorn", "api.app:create_app", "--factory", "--host", "127.0.0.1",
                 "--port", str(self.port), "--log-level", "warning"],
                env=self.env, cwd=PROJECT_ROOT, stdout=log, stderr=subprocess.STDOUT,
            )  # fmt: skip
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"the API exited with {self.proc.returncode}; see {self.log_path}")
            try:
                if httpx.get(f"{self.url}/healthz", timeout=1).status_code == 200:
                    return
            except httpx.TransportError:
                pass
            time.sleep(0.1)
        raise RuntimeError(f"the API did not come up within {timeout_s} s; see {self.log_path}")

    def stop(self) -> None:
        """Stop the server (SIGTERM, then SIGKILL)."""
        if self.proc is None or self.proc.poll() is not None:
            return
        self.proc.terminate()
        try:
            self.proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()


class LiveRunner:
    """`python -m cli.main runner` against a live API, in its own process group."""

    def __init__(
        self, api_url: str, token: str, *, log_path: Path, concurrency: int = 2, zygote: bool = True
    ) -> None:
        self.log_path = log_path
        args = ["--api", api_url, "--concurrency", str(concurrency), "--claim-wait", "5", "--grace", "30"]
        if not zygote:
            args.append("--no-zygote")
        with log_path.open("ab") as log:
            self.proc = subprocess.Popen(
                [sys.executable, "-m", "cli.main", "runner", *args],
                env=_clean_env() | {"SYLLABUS_RUNNER_TOKEN": token},
                cwd=PROJECT_ROOT,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )

    def wait_started(self, timeout_s: float = 180.0) -> None:
        """Wait for the `runner.started` log line (the zygote is warm by then)."""
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            if "runner.started" in self.log_path.read_text(errors="replace"):
                return
            if self.proc.poll() is not None:
                raise RuntimeError(f"the runner exited with {self.proc.returncode}: {self.log_tail()}")
            time.sleep(0.2)
        raise RuntimeError(f"the runner did not start within {timeout_s} s: {self.log_tail()}")

    def log_tail(self, chars: int = 3000) -> str:
        """The end of the runner's log."""
        return self.log_path.read_text(errors="replace")[-chars:]

    def kill(self) -> None:
        """SIGKILL the runner and everything in its process group (the zygote and its jobs)."""
        if self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGKILL)
        self.proc.wait()

    def stop(self, timeout_s: float = 60.0) -> int:
        """SIGTERM and wait for a graceful exit; returns the exit code."""
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=timeout_s)
            except subprocess.TimeoutExpired:
                self.kill()
        return self.proc.returncode
