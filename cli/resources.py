"""`syllabus resources`: curation chores run straight against the database (link checking)."""

from typing import TYPE_CHECKING

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

if TYPE_CHECKING:
    from api.resources.link_check import LinkResult

# Server-side imports happen inside the commands so that client commands of `syllabus` start fast.

app = typer.Typer(help="Curated resources.", no_args_is_help=True)
console = Console()
err = Console(stderr=True)
COLOURS = {"ok": "green", "redirected": "yellow", "broken": "red", "unknown": "magenta"}


@app.command("check-links")
def check_links(
    resource_id: int | None = typer.Option(None, "--resource-id", help="Check only this resource."),
    concurrency: int = typer.Option(8, min=1, max=64, help="Requests in flight at once (one per host)."),
    timeout: float = typer.Option(10.0, min=0.1, help="Seconds per request."),
) -> None:
    """Check every approved resource's link (or one) and record its health."""
    from api.resources.link_check import run_link_check, start_link_check
    from api.settings import get_settings
    from db.engine import make_engine
    from db.models import Resource
    from db.session import make_session_factory, session_scope

    settings = get_settings()
    engine = make_engine(settings.database_url, pool_size=2)
    factory = make_session_factory(engine)
    try:
        with session_scope(factory) as session:
            if resource_id is not None and session.get(Resource, resource_id) is None:
                err.print(f"[red]error:[/red] resource {resource_id} not found")
                raise typer.Exit(2)
            check = start_link_check(session, requested_by="cli", resource_id=resource_id)
            check_id, total = check.id, check.total
        assert check_id is not None
        with Progress(
            TextColumn("[bold]checking links"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            console=console,
        ) as progress:
            task = progress.add_task("links", total=total)

            def report(result: "LinkResult") -> None:
                if result.link_status in ("broken", "unknown"):
                    detail = result.http_status or result.error
                    progress.console.print(
                        f"[{COLOURS[result.link_status]}]{result.link_status}[/] {result.url} ({detail})"
                    )
                progress.advance(task)

            summary = run_link_check(
                factory, check_id=check_id, concurrency=concurrency, timeout=timeout, progress=report
            )
    finally:
        engine.dispose()
    console.print(
        f"link check #{check_id}: "
        + ", ".join(f"[{COLOURS[status]}]{count} {status}[/]" for status, count in summary.items())
    )
