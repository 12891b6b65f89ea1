"""Graded work: `submit` (runner-graded, with a live status) and `ci report` (results from a CI job).

Exit codes a CI job can use: 0 all passed, 1 tests failed (or the code errored, timed out, ran out of
memory), 2 usage or server error (including `internal_error`, which is never the learner's fault).
"""

import os
import time
import uuid
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.table import Table

from cli.client.http import EXIT_ERROR, EXIT_FAILED, ApiClient, ClientError, connect, friendly_errors
from cli.client.options import ServerOption, TokenOption

out = Console(highlight=False)
ci_app = typer.Typer(help="Report CI results to Syllabus.", no_args_is_help=True)
FINAL = {"passed", "failed", "error", "timeout", "memory_limit", "output_limit", "internal_error"}
STATUS_STYLE = {"pass": "green", "fail": "red", "error": "red", "skip": "yellow"}


def exit_code(status: str) -> int:
    """0 passed, 2 our fault, 1 everything else final."""
    if status == "passed":
        return 0
    return EXIT_ERROR if status == "internal_error" else EXIT_FAILED


def print_result(status: str, score: Any, max_score: Any, result: dict[str, Any] | None) -> None:
    """A per-test table and a one-line verdict."""
    result = result or {}
    tests = result.get("tests") or []
    if tests:
        table = Table("test", "status", "score", "ms", "message")
        for t in tests:
            style = STATUS_STYLE.get(t.get("status", ""), "")
            message = (t.get("message") or "").strip().splitlines()
            table.add_row(
                t.get("name", "?"),
                f"[{style}]{t.get('status')}[/{style}]" if style else str(t.get("status")),
                f"{t.get('score', 0):g}/{t.get('max_score', 1):g}" if t.get("max_score") is not None else "",
                f"{t.get('duration_ms') or 0:.0f}",
                message[0][:120] if message else "",
            )
        out.print(table)
    if result.get("message"):
        out.print(str(result["message"]).strip()[:2000])
    for note in result.get("notes") or []:
        out.print(f"[yellow]note:[/yellow] {note}")
    verdict = "green" if status == "passed" else "red"
    points = f" — score {score:g}/{max_score:g}" if score is not None and max_score is not None else ""
    out.print(f"[bold {verdict}]{status}[/bold {verdict}]{points}")


def _read_files(paths: list[Path]) -> dict[str, str]:
    files: dict[str, str] = {}
    for path in paths:
        if path.name in files:
            raise ClientError(f"two files are named {path.name!r}; the server knows files by name")
        files[path.name] = _read_text(path)
    return files


def _read_text(path: Path) -> str:
    try:
        return path.read_bytes().decode("utf-8")
    except FileNotFoundError as exc:
        raise ClientError(f"{path}: no such file") from exc
    except UnicodeDecodeError as exc:
        raise ClientError(
            f"{path} is not UTF-8 text (byte 0x{exc.object[exc.start]:02x} at offset {exc.start})"
        ) from exc
    except OSError as exc:
        raise ClientError(f"cannot read {path}: {exc.strerror}") from exc


def _wait(client: ApiClient, submission_id: int, timeout_s: float) -> dict[str, Any]:
    deadline = time.monotonic() + timeout_s
    with out.status(f"submission {submission_id}: queued", spinner="dots") as live:
        while True:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise ClientError(
                    f"submission {submission_id} was not graded within {timeout_s:g} s; check later"
                )
            wait = max(1, min(20, int(remaining)))
            sub: dict[str, Any] = client.json(
                "GET", f"/submissions/{submission_id}", params={"wait": wait}, timeout=wait + 15
            )
            if sub["status"] in FINAL:
                return sub
            live.update(f"submission {submission_id}: {sub['status']}")


