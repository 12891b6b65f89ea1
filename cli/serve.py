"""`syllabus serve`: migrate, sync content, start the API and a local runner."""

import typer


def serve(
    host: str = typer.Option("127.0.0.1", help="Interface to bind."),
    port: int = typer.Option(8000, help="Port to listen on."),
    runner: bool = typer.Option(True, help="Start one local runner beside the API."),
    sync: bool = typer.Option(True, help="Sync content/ into the database on start."),
    workers: int = typer.Option(1, help="uvicorn worker processes."),
) -> None:
    """Run the API (migrating and syncing first) and, by default, one local runner."""
    from cli.serving import run_server  # server imports stay out of the client commands' start-up

    run_server(host=host, port=port, runner=runner, sync=sync, workers=workers)
