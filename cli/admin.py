"""`syllabus admin`: create learners and tokens directly in the database."""

import typer
from rich.console import Console

from api.accounts.schemas import LearnerCreate, Role, TokenCreate

# Server-side imports happen inside the commands so that client commands of `syllabus` start fast.
app = typer.Typer(help="Administration straight against the database.", no_args_is_help=True)
console = Console()
err = Console(stderr=True)


@app.command("create-token")
def create_token(
    role: Role = typer.Option(..., help="admin, learner, runner or ci."),
    name: str = typer.Option("cli", help="A label to recognise the token by."),
    learner_id: int | None = typer.Option(None, help="Required for learner and ci tokens."),
    quiet: bool = typer.Option(False, "--quiet", "-q", help="Print only the token."),
) -> None:
    """Mint a token and print it (shown once)."""
    from api.accounts.service import mint_token
    from api.errors import AppError
    from api.settings import get_settings
    from db.engine import make_engine
    from db.session import make_session_factory, session_scope

    settings = get_settings()
    engine = make_engine(settings.database_url, pool_size=1)
    try:
        with session_scope(make_session_factory(engine)) as session:
            token, plaintext = mint_token(
                session,
                data=TokenCreate(role=role, name=name, learner_id=learner_id),
                secret=settings.secret_key.get_secret_value(),
            )
    except AppError as exc:
        err.print(f"[red]error:[/red] {exc.detail}")
        raise typer.Exit(2) from exc
    finally:
        engine.dispose()
    if quiet:
        print(plaintext)  # noqa: T201  (machine-readable output)
    else:
        console.print(f"{role} token #{token.id} ({name}): [bold]{plaintext}[/bold]")
        console.print("store it now; it is not shown again")


@app.command("create-learner")
def create_learner(
    handle: str = typer.Argument(..., help="Unique handle, e.g. ada."),
    display_name: str | None = typer.Option(None),
    timezone: str = typer.Option("UTC", help="IANA timezone, e.g. Europe/Paris."),
    with_token: bool = typer.Option(True, help="Also mint a learner token."),
) -> None:
    """Create a learner (and a learner token)."""
    from api.accounts.service import create_learner as create_learner_row
    from api.accounts.service import mint_token
    from api.errors import AppError
    from api.settings import get_settings
    from db.engine import make_engine
    from db.session import make_session_factory, session_scope

    settings = get_settings()
    engine = make_engine(settings.database_url, pool_size=1)
    try:
        data = LearnerCreate(handle=handle, display_name=display_name, timezone=timezone)
        with session_scope(make_session_factory(engine)) as session:
            learner = create_learner_row(session, data=data)
            plaintext = None
            if with_token:
                _, plaintext = mint_token(
                    session,
                    data=TokenCreate(role="learner", name="cli", learner_id=learner.id),
                    secret=settings.secret_key.get_secret_value(),
                )
    except (AppError, ValueError) as exc:
        err.print(f"[red]error:[/red] {getattr(exc, 'detail', exc)}")
        raise typer.Exit(2) from exc
    finally:
        engine.dispose()
    console.print(f"learner #{learner.id} [bold]{learner.handle}[/bold] created")
    if plaintext:
        console.print(f"learner token: [bold]{plaintext}[/bold] (shown once)")
