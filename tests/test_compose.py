"""docker-compose.yml is well-formed and only runs commands our CLI really has (no Docker engine here)."""

from pathlib import Path
from typing import Any

import click
import typer
import yaml

from cli.main import app

ROOT = Path(__file__).resolve().parent.parent
COMPOSE = yaml.safe_load((ROOT / "docker-compose.yml").read_text())


def _resolve(argv: list[str]) -> Any:
    """Walk `syllabus ...` down to its command, failing on unknown commands or options."""
    command: Any = typer.main.get_command(app)
    tokens = iter(argv)
    for token in tokens:
        if token.startswith("-"):
            params = {opt: p for p in command.params for opt in (*p.opts, *p.secondary_opts)}
            name = token.split("=", 1)[0]
            assert name in params, f"`{' '.join(argv)}`: {name} is not an option of {command.name}"
            if not params[name].is_flag and "=" not in token:
                next(tokens, None)  # the option's value
        elif hasattr(command, "get_command"):  # a group (typer ships its own click-compatible classes)
            sub = command.get_command(click.Context(command), token)
            assert sub is not None, f"`{' '.join(argv)}`: {command.name} has no command {token!r}"
            command = sub
    return command


def _service(name: str) -> dict[str, Any]:
    service: dict[str, Any] = COMPOSE["services"][name]
    return service


def test_services_and_healthchecks() -> None:
    assert set(COMPOSE["services"]) == {"postgres", "api", "runner"}
    for name, service in COMPOSE["services"].items():
        assert "healthcheck" in service, f"{name} has no healthcheck"


def test_api_waits_for_a_healthy_database_and_postgres_keeps_a_named_volume() -> None:
    assert _service("api")["depends_on"]["postgres"]["condition"] == "service_healthy"
    assert _service("runner")["depends_on"]["api"]["condition"] == "service_healthy"
    volume = _service("postgres")["volumes"][0].split(":")[0]
    assert volume in COMPOSE["volumes"]


def test_runner_holds_no_database_credentials_and_is_scalable() -> None:
    runner = _service("runner")
    assert not any(k in runner["environment"] for k in ("SYLLABUS_DATABASE_URL", "SYLLABUS_SECRET_KEY"))
    assert "ports" not in runner and "container_name" not in runner  # both would break --scale


def test_secrets_come_from_the_environment() -> None:
    text = (ROOT / "docker-compose.yml").read_text()
    assert "${SYLLABUS_SECRET_KEY:?" in text and "${POSTGRES_PASSWORD:?" in text


def test_every_command_is_a_real_cli_command() -> None:
    commands = [s["command"] for s in COMPOSE["services"].values() if "command" in s]
    commands += [
        s["healthcheck"]["test"][1:]
        for s in COMPOSE["services"].values()
        if s["healthcheck"]["test"][1] == "syllabus"
    ]
    assert commands
    for argv in commands:
        assert argv[0] == "syllabus"
        assert _resolve(argv[1:]).callback is not None, f"`{' '.join(argv)}` is not a command"
