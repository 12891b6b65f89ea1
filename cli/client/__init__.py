"""The learner/CI client half of the `syllabus` command: speaks HTTP to any Syllabus server."""

import typer

from cli.client import auth, catalogue, grading, learning


def register(app: typer.Typer) -> None:
    """Add the client commands to the `syllabus` app."""
    app.command("login")(auth.login)
    app.command("topics")(catalogue.topics)
    app.command("graph")(catalogue.graph)
    app.command("exercises")(catalogue.exercises)
    app.add_typer(catalogue.exercise_app, name="exercise")
    app.command("next")(learning.next_topics)
    app.command("path")(learning.path)
    app.add_typer(learning.progress_app, name="progress")
    app.add_typer(learning.goal_app, name="goal")
    app.command("submit")(grading.submit)
    app.add_typer(grading.ci_app, name="ci")
