"""`syllabus runner`: grade jobs pulled from an API in the sandbox; `runner doctor` checks the host."""

import os
import signal
import socket
from types import FrameType

import typer
from rich.console import Console
from rich.table import Table

from api.logging import configure_logging

app = typer.Typer(help="Grade submissions: pull jobs from a Syllabus API over HTTP and run them sandboxed.")
err = Console(stderr=True)


@app.callback(invoke_without_command=True)
def runner(
    ctx: typer.Context,
    api: str = typer.Option("http://127.0.0.1:8000", "--api", help="Base URL of the Syllabus API."),
    token: str | None = typer.Option(
        None, "--token", envvar="SYLLABUS_RUNNER_TOKEN", help="A runner token (or SYLLABUS_RUNNER_TOKEN)."
    ),
    concurrency: int = typer.Option(os.cpu_count() or 1, "--concurrency", min=1, help="Jobs graded at once."),
    zygote: bool = typer.Option(True, "--zygote/--no-zygote", help="Warm zygote (default) or cold jobs."),
    claim_wait: int = typer.Option(10, "--claim-wait", min=0, max=30, help="Long-poll seconds per claim."),
    grace: float = typer.Option(60.0, "--grace", min=0, help="Seconds running jobs get after SIGTERM."),
    name: str | None = typer.Option(None, "--name", help="Runner name in logs (default host/pid)."),
    log_level: str = typer.Option("INFO", "--log-level", help="Log level."),
    log_json: bool = typer.Option(False, "--log-json", help="Log JSON lines."),
) -> None:
    """Run jobs until SIGTERM (or Ctrl-C), then finish the running ones and exit."""
    if ctx.invoked_subcommand is not None:
        return
    from runners.api_client import ApiClient
    from runners.sandbox import make_executor
    from runners.worker import Worker, sandbox_job

    if not token:
        err.print("[red]a runner token is required: --token or SYLLABUS_RUNNER_TOKEN[/red]")
        raise typer.Exit(2)
    configure_logging(level=log_level, json=log_json)
    client = ApiClient(api, token, runner_name=name or f"{socket.gethostname()}/{os.getpid()}")
    executor = make_executor(zygote=zygote, concurrency=concurrency)
    worker = Worker(
        client,
        executor,
        make_job=sandbox_job,
        concurrency=concurrency,
        claim_wait_s=claim_wait,
        grace_s=grace,
    )

    def _stop(signum: int, _frame: FrameType | None) -> None:
        worker.stop()

    signal.signal(signal.SIGTERM, _stop)
    signal.signal(signal.SIGINT, _stop)
    try:
        wait_ready = getattr(executor, "wait_ready", None)
        if wait_ready is not None and not worker.stopping:
            err.print("warming the sandbox zygote (imports torch, scikit-learn, pandas, pytest)...")
            if not wait_ready(180):
                err.print("[yellow]the zygote is not ready after 180 s; claiming anyway[/yellow]")
        if not worker.stopping:
            worker.run()
    finally:
        executor.close()
        client.close()


@app.command()
def doctor() -> None:
    """Check that this host can run the sandbox; exits non-zero and says how to fix what is missing."""
    from runners.sandbox import check_host

    checks = check_host()
    table = Table(title="syllabus runner doctor")
    table.add_column("check")
    table.add_column("ok")
    table.add_column("detail")
    table.add_column("fix")
    for check in checks:
        table.add_row(
            check.name,
            "[green]yes[/green]" if check.ok else "[red]NO[/red]",
            check.detail,
            check.fix or "",
        )
    Console().print(table)
    if not all(check.ok for check in checks):
        raise typer.Exit(1)
