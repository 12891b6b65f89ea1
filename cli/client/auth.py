"""`syllabus login`: check a token against a server and save both for later commands."""

from typing import Annotated

import typer
from rich.console import Console

from cli.client.config import Connection, normalize_server, write_config
from cli.client.http import ApiClient, friendly_errors

out = Console(highlight=False)


@friendly_errors
def login(
    server: Annotated[str, typer.Option("--server", envvar="SYLLABUS_SERVER", help="Server URL.")],
    token: Annotated[str, typer.Option("--token", envvar="SYLLABUS_TOKEN", help="A learner or ci token.")],
) -> None:
    """Verify the token with GET /api/v1/me, then save server and token (mode 0600)."""
    connection = Connection(server=normalize_server(server), token=token.strip())
    with ApiClient(connection) as client:
        me = client.json("GET", "/me")
    path = write_config(connection)
    learner = me.get("learner") or {}
    who = f"learner {learner.get('handle')}" if learner else "no learner"
    out.print(f"Logged in to {connection.server} as a {me.get('role')} token ({who}); saved to {path}")
