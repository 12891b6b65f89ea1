"""A learner's own state: what next, a path to a target, topic progress, and weekly goals."""

from typing import Annotated, Any, Literal

import typer
from rich.console import Console
from rich.table import Table

from cli.client.http import connect, friendly_errors
from cli.client.options import ServerOption, TokenOption

out = Console(highlight=False)
progress_app = typer.Typer(help="Your progress per topic.", no_args_is_help=True)
goal_app = typer.Typer(help="Your weekly goals.", no_args_is_help=True)
TopicStatus = Literal["not_started", "in_progress", "completed", "skipped"]


@friendly_errors
def next_topics(server: ServerOption = None, token: TokenOption = None) -> None:
    """What to study next (unlocked topics in prerequisite order), and what is still locked."""
    with connect(server, token) as client:
        data = client.json("GET", "/learners/me/next")
    table = Table("topic", "title", "section", "hours", "why", title="Next up")
    for t in data.get("items") or []:
        table.add_row(t["slug"], t["title"], t["section"], f"{t.get('est_hours', 0):g}", t.get("reason", ""))
    out.print(table)
    locked = data.get("locked") or []
    if locked:
        out.print(
            f"{len(locked)} topics locked, e.g. {locked[0]['slug']} "
            f"(needs {', '.join(locked[0]['unmet_prerequisites'])})"
        )


@friendly_errors
def path(
    target: Annotated[str, typer.Argument(help="The topic you want to reach.")],
    server: ServerOption = None,
    token: TokenOption = None,
) -> None:
    """The topics still needed to reach TARGET, in a valid order."""
    with connect(server, token) as client:
        data = client.json("GET", "/learners/me/path", params={"target": target})
    table = Table("#", "topic", "title", "status", "hours", title=f"Path to {data.get('target', target)}")
    for i, step in enumerate(data.get("items") or [], 1):
        table.add_row(str(i), step["slug"], step["title"], step["status"], f"{step.get('est_hours', 0):g}")
    out.print(table)
    out.print(f"About {data.get('total_est_hours', 0):g} hours in all.")


@progress_app.command("set")
@friendly_errors
def progress_set(
    topic: Annotated[str, typer.Argument(help="Topic slug.")],
    status: Annotated[TopicStatus, typer.Argument(help="New status.")],
    server: ServerOption = None,
    token: TokenOption = None,
) -> None:
    """Set your status on a topic."""
    with connect(server, token) as client:
        data = client.json("PUT", f"/learners/me/topics/{topic}/progress", json={"status": status})
    out.print(f"{data['slug']}: {data['status']} (mastery {data.get('mastery')})")


@progress_app.command("show")
@friendly_errors
def progress_show(server: ServerOption = None, token: TokenOption = None) -> None:
    """Your status and mastery per topic, and completion per section."""
    with connect(server, token) as client:
        data = client.json("GET", "/learners/me/progress")
    sections = Table("section", "completed", "percent", title="Sections")
    for s in data.get("sections") or []:
        sections.add_row(s["title"], f"{s['completed']}/{s['topics']}", f"{s['percent_complete']:.0f}%")
    out.print(sections)
    topics = Table("topic", "status", "mastery", "why", title="Topics")
    for t in data.get("topics") or []:
        if t["status"] != "not_started" or t.get("mastery") not in (None, "not_started"):
            topics.add_row(t["slug"], t["status"], str(t.get("mastery")), t.get("mastery_reason", ""))
    out.print(topics if topics.row_count else "No topic started yet.")


def _describe_goal(goal: dict[str, Any]) -> None:
    out.print(
        f"Week {goal['week']} ({goal['status']}, {goal['timezone']}): "
        + ("MET" if goal["met"] else "not met yet")
    )
    progress = goal.get("progress") or {}
    table = Table("target", "goal", "so far", "met")
    topics = progress.get("topics")
    if topics:
        table.add_row(
            "topics", ", ".join(topics["target"]), ", ".join(topics["completed"]) or "-", _tick(topics["met"])
        )
    for key in ("minutes", "exercises", "active_days"):
        item = progress.get(key)
        if item:
            table.add_row(
                key.replace("_", " "), f"{item['target']:g}", f"{item['value']:g}", _tick(item["met"])
            )
    out.print(table)


def _tick(met: bool) -> str:
    return "yes" if met else "no"


WeekOption = Annotated[str, typer.Option("--week", help="ISO week like 2026-W48, or `current`.")]


@goal_app.command("set")
@friendly_errors
def goal_set(
    week: WeekOption = "current",
    topics: Annotated[str | None, typer.Option(help="Comma-separated topic slugs.")] = None,
    minutes: Annotated[int | None, typer.Option(help="Minutes of study.")] = None,
    exercises: Annotated[int | None, typer.Option(help="Exercises to pass.")] = None,
    active_days: Annotated[int | None, typer.Option("--active-days", help="Days with activity.")] = None,
    server: ServerOption = None,
    token: TokenOption = None,
) -> None:
    """Set a week's targets (at least one)."""
    body: dict[str, Any] = {"minutes": minutes, "exercises": exercises, "active_days": active_days}
    if topics is not None:
        body["topics"] = [t.strip() for t in topics.split(",") if t.strip()]
    body = {k: v for k, v in body.items() if v is not None}
    if not body:
        raise typer.BadParameter("give at least one of --topics, --minutes, --exercises, --active-days")
    with connect(server, token) as client:
        goal = client.json("PUT", f"/learners/me/goals/{week}", json=body)
    _describe_goal(goal)


@goal_app.command("show")
@friendly_errors
def goal_show(week: WeekOption = "current", server: ServerOption = None, token: TokenOption = None) -> None:
    """A week's goal and your progress against it."""
    with connect(server, token) as client:
        goal = client.json("GET", f"/learners/me/goals/{week}")
    _describe_goal(goal)
