"""Entry point of the `syllabus` command."""

import typer

from cli.admin import app as admin_app
from cli.client import register as register_client_commands
from cli.content import app as content_app
from cli.db import app as db_app
from cli.resources import app as resources_app
from cli.runner import app as runner_app
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
app.add_typer(resources_app, name="resources")
app.add_typer(content_app, name="content")
app.add_typer(runner_app, name="runner")
register_client_commands(app)

if __name__ == "__main__":
    app()