@friendly_errors
def submit(
    slug: Annotated[str, typer.Argument(help="The exercise slug.")],
    files: Annotated[list[Path], typer.Argument(help="Your files (sent by their base names).")],
    wait: Annotated[bool, typer.Option("--wait", help="Wait for the grade and show each test.")] = False,
    timeout: Annotated[float, typer.Option(help="Seconds to wait with --wait.")] = 300,
    server: ServerOption = None,
    token: TokenOption = None,
) -> None:
    """Submit files for grading by the sandboxed runner."""
    payload = _read_files(files)
    with connect(server, token) as client:
        # The key makes a retried submit after a network hiccup the same submission, not a second one.
        accepted = client.json(
            "POST",
            f"/exercises/{slug}/submissions",
            json={"files": payload},
            headers={"Idempotency-Key": str(uuid.uuid4())},
        )
        submission_id = int(accepted["id"])
        if not wait:
            out.print(f"Submitted {slug} as submission {submission_id} ({accepted['status']}).")
            return
        sub = _wait(client, submission_id, timeout)
    print_result(sub["status"], sub.get("score"), sub.get("max_score"), sub.get("result"))
    raise typer.Exit(exit_code(sub["status"]))


def _github_run_id() -> str | None:
    run = os.environ.get("GITHUB_RUN_ID")
    return f"{run}-{os.environ.get('GITHUB_RUN_ATTEMPT', '1')}" if run else None


def _github_run_url() -> str | None:
    parts = [os.environ.get(k) for k in ("GITHUB_SERVER_URL", "GITHUB_REPOSITORY", "GITHUB_RUN_ID")]
    return f"{parts[0]}/{parts[1]}/actions/runs/{parts[2]}" if all(parts) else None


@ci_app.command("report")
@friendly_errors
def ci_report(
    exercise: Annotated[str, typer.Option("--exercise", help="The exercise slug.")],
    run_id: Annotated[
        str | None,
        typer.Option(
            "--run-id",
            help="Unique per run (default on GitHub Actions: RUN_ID-RUN_ATTEMPT).",
            show_default=False,
        ),
    ] = None,
    junit: Annotated[Path | None, typer.Option("--junit", help="A JUnit XML report.")] = None,
    exercism: Annotated[Path | None, typer.Option("--exercism", help="An Exercism results.json.")] = None,
    syllabus: Annotated[Path | None, typer.Option("--syllabus", help="A Syllabus result document.")] = None,
    commit: Annotated[
        str | None, typer.Option("--commit", envvar="GITHUB_SHA", help="The commit tested.")
    ] = None,
    run_url: Annotated[str | None, typer.Option("--run-url", help="A link to the CI run.")] = None,
    server: ServerOption = None,
    token: TokenOption = None,
) -> None:
    """Post a CI run's test report for one exercise; exit 0 if all passed, 1 if not, 2 on errors."""
    chosen = [
        (fmt, path)
        for fmt, path in (("junit", junit), ("exercism", exercism), ("syllabus", syllabus))
        if path
    ]
    if len(chosen) != 1:
        raise typer.BadParameter("give exactly one of --junit, --exercism, --syllabus")
    run_id = run_id or _github_run_id()
    if not run_id:
        raise typer.BadParameter("--run-id is required outside GitHub Actions")
    fmt, path = chosen[0]
    body = {
        "exercise": exercise,
        "run_id": run_id,
        "commit": commit or None,
        "run_url": run_url or _github_run_url(),
        "format": fmt,
        "payload": _read_text(path),
    }
    with connect(server, token) as client:
        response = client.request("POST", "/ci/results", json=body, timeout=120)
    data = response.json()
    again = " (already reported; unchanged)" if response.status_code == 200 else ""
    out.print(f"Stored {exercise} run {run_id} as submission {data['submission_id']}{again}.")
    with connect(server, token) as client:
        try:
            sub = client.json("GET", f"/submissions/{data['submission_id']}")
        except ClientError:
            sub = None  # a ci token may not read submissions; the summary below still says how it went
    if sub is not None:
        print_result(sub["status"], sub.get("score"), sub.get("max_score"), sub.get("result"))
    else:
        counts = data["tests"]
        out.print(
            f"{counts['passed']} passed, {counts['failed']} failed, "
            f"{counts['errored']} errored, {counts['skipped']} skipped"
        )
        for note in data.get("notes") or []:
            out.print(f"[yellow]note:[/yellow] {note}")
        print_result(data["status"], data.get("score"), data.get("max_score"), None)
    raise typer.Exit(exit_code(data["status"]))
