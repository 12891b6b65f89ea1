"""`syllabus content`: check the curriculum files, sync them into the database, export it back."""

from pathlib import Path
from typing import TYPE_CHECKING, Any

import typer
from rich.console import Console
from rich.table import Table

from content.loader import DEFAULT_ROOT

if TYPE_CHECKING:
    from content.schema import ContentProblem
    from content.sync import SyncPlan

# Server-side imports happen inside the commands so that client commands of `syllabus` start fast.

app = typer.Typer(help="Curriculum content: files <-> database.", no_args_is_help=True)
console = Console()
err = Console(stderr=True)
PATH_OPTION = typer.Option(
    None, "--path", help="Content root holding sections.yaml [default: SYLLABUS_CONTENT_PATH, else content/]."
)
SHOWN_VALUE_CHARS = 60


@app.command()
def check(path: Path | None = PATH_OPTION) -> None:
    """Validate the content files without touching a database (for CI and pre-commit)."""
    from content.loader import load_content, validate

    path = path or DEFAULT_ROOT  # no settings needed: checking files works without any configuration
    problems = validate(load_content(path))
    if problems:
        _print_problems(problems)
        raise typer.Exit(1)
    console.print(f"[green]content OK[/green] ({path})")


@app.command()
def sync(
    path: Path | None = PATH_OPTION,
    dry_run: bool = typer.Option(False, "--dry-run", help="Print the plan; write nothing."),
    prune: bool = typer.Option(False, "--prune", help="Archive what the files no longer contain."),
    show_unchanged: bool = typer.Option(False, "--show-unchanged", help="List unchanged entities too."),
) -> None:
    """Validate the content files, print the diff against the database, and apply it."""
    from api.settings import get_settings
    from content.loader import load_content
    from content.sync import apply_sync, plan_sync
    from db.engine import make_engine
    from db.session import make_session_factory, session_scope

    settings = get_settings()
    content = load_content(path or settings.content_path)
    engine = make_engine(settings.database_url, pool_size=1)
    try:
        with session_scope(make_session_factory(engine)) as session:
            plan = plan_sync(session, content, prune=prune)
            if plan.problems:
                _print_problems(plan.problems)
                raise typer.Exit(1)
            _print_plan(plan, show_unchanged=show_unchanged, dry_run=dry_run)
            if not dry_run:
                apply_sync(session, plan)
    finally:
        engine.dispose()
    if dry_run:
        console.print("dry run: nothing written")
    elif plan.writes:
        console.print("[green]content synced[/green]")
    else:
        console.print("already in sync: nothing written")


@app.command()
def export(out: Path = typer.Option(..., "--out", help="Directory to write the content files into.")) -> None:
    """Write the database's sections, topics and resources as content files."""
    from api.settings import get_settings
    from content.export import export_content
    from db.engine import make_engine
    from db.session import make_session_factory, session_scope

    engine = make_engine(get_settings().database_url, pool_size=1)
    try:
        with session_scope(make_session_factory(engine)) as session:
            written = export_content(session, out)
    finally:
        engine.dispose()
    for path in written:
        console.print(f"wrote {path}")


@app.command("validate-exercises")
def validate_exercises(
    path: Path | None = PATH_OPTION,
    zygote: bool = typer.Option(True, help="Use the warm zygote (--no-zygote: a cold sandbox per job)."),
    sandbox: bool = typer.Option(
        True, help="--no-sandbox: plain pytest, for authoring on hosts without one."
    ),
) -> None:
    """Run every exercise's reference and starter in the real sandbox: reference passes, starter fails."""
    from content.exercises import load_exercises
    from content.validate_exercises import render_report_table, run_validation, validate_exercises_locally

    root = path or DEFAULT_ROOT
    if sandbox:
        reports = run_validation(root, zygote=zygote)
    else:
        specs, problems = load_exercises(root)
        if problems:
            _print_problems(problems)
            raise typer.Exit(1)
        reports = validate_exercises_locally(specs)
    console.print(render_report_table(reports))
    if not all(report.ok for report in reports):
        raise typer.Exit(1)


def _print_problems(problems: "list[ContentProblem]") -> None:
    # One problem per line as ``file:line: location: message``, which editors and CI logs link to.
    for problem in problems:
        err.print(str(problem), style="red", markup=False, highlight=False, soft_wrap=True)
    err.print(f"{len(problems)} content problem(s); nothing written")


def _print_plan(plan: "SyncPlan", *, show_unchanged: bool, dry_run: bool) -> None:
    from content.sync import ACTIONS, ENTITIES

    counts = plan.counts()
    summary = Table(title="content sync" + (" (dry run)" if dry_run else ""), title_justify="left")
    summary.add_column("entity")
    for action in ACTIONS:
        summary.add_column(_action_name(action, plan.prune), justify="right")
    for entity in ENTITIES:
        summary.add_row(entity, *(str(counts[entity][action]) for action in ACTIONS))
    console.print(summary)
    shown = [p for p in plan.entities if show_unchanged or p.action != "unchanged"]
    if not shown:
        return
    changes = Table(show_lines=False)
    for column in ("entity", "key", "name", "action", "field", "database", "files"):
        changes.add_column(column, overflow="fold")
    for entity_plan in shown:
        first = (
            entity_plan.entity,
            entity_plan.key,
            entity_plan.label,
            _action_name(entity_plan.action, plan.prune),
        )
        if not entity_plan.diffs:
            changes.add_row(*first, "", "", "")
        for i, diff in enumerate(entity_plan.diffs):
            row = first if i == 0 else ("", "", "", "")
            changes.add_row(*row, diff.name, _shown(diff.old), _shown(diff.new))
    console.print(changes)


def _action_name(action: str, prune: bool) -> str:
    return "would archive (--prune)" if action == "archive" and not prune else action


def _shown(value: Any) -> str:
    if isinstance(value, list) and all(isinstance(v, tuple) for v in value):
        text = ", ".join(f"{slug} ({kind})" for slug, kind in value)
    else:
        text = "" if value is None else str(value)
    return text if len(text) <= SHOWN_VALUE_CHARS else text[: SHOWN_VALUE_CHARS - 1] + "…"
