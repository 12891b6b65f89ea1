"""The runner's HTTP side of the job protocol (runners hold a runner token, never database credentials)."""

from __future__ import annotations

from typing import Any

import httpx

API_PREFIX = "/api/v1"


class ApiUnavailable(Exception):
    """The API could not be reached or answered 5xx/429: retry later."""


class LeaseLost(Exception):
    """The API answered 409: the job was requeued or finished under another lease."""


class ApiRejected(Exception):
    """The API refused the request for good (401, 403, 404, 422): retrying will not help."""

    def __init__(self, status: int, detail: str) -> None:
        super().__init__(f"HTTP {status}: {detail}")
        self.status = status


def api_base(url: str) -> str:
    """`http://host:8000` or `http://host:8000/api/v1` → the `/api/v1` base."""
    url = url.rstrip("/")
    return url if url.endswith(API_PREFIX) else url + API_PREFIX


class ApiClient:
    """Claim, heartbeat and result calls; thread-safe (one pooled `httpx.Client`)."""

    def __init__(
        self,
        api_url: str,
        token: str,
        *,
        runner_name: str,
        transport: httpx.BaseTransport | None = None,
        timeout_s: float = 30.0,
    ) -> None:
        self.base_url = api_base(api_url)
        self.runner_name = runner_name
        self._timeout_s = timeout_s
        self._http = httpx.Client(
            base_url=self.base_url,
            headers={"Authorization": f"Bearer {token}", "User-Agent": "syllabus-runner"},
            timeout=timeout_s,
            transport=transport,
        )

    def _post(
        self, path: str, *, json: Any = None, params: Any = None, timeout: float | None = None
    ) -> httpx.Response:
        try:
            response = self._http.post(path, json=json, params=params, timeout=timeout or self._timeout_s)
        except httpx.TransportError as exc:
            raise ApiUnavailable(f"{type(exc).__name__}: {exc}") from exc
        if response.status_code >= 500 or response.status_code == 429:
            raise ApiUnavailable(f"HTTP {response.status_code} from {path}")
        if response.status_code == 409:
            raise LeaseLost(_detail(response))
        if response.status_code >= 400:
            raise ApiRejected(response.status_code, _detail(response))
        return response

    def claim(self, *, wait: int) -> dict[str, Any] | None:
        """Lease a job, long-polling up to `wait` seconds; None when none came."""
        response = self._post(
            "/runner/jobs/claim",
            params={"wait": wait},
            json={"runner_name": self.runner_name},
            timeout=wait + self._timeout_s,
        )
        if response.status_code == 204:
            return None
        job: dict[str, Any] = response.json()
        return job

    def heartbeat(self, job_id: int, lease_id: str) -> dict[str, Any]:
        """Extend the lease; raises `LeaseLost` when it is gone."""
        lease: dict[str, Any] = self._post(
            f"/runner/jobs/{job_id}/heartbeat", json={"lease_id": lease_id}
        ).json()
        return lease

    def post_result(
        self, job_id: int, lease_id: str, *, status: str, result: dict[str, Any]
    ) -> dict[str, Any]:
        """Report the verdict; a repeat of an accepted post is harmless; raises `LeaseLost` on 409."""
        body = {"lease_id": lease_id, "status": status, "result": result}
        accepted: dict[str, Any] = self._post(f"/runner/jobs/{job_id}/result", json=body).json()
        return accepted

    def close(self) -> None:
        """Close the connection pool."""
        self._http.close()


def _detail(response: httpx.Response) -> str:
    try:
        return str(response.json().get("detail", response.text))[:300]
    except ValueError:
        return response.text[:300]
