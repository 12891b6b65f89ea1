"""Options every client command takes."""

from typing import Annotated

import typer

ServerOption = Annotated[
    str | None,
    typer.Option(
        "--server",
        envvar="SYLLABUS_SERVER",
        help="Server URL (default: the one saved by login).",
        show_default=False,
    ),
]
TokenOption = Annotated[
    str | None,
    typer.Option(
        "--token",
        envvar="SYLLABUS_TOKEN",
        help="Bearer token (default: the one saved by login).",
        show_default=False,
    ),
]
