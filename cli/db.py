"""`syllabus db`: apply, revert and inspect migrations."""

import typer
from rich.console import Console

# Server-side imports happen inside the commands so that client commands of `syllabus` start fast.
app = typer.Typer(help="Database migrations (Alembic).", no_args_is_help=True)
console = Console()


@app.command()
def upgrade(revision: str = typer.Argument("head", help="Target revision.")) -> None:
    """Migrate the database up to REVISION (default: head)."""
    from api.settings import get_settings
    from db import migrate

    migrate.upgrade(get_settings().database_url, revision)
    console.print(f"database at [bold]{revision}[/bold]")


@app.command()
def downgrade(revision: str = typer.Argument(..., help="Target revision, e.g. -1 or base.")) -> None:
    """Migrate the database down to REVISION."""
    from api.settings import get_settings
    from db import migrate

    migrate.downgrade(get_settings().database_url, revision)
    console.print(f"database downgraded to [bold]{revision}[/bold]")


@app.command()
def current() -> None:
    """Print the database's revision and the newest one available."""
    from api.settings import get_settings
    from db import migrate
    from db.engine import make_engine

    engine = make_engine(get_settings().database_url, pool_size=1)
    try:
        rev = migrate.current_revision(engine)
    finally:
        engine.dispose()
    head = migrate.head_revision()
    console.print(f"current: {rev or '(empty)'}  head: {head}  {'up to date' if rev == head else 'BEHIND'}")
