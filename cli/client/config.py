"""Where the client finds its server and token: flags, then `SYLLABUS_SERVER`/`SYLLABUS_TOKEN`, then the file.

The file is `$XDG_CONFIG_HOME/syllabus/config.json` (default `~/.config/syllabus/config.json`), written by
`syllabus login` with mode 0600 since it holds a bearer token.
"""

import json
import os
from dataclasses import dataclass
from pathlib import Path


class ConfigError(Exception):
    """The client is not configured well enough to make a request."""


@dataclass(frozen=True)
class Connection:
    """A server base URL and the token to present there."""

    server: str
    token: str


def config_path() -> Path:
    """The config file's location, honouring `XDG_CONFIG_HOME`."""
    base = os.environ.get("XDG_CONFIG_HOME") or str(Path.home() / ".config")
    return Path(base) / "syllabus" / "config.json"


def read_config() -> dict[str, str]:
    """The saved server and token, or an empty dict when there is no (readable) file."""
    path = config_path()
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return {}
    except (OSError, ValueError) as exc:
        raise ConfigError(f"cannot read {path}: {exc}; run `syllabus login` again") from exc
    if not isinstance(data, dict):
        raise ConfigError(f"{path} is not a JSON object; run `syllabus login` again")
    return {k: v for k, v in data.items() if isinstance(k, str) and isinstance(v, str)}


def write_config(connection: Connection) -> Path:
    """Save the server and token, readable by the owner only."""
    path = config_path()
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    text = json.dumps({"server": connection.server, "token": connection.token}, indent=2) + "\n"
    temporary = path.with_name(path.name + ".tmp")
    fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        os.fchmod(handle.fileno(), 0o600)  # an older file may have wider permissions
        handle.write(text)
    os.replace(temporary, path)
    return path


def normalize_server(server: str) -> str:
    """`localhost:8000/` → `http://localhost:8000`."""
    server = server.strip().rstrip("/")
    if not server.startswith(("http://", "https://")):
        server = "http://" + server
    return server.removesuffix("/api/v1")


def resolve(server: str | None, token: str | None) -> Connection:
    """Flags and environment (typer fills both) win over the saved file."""
    saved = read_config() if not (server and token) else {}
    server = server or saved.get("server")
    token = token or saved.get("token")
    if not server:
        raise ConfigError("no server configured: pass --server, set SYLLABUS_SERVER or run `syllabus login`")
    if not token:
        raise ConfigError("no token configured: pass --token, set SYLLABUS_TOKEN or run `syllabus login`")
    return Connection(server=normalize_server(server), token=token)
