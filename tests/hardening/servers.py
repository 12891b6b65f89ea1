"""Real servers for hardening tests: uvicorn API processes and a throwaway PostgreSQL cluster."""

import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx

from api.settings import PROJECT_ROOT

PG_BIN = Path("/usr/lib/postgresql/15/bin")
TEST_SECRET = "test-secret-not-for-production"


def free_port() -> int:
    """A TCP port nobody listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def api_env(database_url: str, **extra: str) -> dict[str, str]:
    """An API process's environment: this database, test secret, nothing inherited from SYLLABUS_*."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("SYLLABUS_")}
    env.update(
        SYLLABUS_ENVIRONMENT="test",
        SYLLABUS_DATABASE_URL=database_url,
        SYLLABUS_SECRET_KEY=TEST_SECRET,
        SYLLABUS_LOG_LEVEL="WARNING",
    )
    env.update(extra)
    return env


def wait_until(predicate: object, timeout: float, what: str, interval: float = 0.1) -> None:
    """Poll `predicate()` until it is true, or fail naming `what`."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():  # type: ignore[operator]
            return
        time.sleep(interval)
    raise AssertionError(f"timed out after {timeout} s waiting for {what}")


def _answers(url: str) -> bool:
    try:
        return httpx.get(url, timeout=2).status_code < 500
    except httpx.HTTPError:
        return False


class ApiProcess:
    """One `uvicorn api.app:create_app` process on loopback."""

    def __init__(self, env: dict[str, str], *, workers: int = 1, log: Path | None = None) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        argv = [sys.executable, "-m", "uvicorn", "api.app:create_app", "--factory", "--host", "127.0.0.1"]
        argv += ["--port", str(self.port), "--workers", str(workers), "--no-access-log"]
        out = log.open("ab") if log else subprocess.DEVNULL
        try:
            self.proc = subprocess.Popen(
                argv, env=env, cwd=PROJECT_ROOT, stdout=out, stderr=subprocess.STDOUT
            )
        finally:
            if log:
                out.close()  # type: ignore[union-attr]
        wait_until(lambda: self.proc.poll() is None and _answers(f"{self.url}/healthz"), 60, "the API")

    def signal(self, signum: int) -> None:
        """Send `signum` to the server process."""
        if self.proc.poll() is None:
            os.kill(self.proc.pid, signum)

    def stop(self) -> None:
        """SIGTERM, then SIGKILL."""
        self.signal(signal.SIGTERM)
        try:
            self.proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()


@contextmanager
def api_process(env: dict[str, str], **kwargs: object) -> Iterator[ApiProcess]:
    """An API process for the duration of the block."""
    api = ApiProcess(env, **kwargs)  # type: ignore[arg-type]
    try:
        yield api
    finally:
        api.stop()


class ThrowawayPostgres:
    """A private PostgreSQL cluster (initdb in a temp dir, run as `postgres`) that tests may stop and start.

    Never the machine's shared cluster: other tests use that one.
    """

    def __init__(self) -> None:
        self.dir = Path(tempfile.mkdtemp(prefix="syllabus-pg-"))
        self.data = self.dir / "data"
        self.port = free_port()
        shutil.chown(self.dir, "postgres", "postgres")
        self._as_postgres(
            [str(PG_BIN / "initdb"), "-D", str(self.data), "-A", "trust", "-U", "postgres", "--no-sync"]
        )
        self.start()

    @staticmethod
    def available() -> bool:
        """Whether this machine can run one (root, Debian's PostgreSQL 15, a `postgres` user)."""
        return os.geteuid() == 0 and (PG_BIN / "initdb").exists() and shutil.which("runuser") is not None

    def _as_postgres(self, argv: list[str]) -> None:
        subprocess.run(
            ["runuser", "-u", "postgres", "--", *argv], check=True, capture_output=True, cwd=self.dir
        )

    @property
    def admin_dsn(self) -> str:
        """A DSN of its `postgres` database."""
        return f"postgresql://postgres@127.0.0.1:{self.port}/postgres"

    def url(self, dbname: str) -> str:
        """A DSN of database `dbname`."""
        return f"postgresql://postgres@127.0.0.1:{self.port}/{dbname}"

    def start(self) -> None:
        """Start the server and wait until it accepts connections."""
        options = f"-p {self.port} -k {self.dir} -c listen_addresses=127.0.0.1 -c fsync=off"
        self._as_postgres(
            [
                str(PG_BIN / "pg_ctl"),
                "-D",
                str(self.data),
                "-o",
                options,
                "-l",
                str(self.dir / "log"),
                "-w",
                "start",
            ]
        )

    def stop(self, mode: str = "fast") -> None:
        """Stop the server (`fast` disconnects clients; `immediate` is a crash)."""
        self._as_postgres([str(PG_BIN / "pg_ctl"), "-D", str(self.data), "-m", mode, "-w", "stop"])

    def destroy(self) -> None:
        """Stop it (if running) and delete its files."""
        with_status = subprocess.run(
            ["runuser", "-u", "postgres", "--", str(PG_BIN / "pg_ctl"), "-D", str(self.data), "status"],
            capture_output=True,
            check=False,
        )
        if with_status.returncode == 0:
            self.stop("immediate")
        shutil.rmtree(self.dir, ignore_errors=True)


def sync_shipped_content(database_url: str) -> None:
    """Load `content/` into a migrated database, as `syllabus content sync` does."""
    from content.loader import load_content
    from content.sync import apply_sync, plan_sync
    from db.engine import make_engine
    from db.session import make_session_factory, session_scope

    content = load_content(PROJECT_ROOT / "content")
    engine = make_engine(database_url, pool_size=1)
    try:
        with session_scope(make_session_factory(engine)) as session:
            plan = plan_sync(session, content, prune=False)
            assert not plan.problems, plan.problems[:3]
            apply_sync(session, plan)
    finally:
        engine.dispose()
