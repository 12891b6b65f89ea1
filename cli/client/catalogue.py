"""Catalogue commands: topics, the prerequisite graph, exercises, and fetching an exercise's files."""

import re
from pathlib import Path, PurePosixPath
from typing import Annotated, Literal

import typer
from rich.console import Console
from rich.table import Table

from cli.client.http import ClientError, connect, friendly_errors
from cli.client.options import ServerOption, TokenOption

out = Console(highlight=False)
exercise_app = typer.Typer(
    help="One exercise: fetch its starter files and visible tests.", no_args_is_help=True
)
_SAFE_PART = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9_.-]{0,99}$")


@friendly_errors
def topics(
    section: Annotated[str | None, typer.Option(help="Only this section.")] = None,
    query: Annotated[str | None, typer.Option("--q", help="Search titles and summaries.")] = None,
    server: ServerOption = None,
    token: TokenOption = None,
) -> None:
    """List the curriculum's topics."""
    params = {k: v for k, v in {"section": section, "q": query}.items() if v}
    with connect(server, token) as client:
        items = client.pages("/topics", params)
    table = Table("slug", "title", "section", "hours", "prerequisites")
    for t in items:
        table.add_row(
            t["slug"],
            t["title"],
            t["section"],
            f"{t.get('est_hours', 0):g}",
            ", ".join(t.get("prerequisites") or []),
        )
    out.print(table)


@friendly_errors
def graph(
    fmt: Annotated[Literal["mermaid", "dot"], typer.Option("--format", help="Text format.")] = "mermaid",
    server: ServerOption = None,
    token: TokenOption = None,
) -> None:
    """Print the prerequisite graph as Mermaid or DOT text."""
    with connect(server, token) as client:
        text = client.request("GET", "/graph", params={"format": fmt}).text
    typer.echo(text, nl=not text.endswith("\n"))


@friendly_errors
def exercises(
    topic: Annotated[str | None, typer.Option(help="Only this topic's exercises.")] = None,
    server: ServerOption = None,
    token: TokenOption = None,
) -> None:
    """List the exercises."""
    with connect(server, token) as client:
        items = client.pages("/exercises", {"topic": topic} if topic else None)
    table = Table("slug", "topic", "title", "points")
    for e in items:
        table.add_row(e["slug"], e["topic"], e["title"], str(e.get("points", "")))
    out.print(table)


def safe_relative_path(name: str) -> PurePosixPath:
    """A server-supplied file name as a harmless relative path, or `ClientError`."""
    path = PurePosixPath(name)
    if (
        not name
        or "\\" in name
        or path.is_absolute()
        or not all(_SAFE_PART.match(part) for part in path.parts)
    ):
        raise ClientError(f"the server sent an unsafe file name {name!r}; nothing was written")
    return path


@exercise_app.command("get")
@friendly_errors
def get_exercise(
    slug: Annotated[str, typer.Argument(help="The exercise slug.")],
    directory: Annotated[Path | None, typer.Option("--dir", help="Where to write (default: ./SLUG).")] = None,
    force: Annotated[bool, typer.Option("--force", help="Overwrite files that already exist.")] = False,
    server: ServerOption = None,
    token: TokenOption = None,
) -> None:
    """Write an exercise's instructions, starter files and visible tests into a folder."""
    with connect(server, token) as client:
        exercise = client.json("GET", f"/exercises/{slug}")
    target = directory or Path(slug)
    files: dict[PurePosixPath, str] = {PurePosixPath("README.md"): exercise.get("instructions") or ""}
    for group in ("starter_files", "visible_tests"):
        for name, text in (exercise.get(group) or {}).items():
            files[safe_relative_path(name)] = text
    existing = [str(p) for p in files if (target / p).exists() or (target / p).is_symlink()]
    if existing and not force:
        raise ClientError(f"{target} already has {', '.join(existing)}; pass --force to overwrite")
    for relative, text in files.items():
        path = target / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        if path.is_symlink():
            path.unlink()  # never write through a link
        path.write_text(text, encoding="utf-8")
    out.print(f"Wrote {len(files)} files to {target}/: {', '.join(str(p) for p in files)}")
    out.print(
        f"Submit with: syllabus submit {slug} "
        + " ".join(str(target / f) for f in exercise.get("files") or [])
    )
