"""Entry point of the `syllabus` command."""

import typer

from cli.admin import app as admin_app
from cli.db import app as db_app
from cli.serve import serve

app = typer.Typer(
    name="syllabus",
    help="Syllabus: learning tracker, curated resources and a sandboxed exercise runner.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)
app.command()(serve)
app.add_typer(db_app, name="db")
app.add_typer(admin_app, name="admin")

if __name__ == "__main__":
    app()
