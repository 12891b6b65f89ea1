"""What `syllabus serve` does: migrate, sync content, mint local tokens, start the API and a local runner."""

import ctypes
import os
import signal
import subprocess
import sys
from pathlib import Path

import typer
import uvicorn
from rich.console import Console
from sqlmodel import Session, select

from api.accounts.schemas import TokenCreate
from api.accounts.service import mint_token
from api.app import create_app
from api.settings import PROJECT_ROOT, Settings, get_settings
from content.sync import ContentInvalid, sync_content
from db import migrate
from db.engine import make_engine
from db.models import ApiToken
from db.session import make_session_factory, session_scope

console = Console(stderr=True)
DEV_TOKEN_FILE = "dev-admin-token"
RUNNER_TOKEN_FILE = "local-runner-token"
PR_SET_PDEATHSIG = 1


def _write_secret(path: Path, value: str) -> None:
    """Write a token readable by the owner only."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as fh:
        fh.write(value + "\n")


def _valid_stored_token(session: Session, path: Path, secret: str) -> str | None:
    """A token saved by an earlier start, if it still works."""
    from api.accounts.tokens import hash_token

    if not path.exists():
        return None
    token = path.read_text().strip()
    row = session.exec(select(ApiToken).where(ApiToken.token_hash == hash_token(token, secret))).first()
    return token if row is not None and row.revoked_at is None else None


def ensure_local_token(settings: Settings, *, role: str, path: Path, name: str) -> str:
    """Reuse the token stored at `path`, or mint and store a new one (development convenience)."""
    secret = settings.secret_key.get_secret_value()
    engine = make_engine(settings.database_url, pool_size=1)
    try:
        with session_scope(make_session_factory(engine)) as session:
            token = _valid_stored_token(session, path, secret)
            if token is None:
                _, token = mint_token(session, data=TokenCreate(role=role, name=name), secret=secret)
                _write_secret(path, token)
    finally:
        engine.dispose()
    return token


def sync_on_start(settings: Settings) -> None:
    """Load `content/` into the database (idempotent); refuse to start on invalid content."""
    engine = make_engine(settings.database_url, pool_size=1)
    try:
        with session_scope(make_session_factory(engine)) as session:
            plan = sync_content(session, settings.content_path)
    except ContentInvalid as exc:
        for problem in exc.problems:
            console.print(f"[red]{problem.file}: {problem.location}: {problem.message}[/red]")
        raise typer.Exit(2) from exc
    finally:
        engine.dispose()
    console.print(f"content synced from {settings.content_path}: {len(plan.changes)} change(s)")


def _die_with_parent() -> None:
    """The local runner must not outlive `serve`."""
    ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGTERM)


def start_local_runner(api_url: str, token: str) -> subprocess.Popen[bytes]:
    """Start `syllabus runner` against this server, in its own process."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("SYLLABUS_")}  # runners hold no DB secrets
    env["SYLLABUS_RUNNER_TOKEN"] = token
    return subprocess.Popen(
        [
            sys.executable,
            "-m",
            "cli.main",
            "runner",
            "--api",
            api_url,
            "--concurrency",
            str(os.cpu_count() or 1),
        ],
        env=env,
        cwd=PROJECT_ROOT,
        preexec_fn=_die_with_parent,
    )


def run_server(*, host: str, port: int, runner: bool, sync: bool, workers: int) -> None:
    """Run the API (migrating and syncing first) and, by default, one local runner."""
    settings = get_settings()
    settings.state_dir.mkdir(parents=True, exist_ok=True)
    migrate.upgrade(settings.database_url)
    if sync:
        sync_on_start(settings)
    url = f"http://{host}:{port}"
    if settings.environment == "development":
        token_file = settings.state_dir / DEV_TOKEN_FILE
        admin = ensure_local_token(settings, role="admin", path=token_file, name="development admin")
        console.print(f"Syllabus on [bold]{url}[/bold]  (docs: {url}/docs)", soft_wrap=True)
        console.print(
            f"development admin token: [bold]{admin}[/bold]  (also in {token_file})", soft_wrap=True
        )
    local_runner = None
    if runner:
        runner_file = settings.state_dir / RUNNER_TOKEN_FILE
        token = ensure_local_token(settings, role="runner", path=runner_file, name="local runner")
        local_runner = start_local_runner(url, token)
    try:
        if workers > 1:
            uvicorn.run(
                "api.app:create_app", factory=True, host=host, port=port, workers=workers, access_log=False
            )
        else:
            uvicorn.run(create_app(settings), host=host, port=port, access_log=False)
    finally:
        if local_runner is not None:
            local_runner.terminate()
            try:
                local_runner.wait(timeout=30)
            except subprocess.TimeoutExpired:
                local_runner.kill()
