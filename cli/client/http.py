"""A thin httpx wrapper that turns every failure into one clear line (exit code 2), never a traceback."""

import functools
from collections.abc import Callable
from typing import Any, NoReturn, ParamSpec, TypeVar

import httpx
import typer
from rich.console import Console

from cli.client.config import ConfigError, Connection, resolve

API_PREFIX = "/api/v1"
EXIT_FAILED = 1
EXIT_ERROR = 2
err = Console(stderr=True, highlight=False, soft_wrap=True)
P = ParamSpec("P")
R = TypeVar("R")


class ClientError(Exception):
    """A failure worth one line on stderr and exit code 2."""


def fail(message: str) -> NoReturn:
    """Print `error: message` and exit 2."""
    err.print(f"[red]error:[/red] {message}", markup=True)
    raise typer.Exit(EXIT_ERROR)


def friendly_errors(func: Callable[P, R]) -> Callable[P, R]:
    """Run a command, turning client and config errors into one line and exit 2."""

    @functools.wraps(func)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return func(*args, **kwargs)
        except (ClientError, ConfigError) as exc:
            fail(str(exc))

    return wrapper


def problem_detail(response: httpx.Response) -> str:
    """The problem document's `detail` (or the body's first line)."""
    try:
        body = response.json()
    except ValueError:
        return (response.text.strip().splitlines() or [response.reason_phrase])[0][:300]
    if isinstance(body, dict):
        return str(body.get("detail") or body.get("title") or response.reason_phrase)
    return response.reason_phrase


def _explain(response: httpx.Response, server: str) -> str:
    detail = problem_detail(response)
    status = response.status_code
    if status == 401:
        return (
            f"the server rejected the token (401): {detail}; check --token/SYLLABUS_TOKEN or `syllabus login`"
        )
    if status == 403:
        return f"this token may not do that (403): {detail}"
    if status == 404:
        return f"not found (404): {detail}"
    if status in (400, 409, 413, 422):
        return f"the server refused the request ({status}): {detail}"
    if status == 429:
        retry = response.headers.get("Retry-After")
        return f"rate limited (429): {detail}" + (f"; retry in {retry} s" if retry else "")
    return f"server error at {server} ({status}): {detail}"


class ApiClient:
    """Requests to one Syllabus server under `/api/v1`, with the bearer token."""

    def __init__(self, connection: Connection, *, timeout: float = 30.0) -> None:
        self.connection = connection
        self._http = httpx.Client(
            base_url=connection.server + API_PREFIX,
            headers={"Authorization": f"Bearer {connection.token}", "User-Agent": "syllabus-cli"},
            timeout=timeout,
        )

    def __enter__(self) -> "ApiClient":
        return self

    def __exit__(self, *_: object) -> None:
        self._http.close()

    def request(
        self, method: str, path: str, *, timeout: float | None = None, **kwargs: Any
    ) -> httpx.Response:
        """One request; non-2xx answers and transport failures raise `ClientError` with a clear message."""
        server = self.connection.server
        try:
            if timeout is not None:
                kwargs["timeout"] = timeout
            response = self._http.request(method, path, **kwargs)
        except httpx.ConnectError as exc:
            raise ClientError(
                f"cannot reach the Syllabus server at {server} ({_reason(exc)}); is it running?"
            ) from exc
        except httpx.TimeoutException as exc:
            raise ClientError(f"the Syllabus server at {server} did not answer in time") from exc
        except httpx.HTTPError as exc:
            raise ClientError(f"request to {server} failed: {_reason(exc)}") from exc
        if response.status_code >= 400:
            raise ClientError(_explain(response, server))
        return response

    def json(self, method: str, path: str, **kwargs: Any) -> Any:
        """A request whose answer is JSON."""
        response = self.request(method, path, **kwargs)
        try:
            return response.json()
        except ValueError as exc:
            raise ClientError(
                f"{self.connection.server} answered {path} with something that is not JSON"
            ) from exc

    def pages(self, path: str, params: dict[str, Any] | None = None) -> list[Any]:
        """Every item of a paginated list, following `next_cursor`."""
        params = {**(params or {}), "limit": 200}
        items: list[Any] = []
        while True:
            page = self.json("GET", path, params=params)
            items.extend(page.get("items") or [])
            if not page.get("next_cursor"):
                return items
            params["cursor"] = page["next_cursor"]


def _reason(exc: Exception) -> str:
    text = str(exc).strip()
    return text.split("] ")[-1] if text else type(exc).__name__


def connect(server: str | None, token: str | None) -> ApiClient:
    """A client from flags, environment and the config file."""
    return ApiClient(resolve(server, token))
