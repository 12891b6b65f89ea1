"""The README's run command: a fresh start serves the API within 60 s and prints a working admin token."""

import os
import re
import signal
import socket
import subprocess
import time
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
TOKEN_LINE = re.compile(r"development admin token: (sy_\S+)")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_fresh_serve_answers_and_prints_a_working_token(tmp_path: Path) -> None:
    port = _free_port()
    env = {
        **os.environ,
        "SYLLABUS_STATE_DIR": str(tmp_path),
        "SYLLABUS_DATABASE_URL": f"sqlite:///{tmp_path / 'fresh.db'}",
        "SYLLABUS_ENVIRONMENT": "development",
    }
    env.pop("SYLLABUS_SECRET_KEY", None)
    log = tmp_path / "serve.log"
    with log.open("w") as out:  # a file, not a pipe: an undrained pipe would stall the server's logging
        proc = subprocess.Popen(
            [str(ROOT / "scripts" / "serve"), "--port", str(port)],
            cwd=ROOT,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    started = time.monotonic()
    token = None
    try:
        while token is None and time.monotonic() - started < 60 and proc.poll() is None:
            if match := TOKEN_LINE.search(log.read_text()):
                token = match.group(1)
            time.sleep(0.2)
        assert token, f"serve printed no development admin token:\n{log.read_text()[-3000:]}"
        base = f"http://127.0.0.1:{port}"
        while time.monotonic() - started < 60:
            try:
                if httpx.get(f"{base}/healthz", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                time.sleep(0.2)
        assert httpx.get(f"{base}/healthz").status_code == 200
        assert httpx.get(f"{base}/docs").status_code == 200
        assert time.monotonic() - started < 60
        me = httpx.get(f"{base}/api/v1/me", headers={"Authorization": f"Bearer {token}"})
        assert me.status_code == 200
        assert me.json()["role"] == "admin"
        topics = httpx.get(f"{base}/api/v1/topics", headers={"Authorization": f"Bearer {token}"})
        assert topics.status_code == 200
        assert topics.json()["items"], "content/ was not synced on first start"
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            raise
