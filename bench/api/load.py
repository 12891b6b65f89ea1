"""The load generator: wrk (Debian package, installed on first use as root) with a Lua script per route.

Why wrk and not Python: on a 2-core box an asyncio+httpx client needs about a core to push a few thousand
requests per second and would cap every route at the same rate, hiding the ratios we want. wrk's C event
loop costs a fraction of that; the Lua `request()` hook still rotates bearer tokens and writes a fresh
UUID into each event body. Every route, the hello-world baseline included, goes through the same script
hook, so the per-request client cost is the same on both sides of each ratio.
"""

import json
import os
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

from bench.api.fixture import BenchData

LUA = r"""
local tokens = {%(tokens)s}
local slugs = {%(slugs)s}
local statuses = {"not_started", "in_progress", "completed", "skipped"}
local kind = "%(kind)s"
local path = "%(path)s"
local etag = "%(etag)s"
local nonce = "%(nonce)s"
local exercise_file = "%(exercise_file)s"
local threads = %(threads)d
local next_tid = 0
local counter = 0

function setup(thread)
  thread:set("tid", next_tid)
  next_tid = next_tid + 1
end

function init(args)
  math.randomseed(os.time() + 7919 * (tid + 1))
end

-- Submissions rotate through the learners instead of drawing at random: each then submits the same
-- number of times, so none crosses the production per-learner limit while the mean is well under it.
local function token()
  if kind == "submit" then
    return tokens[(counter * threads + tid) %% #tokens + 1]
  end
  return tokens[math.random(#tokens)]
end

function request()
  counter = counter + 1
  local headers = {["Authorization"] = "Bearer " .. token()}
  if kind == "get" then
    return wrk.format("GET", path, headers)
  elseif kind == "get_etag" then
    headers["If-None-Match"] = etag
    return wrk.format("GET", path, headers)
  end
  headers["Content-Type"] = "application/json"
  if kind == "events" then
    local body = string.format(
      '{"id":"%%s-%%04x-4000-8000-%%012x","verb":"experienced",' ..
      '"object":{"type":"resource","id":"%%d"},"result":{"duration":"PT5M"}}',
      nonce, tid, counter, math.random(50))
    return wrk.format("POST", path, headers, body)
  elseif kind == "progress" then
    local slug = slugs[math.random(#slugs)]
    local body = '{"status":"' .. statuses[math.random(#statuses)] .. '"}'
    return wrk.format("PUT", "/api/v1/learners/me/topics/" .. slug .. "/progress", headers, body)
  elseif kind == "submit" then
    local body = string.format(
      '{"files":{"%%s":"# attempt %%d\\ndef solve():\\n    return %%d\\n"}}',
      exercise_file, counter, tid)
    return wrk.format("POST", path, headers, body)
  end
end

function done(summary, latency, requests)
  io.write(string.format(
    'WRKJSON {"requests":%%d,"duration_us":%%d,"errors_status":%%d,"errors_connect":%%d,' ..
    '"errors_read":%%d,"errors_write":%%d,"errors_timeout":%%d,"p50_us":%%d,"p99_us":%%d,"max_us":%%d}\n',
    summary.requests, summary.duration, summary.errors.status, summary.errors.connect,
    summary.errors.read, summary.errors.write, summary.errors.timeout,
    latency:percentile(50.0), latency:percentile(99.0), latency.max))
end
"""


@dataclass(frozen=True)
class Route:
    """One benchmarked route: a label, the request kind for the Lua script and the path."""

    name: str
    label: str
    kind: str
    path: str
    target_ratio: float | None = None


@dataclass(frozen=True)
class Measurement:
    """wrk's figures for one route."""

    requests: int
    seconds: float
    bad_status: int
    socket_errors: int
    p50_ms: float
    p99_ms: float
    max_ms: float
    per_worker: tuple[int, ...] = ()  # connections each server worker held mid-run (bench.api.split)

    @property
    def rps(self) -> float:
        """Requests per second over the measured window."""
        return self.requests / self.seconds if self.seconds else 0.0


def find_wrk() -> str:
    """The wrk binary; installs the Debian package when missing and we are root."""
    found = shutil.which("wrk")
    if found:
        return found
    if os.geteuid() == 0 and shutil.which("apt-get"):
        print("wrk not found: installing the Debian package `wrk` ...")
        quiet = {"stdout": subprocess.DEVNULL, "stderr": subprocess.STDOUT}
        env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
        if subprocess.run(["apt-get", "install", "-y", "wrk"], env=env, **quiet).returncode != 0:  # type: ignore[call-overload]
            subprocess.run(["apt-get", "update"], env=env, check=False, **quiet)  # type: ignore[call-overload]
            subprocess.run(["apt-get", "install", "-y", "wrk"], env=env, check=False, **quiet)  # type: ignore[call-overload]
        found = shutil.which("wrk")
        if found:
            return found
    raise SystemExit("the benchmark needs wrk: `apt-get install wrk` (Debian/Ubuntu) and run it again")


def _lua_list(values: list[str]) -> str:
    return ",".join(json.dumps(v) for v in values)


def write_script(
    directory: Path, route: Route, data: BenchData, *, etag: str, nonce: str, threads: int
) -> Path:
    """The Lua script that drives `route`."""
    script = LUA % {
        "tokens": _lua_list(data.submitter_tokens if route.kind == "submit" else data.learner_tokens),
        "slugs": _lua_list(data.topic_slugs),
        "kind": route.kind,
        "path": route.path,
        "etag": etag.replace('"', '\\"'),
        "nonce": nonce,
        "exercise_file": data.exercise_file,
        "threads": threads,
    }
    path = directory / f"{route.name}.lua"
    path.write_text(script)
    return path


def run_wrk(
    wrk: str, *, url: str, script: Path, seconds: float, connections: int, threads: int
) -> Measurement:
    """Run wrk once and parse the JSON line its `done()` hook prints."""
    argv = [
        wrk,
        f"-t{threads}",
        f"-c{connections}",
        f"-d{max(1, round(seconds))}s",
        "--timeout",
        "10s",
        "-s",
        str(script),
        url,
    ]
    out = subprocess.run(argv, capture_output=True, text=True, check=True).stdout
    line = next((ln for ln in out.splitlines() if ln.startswith("WRKJSON ")), None)
    if line is None:
        raise RuntimeError(f"wrk printed no summary:\n{out}")
    raw = json.loads(line.removeprefix("WRKJSON "))
    return Measurement(
        requests=raw["requests"],
        seconds=raw["duration_us"] / 1e6,
        bad_status=raw["errors_status"],
        socket_errors=sum(
            raw[k] for k in ("errors_connect", "errors_read", "errors_write", "errors_timeout")
        ),
        p50_ms=raw["p50_us"] / 1000,
        p99_ms=raw["p99_us"] / 1000,
        max_ms=raw["max_us"] / 1000,
    )
