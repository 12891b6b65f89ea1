"""A real API server (uvicorn in a thread, on the test database) and a way to run the real `syllabus` CLI."""

import os
import subprocess
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
import uvicorn
from click.testing import Result
from sqlalchemy.engine import Engine
from typer.testing import CliRunner

from api.app import create_app
from api.settings import PROJECT_ROOT, Settings
from cli.main import app as cli_app
from content.loader import DEFAULT_ROOT, load_content
from content.sync import apply_sync, plan_sync
from db.session import make_session_factory, session_scope
from tests.e2e.live import free_port

SYLLABUS = PROJECT_ROOT / ".venv" / "bin" / "syllabus"


@dataclass
class LiveServer:
    """A running API."""

    url: str


@pytest.fixture
def curriculum(engine: Engine) -> None:
    """The shipped curriculum (topics, prerequisites, exercises) synced into the test database."""
    with session_scope(make_session_factory(engine)) as session:
        apply_sync(session, plan_sync(session, load_content(DEFAULT_ROOT), prune=False))


@pytest.fixture
def live_server(settings: Settings, curriculum: None) -> Iterator[LiveServer]:
    """`create_app(settings)` served by uvicorn on 127.0.0.1 and a free port, in a thread."""
    port = free_port()
    server = uvicorn.Server(
        uvicorn.Config(create_app(settings), host="127.0.0.1", port=port, log_level="warning")
    )
    thread = threading.Thread(target=server.run, name="live-api", daemon=True)
    thread.start()
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("the live API did not start")
        time.sleep(0.05)
    assert httpx.get(f"{url}/healthz").status_code == 200
    yield LiveServer(url=url)
    server.should_exit = True
    thread.join(timeout=15)


@pytest.fixture
def config_home(tmp_path: Path) -> Path:
    """An empty XDG_CONFIG_HOME for this test."""
    home = tmp_path / "config-home"
    home.mkdir()
    return home


@pytest.fixture
def cli(config_home: Path, monkeypatch: pytest.MonkeyPatch) -> "RunCli":
    """Run the real `syllabus` app in-process (it talks HTTP like the installed command)."""
    for name in list(os.environ):
        if name.startswith(("SYLLABUS_", "GITHUB_")):
            monkeypatch.delenv(name)
    return RunCli(config_home)


class RunCli:
    """Invoke the CLI with a private config dir and a wide terminal."""

    def __init__(self, config_home: Path) -> None:
        self.env = {"XDG_CONFIG_HOME": str(config_home), "COLUMNS": "200", "NO_COLOR": "1"}
        self.runner = CliRunner()

    def __call__(self, *args: str, env: dict[str, str] | None = None) -> Result:
        """`syllabus ARGS...`; the result has exit_code, stdout and stderr."""
        return self.runner.invoke(cli_app, list(args), env={**self.env, **(env or {})})

    def subprocess(self, *args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
        """The installed `.venv/bin/syllabus` in a child process."""
        clean = {k: v for k, v in os.environ.items() if not k.startswith(("SYLLABUS_", "GITHUB_"))}
        return subprocess.run(
            [str(SYLLABUS), *args],
            env={**clean, **self.env, **(env or {})},
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
